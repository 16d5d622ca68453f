//! Job state in DynamoDB.
//!
//! One item per job (`pk = JOB#<id>`, `sk = META`: status, counters, callback, timestamps,
//! TTL, and `gsi1pk = JOB`/`gsi1sk = <created_at>#<id>` for the newest-first index
//! `by_created`) and one per file (`sk = FILE#<key>`: `pending`, `done`, `skipped` or
//! `failed`, with the reason). A file's outcome is recorded in one transaction that flips
//! the file item from `pending` (condition) and adds to the job's counters, so however
//! often a file is delivered it is counted once; the job then finishes through a
//! conditional status transition that exactly one worker wins.

use std::collections::HashMap;

use aws_sdk_dynamodb::{
    Client,
    error::SdkError,
    types::{AttributeValue, PutRequest, ReturnValue, TransactWriteItem, Update, WriteRequest},
};
use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::aws::chain;

/// How long finished jobs are kept (DynamoDB TTL).
const JOB_TTL_DAYS: i64 = 30;
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

    fn parse(s: &str) -> Option<Self> {
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

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CallbackState {
    pub url: String,
    /// `pending`, `delivered` or `failed`.
    pub status: String,
    pub attempts: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
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
    pub errors: Vec<FileError>,
    pub callback: Option<CallbackState>,
    pub created_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    /// The request that created the job; callbacks carry it as `x-request-id`.
    #[serde(skip)]
    pub request_id: String,
}

/// A new job before it is stored.
#[derive(Debug, Clone)]
pub struct NewJob {
    pub id: Uuid,
    pub bucket: String,
    pub prefix: String,
    pub callback_url: Option<String>,
    pub request_id: String,
}

/// What became of one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileOutcome {
    pub kind: OutcomeKind,
    pub documents: u64,
    pub bytes: u64,
    pub reason: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutcomeKind {
    Done,
    Skipped,
    Failed,
}

impl OutcomeKind {
    fn as_str(self) -> &'static str {
        match self {
            Self::Done => "done",
            Self::Skipped => "skipped",
            Self::Failed => "failed",
        }
    }
}

/// State of one file item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileState {
    Pending,
    Recorded,
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("job {0} already exists")]
    AlreadyExists(Uuid),
    #[error("DynamoDB: {0}")]
    Dynamo(String),
    #[error("malformed job item: {0}")]
    Malformed(String),
}

fn dynamo<E: std::error::Error + 'static>(err: E) -> StoreError {
    StoreError::Dynamo(chain(&err))
}

fn s(v: impl Into<String>) -> AttributeValue {
    AttributeValue::S(v.into())
}

fn n(v: u64) -> AttributeValue {
    AttributeValue::N(v.to_string())
}

fn job_pk(id: Uuid) -> String {
    format!("JOB#{id}")
}

fn file_sk(key: &str) -> String {
    format!("FILE#{key}")
}

fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

#[derive(Clone, Debug)]
pub struct JobStore {
    client: Client,
    table: String,
}

/// Position in the newest-first job list.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct JobCursor {
    pub created: String,
    pub id: String,
}

