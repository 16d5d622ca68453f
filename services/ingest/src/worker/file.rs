//! One message's work: dispatch by task, and the per-file handler (fetch, parse, store,
//! record once, finish the job when its last file is counted).

use tracing::Instrument;
use uuid::Uuid;

use super::{Disposition, WorkError, Worker};
use crate::{
    failpoint,
    formats::{self, Source},
    job::{FileOutcome, FileState, Finish, NewJob},
    messages::{self, Task},
    outbox::Next,
};

impl Worker {
    pub(super) async fn handle(
        &self,
        message: &aws_sdk_sqs::types::Message,
        receives: u32,
    ) -> Result<Disposition, WorkError> {
        let body = message.body.as_deref().unwrap_or_default();
        let tasks = match messages::decode(body) {
            Ok(tasks) => tasks,
            Err(err) => {
                tracing::error!(error = %err, "undecodable message; the queue's redrive policy moves it to the dead-letter queue");
                return Ok(Disposition::Poison);
            }
        };
        if tasks.is_empty() {
            tracing::info!("nothing to ingest in this message (test event or other prefix)");
        }
        for task in tasks {
            match self.handle_task(task, receives).await {
                Ok(None) => {}
                Ok(Some(delay)) => return Ok(Disposition::RetryIn(delay)),
                Err(err) if !err.is_transient() => {
                    tracing::error!(error = %err, "permanent failure; the message goes to the dead-letter queue and the reconciler fails what is left at the job's deadline");
                    return Ok(Disposition::Poison);
                }
                Err(err) => return Err(err),
            }
        }
        Ok(Disposition::Delete)
    }

    /// `Some(delay)`: keep the message, retry after `delay`.
    async fn handle_task(
        &self,
        task: Task,
        receives: u32,
    ) -> Result<Option<std::time::Duration>, WorkError> {
        let last_receive = receives >= self.config.max_receives;
        let (job_id, bucket, key) = match task {
            Task::List { job_id } => {
                let span = tracing::info_span!("list", job_id = %job_id);
                self.list(job_id).instrument(span).await?;
                return Ok(None);
            }
            Task::Callback { job_id } => {
                let span = tracing::info_span!("callback", job_id = %job_id);
                return Ok(
                    match self
                        .outbox
                        .deliver(job_id, self.config.callback_retry_base)
                        .instrument(span)
                        .await?
                    {
                        Next::Done => None,
                        Next::RetryIn(delay) => Some(delay),
                    },
                );
            }
            Task::JobFile {
                job_id,
                bucket,
                key,
                request_id,
            } => {
                if let Some(r) = request_id {
                    tracing::Span::current().record("request_id", r);
                }
                (job_id, bucket, key)
            }
            Task::Drop {
                job_id,
                bucket,
                key,
            } => {
                let job = NewJob {
                    id: job_id,
                    bucket: bucket.clone(),
                    prefix: key.clone(),
                    callback_url: None,
                    request_id: corpus_platform::problem::current_request_id(),
                    deadline: chrono::Utc::now() + self.config.common.job_deadline,
                };
                self.store
                    .create(&job, std::slice::from_ref(&key), true, true)
                    .await?;
                (job_id, bucket, key)
            }
        };
        let span = tracing::info_span!("file", job_id = %job_id, key = %key);
        async {
            match self.handle_file(job_id, &bucket, &key, receives > 1).await {
                // The queue would move the message to the dead-letter queue after this
                // receive: record the file as failed with its last error instead, so the
                // job can finish.
                Err(err) if last_receive => {
                    tracing::error!(error = %err, "the file failed on its last receive; recording it as failed");
                    let reason = format!("gave up after repeated failures; last error: {err}");
                    self.store
                        .record(job_id, &key, &FileOutcome::failed(reason, 0))
                        .await?;
                    self.finish(job_id).await
                }
                other => other,
            }
        }
        .instrument(span)
        .await?;
        Ok(None)
    }

    /// `redelivered`: this message was received before (a crash or a failure may have left
    /// the file's documents committed).
    async fn handle_file(
        &self,
        job_id: Uuid,
        bucket: &str,
        key: &str,
        redelivered: bool,
    ) -> Result<(), WorkError> {
        match self.store.file_state(job_id, key).await? {
            None => {
                tracing::error!("unknown job or file; nothing to record, message dropped");
                return Ok(());
            }
            Some(FileState::Recorded) => {
                tracing::info!("file already recorded (duplicate delivery); skipping");
                return self.finish(job_id).await;
            }
            Some(FileState::Pending) => {}
        }
        let started = std::time::Instant::now();
        self.files_processed
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let outcome = if !self
            .config
            .common
            .allowed_buckets
            .iter()
            .any(|b| b == bucket)
        {
            FileOutcome::failed(
                format!("bucket {bucket} is not in INGEST_ALLOWED_BUCKETS"),
                0,
            )
        } else {
            match formats::kind_of(key) {
                Err(reason) => FileOutcome::failed(reason, 0),
                Ok(kind) => {
                    self.ingest_object(job_id, bucket, key, kind, redelivered)
                        .await?
                }
            }
        };
        tracing::info!(
            outcome = ?outcome.kind,
            documents = outcome.documents,
            bytes = outcome.bytes,
            reason = outcome.reason.as_deref().unwrap_or(""),
            elapsed_ms = started.elapsed().as_millis() as u64,
            "file ingested"
        );
        if !self.store.record(job_id, key, &outcome).await? {
            tracing::info!("outcome had already been recorded by another delivery");
        }
        failpoint::hit("after-record");
        self.finish(job_id).await
    }

    async fn ingest_object(
        &self,
        job_id: Uuid,
        bucket: &str,
        key: &str,
        kind: formats::FileKind,
        redelivered: bool,
    ) -> Result<FileOutcome, WorkError> {
        let object = match self
            .clients
            .s3
            .get_object()
            .bucket(bucket)
            .key(key)
            .send()
            .await
        {
            Ok(o) => o,
            Err(err) if err.as_service_error().is_some_and(|e| e.is_no_such_key()) => {
                return Ok(FileOutcome::failed(
                    "the object does not exist (deleted before it was ingested?)",
                    0,
                ));
            }
            Err(err) => {
                return Err(WorkError::S3(format!(
                    "fetching s3://{bucket}/{key}: {}",
                    crate::aws::chain(&err)
                )));
            }
        };
        let max = self.config.common.max_file_bytes;
        let size = object
            .content_length
            .and_then(|l| u64::try_from(l).ok())
            .unwrap_or(0);
        if size > max {
            return Ok(FileOutcome::failed(
                format!("the file is {size} bytes; INGEST_MAX_FILE_BYTES is {max}"),
                size,
            ));
        }
        let src = Source {
            bucket,
            key,
            job_id,
            max_bytes: max,
        };
        let db = formats::Database {
            pool: &self.db,
            login: &self.credentials,
        };
        Ok(formats::ingest(db, &src, kind, size, object.body, redelivered).await?)
    }

    /// Finishes the job when its last file is counted, then queues its callback. Also
    /// run on a duplicate delivery: a job that became final in a process that died before
    /// queueing its callback gets it queued now.
    pub(super) async fn finish(&self, job_id: Uuid) -> Result<(), WorkError> {
        let job = match self.store.finish_if_complete(job_id).await? {
            Finish::Won(job) => {
                tracing::info!(
                    status = job.status.as_str(),
                    documents = job.documents,
                    "job finished"
                );
                failpoint::hit("after-finish");
                job
            }
            Finish::Final(job) => job,
            Finish::Open => return Ok(()),
        };
        self.outbox.enqueue(&job).await?;
        Ok(())
    }
}
