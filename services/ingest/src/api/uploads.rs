use std::collections::HashMap;

use aws_sdk_s3::presigning::PresigningConfig;
use chrono::{DateTime, Utc};
use corpus_platform::{
    auth::WriteAccess,
    problem::{current_request_id, required_string, required_u64},
};
use poem_openapi::{
    Enum, Object, OpenApi,
    payload::Json,
    types::{ParseError, ParseFromJSON},
};
use serde_json::Value;
use uuid::Uuid;

use super::{ApiError, ApiTags};
use crate::{AppState, aws::chain, formats, job::NewJob};

/// The content type an upload declares (bound into the presigned URL's signature).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
pub enum UploadContentType {
    #[oai(rename = "text/plain")]
    TextPlain,
    #[oai(rename = "text/markdown")]
    TextMarkdown,
    #[oai(rename = "application/x-ndjson")]
    Ndjson,
    #[oai(rename = "application/jsonl")]
    Jsonl,
}

impl UploadContentType {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::TextPlain => "text/plain",
            Self::TextMarkdown => "text/markdown",
            Self::Ndjson => "application/x-ndjson",
            Self::Jsonl => "application/jsonl",
        }
    }
}

#[derive(Debug, Object)]
pub struct UploadRequest {
    /// The file's name: no directories, no control characters, not starting with a dot
    /// or blank, ending in a supported extension (`.txt`, `.md`, `.log`, `.jsonl`,
    /// `.ndjson`, any case), which decides how it is parsed.
    #[oai(
        validator(
            min_length = 1,
            max_length = 255,
            pattern = r"^[^./\\\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000][^/\\\x00-\x1f\x7f-\x9f]*\.([Tt][Xx][Tt]|[Mm][Dd]|[Ll][Oo][Gg]|[Jj][Ss][Oo][Nn][Ll]|[Nn][Dd][Jj][Ss][Oo][Nn])$"
        ),
        deserialize_with = "filename_field"
    )]
    pub filename: String,
    #[oai(deserialize_with = "content_type_field")]
    pub content_type: UploadContentType,
    /// Exact size in bytes (bound into the signature); over `INGEST_MAX_FILE_BYTES` is a 413.
    #[oai(
        validator(minimum(value = "1"), maximum(value = "9007199254740991")),
        deserialize_with = "size_field"
    )]
    pub size: u64,
}

fn filename_field(v: Option<Value>) -> Result<String, ParseError<String>> {
    required_string("filename", v)
}

fn content_type_field(
    v: Option<Value>,
) -> Result<UploadContentType, ParseError<UploadContentType>> {
    let raw = required_string("content_type", v).map_err(ParseError::propagate)?;
    UploadContentType::parse_from_json(Some(Value::String(raw.clone()))).map_err(|_| {
        ParseError::custom(format!(
            "field `content_type` must be one of text/plain, text/markdown, application/x-ndjson, application/jsonl; got {raw:?}"
        ))
    })
}

fn size_field(v: Option<Value>) -> Result<u64, ParseError<u64>> {
    required_u64("size", v)
}

/// Where and how to PUT the file.
#[derive(Debug, Object)]
pub struct UploadTicket {
    pub job_id: Uuid,
    pub url: String,
    /// Always `PUT`.
    pub method: String,
    /// Headers the PUT must carry exactly (they are part of the signature).
    pub headers: HashMap<String, String>,
    pub expires_at: DateTime<Utc>,
}

pub struct UploadsApi {
    pub state: AppState,
}

#[OpenApi(tag = "ApiTags::Uploads")]
impl UploadsApi {
    /// Get a presigned URL to upload one file; it is ingested when the upload completes.
    #[oai(path = "/uploads", method = "post")]
    async fn create(
        &self,
        _auth: WriteAccess,
        body: Json<UploadRequest>,
    ) -> Result<Json<UploadTicket>, ApiError> {
        let req = body.0;
        // The schema's pattern already rules out directories, control characters and
        // unsupported extensions; this is the parser's own check of the same name.
        let name = req.filename.as_str();
        formats::kind_of(name).map_err(|e| ApiError::bad_request("filename", e))?;
        let content_type = req.content_type.as_str();
        let max = self.state.config.common.max_file_bytes;
        if req.size > max {
            return Err(ApiError::payload_too_large(format!(
                "size: {} bytes is over the limit of {max} bytes (INGEST_MAX_FILE_BYTES)",
                req.size
            )));
        }
        let id = Uuid::now_v7();
        let bucket = self.state.config.common.bucket.clone();
        let key = format!("uploads/{id}/{name}");
        let ttl = self.state.config.upload_ttl;
        let expires_at = Utc::now() + chrono::Duration::from_std(ttl).unwrap_or_default();
        // A ticket never used: the reconciler fails its file once the URL has expired
        // and the worker has had an hour to ingest an upload that finished at the end.
        let job = NewJob {
            id,
            bucket: bucket.clone(),
            prefix: format!("uploads/{id}/"),
            callback_url: None,
            request_id: current_request_id(),
            deadline: expires_at + chrono::Duration::hours(1),
        };
        self.state
            .store
            .create(&job, std::slice::from_ref(&key), true, false)
            .await
            .map_err(|e| match e {
                crate::job::StoreError::Invalid(why) => ApiError::bad_request("filename", why),
                other => other.into(),
            })?;
        let presigning = PresigningConfig::expires_in(ttl).map_err(ApiError::internal)?;
        let presigned = self
            .state
            .clients
            .s3
            .put_object()
            .bucket(&bucket)
            .key(&key)
            .content_type(content_type)
            .content_length(i64::try_from(req.size).unwrap_or(i64::MAX))
            .presigned(presigning)
            .await
            .map_err(|e| ApiError::internal(chain(&e)))?;
        let headers = presigned
            .headers()
            .map(|(k, v)| (k.to_ascii_lowercase(), v.to_owned()))
            .collect();
        tracing::info!(job_id = %id, key = %key, size = req.size, "upload ticket issued");
        Ok(Json(UploadTicket {
            job_id: id,
            url: presigned.uri().to_owned(),
            method: "PUT".to_owned(),
            headers,
            expires_at,
        }))
    }
}
