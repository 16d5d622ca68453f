use std::collections::HashMap;

use aws_sdk_s3::presigning::PresigningConfig;
use chrono::{DateTime, Utc};
use corpus_platform::{
    auth::WriteAccess,
    problem::{current_request_id, required_string, required_u64},
};
use poem_openapi::{Object, OpenApi, payload::Json, types::ParseError};
use serde_json::Value;
use uuid::Uuid;

use super::{ApiError, ApiTags};
use crate::{AppState, aws::chain, ingest, jobs::NewJob};

/// Content types an upload may declare.
pub const UPLOAD_CONTENT_TYPES: &[&str] = &[
    "text/plain",
    "text/markdown",
    "application/x-ndjson",
    "application/jsonl",
];

#[derive(Debug, Object)]
pub struct UploadRequest {
    /// The file's name (no directories); its extension decides how it is parsed.
    #[oai(
        validator(min_length = 1, max_length = 255),
        deserialize_with = "filename_field"
    )]
    pub filename: String,
    /// One of text/plain, text/markdown, application/x-ndjson, application/jsonl.
    #[oai(validator(max_length = 100), deserialize_with = "content_type_field")]
    pub content_type: String,
    /// Exact size in bytes (bound into the signature).
    #[oai(deserialize_with = "size_field")]
    pub size: u64,
}

fn filename_field(v: Option<Value>) -> Result<String, ParseError<String>> {
    required_string("filename", v)
}

fn content_type_field(v: Option<Value>) -> Result<String, ParseError<String>> {
    required_string("content_type", v)
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
        let name = req.filename.trim();
        if name.is_empty()
            || name == "."
            || name == ".."
            || name.contains(['/', '\\'])
            || name.chars().any(char::is_control)
        {
            return Err(ApiError::bad_request(
                "filename",
                "must be a plain file name without directories or control characters",
            ));
        }
        ingest::kind_of(name).map_err(|e| ApiError::bad_request("filename", e))?;
        let content_type = req.content_type.trim().to_ascii_lowercase();
        if !UPLOAD_CONTENT_TYPES.contains(&content_type.as_str()) {
            return Err(ApiError::bad_request(
                "content_type",
                format!("must be one of {}", UPLOAD_CONTENT_TYPES.join(", ")),
            ));
        }
        let max = self.state.config.common.max_file_bytes;
        if req.size == 0 || req.size > max {
            return Err(ApiError::bad_request(
                "size",
                format!("must be between 1 and {max} bytes"),
            ));
        }
        let id = Uuid::now_v7();
        let bucket = self.state.config.common.bucket.clone();
        let key = format!("uploads/{id}/{name}");
        let job = NewJob {
            id,
            bucket: bucket.clone(),
            prefix: format!("uploads/{id}/"),
            callback_url: None,
            request_id: current_request_id(),
        };
        self.state
            .store
            .create(&job, std::slice::from_ref(&key), false)
            .await?;
        let ttl = self.state.config.upload_ttl;
        let presigning = PresigningConfig::expires_in(ttl).map_err(ApiError::internal)?;
        let presigned = self
            .state
            .clients
            .s3
            .put_object()
            .bucket(&bucket)
            .key(&key)
            .content_type(&content_type)
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
            expires_at: Utc::now() + chrono::Duration::from_std(ttl).unwrap_or_default(),
        }))
    }
}
