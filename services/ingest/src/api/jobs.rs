use chrono::{DateTime, Utc};
use corpus_platform::{auth::WriteAccess, cursor, problem::current_request_id};
use poem_openapi::{
    ApiResponse, Enum, Object, OpenApi,
    param::{Path, Query},
    payload::Json,
    types::ToJSON,
};
use uuid::Uuid;

use super::{ApiError, ApiTags};
use crate::{
    AppState,
    aws::chain,
    job::{Finish, Job, JobCursor, JobStatus, NewJob, callback_origin},
    outbox::guard,
};

#[derive(Debug, Clone, Object)]
pub struct JobError {
    pub key: String,
    /// Why the file failed, for a person to read.
    pub reason: String,
}

#[derive(Debug, Clone, Object)]
pub struct CallbackView {
    /// The callback URL's scheme, host and port only (its path and query may carry the
    /// receiver's secrets and are never shown).
    pub url: String,
    /// `pending`, `delivered` or `failed`.
    pub status: String,
    pub attempts: u32,
}

/// Where a job is in its life; the last three are final.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum JobState {
    Queued,
    Running,
    Completed,
    CompletedWithErrors,
    Failed,
}

impl From<JobStatus> for JobState {
    fn from(s: JobStatus) -> Self {
        match s {
            JobStatus::Queued => Self::Queued,
            JobStatus::Running => Self::Running,
            JobStatus::Completed => Self::Completed,
            JobStatus::CompletedWithErrors => Self::CompletedWithErrors,
            JobStatus::Failed => Self::Failed,
        }
    }
}

/// An ingestion job.
#[derive(Debug, Clone, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct JobView {
    pub id: Uuid,
    pub status: JobState,
    pub bucket: String,
    pub prefix: String,
    pub files_total: u64,
    pub files_done: u64,
    pub files_failed: u64,
    /// Files already ingested with the same content.
    pub files_skipped: u64,
    /// Documents created.
    pub documents: u64,
    pub bytes: u64,
    /// Failed files (at most 100).
    pub errors: Vec<JobError>,
    /// Absent when the job has no callback URL.
    pub callback: Option<CallbackView>,
    pub created_at: DateTime<Utc>,
    /// Absent until the job is final.
    pub finished_at: Option<DateTime<Utc>>,
}

impl JobView {
    /// The view as JSON (the callback body, [`Job::public_json`], must equal it).
    pub fn to_json_value(&self) -> serde_json::Value {
        self.to_json().unwrap_or_default()
    }
}

