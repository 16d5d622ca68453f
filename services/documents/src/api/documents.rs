use std::time::Duration;

use bytes::Bytes;
use chrono::{DateTime, Utc};
use corpus_platform::{auth::WriteAccess, cursor};
use futures::stream;
use poem::Body;
use poem_openapi::{
    OpenApi,
    param::{Header, Path, Query},
    payload::{Binary, Json},
};
use uuid::Uuid;

use super::{
    ApiError, ApiTags, DEFAULT_LIMIT,
    caching::{CACHE_CONTROL, cache_control, matches, metadata_etag, text_etag},
    document_types::{
        CreateDocument, CreateResponse, DeleteResponse, DocumentPage, GetResponse, MAX_TEXT_BYTES,
        TextResponse, is_reserved_source,
    },
    filters,
};
use crate::{
    AppState,
    query::{self, ListCursor},
    store::{self, NewDocument, WriteOutcome},
};

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
        // From the task's cache when it has the document (a stored document never changes;
        // `crate::doc_cache` bounds how long a deleted one can be served). A miss is not
        // kept, so a document written since is found as soon as it exists.
        let (d, age) = match self.state.documents.get(id.0) {
            Some(hit) => hit,
            None => {
                let (d, _) =
                    self.state.find_document(id.0).await?.ok_or_else(|| {
                        ApiError::not_found(format!("no document with id {}", id.0))
                    })?;
                self.state.documents.insert(&d);
                (d, Duration::ZERO)
            }
        };
        let etag = metadata_etag(&d);
        if matches(if_none_match.0.as_deref(), &etag) {
            return Ok(GetResponse::NotModified(etag, cache_control(age)));
        }
        Ok(GetResponse::Ok(Json(d.into()), etag, cache_control(age)))
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

    /// Delete a document and its passages. Lists and search stop showing it at once; reads
    /// by id may still answer it from a cache for up to 300 s (their `Cache-Control`).
    #[oai(path = "/documents/:id", method = "delete")]
    async fn delete(&self, _auth: WriteAccess, id: Path<Uuid>) -> Result<DeleteResponse, ApiError> {
        let db = &self.state.db;
        let deleted = (self.state.credentials)
            .retry(|| store::delete_document(db, id.0))
            .await?;
        // This task stops serving it at once; the others within their cache's time to live.
        self.state.documents.remove(id.0);
        if deleted {
            tracing::info!(document_id = %id.0, "document deleted");
            Ok(DeleteResponse::Deleted)
        } else {
            Err(ApiError::not_found(format!("no document with id {}", id.0)))
        }
    }
}
