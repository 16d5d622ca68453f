//! Why handling a message failed, by kind: the consumer retries a transient failure
//! (the message comes back after its visibility timeout) and gives up on the rest.

use crate::{formats::Retryable, job::StoreError, queue::SendError};

#[derive(Debug, thiserror::Error)]
pub enum WorkError {
    #[error(transparent)]
    File(#[from] Retryable),
    #[error("job table: {0}")]
    Store(#[from] StoreError),
    #[error("queue: {0}")]
    Queue(#[from] SendError),
    #[error("S3: {0}")]
    S3(String),
}

impl WorkError {
    /// Worth handling the same message again later.
    pub fn is_transient(&self) -> bool {
        match self {
            Self::Store(e) => e.is_transient(),
            Self::Queue(SendError::Invalid(_)) => false,
            Self::File(_) | Self::Queue(_) | Self::S3(_) => true,
        }
    }
}
