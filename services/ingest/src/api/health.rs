use corpus_platform::health::{self, Health};
use poem_openapi::{OpenApi, payload::Json};

use super::{ApiError, ApiTags};
use crate::AppState;

pub struct HealthApi {
    pub state: AppState,
}

#[OpenApi(tag = "ApiTags::Health")]
impl HealthApi {
    /// Liveness: answers without touching any dependency.
    #[oai(path = "/healthz", method = "get")]
    async fn healthz(&self) -> Json<Health> {
        Json(Health::live())
    }

    /// Readiness: 503 naming the dependency (DynamoDB table, SQS queue) that does not
    /// answer within 2 seconds.
    #[oai(path = "/readyz", method = "get")]
    async fn readyz(&self) -> Result<Json<Health>, ApiError> {
        let state = &self.state;
        let table = async { state.store.ping().await.is_ok() };
        let queue = async {
            state
                .clients
                .sqs
                .get_queue_attributes()
                .queue_url(&state.config.common.queue_url)
                .attribute_names(
                    aws_sdk_sqs::types::QueueAttributeName::ApproximateNumberOfMessages,
                )
                .send()
                .await
                .is_ok()
        };
        health::readiness(vec![
            ("dynamodb: the jobs table", Box::pin(table)),
            ("sqs: the ingest queue", Box::pin(queue)),
        ])
        .await
        .map(|()| Json(Health::ready()))
        .map_err(ApiError::unavailable)
    }
}
