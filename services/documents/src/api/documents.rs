use bytes::Bytes;
use chrono::{DateTime, Utc};
use corpus_platform::{
    auth::WriteAccess,
    cursor,
    problem::{optional_string, required_string},
};
use futures::stream;
use poem::Body;
use poem_openapi::{
    ApiResponse, Object, OpenApi,
    param::{Header, Path, Query},
    payload::{Binary, Json},
    types::ParseError,
};
use serde_json::Value;
use uuid::Uuid;

use super::{
    ApiError, ApiTags, DEFAULT_LIMIT,
    caching::{CACHE_CONTROL, matches, metadata_etag, text_etag},
    filters,
};
use crate::{
    AppState,
    entities::document,
    query::{self, ListCursor},
    store::{self, NewDocument, WriteOutcome},
};

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
fn is_reserved_source(source: &str) -> bool {
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

pub struct DocumentsApi {
    pub state: AppState,
}

/// Passages fetched per query while streaming a text.
const TEXT_BATCH: u64 = 64;

#[OpenApi(tag = "ApiTags::Documents")]
impl DocumentsApi {
    /// Store a document.
    #[oai(path = "/documents", method = "post")]
    async fn create(
        &self,
        _auth: WriteAccess,
        body: Json<CreateDocument>,
    ) -> Result<CreateResponse, ApiError> {
        let body = body.0;
        if body.text.len() > MAX_TEXT_BYTES {
            return Err(ApiError::payload_too_large(format!(
                "text: is {} bytes of UTF-8; the limit is {MAX_TEXT_BYTES} (ingest larger files through S3)",
                body.text.len()
            )));
        }
        let source = body.source.unwrap_or_else(|| "api".to_owned());
        if is_reserved_source(&source) {
            return Err(ApiError::unprocessable(
                "source",
                "s3:// sources are reserved for documents stored by ingestion; name another source (or none)",
            ));
        }
        let meta = NewDocument {
            title: body.title.trim().to_owned(),
            source: source.clone(),
            content_type: "text/plain".to_owned(),
            job_id: None,
        };
        let db = &self.state.db;
        let created = (self.state.credentials)
            .retry(|| store::create_document(db, meta.clone(), &body.text))
            .await?;
        match created {
            WriteOutcome::Created(doc) => {
                tracing::info!(document_id = %doc.id, bytes = doc.byte_size, passages = doc.passage_count, "document created");
                let location = format!("{}/documents/{}", self.state.base_path, doc.id);
                Ok(CreateResponse::Created(Json(doc.into()), location))
            }
            WriteOutcome::Duplicate { existing_id } => Err(ApiError::conflict(format!(
                "the same text from source {source:?} is already stored as document {existing_id}"
            ))),
        }
    }

    /// List documents, newest first, optionally narrowed (filters combine with AND;
    /// `job_id` alone lists one ingestion job's documents).
    #[oai(path = "/documents", method = "get")]
    #[allow(clippy::too_many_arguments)]
    async fn list(
        &self,
        /// Page size, 1 to 100 (default 20).
        #[oai(validator(minimum(value = "1"), maximum(value = "100")))]
        limit: Query<Option<u32>>,
        /// `next_cursor` of the previous page, with the same filters (a cursor issued for
        /// other filters: 422).
        #[oai(validator(max_length = 1024, pattern = r"^[A-Za-z0-9_-]*$"))]
        cursor: Query<Option<String>>,
        /// Only documents whose `source` starts with this (case-sensitive), e.g.
        /// `s3://bucket/reports/`.
        #[oai(validator(min_length = 1, max_length = 1024, pattern = r"^[^\x00]+$"))]
        source_prefix: Query<Option<String>>,
        /// Only documents stored by this ingestion job.
        job_id: Query<Option<Uuid>>,
        /// Only documents of exactly this content type, e.g. `text/plain`.
        #[oai(validator(min_length = 1, max_length = 255, pattern = r"^[^\x00]+$"))]
        content_type: Query<Option<String>>,
        /// Only documents created at or after this instant (RFC 3339).
        created_from: Query<Option<DateTime<Utc>>>,
        /// Only documents created before this instant (RFC 3339); must be later than
        /// `created_from` (otherwise 422).
        created_to: Query<Option<DateTime<Utc>>>,
    ) -> Result<Json<DocumentPage>, ApiError> {
        let filters = filters::filters(
            source_prefix.0,
            job_id.0,
            content_type.0,
            created_from.0,
            created_to.0,
        )?;
        let fingerprint = filters.fingerprint("list");
        let after = match cursor.0.as_deref() {
            None | Some("") => None,
            Some(raw) => {
                let c = cursor::decode::<ListCursor>(raw)
                    .ok_or_else(|| ApiError::unprocessable("cursor", "is not a list cursor"))?;
                filters::check_fingerprint(c.fingerprint.as_deref(), &fingerprint)?;
                Some(c)
            }
        };
        let limit = u64::from(limit.0.unwrap_or(DEFAULT_LIMIT));
        let read = &self.state.read;
        let (rows, next) = (self.state.credentials)
            .retry(|| query::list_documents(read, &filters, limit, after.as_ref()))
            .await?;
        Ok(Json(DocumentPage {
            items: rows.into_iter().map(Into::into).collect(),
            next_cursor: next.map(|mut c| {
                c.fingerprint = Some(fingerprint);
                cursor::encode(&c)
            }),
        }))
    }

    /// One document's metadata.
    #[oai(path = "/documents/:id", method = "get")]
    async fn get(
        &self,
        id: Path<Uuid>,
        /// An `ETag` from an earlier answer: 304 while the document is unchanged.
        #[oai(name = "If-None-Match")]
        if_none_match: Header<Option<String>>,
    ) -> Result<GetResponse, ApiError> {
        let (d, _) = self
            .state
            .find_document(id.0)
            .await?
            .ok_or_else(|| ApiError::not_found(format!("no document with id {}", id.0)))?;
        let etag = metadata_etag(&d);
        if matches(if_none_match.0.as_deref(), &etag) {
            return Ok(GetResponse::NotModified(etag, CACHE_CONTROL.to_owned()));
        }
        Ok(GetResponse::Ok(
            Json(d.into()),
            etag,
            CACHE_CONTROL.to_owned(),
        ))
    }

    /// The exact original text, streamed.
    #[oai(path = "/documents/:id/text", method = "get")]
    async fn text(
        &self,
        id: Path<Uuid>,
        /// An `ETag` from an earlier answer: 304 while the document is unchanged.
        #[oai(name = "If-None-Match")]
        if_none_match: Header<Option<String>>,
    ) -> Result<TextResponse, ApiError> {
        let id = id.0;
        // Read the document before answering so a missing one is a 404, not an empty 200;
        // its passages come from the pool that had it (the primary when the replica lags).
        let (d, db) = self
            .state
            .find_document(id)
            .await?
            .ok_or_else(|| ApiError::not_found(format!("no document with id {id}")))?;
        let db = db.clone();
        let etag = text_etag(&d);
        if matches(if_none_match.0.as_deref(), &etag) {
            return Ok(TextResponse::NotModified(etag, CACHE_CONTROL.to_owned()));
        }
        let credentials = self.state.credentials.clone();
        let first = credentials
            .retry(|| store::passages_from(&db, id, 0, TEXT_BATCH))
            .await?;
        let chunks = stream::unfold(Some((first, db, credentials)), move |state| async move {
            let (batch, db, credentials) = state?;
            if batch.is_empty() {
                return None;
            }
            let next_seq = batch.last().map_or(0, |p| p.seq + 1);
            let full = batch.len() as u64 == TEXT_BATCH;
            let bytes = Bytes::from(batch.into_iter().map(|p| p.text).collect::<String>());
            let next = if full {
                let more = credentials
                    .retry(|| store::passages_from(&db, id, next_seq, TEXT_BATCH))
                    .await;
                match more {
                    Ok(more) => Some((more, db, credentials)),
                    Err(err) => {
                        tracing::error!(error = %err, document_id = %id, "text stream failed");
                        return Some((Err(std::io::Error::other(err)), None));
                    }
                }
            } else {
                None
            };
            Some((Ok(bytes), next))
        });
        Ok(TextResponse::Ok(
            Binary(Body::from_bytes_stream(chunks)),
            etag,
            CACHE_CONTROL.to_owned(),
        ))
    }

    /// Delete a document and its passages.
    #[oai(path = "/documents/:id", method = "delete")]
    async fn delete(&self, _auth: WriteAccess, id: Path<Uuid>) -> Result<DeleteResponse, ApiError> {
        let db = &self.state.db;
        let deleted = (self.state.credentials)
            .retry(|| store::delete_document(db, id.0))
            .await?;
        if deleted {
            tracing::info!(document_id = %id.0, "document deleted");
            Ok(DeleteResponse::Deleted)
        } else {
            Err(ApiError::not_found(format!("no document with id {}", id.0)))
        }
    }
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
