//! A bound on searches in flight per task (issue 11, item 2). A search keeps a database
//! core busy while it runs, so a burst of them can saturate the database and push every
//! request's latency up together; past `SEARCH_CONCURRENCY` a search waits at most
//! `SEARCH_QUEUE_WAIT_MS` (about one typical search) for a slot and is then shed with a 503
//! and `Retry-After`, which the client (the web app does) or the load balancer's other
//! tasks act on. A long wait would only turn an overload into queueing for everyone.

use std::{sync::Arc, time::Duration};

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::api::ApiError;

/// Seconds a shed client is asked to wait (`Retry-After`).
pub const RETRY_AFTER_SECONDS: u32 = 1;

#[derive(Debug, Clone)]
pub struct SearchSlots {
    semaphore: Arc<Semaphore>,
    wait: Duration,
}

impl SearchSlots {
    pub fn new(concurrency: usize, wait: Duration) -> Self {
        Self {
            semaphore: Arc::new(Semaphore::new(concurrency)),
            wait,
        }
    }

    /// A slot, held until the permit is dropped; a 503 problem with `Retry-After` when
    /// none frees up within the queue wait.
    pub async fn acquire(&self) -> Result<OwnedSemaphorePermit, ApiError> {
        match tokio::time::timeout(self.wait, self.semaphore.clone().acquire_owned()).await {
            Ok(Ok(permit)) => Ok(permit),
            _ => {
                tracing::warn!(
                    wait_ms = self.wait.as_millis() as u64,
                    "search shed: every slot stayed busy"
                );
                Err(ApiError::overloaded(
                    format!("too many searches in progress; retry after {RETRY_AFTER_SECONDS} s"),
                    RETRY_AFTER_SECONDS,
                ))
            }
        }
    }
}
