//! `ingest work`: concurrent long-poll loops over the ingest queue.
//!
//! Each message is handled inside one consumer span whose parent is the trace context the
//! sender put in the message attributes. A message is deleted only after every file it
//! names has its documents committed and its outcome recorded; while a file is in
//! progress the message's visibility is extended. On SIGTERM the loops stop receiving,
//! in-flight files get `SHUTDOWN_GRACE_SECONDS` to finish, and whatever is still running
//! then is abandoned (its transaction rolls back) and its message released at once.

use std::{
    collections::HashMap,
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
    time::Duration,
};

use aws_sdk_sqs::types::{Message, MessageSystemAttributeName};
use opentelemetry::{propagation::Extractor, trace::TraceContextExt};
use sea_orm::DatabaseConnection;
use tokio::{sync::watch, task::JoinSet};
use tracing::{Instrument, field::Empty};
use tracing_opentelemetry::OpenTelemetrySpanExt;
use uuid::Uuid;

use crate::{
    api::JobView,
    aws::{Clients, chain},
    callback::Callbacks,
    config::WorkConfig,
    ingest::{self, Source, Transient, failed},
    jobs::{FileState, JobStore, NewJob},
    messages::{self, Task},
};

pub struct Worker {
    clients: Clients,
    store: JobStore,
    db: DatabaseConnection,
    config: WorkConfig,
    callbacks: Callbacks,
    files_processed: Arc<AtomicU64>,
}

/// What to do with a message once handled.
#[derive(Debug, PartialEq, Eq)]
enum Disposition {
    Delete,
    /// Undecodable: make it visible again soon so the redrive policy moves it to the
    /// dead-letter queue after its receive count.
    Poison,
}

impl Worker {
    pub fn new(clients: Clients, db: DatabaseConnection, config: WorkConfig) -> Self {
        let callbacks = Callbacks::new(
            config.common.callback_secret.clone(),
            config.common.callback_allow_private,
            config.callback_retry_base,
        );
        Self {
            store: JobStore::new(clients.dynamodb.clone(), config.common.table.clone()),
            clients,
            db,
            config,
            callbacks,
            files_processed: Arc::default(),
        }
    }

    /// How many files this worker has read and parsed (not counting duplicate deliveries
    /// it recognised), for tests and metrics.
    pub fn files_processed(&self) -> Arc<AtomicU64> {
        self.files_processed.clone()
    }

    /// Runs until `shutdown` resolves, then drains as described above.
    pub async fn run(self, shutdown: impl std::future::Future<Output = ()>) {
        let worker = Arc::new(self);
        let (stop_tx, stop_rx) = watch::channel(false);
        let mut loops = JoinSet::new();
        for n in 0..worker.config.concurrency {
            loops.spawn(worker.clone().consume(n, stop_rx.clone()));
        }
        tracing::info!(loops = worker.config.concurrency, queue = %worker.config.common.queue_url, "worker started");
        shutdown.await;
        tracing::info!("stopping: no new messages; finishing in-flight files");
        let _ = stop_tx.send(true);
        while loops.join_next().await.is_some() {}
        tracing::info!("worker stopped");
    }

    async fn consume(self: Arc<Self>, n: usize, mut stop: watch::Receiver<bool>) {
        let visibility = i32::try_from(self.config.visibility.as_secs()).unwrap_or(60);
        loop {
            if *stop.borrow() {
                return;
            }
            let receive = self
                .clients
                .sqs
                .receive_message()
                .queue_url(&self.config.common.queue_url)
                .max_number_of_messages(1)
                .wait_time_seconds(20)
                .visibility_timeout(visibility)
                .message_attribute_names("All")
                .message_system_attribute_names(MessageSystemAttributeName::ApproximateReceiveCount)
                .send();
            let received = tokio::select! {
                r = receive => r,
                _ = stop.changed() => return,
            };
            let messages = match received {
                Ok(out) => out.messages.unwrap_or_default(),
                Err(err) => {
                    tracing::error!(loop_n = n, error = %chain(&err), "receiving from the queue failed; retrying");
                    tokio::select! {
                        () = tokio::time::sleep(Duration::from_secs(2)) => {}
                        _ = stop.changed() => return,
                    }
                    continue;
                }
            };
            for message in messages {
                self.clone().process(message, stop.clone()).await;
            }
        }
    }

