//! `ingest work`: concurrent long-poll loops over the ingest queue. What each message
//! asks for is handled in [`file`] (one file of a job), [`lister`] (a job's prefix) and
//! the outbox ([`crate::outbox`], a job's callback).
//!
//! Each message is handled inside one consumer span whose parent is the trace context the
//! sender put in the message attributes. A message is deleted only after every file it
//! names has its documents committed and its outcome recorded; while a file is in
//! progress the message's visibility is extended. On SIGTERM the loops stop receiving,
//! in-flight files get `SHUTDOWN_GRACE_SECONDS` to finish, and whatever is still running
//! then is abandoned (its transaction rolls back) and its message released at once.

use std::{
    collections::HashMap,
    sync::{Arc, atomic::AtomicU64},
    time::Duration,
};

use aws_sdk_sqs::types::{Message, MessageSystemAttributeName};
use opentelemetry::{propagation::Extractor, trace::TraceContextExt};
use sea_orm::DatabaseConnection;
use tokio::{sync::watch, task::JoinSet};
use tracing::{Instrument, field::Empty};
use tracing_opentelemetry::OpenTelemetrySpanExt;

use crate::{
    aws::{Clients, chain},
    config::WorkConfig,
    job::JobStore,
    outbox::Outbox,
    queue::Queue,
};

mod error;
mod file;
mod lister;

pub use error::WorkError;

pub struct Worker {
    clients: Clients,
    store: JobStore,
    queue: Queue,
    outbox: Outbox,
    db: DatabaseConnection,
    credentials: Arc<corpus_documents::Credentials>,
    config: WorkConfig,
    files_processed: Arc<AtomicU64>,
}

/// What to do with a message once handled.
#[derive(Debug, PartialEq, Eq)]
enum Disposition {
    Delete,
    /// Undecodable: make it visible again soon so the redrive policy moves it to the
    /// dead-letter queue after its receive count.
    Poison,
    /// Keep it, hidden this long (a callback's retry backoff).
    RetryIn(Duration),
}

impl Worker {
    pub fn new(clients: Clients, db: DatabaseConnection, config: WorkConfig) -> Self {
        let crate::Plane {
            store,
            queue,
            outbox,
        } = crate::Plane::new(&clients, &config.common);
        Self {
            store,
            queue,
            outbox,
            clients,
            db,
            credentials: corpus_documents::Credentials::fixed(),
            config,
            files_processed: Arc::default(),
        }
    }

    /// Logs in as `credentials` say (the pool `db` must be theirs: `connect_as`), re-reading
    /// them when a new connection is refused (`DATABASE_SECRET_ARN`).
    pub fn with_credentials(mut self, credentials: Arc<corpus_documents::Credentials>) -> Self {
        self.credentials = credentials;
        self
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
        let receives = receive_count(&message);
        let work = self.handle(&message, receives).instrument(span.clone());
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
                Some(Ok(Disposition::RetryIn(delay))) => {
                    let secs = i32::try_from(delay.as_secs().max(1)).unwrap_or(43_200);
                    self.set_visibility(&receipt, secs).await;
                }
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
    let span = tracing::info_span!(
        "message",
        otel.kind = "consumer",
        request_id = Empty,
        trace_id = Empty,
        message_id = message.message_id.as_deref().unwrap_or(""),
        receive_count = receive_count(message),
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

/// How many times SQS has handed this message out (1 on the first receive).
fn receive_count(message: &Message) -> u32 {
    message
        .attributes
        .as_ref()
        .and_then(|a| a.get(&MessageSystemAttributeName::ApproximateReceiveCount))
        .and_then(|c| c.parse().ok())
        .unwrap_or(1)
}