impl JobStore {
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self {
            client,
            table: table.into(),
        }
    }

    /// True when the table answers.
    pub async fn ping(&self) -> Result<(), StoreError> {
        self.client
            .describe_table()
            .table_name(&self.table)
            .send()
            .await
            .map_err(dynamo)?;
        Ok(())
    }

    /// Stores the job item and one pending item per file. Idempotent for the same id when
    /// `allow_existing` (drops, whose id derives from the S3 event).
    pub async fn create(
        &self,
        job: &NewJob,
        keys: &[String],
        allow_existing: bool,
    ) -> Result<Job, StoreError> {
        let now = Utc::now();
        let mut item = HashMap::from([
            ("pk".to_owned(), s(job_pk(job.id))),
            ("sk".to_owned(), s("META")),
            ("id".to_owned(), s(job.id.to_string())),
            ("status".to_owned(), s(JobStatus::Queued.as_str())),
            ("bucket".to_owned(), s(&job.bucket)),
            ("prefix".to_owned(), s(&job.prefix)),
            ("files_total".to_owned(), n(keys.len() as u64)),
            ("files_done".to_owned(), n(0)),
            ("files_failed".to_owned(), n(0)),
            ("files_skipped".to_owned(), n(0)),
            ("documents".to_owned(), n(0)),
            ("bytes".to_owned(), n(0)),
            ("created_at".to_owned(), s(rfc3339(now))),
            ("request_id".to_owned(), s(&job.request_id)),
            ("gsi1pk".to_owned(), s("JOB")),
            (
                "gsi1sk".to_owned(),
                s(format!("{}#{}", rfc3339(now), job.id)),
            ),
            (
                "ttl".to_owned(),
                n(
                    u64::try_from((now + chrono::Duration::days(JOB_TTL_DAYS)).timestamp())
                        .unwrap_or(0),
                ),
            ),
        ]);
        if let Some(url) = &job.callback_url {
            item.insert("callback_url".to_owned(), s(url));
            item.insert("callback_status".to_owned(), s("pending"));
            item.insert("callback_attempts".to_owned(), n(0));
        }
        // File items first: a job item is only visible once all its files are.
        if allow_existing {
            // A job seen again (a duplicated S3 event): never reset a file already done.
            for key in keys {
                let put = self
                    .client
                    .put_item()
                    .table_name(&self.table)
                    .item("pk", s(job_pk(job.id)))
                    .item("sk", s(file_sk(key)))
                    .item("key", s(key))
                    .item("status", s("pending"))
                    .condition_expression("attribute_not_exists(pk)")
                    .send()
                    .await;
                match put {
                    Ok(_) => {}
                    Err(SdkError::ServiceError(e))
                        if e.err().is_conditional_check_failed_exception() => {}
                    Err(e) => return Err(dynamo(e)),
                }
            }
        } else {
            self.put_pending_files(job.id, keys).await?;
        }
        let put = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(pk)")
            .send()
            .await;
        match put {
            Ok(_) => {}
            Err(SdkError::ServiceError(e)) if e.err().is_conditional_check_failed_exception() => {
                if !allow_existing {
                    return Err(StoreError::AlreadyExists(job.id));
                }
            }
            Err(e) => return Err(dynamo(e)),
        }
        self.get(job.id)
            .await?
            .ok_or_else(|| StoreError::Malformed(format!("job {} vanished after creation", job.id)))
    }

    /// Writes one pending item per file, 25 to a batch, retrying unprocessed items.
    async fn put_pending_files(&self, id: Uuid, keys: &[String]) -> Result<(), StoreError> {
        for chunk in keys.chunks(25) {
            let mut requests: Vec<WriteRequest> = chunk
                .iter()
                .map(|key| {
                    let put = PutRequest::builder()
                        .item("pk", s(job_pk(id)))
                        .item("sk", s(file_sk(key)))
                        .item("key", s(key))
                        .item("status", s("pending"))
                        .build()
                        .map_err(dynamo)?;
                    Ok(WriteRequest::builder().put_request(put).build())
                })
                .collect::<Result<_, StoreError>>()?;
            let mut delay = std::time::Duration::from_millis(50);
            for _ in 0..10 {
                let out = self
                    .client
                    .batch_write_item()
                    .request_items(&self.table, requests)
                    .send()
                    .await
                    .map_err(dynamo)?;
                requests = out
                    .unprocessed_items
                    .and_then(|mut m| m.remove(&self.table))
                    .unwrap_or_default();
                if requests.is_empty() {
                    break;
                }
                tokio::time::sleep(delay).await;
                delay *= 2;
            }
            if !requests.is_empty() {
                return Err(StoreError::Dynamo(format!(
                    "{} file items stayed unprocessed after retries",
                    requests.len()
                )));
            }
        }
        Ok(())
    }

    /// One job with its failed files (at most [`MAX_ERRORS_LISTED`]).
    pub async fn get(&self, id: Uuid) -> Result<Option<Job>, StoreError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .key("pk", s(job_pk(id)))
            .key("sk", s("META"))
            .consistent_read(true)
            .send()
            .await
            .map_err(dynamo)?;
        let Some(item) = out.item else {
            return Ok(None);
        };
        let mut job = job_from_item(&item)?;
        if job.files_failed > 0 {
            job.errors = self.failed_files(id).await?;
        }
        Ok(Some(job))
    }

    async fn failed_files(&self, id: Uuid) -> Result<Vec<FileError>, StoreError> {
        let mut errors = Vec::new();
        let mut start: Option<HashMap<String, AttributeValue>> = None;
        loop {
            let out = self
                .client
                .query()
                .table_name(&self.table)
                .key_condition_expression("pk = :pk AND begins_with(sk, :file)")
                .filter_expression("#status = :failed")
                .expression_attribute_names("#status", "status")
                .expression_attribute_values(":pk", s(job_pk(id)))
                .expression_attribute_values(":file", s("FILE#"))
                .expression_attribute_values(":failed", s("failed"))
                .consistent_read(true)
                .set_exclusive_start_key(start)
                .send()
                .await
                .map_err(dynamo)?;
            for item in out.items() {
                errors.push(FileError {
                    key: get_s(item, "key").unwrap_or_default(),
                    reason: get_s(item, "reason").unwrap_or_default(),
                });
                if errors.len() >= MAX_ERRORS_LISTED {
                    return Ok(errors);
                }
            }
            match out.last_evaluated_key {
                Some(k) if !k.is_empty() => start = Some(k),
                _ => return Ok(errors),
            }
        }
    }

    /// Newest first, through the `by_created` index.
    pub async fn list(
        &self,
        limit: i32,
        after: Option<JobCursor>,
    ) -> Result<(Vec<Job>, Option<JobCursor>), StoreError> {
        let start = after.map(|c| {
            HashMap::from([
                ("gsi1pk".to_owned(), s("JOB")),
                ("gsi1sk".to_owned(), s(c.created)),
                ("pk".to_owned(), s(format!("JOB#{}", c.id))),
                ("sk".to_owned(), s("META")),
            ])
        });
        let out = self
            .client
            .query()
            .table_name(&self.table)
            .index_name("by_created")
            .key_condition_expression("gsi1pk = :job")
            .expression_attribute_values(":job", s("JOB"))
            .scan_index_forward(false)
            .limit(limit)
            .set_exclusive_start_key(start)
            .send()
            .await
            .map_err(dynamo)?;
        let jobs = out
            .items()
            .iter()
            .map(job_from_item)
            .collect::<Result<Vec<_>, _>>()?;
        let next = match (&out.last_evaluated_key, jobs.last()) {
            (Some(k), Some(last)) if !k.is_empty() => Some(JobCursor {
                created: get_s(k, "gsi1sk").unwrap_or_default(),
                id: last.id.to_string(),
            }),
            _ => None,
        };
        Ok((jobs, next))
    }

    pub async fn file_state(&self, id: Uuid, key: &str) -> Result<Option<FileState>, StoreError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .key("pk", s(job_pk(id)))
            .key("sk", s(file_sk(key)))
            .consistent_read(true)
            .send()
            .await
            .map_err(dynamo)?;
        Ok(out.item.map(|item| {
            if get_s(&item, "status").as_deref() == Some("pending") {
                FileState::Pending
            } else {
                FileState::Recorded
            }
        }))
    }

    /// Records a file's outcome once: returns false when it had already been recorded.
    pub async fn record(
        &self,
        id: Uuid,
        key: &str,
        outcome: &FileOutcome,
    ) -> Result<bool, StoreError> {
        let file_update = Update::builder()
            .table_name(&self.table)
            .key("pk", s(job_pk(id)))
            .key("sk", s(file_sk(key)))
            .update_expression("SET #status = :outcome, documents = :docs, #reason = :reason")
            .condition_expression("#status = :pending")
            .expression_attribute_names("#status", "status")
            .expression_attribute_names("#reason", "reason")
            .expression_attribute_values(":outcome", s(outcome.kind.as_str()))
            .expression_attribute_values(":pending", s("pending"))
            .expression_attribute_values(":docs", n(outcome.documents))
            .expression_attribute_values(":reason", s(outcome.reason.clone().unwrap_or_default()));
        let counter = match outcome.kind {
            OutcomeKind::Done => "files_done",
            OutcomeKind::Skipped => "files_skipped",
            OutcomeKind::Failed => "files_failed",
        };
        let job_update = Update::builder()
            .table_name(&self.table)
            .key("pk", s(job_pk(id)))
            .key("sk", s("META"))
            .update_expression(format!(
                "SET #status = :running ADD {counter} :one, documents :docs, bytes :bytes"
            ))
            .condition_expression("#status IN (:queued, :running)")
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":running", s("running"))
            .expression_attribute_values(":queued", s("queued"))
            .expression_attribute_values(":one", n(1))
            .expression_attribute_values(":docs", n(outcome.documents))
            .expression_attribute_values(":bytes", n(outcome.bytes));
        let result = self
            .client
            .transact_write_items()
            .transact_items(
                TransactWriteItem::builder()
                    .update(file_update.build().map_err(dynamo)?)
                    .build(),
            )
            .transact_items(
                TransactWriteItem::builder()
                    .update(job_update.build().map_err(dynamo)?)
                    .build(),
            )
            .send()
            .await;
        match result {
            Ok(_) => Ok(true),
            Err(SdkError::ServiceError(e)) if e.err().is_transaction_canceled_exception() => {
                let reasons: Vec<String> = match e.err() {
                    aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError::TransactionCanceledException(t) => t
                        .cancellation_reasons()
                        .iter()
                        .map(|r| r.code().unwrap_or("None").to_owned())
                        .collect(),
                    _ => Vec::new(),
                };
                if reasons.first().map(String::as_str) == Some("ConditionalCheckFailed") {
                    Ok(false)
                } else if reasons.get(1).map(String::as_str) == Some("ConditionalCheckFailed") {
                    // The job is already final (e.g. failed when its files could not be
                    // enqueued): nothing left to count, and retrying would not change it.
                    tracing::warn!(job_id = %id, "the job is no longer active; outcome not counted");
                    Ok(false)
                } else {
                    Err(StoreError::Dynamo(format!(
                        "transaction cancelled: {reasons:?}"
                    )))
                }
            }
            Err(e) => Err(dynamo(e)),
        }
    }

    /// When every file is counted, moves the job to its final status. Exactly one caller
    /// wins the transition and gets the finished job (to send the callback); everyone else
    /// gets `None`.
    pub async fn finish_if_complete(&self, id: Uuid) -> Result<Option<Job>, StoreError> {
        let Some(job) = self.get(id).await? else {
            return Ok(None);
        };
        if job.status.is_final()
            || job.files_done + job.files_failed + job.files_skipped < job.files_total
        {
            return Ok(None);
        }
        let status = final_status(&job);
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .key("pk", s(job_pk(id)))
            .key("sk", s("META"))
            .update_expression("SET #status = :final, finished_at = :now")
            .condition_expression("#status IN (:queued, :running)")
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":final", s(status.as_str()))
            .expression_attribute_values(":now", s(rfc3339(Utc::now())))
            .expression_attribute_values(":queued", s("queued"))
            .expression_attribute_values(":running", s("running"))
            .return_values(ReturnValue::AllNew)
            .send()
            .await;
        match result {
            Ok(out) => {
                let mut finished = job_from_item(&out.attributes.unwrap_or_default())?;
                finished.errors = job.errors;
                Ok(Some(finished))
            }
            Err(SdkError::ServiceError(e)) if e.err().is_conditional_check_failed_exception() => {
                Ok(None)
            }
            Err(e) => Err(dynamo(e)),
        }
    }

    /// Stores the callback's outcome.
    pub async fn set_callback(
        &self,
        id: Uuid,
        status: &str,
        attempts: u32,
    ) -> Result<(), StoreError> {
        self.client
            .update_item()
            .table_name(&self.table)
            .key("pk", s(job_pk(id)))
            .key("sk", s("META"))
            .update_expression("SET callback_status = :s, callback_attempts = :a")
            .condition_expression("attribute_exists(pk)")
            .expression_attribute_values(":s", s(status))
            .expression_attribute_values(":a", n(u64::from(attempts)))
            .send()
            .await
            .map_err(dynamo)?;
        Ok(())
    }

    /// Marks a job failed outright (e.g. its messages could not be enqueued).
    pub async fn fail(&self, id: Uuid) -> Result<(), StoreError> {
        self.client
            .update_item()
            .table_name(&self.table)
            .key("pk", s(job_pk(id)))
            .key("sk", s("META"))
            .update_expression("SET #status = :failed, finished_at = :now")
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":failed", s("failed"))
            .expression_attribute_values(":now", s(rfc3339(Utc::now())))
            .send()
            .await
            .map_err(dynamo)?;
        Ok(())
    }
}

