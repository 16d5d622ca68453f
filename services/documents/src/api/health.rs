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

    /// Readiness: 503 while the database (the primary, and the read replica when one is
    /// configured) does not answer within 2 seconds; the detail names which.
    #[oai(path = "/readyz", method = "get")]
    async fn readyz(&self) -> Result<Json<Health>, ApiError> {
        let state = &self.state;
        let mut checks: Vec<health::Check<'_>> = vec![(
            "database: the primary (DATABASE_URL)",
            Box::pin(crate::store::ping(&state.db, &state.credentials)),
        )];
        if state.replica {
            checks.push((
                "database: the read replica (DATABASE_READ_URL)",
                Box::pin(crate::store::ping(&state.read, &state.credentials)),
            ));
        }
        health::readiness(checks)
            .await
            .map(|()| Json(Health::ready()))
            .map_err(ApiError::unavailable)
    }
}