    async fn process(self: Arc<Self>, message: Message, stop: watch::Receiver<bool>) {
        let Some(receipt) = message.receipt_handle.clone() else {
            return;
        };
        let span = message_span(&message);
        let extender = self.clone().extend_visibility(receipt.clone());
        let grace = self.config.shutdown_grace;
        let mut stop_wait = stop.clone();
        let abandoned = async move {
            let _ = stop_wait.wait_for(|s| *s).await;
            tokio::time::sleep(grace).await;
        };
        let work = self.handle(&message).instrument(span.clone());
        let result = tokio::select! {
            r = work => Some(r),
            () = abandoned => None,
        };
        extender.abort();
        // Never hold `span.enter()` across an await: the guard would stay on whichever
        // thread polled last (and tracing-opentelemetry's context stack with it).
        async {
            match result {
                Some(Ok(Disposition::Delete)) => {
                    if let Err(err) = self
                        .clients
                        .sqs
                        .delete_message()
                        .queue_url(&self.config.common.queue_url)
                        .receipt_handle(&receipt)
                        .send()
                        .await
                    {
                        // The work is durable; a redelivery is recognised and skipped.
                        tracing::warn!(error = %chain(&err), "deleting the message failed");
                    }
                }
                Some(Ok(Disposition::Poison)) => self.set_visibility(&receipt, 1).await,
                Some(Err(err)) => {
                    tracing::error!(error = %err, "message failed; it will be retried after its visibility timeout");
                }
                None => {
                    tracing::warn!(
                        "shutdown grace period over; releasing the message for another worker"
                    );
                    self.set_visibility(&receipt, 0).await;
                }
            }
        }
        .instrument(span)
        .await;
    }

    async fn set_visibility(&self, receipt: &str, seconds: i32) {
        if let Err(err) = self
            .clients
            .sqs
            .change_message_visibility()
            .queue_url(&self.config.common.queue_url)
            .receipt_handle(receipt)
            .visibility_timeout(seconds)
            .send()
            .await
        {
            tracing::warn!(error = %chain(&err), "changing the message's visibility failed");
        }
    }