fn final_status(job: &Job) -> JobStatus {
    if job.files_total > 0 && job.files_failed == job.files_total {
        JobStatus::Failed
    } else if job.files_failed > 0 {
        JobStatus::CompletedWithErrors
    } else {
        JobStatus::Completed
    }
}

fn get_s(item: &HashMap<String, AttributeValue>, name: &str) -> Option<String> {
    item.get(name).and_then(|v| v.as_s().ok()).cloned()
}

fn get_n(item: &HashMap<String, AttributeValue>, name: &str) -> u64 {
    item.get(name)
        .and_then(|v| v.as_n().ok())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

fn parse_time(raw: Option<String>) -> Option<DateTime<Utc>> {
    raw.and_then(|t| DateTime::parse_from_rfc3339(&t).ok())
        .map(|t| t.with_timezone(&Utc))
}

fn job_from_item(item: &HashMap<String, AttributeValue>) -> Result<Job, StoreError> {
    let id = get_s(item, "id")
        .and_then(|v| Uuid::parse_str(&v).ok())
        .ok_or_else(|| StoreError::Malformed("missing id".into()))?;
    let status = get_s(item, "status")
        .and_then(|v| JobStatus::parse(&v))
        .ok_or_else(|| StoreError::Malformed(format!("job {id}: bad status")))?;
    let callback = get_s(item, "callback_url").map(|url| CallbackState {
        url,
        status: get_s(item, "callback_status").unwrap_or_else(|| "pending".into()),
        attempts: u32::try_from(get_n(item, "callback_attempts")).unwrap_or(u32::MAX),
    });
    Ok(Job {
        id,
        status,
        bucket: get_s(item, "bucket").unwrap_or_default(),
        prefix: get_s(item, "prefix").unwrap_or_default(),
        files_total: get_n(item, "files_total"),
        files_done: get_n(item, "files_done"),
        files_failed: get_n(item, "files_failed"),
        files_skipped: get_n(item, "files_skipped"),
        documents: get_n(item, "documents"),
        bytes: get_n(item, "bytes"),
        errors: Vec::new(),
        callback,
        created_at: parse_time(get_s(item, "created_at"))
            .ok_or_else(|| StoreError::Malformed(format!("job {id}: bad created_at")))?,
        finished_at: parse_time(get_s(item, "finished_at")),
        request_id: get_s(item, "request_id").unwrap_or_default(),
    })
}
