use std::time::Duration;

use poem_openapi::{Object, OpenApi, payload::Json};

use super::{ApiError, ApiTags};
use crate::AppState;

#[derive(Debug, Object)]
pub struct Health {
    /// `ok` (liveness) or `ready` (readiness).
    pub status: String,
}

pub struct HealthApi {
    pub state: AppState,
}

#[OpenApi(tag = "ApiTags::Health")]
impl HealthApi {
    /// Liveness: answers without touching any dependency.
    #[oai(path = "/healthz", method = "get")]
    async fn healthz(&self) -> Json<Health> {
        Json(Health {
            status: "ok".into(),
        })
    }

    /// Readiness: 503 naming the dependency (DynamoDB table, SQS queue) that does not
    /// answer within 2 seconds.
    #[oai(path = "/readyz", method = "get")]
    async fn readyz(&self) -> Result<Json<Health>, ApiError> {
        let limit = Duration::from_secs(2);
        let table = tokio::time::timeout(limit, self.state.store.ping()).await;
        if !matches!(table, Ok(Ok(()))) {
            tracing::warn!("readiness: DynamoDB table unreachable");
            return Err(ApiError::unavailable(
                "dynamodb: the jobs table does not answer",
            ));
        }
        let queue = tokio::time::timeout(
            limit,
            self.state
                .clients
                .sqs
                .get_queue_attributes()
                .queue_url(&self.state.config.common.queue_url)
                .attribute_names(
                    aws_sdk_sqs::types::QueueAttributeName::ApproximateNumberOfMessages,
                )
                .send(),
        )
        .await;
        if !matches!(queue, Ok(Ok(_))) {
            tracing::warn!("readiness: SQS queue unreachable");
            return Err(ApiError::unavailable(
                "sqs: the ingest queue does not answer",
            ));
        }
        Ok(Json(Health {
            status: "ready".into(),
        }))
    }
}