    /// Keeps the message hidden while its files are in progress.
    fn extend_visibility(self: Arc<Self>, receipt: String) -> tokio::task::JoinHandle<()> {
        let every = (self.config.visibility / 2).max(Duration::from_secs(1));
        let visibility = i32::try_from(self.config.visibility.as_secs()).unwrap_or(60);
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(every).await;
                self.set_visibility(&receipt, visibility).await;
                tracing::debug!("visibility extended");
            }
        })
    }

    async fn handle(&self, message: &Message) -> Result<Disposition, Transient> {
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
            self.handle_task(task).await?;
        }
        Ok(Disposition::Delete)
    }

    async fn handle_task(&self, task: Task) -> Result<(), Transient> {
        let (job_id, bucket, key) = match task {
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
                };
                self.store
                    .create(&job, std::slice::from_ref(&key), true)
                    .await
                    .map_err(|e| Transient(e.to_string()))?;
                (job_id, bucket, key)
            }
        };
        let span = tracing::info_span!("file", job_id = %job_id, key = %key);
        self.handle_file(job_id, &bucket, &key)
            .instrument(span)
            .await
    }

    async fn handle_file(&self, job_id: Uuid, bucket: &str, key: &str) -> Result<(), Transient> {
        match self
            .store
            .file_state(job_id, key)
            .await
            .map_err(|e| Transient(e.to_string()))?
        {
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
        self.files_processed.fetch_add(1, Ordering::Relaxed);
        let outcome = if !self
            .config
            .common
            .allowed_buckets
            .iter()
            .any(|b| b == bucket)
        {
            failed(
                format!("bucket {bucket} is not in INGEST_ALLOWED_BUCKETS"),
                0,
            )
        } else {
            match ingest::kind_of(key) {
                Err(reason) => failed(reason, 0),
                Ok(kind) => self.ingest_object(job_id, bucket, key, kind).await?,
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
        let first = self
            .store
            .record(job_id, key, &outcome)
            .await
            .map_err(|e| Transient(e.to_string()))?;
        if !first {
            tracing::info!("outcome had already been recorded by another delivery");
        }
        self.finish(job_id).await
    }

    async fn ingest_object(
        &self,
        job_id: Uuid,
        bucket: &str,
        key: &str,
        kind: ingest::FileKind,
    ) -> Result<crate::jobs::FileOutcome, Transient> {
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
                return Ok(failed(
                    "the object does not exist (deleted before it was ingested?)",
                    0,
                ));
            }
            Err(err) => {
                return Err(Transient(format!(
                    "fetching s3://{bucket}/{key}: {}",
                    chain(&err)
                )));
            }
        };
        let max = self.config.common.max_file_bytes;
        if let Some(len) = object.content_length.and_then(|l| u64::try_from(l).ok())
            && len > max
        {
            return Ok(failed(
                format!("the file is {len} bytes; INGEST_MAX_FILE_BYTES is {max}"),
                len,
            ));
        }
        let src = Source {
            bucket,
            key,
            job_id,
            max_bytes: max,
        };
        ingest::ingest(&self.db, &src, kind, object.body).await
    }

    /// Finishes the job when its last file is counted; the one caller that wins the
    /// transition sends the callback and stores its outcome.
    async fn finish(&self, job_id: Uuid) -> Result<(), Transient> {
        let Some(job) = self
            .store
            .finish_if_complete(job_id)
            .await
            .map_err(|e| Transient(e.to_string()))?
        else {
            return Ok(());
        };
        tracing::info!(
            status = job.status.as_str(),
            documents = job.documents,
            "job finished"
        );
        let Some(callback) = job.callback.clone() else {
            return Ok(());
        };
        let request_id = job.request_id.clone();
        let body = serde_json::to_vec(&JobView::from(job).to_json_value()).unwrap_or_default();
        let delivery = self
            .callbacks
            .deliver(&callback.url, &body, &job_id.to_string(), &request_id)
            .await;
        let status = if delivery.delivered {
            "delivered"
        } else {
            "failed"
        };
        if let Some(err) = &delivery.last_error
            && !delivery.delivered
        {
            tracing::error!(error = %err, attempts = delivery.attempts, "callback not delivered");
        }
        self.store
            .set_callback(job_id, status, delivery.attempts)
            .await
            .map_err(|e| Transient(e.to_string()))
    }
}

struct AttributeExtractor<'a>(&'a HashMap<String, aws_sdk_sqs::types::MessageAttributeValue>);

impl Extractor for AttributeExtractor<'_> {
    fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).and_then(|v| v.string_value())
    }
    fn keys(&self) -> Vec<&str> {
        self.0.keys().map(String::as_str).collect()
    }
}

/// One consumer span per message, continuing the sender's trace.
fn message_span(message: &Message) -> tracing::Span {
    let empty = HashMap::new();
    let attributes = message.message_attributes.as_ref().unwrap_or(&empty);
    let parent = opentelemetry::global::get_text_map_propagator(|p| {
        p.extract(&AttributeExtractor(attributes))
    });
    let request_id = attributes
        .get("request_id")
        .and_then(|v| v.string_value())
        .map(str::to_owned);
    let receive_count = message
        .attributes
        .as_ref()
        .and_then(|a| a.get(&MessageSystemAttributeName::ApproximateReceiveCount))
        .cloned()
        .unwrap_or_default();
    let span = tracing::info_span!(
        "message",
        otel.kind = "consumer",
        request_id = Empty,
        trace_id = Empty,
        message_id = message.message_id.as_deref().unwrap_or(""),
        receive_count = %receive_count,
    );
    if let Some(r) = request_id {
        span.record("request_id", r);
    }
    let _ = span.set_parent(parent);
    let trace_id = span.context().span().span_context().trace_id();
    if trace_id != opentelemetry::trace::TraceId::INVALID {
        span.record("trace_id", tracing::field::display(trace_id));
    }
    span
}