impl From<Job> for JobView {
    fn from(j: Job) -> Self {
        Self {
            id: j.id,
            status: j.status.into(),
            bucket: j.bucket,
            prefix: j.prefix,
            files_total: j.files_total,
            files_done: j.files_done,
            files_failed: j.files_failed,
            files_skipped: j.files_skipped,
            documents: j.documents,
            bytes: j.bytes,
            errors: j
                .errors
                .into_iter()
                .map(|e| JobError {
                    key: e.key,
                    reason: e.reason,
                })
                .collect(),
            callback: j.callback.map(|c| CallbackView {
                url: callback_origin(&c.url),
                status: c.status.as_str().to_owned(),
                attempts: c.attempts,
            }),
            created_at: j.created_at,
            finished_at: j.finished_at,
        }
    }
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct JobPage {
    pub items: Vec<JobView>,
    /// Pass as `cursor` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

#[derive(ApiResponse)]
pub enum CreateJobResponse {
    /// Recorded and enqueued; poll `GET /jobs/{id}` or wait for the callback.
    #[oai(status = 202)]
    Accepted(Json<JobView>, #[oai(header = "location")] String),
}

pub struct JobsApi {
    pub state: AppState,
}

#[OpenApi(tag = "ApiTags::Jobs")]
impl JobsApi {
    /// Ingest every object under `prefix` in `bucket`.
    #[oai(path = "/jobs", method = "post")]
    async fn create(
        &self,
        _auth: WriteAccess,
        /// A bucket listed in `INGEST_ALLOWED_BUCKETS` (an S3 bucket name).
        #[oai(validator(
            min_length = 3,
            max_length = 63,
            pattern = r"^[a-z0-9][a-z0-9.-]*[a-z0-9]$"
        ))]
        bucket: Query<String>,
        /// Key prefix (required; e.g. `reports/2026/`), without control characters (S3
        /// echoes it in XML, which cannot carry them).
        #[oai(validator(min_length = 1, max_length = 1024, pattern = r"^[^\x00-\x1f\x7f]+$"))]
        prefix: Query<String>,
        /// Called with the job when it ends: an `https` URL of a public address
        /// (`http` and private addresses only where `CALLBACK_ALLOW_PRIVATE` is set).
        #[oai(validator(
            max_length = 2048,
            pattern = r"^[Hh][Tt][Tt][Pp][Ss]?://[^\x00-\x20\x7f-\xa0]+$"
        ))]
        callback_url: Query<Option<String>>,
    ) -> Result<CreateJobResponse, ApiError> {
        let config = &self.state.config;
        // The schema's length and pattern are `config::valid_bucket_name`.
        let bucket = bucket.0;
        if !config.common.allowed_buckets.contains(&bucket) {
            return Err(ApiError::forbidden(format!(
                "bucket: {bucket} is not in INGEST_ALLOWED_BUCKETS"
            )));
        }
        let callback_url = match callback_url.0.as_deref() {
            None => None,
            Some(raw) => {
                let allow_private = self.state.callbacks().allow_private();
                let url = guard::check_url(raw, allow_private)
                    .map_err(|e| ApiError::unprocessable("callback_url", e))?;
                if !allow_private {
                    guard::resolve(&url, allow_private)
                        .await
                        .map_err(|e| ApiError::unprocessable("callback_url", e))?;
                }
                Some(raw.to_owned())
            }
        };
        let empty = self.is_empty(&bucket, &prefix.0).await?;
        let job = NewJob {
            id: Uuid::now_v7(),
            bucket: bucket.clone(),
            prefix: prefix.0.clone(),
            callback_url,
            request_id: current_request_id(),
            deadline: Utc::now() + config.common.job_deadline,
        };
        // The worker lists the prefix and queues its files (resumable, however many);
        // an empty prefix is finished here.
        let stored = self.state.store.create(&job, &[], empty, false).await?;
        tracing::info!(job_id = %job.id, empty, "job created");
        let view = if empty {
            match self.state.store.finish_if_complete(job.id).await? {
                Finish::Won(finished) => {
                    if let Err(err) = self.state.outbox.enqueue(&finished).await {
                        // Still due in the open-jobs index: the reconciler queues it.
                        tracing::error!(job_id = %job.id, error = %err, "queueing the callback failed; the reconciler will");
                    }
                    finished
                }
                Finish::Final(j) => j,
                Finish::Open => stored,
            }
        } else {
            if let Err(err) = self.state.queue.send_list(job.id, &job.request_id).await {
                tracing::error!(job_id = %job.id, error = %err, "queueing the listing failed; marking the job failed");
                let _ = self
                    .state
                    .store
                    .transition(&stored, JobStatus::Failed)
                    .await;
                return Err(ApiError::unavailable(
                    "the ingest queue did not accept the job; the job was marked failed, retry",
                ));
            }
            stored
        };
        let view = JobView::from(view);
        let location = format!("{}/jobs/{}", self.state.base_path, job.id);
        Ok(CreateJobResponse::Accepted(Json(view), location))
    }

    /// One job with its counters, errors and callback outcome.
    #[oai(path = "/jobs/:id", method = "get")]
    async fn get(&self, id: Path<Uuid>) -> Result<Json<JobView>, ApiError> {
        self.state
            .store
            .get(id.0)
            .await?
            .map(|j| Json(j.into()))
            .ok_or_else(|| ApiError::not_found(format!("no job with id {}", id.0)))
    }

    /// Jobs, newest first.
    #[oai(path = "/jobs", method = "get")]
    async fn list(
        &self,
        /// Page size, 1 to 100 (default 20).
        #[oai(validator(minimum(value = "1"), maximum(value = "100")))]
        limit: Query<Option<i32>>,
        /// `next_cursor` of the previous page.
        #[oai(validator(max_length = 1024, pattern = r"^[A-Za-z0-9_-]*$"))]
        cursor: Query<Option<String>>,
    ) -> Result<Json<JobPage>, ApiError> {
        let after = match cursor.0.as_deref() {
            None | Some("") => None,
            Some(raw) => Some(
                cursor::decode::<JobCursor>(raw)
                    .ok_or_else(|| ApiError::unprocessable("cursor", "is not a job list cursor"))?,
            ),
        };
        let (jobs, next) = self.state.store.list(limit.0.unwrap_or(20), after).await?;
        Ok(Json(JobPage {
            items: jobs.into_iter().map(Into::into).collect(),
            next_cursor: next.map(|c| cursor::encode(&c)),
        }))
    }
}

impl JobsApi {
    /// Whether anything lies under the prefix (one key at most), checking the bucket.
    async fn is_empty(&self, bucket: &str, prefix: &str) -> Result<bool, ApiError> {
        let out = self
            .state
            .clients
            .s3
            .list_objects_v2()
            .bucket(bucket)
            .prefix(prefix)
            .max_keys(1)
            .send()
            .await
            .map_err(|err| {
                if err
                    .as_service_error()
                    .is_some_and(|e| e.is_no_such_bucket())
                {
                    ApiError::unprocessable("bucket", format!("{bucket} does not exist"))
                } else {
                    tracing::error!(error = %chain(&err), "listing objects failed");
                    ApiError::unavailable("listing the bucket failed; retry shortly")
                }
            })?;
        Ok(out.contents().is_empty())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::job::{CallbackState, CallbackStatus, FileError};

    #[test]
    fn the_callback_body_is_the_public_view() {
        let now = Utc::now();
        let job = Job {
            id: Uuid::now_v7(),
            status: JobStatus::CompletedWithErrors,
            bucket: "b".into(),
            prefix: "p/".into(),
            files_total: 2,
            files_done: 1,
            files_failed: 1,
            files_skipped: 0,
            documents: 1,
            bytes: 10,
            errors: vec![FileError {
                key: "p/x.pdf".into(),
                reason: "unsupported".into(),
            }],
            callback: Some(CallbackState {
                url: "https://hooks.example.com/t/secret-token?sig=1".into(),
                status: CallbackStatus::Pending,
                attempts: 0,
                last_error: None,
            }),
            created_at: now,
            finished_at: Some(now),
            deadline: now,
            listed: true,
            request_id: "r".into(),
        };
        let public = job.public_json();
        assert_eq!(JobView::from(job).to_json_value(), public);
        assert_eq!(public["callback"]["url"], "https://hooks.example.com");
        assert!(!public.to_string().contains("secret-token"));
    }
}
