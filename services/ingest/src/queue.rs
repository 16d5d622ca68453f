//! Sending to the ingest queue: every message carries the current trace context and the
//! request id in its attributes, so the consumer's span continues the sender's trace.

use std::collections::HashMap;

use aws_sdk_sqs::types::{MessageAttributeValue, SendMessageBatchRequestEntry};
use serde::Serialize;
use tracing_opentelemetry::OpenTelemetrySpanExt;
use uuid::Uuid;

use crate::{
    aws::chain,
    messages::{CallbackMessage, JobFileMessage, ListMessage},
};

#[derive(Clone, Debug)]
pub struct Queue {
    sqs: aws_sdk_sqs::Client,
    url: String,
}

/// Why a send failed: the queue did not answer, or refused some messages.
#[derive(Debug, thiserror::Error)]
pub enum SendError {
    #[error("the queue is unreachable: {0}")]
    Unavailable(String),
    #[error("{0} message(s) were refused by the queue")]
    Refused(usize),
    #[error("a message could not be built: {0}")]
    Invalid(String),
}

impl Queue {
    pub fn new(sqs: aws_sdk_sqs::Client, url: impl Into<String>) -> Self {
        Self {
            sqs,
            url: url.into(),
        }
    }

    pub async fn send_list(&self, job_id: Uuid, request_id: &str) -> Result<(), SendError> {
        self.send(&[ListMessage { list: job_id }], request_id, 0)
            .await
    }

    pub async fn send_callback(
        &self,
        job_id: Uuid,
        request_id: &str,
        delay_seconds: i32,
    ) -> Result<(), SendError> {
        self.send(
            &[CallbackMessage { callback: job_id }],
            request_id,
            delay_seconds,
        )
        .await
    }

    pub async fn send_files(
        &self,
        job_id: Uuid,
        bucket: &str,
        keys: &[String],
        request_id: &str,
    ) -> Result<(), SendError> {
        let bodies: Vec<JobFileMessage> = keys
            .iter()
            .map(|key| JobFileMessage {
                job_id,
                bucket: bucket.to_owned(),
                key: key.clone(),
                request_id: request_id.to_owned(),
            })
            .collect();
        self.send(&bodies, request_id, 0).await
    }

    /// Sends the bodies in batches of ten, retrying refused entries twice.
    async fn send<T: Serialize>(
        &self,
        bodies: &[T],
        request_id: &str,
        delay_seconds: i32,
    ) -> Result<(), SendError> {
        let attributes = attributes(request_id);
        for chunk in bodies.chunks(10) {
            let mut entries = Vec::with_capacity(chunk.len());
            for (i, body) in chunk.iter().enumerate() {
                let body =
                    serde_json::to_string(body).map_err(|e| SendError::Invalid(e.to_string()))?;
                entries.push(
                    SendMessageBatchRequestEntry::builder()
                        .id(i.to_string())
                        .message_body(body)
                        .delay_seconds(delay_seconds.clamp(0, 900))
                        .set_message_attributes(Some(attributes.clone()))
                        .build()
                        .map_err(|e| SendError::Invalid(e.to_string()))?,
                );
            }
            for attempt in 0..3 {
                let out = self
                    .sqs
                    .send_message_batch()
                    .queue_url(&self.url)
                    .set_entries(Some(entries.clone()))
                    .send()
                    .await
                    .map_err(|e| SendError::Unavailable(chain(&e)))?;
                let failed: Vec<String> = out.failed().iter().map(|f| f.id().to_owned()).collect();
                if failed.is_empty() {
                    break;
                }
                if attempt == 2 {
                    return Err(SendError::Refused(failed.len()));
                }
                entries.retain(|e| failed.iter().any(|f| f == e.id()));
            }
        }
        Ok(())
    }
}

/// The current span's trace context and the request id as message attributes.
fn attributes(request_id: &str) -> HashMap<String, MessageAttributeValue> {
    let mut carrier = HashMap::new();
    let context = tracing::Span::current().context();
    opentelemetry::global::get_text_map_propagator(|p| p.inject_context(&context, &mut carrier));
    carrier.insert("request_id".to_owned(), request_id.to_owned());
    carrier
        .into_iter()
        .filter(|(_, v)| !v.is_empty())
        .filter_map(|(k, v)| {
            MessageAttributeValue::builder()
                .data_type("String")
                .string_value(v)
                .build()
                .ok()
                .map(|a| (k, a))
        })
        .collect()
}
