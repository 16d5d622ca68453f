//! Liveness and readiness, the same in every service: `GET /healthz` answers without I/O;
//! `GET /readyz` runs each dependency's check at once, all under one time limit, and
//! names the first that fails (its 503 problem's detail), so an operator reads which
//! dependency is down from the probe itself.

use std::{future::Future, pin::Pin, time::Duration};

use poem_openapi::Object;

/// How long a readiness probe waits for its dependencies.
pub const READINESS_LIMIT: Duration = Duration::from_secs(2);

/// The body of `/healthz` and `/readyz`.
#[derive(Debug, Object)]
pub struct Health {
    /// `ok` (liveness) or `ready` (readiness).
    pub status: String,
}

impl Health {
    pub fn live() -> Self {
        Self {
            status: "ok".into(),
        }
    }

    pub fn ready() -> Self {
        Self {
            status: "ready".into(),
        }
    }
}

/// One dependency's check: its description for the problem's detail, and whether it
/// answered.
pub type Check<'a> = (
    &'static str,
    Pin<Box<dyn Future<Output = bool> + Send + 'a>>,
);

/// Runs the checks concurrently under [`READINESS_LIMIT`]. `Ok` when all answered, else
/// the first failing dependency's description (in the order given).
pub async fn readiness(checks: Vec<Check<'_>>) -> Result<(), String> {
    let (names, futures): (Vec<_>, Vec<_>) = checks.into_iter().unzip();
    let answers = tokio::time::timeout(READINESS_LIMIT, futures::future::join_all(futures)).await;
    let failed = match answers {
        Err(_) => Some(format!(
            "no answer within {} s from: {}",
            READINESS_LIMIT.as_secs(),
            names.join(", ")
        )),
        Ok(answers) => names
            .iter()
            .zip(answers)
            .find(|(_, ok)| !ok)
            .map(|(name, _)| format!("{name} does not answer")),
    };
    match failed {
        None => Ok(()),
        Some(detail) => {
            tracing::warn!(detail, "readiness check failed");
            Err(detail)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn names_the_first_failing_dependency() {
        assert_eq!(
            readiness(vec![("a", Box::pin(async { true }))]).await,
            Ok(())
        );
        let err = readiness(vec![
            ("dynamodb: the jobs table", Box::pin(async { true })),
            ("sqs: the ingest queue", Box::pin(async { false })),
        ])
        .await
        .unwrap_err();
        assert_eq!(err, "sqs: the ingest queue does not answer");
    }

    #[tokio::test]
    async fn a_hanging_dependency_is_a_failure_within_the_limit() {
        let err = readiness(vec![("database", Box::pin(std::future::pending()))])
            .await
            .unwrap_err();
        assert!(
            err.contains("no answer within 2 s") && err.contains("database"),
            "{err}"
        );
    }
}
