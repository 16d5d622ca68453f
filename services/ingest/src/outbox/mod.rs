//! Job callbacks, delivered at least once through an outbox.
//!
//! Whoever moves a job to its final status (the worker that counts its last file, the API
//! for an empty job, the reconciler at a deadline) leaves the callback `pending` with a due
//! time in the open-jobs index, then puts a callback message on the ingest queue. A worker
//! that receives it makes one attempt; a failure hides the message for a backoff (SQS
//! visibility), so retries never hold a consumer loop; after [`MAX_ATTEMPTS`] the callback
//! is `failed`. If the process dies anywhere in between, the message comes back, or the
//! reconciler finds the callback due and sends a new one. Receivers deduplicate on
//! `x-corpus-job-id`.

pub mod client;
pub mod guard;

use std::time::Duration;

use rand::Rng;
use uuid::Uuid;

pub use client::{AttemptError, CallbackClient, Secrets};

use crate::{
    job::{
        CallbackStatus, Job, JobStore, StoreError,
        open::{AttemptClaim, CALLBACK_LEASE},
    },
    queue::{Queue, SendError},
};

/// Attempts before a callback is recorded as failed (the queue's redrive policy moves a
/// message to the dead-letter queue after 5 receives; the last attempt settles first).
pub const MAX_ATTEMPTS: u32 = 5;

/// What to do with the callback message after an attempt.
#[derive(Debug, PartialEq, Eq)]
pub enum Next {
    /// Settled (delivered, failed, or nothing to do): delete the message.
    Done,
    /// Try again after this delay (the message stays hidden that long).
    RetryIn(Duration),
}

#[derive(Clone)]
pub struct Outbox {
    store: JobStore,
    queue: Queue,
    client: CallbackClient,
}

impl Outbox {
    pub fn new(store: JobStore, queue: Queue, client: CallbackClient) -> Self {
        Self {
            store,
            queue,
            client,
        }
    }

    pub fn client(&self) -> &CallbackClient {
        &self.client
    }

    /// Queues a final job's callback when it is still pending. Safe to repeat: a delivery
    /// first checks that the callback is still pending.
    pub async fn enqueue(&self, job: &Job) -> Result<(), SendError> {
        if !job.status.is_final()
            || job.callback.as_ref().map(|c| c.status) != Some(CallbackStatus::Pending)
        {
            return Ok(());
        }
        self.queue.send_callback(job.id, &job.request_id, 0).await?;
        tracing::info!(job_id = %job.id, "callback queued");
        Ok(())
    }

    /// One delivery attempt of job `id`'s callback; a failed one is retried after
    /// [`backoff`] from `retry_base`.
    pub async fn deliver(&self, id: Uuid, retry_base: Duration) -> Result<Next, StoreError> {
        let Some(job) = self.store.get(id).await? else {
            tracing::warn!(job_id = %id, "callback for an unknown job; dropped");
            return Ok(Next::Done);
        };
        let Some(callback) = job.callback.as_ref() else {
            return Ok(Next::Done);
        };
        if callback.status != CallbackStatus::Pending || !job.status.is_final() {
            tracing::info!(job_id = %id, status = callback.status.as_str(), "callback already settled");
            return Ok(Next::Done);
        }
        let attempt = match self.store.begin_callback_attempt(id).await? {
            AttemptClaim::Go(n) => n,
            AttemptClaim::Settled => return Ok(Next::Done),
            AttemptClaim::Busy => {
                tracing::info!(job_id = %id, "another delivery is attempting this callback; looking again after its lease");
                return Ok(Next::RetryIn(
                    CALLBACK_LEASE.to_std().unwrap_or(Duration::from_secs(30)),
                ));
            }
        };
        let body = serde_json::to_vec(&job.public_json()).unwrap_or_default();
        let job_id = id.to_string();
        let sent = self
            .client
            .send(&client::Attempt {
                url: &callback.url,
                body: &body,
                job_id: &job_id,
                request_id: &job.request_id,
            })
            .await;
        match sent {
            Ok(()) => {
                tracing::info!(job_id = %id, attempt, "callback delivered");
                self.store
                    .settle_callback(id, CallbackStatus::Delivered, None)
                    .await?;
                Ok(Next::Done)
            }
            Err(AttemptError::Refused(reason)) => {
                tracing::error!(job_id = %id, attempt, error = %reason, "callback refused; not retried");
                self.store
                    .settle_callback(id, CallbackStatus::Failed, Some(&reason))
                    .await?;
                Ok(Next::Done)
            }
            Err(AttemptError::Failed(reason)) if attempt >= MAX_ATTEMPTS => {
                tracing::error!(job_id = %id, attempt, error = %reason, "callback not delivered; giving up");
                self.store
                    .settle_callback(id, CallbackStatus::Failed, Some(&reason))
                    .await?;
                Ok(Next::Done)
            }
            Err(AttemptError::Failed(reason)) => {
                let delay = backoff(retry_base, attempt);
                tracing::warn!(job_id = %id, attempt, error = %reason, retry_in_ms = delay.as_millis() as u64, "callback attempt failed; will retry");
                let retry_at =
                    chrono::Utc::now() + chrono::Duration::from_std(delay).unwrap_or_default();
                self.store.callback_retry(id, &reason, retry_at).await?;
                Ok(Next::RetryIn(delay))
            }
        }
    }
}

/// Full jitter in the upper half: a delay in [cap/2, cap], cap = base * 2^(attempt-1),
/// at least a second (SQS visibility has whole seconds) and at most 12 hours.
pub fn backoff(base: Duration, attempt: u32) -> Duration {
    let cap = base.saturating_mul(1 << attempt.saturating_sub(1).min(20));
    let millis = u64::try_from(cap.as_millis()).unwrap_or(u64::MAX);
    let delay = rand::rng().random_range(millis / 2..=millis.max(1));
    Duration::from_millis(delay).clamp(Duration::from_secs(1), Duration::from_secs(43_200))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_within_bounds() {
        let base = Duration::from_secs(30);
        for attempt in 1..=4 {
            let d = backoff(base, attempt);
            let cap = base * (1 << (attempt - 1));
            assert!(d >= cap / 2 && d <= cap, "{attempt}: {d:?}");
        }
        assert_eq!(backoff(Duration::from_millis(1), 1), Duration::from_secs(1));
        assert!(backoff(Duration::from_secs(3600), 30) <= Duration::from_secs(43_200));
    }
}
