#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The hook against a local HTTP server standing in for the ALB test listener, and the
//! real AWS SDK CodeDeploy client reporting to a local endpoint that speaks the one JSON
//! call it makes (the emulator has no PutLifecycleEventHookExecutionStatus).

use std::{
    sync::{
        Arc, Mutex,
        atomic::{AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};

use corpus_deploy_hook::{CodeDeployReporter, Config, HookEvent, HookStatus, handle};
use poem::{
    EndpointExt, Request, Response, Route, Server, get, handler,
    http::StatusCode,
    listener::{Acceptor, Listener, TcpListener},
    post,
    web::Data,
};
use serde_json::{Value, json};

#[derive(Clone, Default)]
struct Recorded {
    calls: Arc<Mutex<Vec<(String, Value)>>>,
    warming: Arc<AtomicUsize>,
    fail_reports: bool,
}

#[handler]
fn ready_ok() -> &'static str {
    "{\"status\":\"ready\"}"
}

#[handler]
fn read_ok() -> Response {
    Response::builder()
        .content_type("application/json")
        .body("{\"items\":[]}")
}

#[handler]
fn down() -> StatusCode {
    StatusCode::SERVICE_UNAVAILABLE
}

#[handler]
fn broken() -> StatusCode {
    StatusCode::INTERNAL_SERVER_ERROR
}

#[handler]
fn not_json() -> &'static str {
    "<html>maintenance</html>"
}

#[handler]
async fn hangs() -> &'static str {
    tokio::time::sleep(Duration::from_secs(60)).await;
    "late"
}

#[handler]
fn warming(Data(rec): Data<&Recorded>) -> StatusCode {
    // 503 twice, as tasks still starting would answer, then ready.
    if rec.warming.fetch_add(1, Ordering::SeqCst) < 2 {
        StatusCode::SERVICE_UNAVAILABLE
    } else {
        StatusCode::OK
    }
}

#[handler]
fn codedeploy(req: &Request, Data(rec): Data<&Recorded>, body: Vec<u8>) -> Response {
    // The SDK sends application/x-amz-json-1.1.
    let body: Value = serde_json::from_slice(&body).unwrap();
    let target = req
        .headers()
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    rec.calls.lock().unwrap().push((target, body.clone()));
    if rec.fail_reports {
        return Response::builder()
            .status(StatusCode::BAD_REQUEST)
            .content_type("application/x-amz-json-1.1")
            .body(
                r#"{"__type":"DeploymentDoesNotExistException","message":"no such deployment"}"#,
            );
    }
    Response::builder()
        .content_type("application/x-amz-json-1.1")
        .body(
            json!({"lifecycleEventHookExecutionId": body["lifecycleEventHookExecutionId"]})
                .to_string(),
        )
}

struct Harness {
    base: String,
    recorded: Recorded,
    reporter: CodeDeployReporter,
}

async fn harness(fail_reports: bool) -> Harness {
    let recorded = Recorded {
        fail_reports,
        ..Recorded::default()
    };
    let app = Route::new()
        .at("/ok/readyz", get(ready_ok))
        .at("/ok/read", get(read_ok))
        .at("/down/readyz", get(down))
        .at("/broken/read", get(broken))
        .at("/notjson/read", get(not_json))
        .at("/hangs/readyz", get(hangs))
        .at("/warming/readyz", get(warming))
        .at("/", post(codedeploy))
        .data(recorded.clone());
    let acceptor = TcpListener::bind("127.0.0.1:0")
        .into_acceptor()
        .await
        .unwrap();
    let port = acceptor.local_addr()[0].as_socket_addr().unwrap().port();
    tokio::spawn(Server::new_with_acceptor(acceptor).run(app));
    let base = format!("http://127.0.0.1:{port}");
    let sdk = aws_sdk_codedeploy::Config::builder()
        .behavior_version(aws_sdk_codedeploy::config::BehaviorVersion::latest())
        .region(aws_sdk_codedeploy::config::Region::new("us-east-1"))
        .endpoint_url(&base)
        .credentials_provider(aws_sdk_codedeploy::config::Credentials::new(
            "test", "test", None, None, "tests",
        ))
        .build();
    Harness {
        reporter: CodeDeployReporter(aws_sdk_codedeploy::Client::from_conf(sdk)),
        base,
        recorded,
    }
}

