//! The documents resource's request and response bodies, and the rules on their fields.

use chrono::{DateTime, Utc};
use corpus_platform::problem::{optional_string, required_string};
use poem::Body;
use poem_openapi::{
    ApiResponse, Object,
    payload::{Binary, Json},
    types::ParseError,
};
use serde_json::Value;
use uuid::Uuid;

use crate::entities::document;

/// Largest text accepted by `POST /documents` (larger files go through ingestion).
pub const MAX_TEXT_BYTES: usize = 32 * 1024 * 1024;

#[derive(Debug, Object)]
pub struct CreateDocument {
    /// Title shown in lists and search results (not blank, no NUL characters).
    #[oai(
        validator(
            min_length = 1,
            max_length = 500,
            pattern = r"^[^\x00]*[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000][^\x00]*$"
        ),
        deserialize_with = "title_field"
    )]
    pub title: String,
    /// The full text (UTF-8, no NUL characters); at most 32 MiB of UTF-8 (larger: 413).
    #[oai(
        validator(min_length = 1, pattern = r"^[^\x00]*$"),
        deserialize_with = "text_field"
    )]
    pub text: String,
    /// Where the text came from (no NUL characters); defaults to `api`. `s3://` sources
    /// (in any letter case) are reserved for documents stored by ingestion: 422.
    #[oai(
        validator(min_length = 1, max_length = 1024, pattern = r"^[^\x00]+$"),
        deserialize_with = "source_field"
    )]
    pub source: Option<String>,
}

fn title_field(v: Option<Value>) -> Result<String, ParseError<String>> {
    required_string("title", v)
}

fn text_field(v: Option<Value>) -> Result<String, ParseError<String>> {
    required_string("text", v)
}

fn source_field(v: Option<Value>) -> Result<Option<String>, ParseError<Option<String>>> {
    optional_string("source", v)
}

/// A stored document (without its text: see `/documents/{id}/text`).
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct DocumentView {
    pub id: Uuid,
    pub title: String,
    pub source: String,
    pub content_type: String,
    pub byte_size: i64,
    pub passage_count: i32,
    /// The ingestion job that stored it; absent for documents stored through the API.
    pub job_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
}

impl From<document::Model> for DocumentView {
    fn from(d: document::Model) -> Self {
        Self {
            id: d.id,
            title: d.title,
            source: d.source,
            content_type: d.content_type,
            byte_size: d.byte_size,
            passage_count: d.passage_count,
            job_id: d.job_id,
            created_at: d.created_at,
        }
    }
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct DocumentPage {
    pub items: Vec<DocumentView>,
    /// Pass as `cursor` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

#[derive(ApiResponse)]
pub enum CreateResponse {
    /// Stored.
    #[oai(status = 201)]
    Created(Json<DocumentView>, #[oai(header = "location")] String),
}

#[derive(ApiResponse)]
pub enum GetResponse {
    /// The document's metadata, with a strong `ETag`.
    #[oai(status = 200)]
    Ok(
        Json<DocumentView>,
        #[oai(header = "etag")] String,
        #[oai(header = "cache-control")] String,
    ),
    /// `If-None-Match` named the current `ETag`: nothing changed.
    #[oai(status = 304)]
    NotModified(
        #[oai(header = "etag")] String,
        #[oai(header = "cache-control")] String,
    ),
}

#[derive(ApiResponse)]
pub enum TextResponse {
    /// The exact original text, with a strong `ETag` (its SHA-256).
    #[oai(status = 200, content_type = "text/plain; charset=utf-8")]
    Ok(
        Binary<Body>,
        #[oai(header = "etag")] String,
        #[oai(header = "cache-control")] String,
    ),
    /// `If-None-Match` named the current `ETag`: nothing changed.
    #[oai(status = 304)]
    NotModified(
        #[oai(header = "etag")] String,
        #[oai(header = "cache-control")] String,
    ),
}

/// True for sources only ingestion may write: `s3://...` in any letter case, leading
/// whitespace ignored (issue 9, item 6). An API client claiming one could shadow, or be
/// mistaken for, the copy of a real object.
pub(super) fn is_reserved_source(source: &str) -> bool {
    source
        .trim_start()
        .get(..5)
        .is_some_and(|scheme| scheme.eq_ignore_ascii_case("s3://"))
}

#[derive(ApiResponse)]
pub enum DeleteResponse {
    /// Deleted, with its passages.
    #[oai(status = 204)]
    Deleted,
}

#[cfg(test)]
mod tests {
    use super::is_reserved_source;

    #[test]
    fn s3_sources_are_reserved_in_any_case() {
        for s in ["s3://b/k", "S3://B/K", "  s3://b", "s3://"] {
            assert!(is_reserved_source(s), "{s}");
        }
        for s in [
            "api",
            "s3",
            "s3:/x",
            "https://s3.amazonaws.com/b/k",
            "ns3://x",
            "é3://",
        ] {
            assert!(!is_reserved_source(s), "{s}");
        }
    }
}
