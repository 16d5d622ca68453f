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

    /// Readiness: 503 while the database (the primary, and the read replica when one is
    /// configured) does not answer within 2 seconds.
    #[oai(path = "/readyz", method = "get")]
    async fn readyz(&self) -> Result<Json<Health>, ApiError> {
        let state = &self.state;
        let ping = tokio::time::timeout(Duration::from_secs(2), async {
            let (primary, replica) = tokio::join!(crate::store::ping(&state.db), async {
                !state.replica || crate::store::ping(&state.read).await
            });
            (primary, replica)
        });
        let detail = match ping.await {
            Ok((true, true)) => {
                return Ok(Json(Health {
                    status: "ready".into(),
                }));
            }
            Ok((false, _)) => "database: the primary (DATABASE_URL) is unreachable",
            Err(_) => "database: no answer within 2 s (primary or read replica)",
            Ok((true, false)) => "database: the read replica (DATABASE_READ_URL) is unreachable",
        };
        tracing::warn!(detail, "readiness check failed");
        Err(ApiError::unavailable(detail))
    }
}