fn config(h: &Harness, ready: &[&str], read: &[&str], deadline_ms: u64) -> Config {
    let join = |paths: &[&str]| {
        paths
            .iter()
            .map(|p| format!("{}{p}", h.base))
            .collect::<Vec<_>>()
            .join(",")
    };
    let (ready, read) = (join(ready), join(read));
    let deadline = (deadline_ms / 1000).max(1).to_string();
    Config::from_lookup(|name| match name {
        "PROBE_URLS" => Some(ready.clone()),
        "READ_URLS" => Some(read.clone()),
        "PROBE_SECONDS" => Some(deadline.clone()),
        "REQUEST_TIMEOUT_SECONDS" => Some("1".to_owned()),
        "RETRY_MILLISECONDS" => Some("100".to_owned()),
        _ => None,
    })
    .unwrap()
}

fn event() -> HookEvent {
    serde_json::from_value(json!({
        "DeploymentId": "d-ABC123",
        "LifecycleEventHookExecutionId": "exec-456"
    }))
    .unwrap()
}

/// The one report CodeDeploy received: its status.
fn reported(h: &Harness) -> String {
    let calls = h.recorded.calls.lock().unwrap();
    assert_eq!(calls.len(), 1, "exactly one report: {calls:?}");
    let (target, body) = &calls[0];
    assert_eq!(
        target,
        "CodeDeploy_20141006.PutLifecycleEventHookExecutionStatus"
    );
    assert_eq!(body["deploymentId"], "d-ABC123");
    assert_eq!(body["lifecycleEventHookExecutionId"], "exec-456");
    body["status"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn ready_and_readable_services_succeed() {
    let h = harness(false).await;
    let c = config(
        &h,
        &["/ok/readyz", "/warming/readyz"],
        &["/ok/read"],
        10_000,
    );
    let (status, failures) = handle(&c, &reqwest::Client::new(), &h.reporter, &event())
        .await
        .unwrap();
    assert_eq!(status, HookStatus::Succeeded, "{failures:?}");
    assert_eq!(reported(&h), "Succeeded");
    assert!(
        h.recorded.warming.load(Ordering::SeqCst) >= 3,
        "retried while warming"
    );
}

#[tokio::test]
async fn a_service_that_is_not_ready_fails_the_deployment() {
    let h = harness(false).await;
    let c = config(&h, &["/ok/readyz", "/down/readyz"], &["/ok/read"], 1_000);
    let (status, failures) = handle(&c, &reqwest::Client::new(), &h.reporter, &event())
        .await
        .unwrap();
    assert_eq!(status, HookStatus::Failed);
    assert_eq!(reported(&h), "Failed");
    assert_eq!(failures.len(), 1, "{failures:?}");
    assert!(
        failures[0].contains("/down/readyz") && failures[0].contains("503"),
        "{failures:?}"
    );
}

#[tokio::test]
async fn a_read_that_errs_or_is_not_json_fails_the_deployment() {
    for path in ["/broken/read", "/notjson/read"] {
        let h = harness(false).await;
        let c = config(&h, &["/ok/readyz"], &["/ok/read", path], 1_000);
        let (status, failures) = handle(&c, &reqwest::Client::new(), &h.reporter, &event())
            .await
            .unwrap();
        assert_eq!(status, HookStatus::Failed, "{path}");
        assert_eq!(reported(&h), "Failed");
        assert!(failures[0].contains(path), "{failures:?}");
    }
}

#[tokio::test]
async fn a_hanging_service_fails_within_the_deadline() {
    let h = harness(false).await;
    let c = config(&h, &["/hangs/readyz"], &[], 2_000);
    let started = Instant::now();
    let (status, failures) = handle(&c, &reqwest::Client::new(), &h.reporter, &event())
        .await
        .unwrap();
    let took = started.elapsed();
    assert_eq!(status, HookStatus::Failed);
    assert_eq!(reported(&h), "Failed");
    assert!(took < Duration::from_secs(4), "reported after {took:?}");
    assert!(failures[0].contains("/hangs/readyz"), "{failures:?}");
}

#[tokio::test]
async fn a_refused_report_is_an_error_of_the_invocation() {
    let h = harness(true).await;
    let c = config(&h, &["/ok/readyz"], &[], 1_000);
    let err = handle(&c, &reqwest::Client::new(), &h.reporter, &event())
        .await
        .unwrap_err();
    assert!(err.contains("no such deployment"), "{err}");
}
