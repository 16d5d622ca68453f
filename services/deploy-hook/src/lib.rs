//! The CodeDeploy `AfterAllowTestTraffic` hook of the blue/green services.
//!
//! CodeDeploy calls it once the replacement (green) task set receives the ALB's test
//! listener traffic. The hook asks each service, through the test listener, whether it is
//! ready (`/readyz`, retried while the tasks warm up) and then makes one real read of each
//! (a list endpoint that must answer 200 with JSON). It reports `Succeeded` only when every
//! check passed within the deadline, and `Failed` otherwise, which rolls the deployment
//! back. Whatever happens (a check that hangs, an error, a panic) CodeDeploy gets a status
//! before the deadline, never by the Lambda timing out.

use std::{future::Future, time::Duration};

use serde::Deserialize;
use tokio::time::{Instant, sleep, timeout_at};

/// What CodeDeploy sends the hook.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct HookEvent {
    pub deployment_id: String,
    pub lifecycle_event_hook_execution_id: String,
}

/// The outcome reported to CodeDeploy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HookStatus {
    Succeeded,
    Failed,
}

impl HookStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Succeeded => "Succeeded",
            Self::Failed => "Failed",
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{0} is required")]
    Missing(&'static str),
    #[error("{name} is not valid: {reason}")]
    Invalid { name: &'static str, reason: String },
}

/// The checks, from the environment Terraform gives the function.
#[derive(Debug, Clone)]
pub struct Config {
    /// `PROBE_URLS`: readiness URLs through the test listener (comma separated); each must
    /// answer 200. Retried until the deadline while the tasks warm up.
    pub ready_urls: Vec<String>,
    /// `READ_URLS`: one real read per service (comma separated); each must answer 200 with
    /// a JSON body.
    pub read_urls: Vec<String>,
    /// `PROBE_SECONDS`: everything must pass within this long (default 120).
    pub deadline: Duration,
    /// `REQUEST_TIMEOUT_SECONDS`: one request's limit (default 5).
    pub request_timeout: Duration,
    /// `RETRY_MILLISECONDS`: pause between attempts (default 2000).
    pub retry_every: Duration,
}

impl Config {
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let list = |name: &'static str| -> Result<Vec<String>, ConfigError> {
            let urls: Vec<String> = get(name)
                .unwrap_or_default()
                .split(',')
                .map(str::trim)
                .filter(|u| !u.is_empty())
                .map(str::to_owned)
                .collect();
            if let Some(bad) = urls
                .iter()
                .find(|u| !(u.starts_with("https://") || u.starts_with("http://")))
            {
                return Err(ConfigError::Invalid {
                    name,
                    reason: format!("{bad:?} is not an http(s) URL"),
                });
            }
            Ok(urls)
        };
        let number = |name: &'static str, default: u64| -> Result<u64, ConfigError> {
            match get(name) {
                None => Ok(default),
                Some(v) => v.trim().parse().map_err(|_| ConfigError::Invalid {
                    name,
                    reason: format!("{v:?} is not a whole number"),
                }),
            }
        };
        let ready_urls = list("PROBE_URLS")?;
        if ready_urls.is_empty() {
            return Err(ConfigError::Missing("PROBE_URLS"));
        }
        Ok(Self {
            ready_urls,
            read_urls: list("READ_URLS")?,
            deadline: Duration::from_secs(number("PROBE_SECONDS", 120)?),
            request_timeout: Duration::from_secs(number("REQUEST_TIMEOUT_SECONDS", 5)?),
            retry_every: Duration::from_millis(number("RETRY_MILLISECONDS", 2000)?),
        })
    }
}

/// Reports the hook's outcome (CodeDeploy's `PutLifecycleEventHookExecutionStatus`).
pub trait Reporter {
    fn report(
        &self,
        event: &HookEvent,
        status: HookStatus,
    ) -> impl Future<Output = Result<(), String>> + Send;
}

/// The reporter of the real hook: the AWS SDK's CodeDeploy client.
pub struct CodeDeployReporter(pub aws_sdk_codedeploy::Client);

impl Reporter for CodeDeployReporter {
    async fn report(&self, event: &HookEvent, status: HookStatus) -> Result<(), String> {
        self.0
            .put_lifecycle_event_hook_execution_status()
            .deployment_id(&event.deployment_id)
            .lifecycle_event_hook_execution_id(&event.lifecycle_event_hook_execution_id)
            .status(aws_sdk_codedeploy::types::LifecycleEventStatus::from(
                status.as_str(),
            ))
            .send()
            .await
            .map(|_| ())
            .map_err(|e| format!("{}", aws_sdk_codedeploy::error::DisplayErrorContext(e)))
    }
}

