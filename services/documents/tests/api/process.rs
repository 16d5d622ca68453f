//! Tests of the real binary: configuration errors, JSON logs with request ids, SIGTERM.

use std::{
    io::{BufRead, BufReader},
    process::{Child, Command, Stdio},
    sync::{Arc, Mutex},
    time::Duration,
};

use sea_orm::{ConnectionTrait, TransactionTrait};
use serde_json::Value;

use crate::helpers::{API_KEY, fresh_database};

const BIN: &str = env!("CARGO_BIN_EXE_documents");

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

struct Server {
    child: Child,
    port: u16,
    lines: Arc<Mutex<Vec<String>>>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn start(database_url: &str) -> Server {
    start_with(database_url, &[]).await
}

async fn start_with(database_url: &str, extra: &[(&str, String)]) -> Server {
    let port = free_port();
    let digest = corpus_platform::auth::sha256_hex(API_KEY);
    let mut child = Command::new(BIN)
        .arg("serve")
        .env_clear()
        .env("PORT", port.to_string())
        .env("BIND_ADDRESS", "127.0.0.1")
        .env("DATABASE_URL", database_url)
        .env("API_KEY_SHA256", digest)
        .env("LOG_FORMAT", "json")
        .env("RUST_LOG", "info")
        .env("SHUTDOWN_GRACE_SECONDS", "10")
        .envs(extra.iter().map(|(k, v)| (*k, v.as_str())))
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let lines = Arc::new(Mutex::new(Vec::new()));
    let sink = lines.clone();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            sink.lock().unwrap().push(line);
        }
    });
    let client = reqwest::Client::new();
    for _ in 0..100 {
        if client
            .get(format!("http://127.0.0.1:{port}/healthz"))
            .send()
            .await
            .is_ok()
        {
            return Server { child, port, lines };
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("documents serve did not start");
}

#[test]
fn bad_configuration_stops_start_up_with_one_line_naming_it() {
    for (name, value, expected) in [
        ("PORT", "http", "PORT"),
        ("DATABASE_URL", "mysql://x", "DATABASE_URL"),
        ("SHUTDOWN_GRACE_SECONDS", "-1", "SHUTDOWN_GRACE_SECONDS"),
        ("API_KEY_SHA256", "not-hex", "API_KEY_SHA256"),
        (
            "DATABASE_SECRET_REFRESH_SECONDS",
            "0",
            "DATABASE_SECRET_REFRESH_SECONDS",
        ),
    ] {
        let mut cmd = Command::new(BIN);
        cmd.arg("serve")
            .env_clear()
            .env("DATABASE_URL", "postgres://localhost/x")
            .env(name, value);
        let out = cmd.output().unwrap();
        assert_eq!(out.status.code(), Some(1), "{name}");
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(stderr.contains(expected), "{stderr}");
    }
    let out = Command::new(BIN).arg("serve").env_clear().output().unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(
        stderr.trim(),
        "configuration error: DATABASE_URL: is required but not set"
    );
    let out = Command::new(BIN).arg("bogus").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[tokio::test]
async fn every_log_line_of_a_request_carries_its_request_id_and_trace() {
    let database_url = fresh_database().await;
    let server = start(&database_url).await;
    let client = reqwest::Client::new();
    let trace_id = "4bf92f3577b34da6a3ce929d0e0e4736";
    let resp = client
        .post(format!("http://127.0.0.1:{}/documents", server.port))
        .bearer_auth(API_KEY)
        .header("x-request-id", "log-test-42")
        .header("traceparent", format!("00-{trace_id}-00f067aa0ba902b7-01"))
        .json(&serde_json::json!({"title": "logged", "text": "hello logs"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201);
    assert_eq!(resp.headers()["x-request-id"], "log-test-42");
    tokio::time::sleep(Duration::from_millis(300)).await;

    let lines = server.lines.lock().unwrap().clone();
    let parsed: Vec<Value> = lines
        .iter()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON: {l}: {e}")))
        .collect();
    let of_request: Vec<&Value> = parsed
        .iter()
        .filter(|v| v["span"]["request_id"] == "log-test-42")
        .collect();
    let messages: Vec<&str> = of_request
        .iter()
        .map(|v| v["message"].as_str().unwrap_or_default())
        .collect();
    assert!(messages.contains(&"document created"), "{lines:#?}");
    assert!(messages.contains(&"request completed"), "{lines:#?}");
    for line in &of_request {
        assert_eq!(
            line["span"]["trace_id"], trace_id,
            "trace context not continued: {line}"
        );
    }
}

#[tokio::test]
async fn sigterm_lets_the_in_flight_request_finish_then_exits_zero() {
    let database_url = fresh_database().await;
    let mut server = start(&database_url).await;
    let client = reqwest::Client::new();
    let created: Value = client
        .post(format!("http://127.0.0.1:{}/documents", server.port))
        .bearer_auth(API_KEY)
        .json(&serde_json::json!({"title": "slow", "text": "held by a lock"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = created["id"].as_str().unwrap().to_owned();

    // Hold an exclusive lock so the next read blocks inside the service.
    let db = corpus_documents::connect(&secrecy::SecretString::from(database_url.clone()), 1)
        .await
        .unwrap();
    let txn = db.begin().await.unwrap();
    txn.execute_unprepared("LOCK TABLE documents IN ACCESS EXCLUSIVE MODE")
        .await
        .unwrap();

    let url = format!("http://127.0.0.1:{}/documents/{id}", server.port);
    let in_flight = tokio::spawn(async move { reqwest::get(url).await });
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(
        !in_flight.is_finished(),
        "the request should be blocked on the lock"
    );

    let pid = server.child.id().to_string();
    let kill = Command::new("kill").args(["-TERM", &pid]).status().unwrap();
    assert!(kill.success());
    tokio::time::sleep(Duration::from_millis(500)).await;

    // New connections are refused while draining.
    let refused = reqwest::Client::new()
        .get(format!("http://127.0.0.1:{}/healthz", server.port))
        .timeout(Duration::from_secs(2))
        .send()
        .await;
    assert!(refused.is_err(), "a new request was accepted after SIGTERM");

    txn.rollback().await.unwrap();
    let resp = in_flight.await.unwrap().unwrap();
    assert_eq!(resp.status(), 200);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["id"], id.as_str());

    let status = tokio::task::spawn_blocking(move || {
        let status = server.child.wait().unwrap();
        drop(server);
        status
    })
    .await
    .unwrap();
    assert_eq!(status.code(), Some(0));
}

#[tokio::test]
async fn a_5xx_logs_its_cause_chain_and_sends_only_the_request_id() {
    let database_url = fresh_database().await;
    let server = start(&database_url).await;
    let client = reqwest::Client::new();
    let created: Value = client
        .post(format!("http://127.0.0.1:{}/documents", server.port))
        .bearer_auth(API_KEY)
        .json(&serde_json::json!({"title": "t", "text": "body"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    // Break the schema under the running service.
    let db = corpus_documents::connect(&secrecy::SecretString::from(database_url), 1)
        .await
        .unwrap();
    db.execute_unprepared("DROP TABLE passages").await.unwrap();
    let resp = client
        .get(format!(
            "http://127.0.0.1:{}/documents/{}/text",
            server.port,
            created["id"].as_str().unwrap()
        ))
        .header("x-request-id", "broken-1")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 500);
    let body = resp.text().await.unwrap();
    let problem: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(problem["request_id"], "broken-1");
    assert!(
        !body.contains("passages") && !body.contains("relation"),
        "internals leaked: {body}"
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    let lines = server.lines.lock().unwrap().clone();
    let logged = lines
        .iter()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .find(|v| {
            v["level"] == "ERROR"
                && v["span"]["request_id"] == "broken-1"
                && v["error"]
                    .as_str()
                    .is_some_and(|e| e.contains("database query failed") && e.contains("passages"))
        });
    assert!(
        logged.is_some(),
        "no error line with the cause chain: {lines:#?}"
    );
}

#[tokio::test]
async fn traces_are_exported_over_otlp_when_an_endpoint_is_set() {
    use poem::{EndpointExt, Route, handler, web::Data};

    /// Path, content type and body of one export request.
    type Export = (String, String, Vec<u8>);

    #[derive(Clone, Default)]
    struct Seen(Arc<Mutex<Vec<Export>>>);

    #[handler]
    async fn collect(
        req: &poem::Request,
        body: poem::Body,
        Data(seen): Data<&Seen>,
    ) -> &'static str {
        let content_type = req
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let bytes = body.into_vec().await.unwrap_or_default();
        seen.0
            .lock()
            .unwrap()
            .push((req.uri().path().to_owned(), content_type, bytes));
        ""
    }

    let seen = Seen::default();
    let bound = corpus_platform::server::bind("127.0.0.1", 0).await.unwrap();
    let collector = format!("http://127.0.0.1:{}", bound.port);
    tokio::spawn(corpus_platform::server::serve(
        bound,
        Route::new()
            .at("/v1/traces", poem::post(collect))
            .data(seen.clone()),
        std::future::pending(),
        Duration::from_secs(1),
    ));

    let database_url = fresh_database().await;
    let mut server = start_with(&database_url, &[("OTEL_EXPORTER_OTLP_ENDPOINT", collector)]).await;
    let trace_id = "5b8efff798038103d269b633813fc60c";
    let resp = reqwest::Client::new()
        .get(format!("http://127.0.0.1:{}/documents", server.port))
        .header("traceparent", format!("00-{trace_id}-eee19b7ec3c1b174-01"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    // Shutting down flushes the batch exporter.
    let pid = server.child.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success()
    );
    let status = tokio::task::spawn_blocking(move || {
        let status = server.child.wait().unwrap();
        drop(server);
        status
    })
    .await
    .unwrap();
    assert_eq!(status.code(), Some(0));
    let exports = seen.0.lock().unwrap().clone();
    assert!(!exports.is_empty(), "nothing was exported");
    let wanted = hex::decode(trace_id).unwrap();
    assert!(
        exports
            .iter()
            .any(|(path, content_type, body)| path == "/v1/traces"
                && content_type == "application/x-protobuf"
                && body.windows(16).any(|w| w == wanted.as_slice())),
        "no span of the incoming trace was exported"
    );
}
