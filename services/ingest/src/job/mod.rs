//! Jobs: the model (this file), its DynamoDB store ([`store`]), the open-jobs index the
//! reconciler walks ([`open`]) and typed store errors ([`error`]).
//!
//! A job is final once its status is `completed`, `completed_with_errors` or `failed`;
//! its callback (if any) then goes through the outbox ([`crate::outbox`]) until it is
//! `delivered` or `failed`.

mod create;
mod error;
mod item;
pub mod open;
mod record;
pub mod store;

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub use error::StoreError;
pub use store::{Finish, JobCursor, JobStore};

/// Most failed files listed on a job.
pub const MAX_ERRORS_LISTED: usize = 100;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JobStatus {
    Queued,
    Running,
    Completed,
    CompletedWithErrors,
    Failed,
}

impl JobStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Running => "running",
            Self::Completed => "completed",
            Self::CompletedWithErrors => "completed_with_errors",
            Self::Failed => "failed",
        }
    }

    pub(crate) fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "queued" => Self::Queued,
            "running" => Self::Running,
            "completed" => Self::Completed,
            "completed_with_errors" => Self::CompletedWithErrors,
            "failed" => Self::Failed,
            _ => return None,
        })
    }

    pub fn is_final(self) -> bool {
        !matches!(self, Self::Queued | Self::Running)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileError {
    pub key: String,
    pub reason: String,
}

/// Where a job's callback is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CallbackStatus {
    Pending,
    Delivered,
    Failed,
}

impl CallbackStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Delivered => "delivered",
            Self::Failed => "failed",
        }
    }

    pub(crate) fn parse(s: &str) -> Self {
        match s {
            "delivered" => Self::Delivered,
            "failed" => Self::Failed,
            _ => Self::Pending,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallbackState {
    /// The full URL: only the outbox sees it; public views show [`callback_origin`].
    pub url: String,
    pub status: CallbackStatus,
    pub attempts: u32,
    /// Why the last attempt failed (for operators; not in public views).
    pub last_error: Option<String>,
}

/// The scheme, host and port of a callback URL: what public views show of it (its path
/// and query may carry a receiver's token).
pub fn callback_origin(url: &str) -> String {
    match reqwest::Url::parse(url) {
        Ok(u) => match (u.host_str(), u.port()) {
            (Some(h), Some(p)) => format!("{}://{h}:{p}", u.scheme()),
            (Some(h), None) => format!("{}://{h}", u.scheme()),
            _ => String::new(),
        },
        Err(_) => String::new(),
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Job {
    pub id: Uuid,
    pub status: JobStatus,
    pub bucket: String,
    pub prefix: String,
    pub files_total: u64,
    pub files_done: u64,
    pub files_failed: u64,
    pub files_skipped: u64,
    pub documents: u64,
    pub bytes: u64,
    /// Failed files (filled by [`JobStore::get`], empty from cheaper reads).
    pub errors: Vec<FileError>,
    pub callback: Option<CallbackState>,
    pub created_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    /// After this instant the reconciler finishes the job whatever is left.
    pub deadline: DateTime<Utc>,
    /// False while the worker is still listing the job's prefix (files_total grows).
    pub listed: bool,
    /// The request that created the job; callbacks carry it as `x-request-id`.
    pub request_id: String,
}

impl Job {
    /// Every file is counted and no more will be listed.
    pub fn is_complete(&self) -> bool {
        self.listed && self.files_done + self.files_failed + self.files_skipped >= self.files_total
    }

    /// The status a complete job ends with.
    pub fn final_status(&self) -> JobStatus {
        if self.files_total > 0 && self.files_failed >= self.files_total {
            JobStatus::Failed
        } else if self.files_failed > 0 {
            JobStatus::CompletedWithErrors
        } else {
            JobStatus::Completed
        }
    }

    /// The job as the public sees it (`GET /jobs/{id}` and the callback body): the
    /// callback's origin only, optional fields omitted when absent.
    pub fn public_json(&self) -> serde_json::Value {
        let mut v = serde_json::json!({
            "id": self.id,
            "status": self.status.as_str(),
            "bucket": self.bucket,
            "prefix": self.prefix,
            "files_total": self.files_total,
            "files_done": self.files_done,
            "files_failed": self.files_failed,
            "files_skipped": self.files_skipped,
            "documents": self.documents,
            "bytes": self.bytes,
            "errors": self.errors,
            // As the API view renders them (RFC 3339, `+00:00`).
            "created_at": self.created_at.to_rfc3339(),
        });
        if let Some(c) = &self.callback {
            v["callback"] = serde_json::json!({
                "url": callback_origin(&c.url),
                "status": c.status.as_str(),
                "attempts": c.attempts,
            });
        }
        if let Some(f) = self.finished_at {
            v["finished_at"] = serde_json::Value::String(f.to_rfc3339());
        }
        v
    }
}

pub(crate) fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// A new job before it is stored.
#[derive(Debug, Clone)]
pub struct NewJob {
    pub id: Uuid,
    pub bucket: String,
    pub prefix: String,
    pub callback_url: Option<String>,
    pub request_id: String,
    /// After this the reconciler finishes the job with whatever is left failed.
    pub deadline: DateTime<Utc>,
}

/// What became of one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileOutcome {
    pub kind: OutcomeKind,
    pub documents: u64,
    pub bytes: u64,
    pub reason: Option<String>,
}

impl FileOutcome {
    pub fn failed(reason: impl Into<String>, bytes: u64) -> Self {
        Self {
            kind: OutcomeKind::Failed,
            documents: 0,
            bytes,
            reason: Some(reason.into()),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutcomeKind {
    Done,
    Skipped,
    Failed,
}

impl OutcomeKind {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Done => "done",
            Self::Skipped => "skipped",
            Self::Failed => "failed",
        }
    }

    pub(crate) fn counter(self) -> &'static str {
        match self {
            Self::Done => "files_done",
            Self::Skipped => "files_skipped",
            Self::Failed => "files_failed",
        }
    }
}

/// State of one file item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileState {
    Pending,
    Recorded,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_views_show_the_callback_origin_only() {
        assert_eq!(
            callback_origin("https://hooks.example.com/t/s3cr3t?sig=abc"),
            "https://hooks.example.com"
        );
        assert_eq!(
            callback_origin("http://127.0.0.1:9000/hook"),
            "http://127.0.0.1:9000"
        );
        assert_eq!(callback_origin("not a url"), "");
    }
}
