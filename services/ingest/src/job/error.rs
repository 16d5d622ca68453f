//! What can go wrong talking to the jobs table, by kind: callers decide retry versus
//! give-up (and the API its status) from the variant, never from a message's text.

use aws_sdk_dynamodb::error::{ProvideErrorMetadata, SdkError};
use uuid::Uuid;

use crate::aws::chain;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The job id is taken (a conditional create lost).
    #[error("job {0} already exists")]
    AlreadyExists(Uuid),
    /// A conditional write lost to a concurrent one (transaction conflict).
    #[error("conflicting write: {0}")]
    Conflict(String),
    /// DynamoDB refused the request's shape or values (an attribute too large, a key over
    /// the size limit): retrying cannot help; the input must change.
    #[error("invalid request: {0}")]
    Invalid(String),
    /// Throughput exceeded or throttled: retry after a pause.
    #[error("throttled: {0}")]
    Throttled(String),
    /// DynamoDB did not answer (network, timeout, 5xx): retry.
    #[error("unavailable: {0}")]
    Unavailable(String),
    /// An item in the table does not have the shape this code writes.
    #[error("malformed job item: {0}")]
    Malformed(String),
}

impl StoreError {
    /// Worth retrying the same call later.
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            Self::Conflict(_) | Self::Throttled(_) | Self::Unavailable(_)
        )
    }

    /// Classifies an SDK error by its kind and the service's error code.
    pub(crate) fn from_sdk<E, R>(err: SdkError<E, R>) -> Self
    where
        E: ProvideErrorMetadata + std::error::Error + 'static,
        R: std::fmt::Debug + 'static,
    {
        let detail = chain(&err);
        match &err {
            SdkError::ServiceError(service) => {
                let code = service.err().code().unwrap_or_default();
                match code {
                    "ValidationException" | "SerializationException" => Self::Invalid(
                        service
                            .err()
                            .message()
                            .map_or_else(|| detail.clone(), str::to_owned),
                    ),
                    "ProvisionedThroughputExceededException"
                    | "ThrottlingException"
                    | "RequestLimitExceeded"
                    | "LimitExceededException" => Self::Throttled(detail),
                    "TransactionConflictException"
                    | "TransactionInProgressException"
                    | "ConditionalCheckFailedException" => Self::Conflict(detail),
                    "ResourceNotFoundException"
                    | "AccessDeniedException"
                    | "UnrecognizedClientException"
                    | "InternalServerError"
                    | "ServiceUnavailable" => Self::Unavailable(detail),
                    _ => Self::Unavailable(detail),
                }
            }
            SdkError::ConstructionFailure(_) => Self::Invalid(detail),
            _ => Self::Unavailable(detail),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transience_is_decided_by_kind() {
        assert!(StoreError::Throttled("x".into()).is_transient());
        assert!(StoreError::Unavailable("x".into()).is_transient());
        assert!(StoreError::Conflict("x".into()).is_transient());
        assert!(!StoreError::Invalid("x".into()).is_transient());
        assert!(!StoreError::Malformed("x".into()).is_transient());
    }
}