/// Runs the checks and reports the outcome; returns the status and, on failure, why.
pub async fn handle(
    config: &Config,
    http: &reqwest::Client,
    reporter: &impl Reporter,
    event: &HookEvent,
) -> Result<(HookStatus, Vec<String>), String> {
    let deadline = Instant::now() + config.deadline;
    let checks = tokio::spawn(run_checks(config.clone(), http.clone(), deadline));
    let failures = match timeout_at(deadline + Duration::from_millis(200), checks).await {
        Ok(Ok(failures)) => failures,
        Ok(Err(join)) => vec![format!("the checks stopped abnormally: {join}")],
        Err(_) => vec![format!(
            "the checks did not finish within {} s",
            config.deadline.as_secs()
        )],
    };
    let status = if failures.is_empty() {
        HookStatus::Succeeded
    } else {
        HookStatus::Failed
    };
    for failure in &failures {
        tracing::error!(deployment_id = %event.deployment_id, failure = %failure, "check failed");
    }
    tracing::info!(deployment_id = %event.deployment_id, status = status.as_str(), "reporting to CodeDeploy");
    reporter.report(event, status).await?;
    Ok((status, failures))
}

async fn run_checks(config: Config, http: reqwest::Client, deadline: Instant) -> Vec<String> {
    let mut failures = Vec::new();
    for url in &config.ready_urls {
        if let Err(why) = until_ok(&config, deadline, || check(&http, &config, url, false)).await {
            failures.push(format!("{url}: {why}"));
        }
    }
    if !failures.is_empty() {
        return failures;
    }
    for url in &config.read_urls {
        if let Err(why) = until_ok(&config, deadline, || check(&http, &config, url, true)).await {
            failures.push(format!("{url}: {why}"));
        }
    }
    failures
}

/// Retries `attempt` until it succeeds or the deadline passes; the last reason otherwise.
async fn until_ok<F, Fut>(config: &Config, deadline: Instant, attempt: F) -> Result<(), String>
where
    F: Fn() -> Fut,
    Fut: Future<Output = Result<(), String>>,
{
    let mut last = "not tried before the deadline".to_owned();
    while Instant::now() < deadline {
        match timeout_at(deadline, attempt()).await {
            Ok(Ok(())) => return Ok(()),
            Ok(Err(why)) => last = why,
            Err(_) => {
                last = format!("no answer before the deadline ({last})");
                break;
            }
        }
        let next = Instant::now() + config.retry_every;
        if next >= deadline {
            break;
        }
        sleep(config.retry_every).await;
    }
    Err(last)
}

async fn check(
    http: &reqwest::Client,
    config: &Config,
    url: &str,
    want_json: bool,
) -> Result<(), String> {
    let response = http
        .get(url)
        .timeout(config.request_timeout)
        .send()
        .await
        .map_err(|e| format!("request failed: {e}"))?;
    let status = response.status();
    if status != reqwest::StatusCode::OK {
        return Err(format!("answered HTTP {}", status.as_u16()));
    }
    if want_json {
        let body = response
            .bytes()
            .await
            .map_err(|e| format!("reading the body failed: {e}"))?;
        serde_json::from_slice::<serde_json::Value>(&body)
            .map_err(|e| format!("the body is not JSON: {e}"))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let pairs: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        move |name| {
            pairs
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
        }
    }

    #[test]
    fn config_reads_lists_and_defaults() {
        let c = Config::from_lookup(env(&[
            ("PROBE_URLS", "https://a/readyz, https://b/readyz,"),
            ("READ_URLS", "https://a/documents?limit=1"),
        ]))
        .unwrap();
        assert_eq!(c.ready_urls, ["https://a/readyz", "https://b/readyz"]);
        assert_eq!(c.read_urls, ["https://a/documents?limit=1"]);
        assert_eq!(c.deadline, Duration::from_secs(120));
        assert_eq!(c.request_timeout, Duration::from_secs(5));
    }

    #[test]
    fn config_names_what_is_wrong() {
        let e = Config::from_lookup(env(&[])).unwrap_err();
        assert!(e.to_string().contains("PROBE_URLS"), "{e}");
        let e = Config::from_lookup(env(&[("PROBE_URLS", "ftp://x")])).unwrap_err();
        assert!(e.to_string().contains("PROBE_URLS"), "{e}");
        let e = Config::from_lookup(env(&[
            ("PROBE_URLS", "https://x"),
            ("PROBE_SECONDS", "soon"),
        ]))
        .unwrap_err();
        assert!(e.to_string().contains("PROBE_SECONDS"), "{e}");
    }
}
