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

    /// Readiness: 503 while the database does not answer within 2 seconds.
    #[oai(path = "/readyz", method = "get")]
    async fn readyz(&self) -> Result<Json<Health>, ApiError> {
        let ping = tokio::time::timeout(Duration::from_secs(2), async {
            crate::store::ping(&self.state.db).await && crate::store::ping(&self.state.read).await
        });
        match ping.await {
            Ok(true) => Ok(Json(Health {
                status: "ready".into(),
            })),
            _ => {
                tracing::warn!("readiness check failed: database unreachable");
                Err(ApiError::unavailable("database: unreachable"))
            }
        }
    }
}
