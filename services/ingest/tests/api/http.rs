//! The HTTP surface every service shares: probes, the spec, methods, body limits.

use serde_json::Value;

use crate::{
    api::problem,
    helpers::{API_KEY, env, spawn_api},
};

#[tokio::test]
async fn probes_and_spec() {
    let env = env().await;
    let api = spawn_api(env.serve_config()).await;
    let r: Value = api
        .client
        .get(format!("{}/healthz", api.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(r["status"], "ok");
    let r = api
        .client
        .get(format!("{}/readyz", api.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let spec: Value = api
        .client
        .get(format!("{}/openapi.json", api.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    for path in ["/jobs", "/jobs/{id}", "/uploads", "/healthz", "/readyz"] {
        assert!(spec["paths"][path].is_object(), "{path}");
    }
    let docs = api
        .client
        .get(format!("{}/docs", api.base))
        .send()
        .await
        .unwrap();
    assert_eq!(docs.status(), 200);

    // A table that does not exist makes the service not ready, naming it.
    let mut config = env.serve_config();
    config.common.table = "no-such-table".into();
    let broken = spawn_api(config).await;
    let r = broken
        .client
        .get(format!("{}/readyz", broken.base))
        .send()
        .await
        .unwrap();
    let p = problem(r, 503).await;
    assert!(p["detail"].as_str().unwrap().contains("dynamodb"));
    let mut config = env.serve_config();
    config.common.queue_url = format!("{}-missing", env.queue_url);
    let broken = spawn_api(config).await;
    let r = broken
        .client
        .get(format!("{}/readyz", broken.base))
        .send()
        .await
        .unwrap();
    let p = problem(r, 503).await;
    assert!(p["detail"].as_str().unwrap().contains("sqs"));
}

#[tokio::test]
async fn committed_openapi_document_matches_the_code() {
    let generated: Value = serde_json::from_str(&corpus_ingest::openapi_json()).unwrap();
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../openapi/ingest.json");
    let committed: Value = serde_json::from_str(
        &std::fs::read_to_string(path)
            .unwrap_or_else(|e| panic!("{path}: {e}; run ./scripts/openapi.sh")),
    )
    .unwrap();
    assert!(
        generated == committed,
        "openapi/ingest.json is out of date: run ./scripts/openapi.sh and commit it"
    );
}

#[tokio::test]
async fn a_wrong_method_is_405_with_allow_and_a_bare_body_415() {
    let env = env().await;
    let api = spawn_api(env.serve_config()).await;
    for (method, path, allow) in [
        (reqwest::Method::PUT, "/jobs", "GET, HEAD, POST"),
        (reqwest::Method::GET, "/uploads", "POST"),
        (
            reqwest::Method::DELETE,
            &*format!("/jobs/{}", uuid::Uuid::new_v4()),
            "GET, HEAD",
        ),
    ] {
        let resp = api
            .client
            .request(method.clone(), format!("{}{path}", api.base))
            .send()
            .await
            .unwrap();
        let got = resp
            .headers()
            .get("allow")
            .map(|v| v.to_str().unwrap().to_owned());
        problem(resp, 405).await;
        assert_eq!(got.as_deref(), Some(allow), "{method} {path}");
    }
    let resp = api
        .client
        .post(format!("{}/uploads", api.base))
        .bearer_auth(API_KEY)
        .body(r#"{"filename": "x.txt", "content_type": "text/plain", "size": 5}"#)
        .send()
        .await
        .unwrap();
    let p = problem(resp, 415).await;
    assert!(
        p["detail"].as_str().unwrap().contains("Content-Type"),
        "{p}"
    );
}

#[tokio::test]
async fn a_body_sent_without_a_length_is_limited_too() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let env = env().await;
    let api = spawn_api(env.serve_config()).await;
    let addr = api.base.trim_start_matches("http://").to_owned();
    let send_chunked = async |size: usize| -> String {
        let mut stream = tokio::net::TcpStream::connect(&addr).await.unwrap();
        let head = format!(
            "POST /uploads HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {API_KEY}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
        );
        stream.write_all(head.as_bytes()).await.unwrap();
        let chunk = vec![b' '; 8192];
        let mut sent = 0;
        while sent < size {
            let n = chunk.len().min(size - sent);
            let _ = stream.write_all(format!("{n:x}\r\n").as_bytes()).await;
            let _ = stream.write_all(&chunk[..n]).await;
            let _ = stream.write_all(b"\r\n").await;
            sent += n;
        }
        let _ = stream.write_all(b"0\r\n\r\n").await;
        let mut answer = String::new();
        let _ = stream.read_to_string(&mut answer).await;
        answer
    };
    // Over the 64 KiB limit with no Content-Length: refused before any handler reads it.
    let answer = send_chunked(200 * 1024).await;
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(answer.contains("application/problem+json"), "{answer}");
    // Under it, the body reaches the handler (blank JSON is a 400 naming the problem).
    let answer = send_chunked(1024).await;
    assert!(answer.starts_with("HTTP/1.1 400"), "{answer}");
}
