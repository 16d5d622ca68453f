//! Browser uploads through presigned URLs.

use serde_json::Value;

use crate::{
    api::problem,
    helpers::{API_KEY, env, spawn_api, spawn_worker},
};

#[tokio::test]
async fn browser_upload_through_a_presigned_url_is_ingested() {
    let env = env().await;
    let api = spawn_api(env.serve_config()).await;
    let worker = spawn_worker(env.work_config()).await;
    let text = "Uploaded from a browser.\n\nIt should become searchable.";
    let resp = api
        .client
        .post(format!("{}/uploads", api.base))
        .bearer_auth(API_KEY)
        .json(&serde_json::json!({"filename": "my notes.txt", "content_type": "text/plain", "size": text.len()}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let ticket: Value = resp.json().await.unwrap();
    let url = ticket["url"].as_str().unwrap();
    assert_eq!(ticket["method"], "PUT");
    let job_id = ticket["job_id"].as_str().unwrap();
    assert!(
        url.contains(&format!("uploads/{job_id}/my%20notes.txt")),
        "{url}"
    );
    // Size and type are bound into the signature.
    let signed = url
        .split("X-Amz-SignedHeaders=")
        .nth(1)
        .unwrap()
        .split('&')
        .next()
        .unwrap();
    assert!(
        signed.contains("content-length") && signed.contains("content-type"),
        "{signed}"
    );
    assert!(url.contains("X-Amz-Expires=300"));
    let headers = ticket["headers"].as_object().unwrap();
    let mut put = reqwest::Client::new().put(url).body(text);
    for (k, v) in headers {
        put = put.header(k, v.as_str().unwrap());
    }
    let put = put.send().await.unwrap();
    assert!(put.status().is_success(), "{}", put.text().await.unwrap());

    let job = api.wait_final(job_id, 30).await;
    assert_eq!(job["status"], "completed", "{job}");
    assert_eq!(job["documents"], 1);
    assert_eq!(
        env.sources().await,
        vec![format!("s3://{}/uploads/{job_id}/my notes.txt", env.bucket)]
    );
    worker.stop().await;
}

#[tokio::test]
async fn upload_requests_are_validated() {
    let env = env().await;
    let api = spawn_api(env.serve_config()).await;
    // The longest name the schema allows, in 4-byte characters, makes a key longer than a
    // DynamoDB sort key: still accepted (its file item is keyed by a digest).
    let long = format!("{}.txt", "😀".repeat(251));
    let resp = api
        .client
        .post(format!("{}/uploads", api.base))
        .bearer_auth(API_KEY)
        .json(&serde_json::json!({"filename": long, "content_type": "text/plain", "size": 5}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200, "{}", resp.text().await.unwrap());
    for (body, field) in [
        (
            serde_json::json!({"content_type": "text/plain", "size": 5}),
            "filename",
        ),
        (
            serde_json::json!({"filename": "../x.txt", "content_type": "text/plain", "size": 5}),
            "filename",
        ),
        (
            serde_json::json!({"filename": "x.pdf", "content_type": "text/plain", "size": 5}),
            "filename",
        ),
        (
            serde_json::json!({"filename": "x.txt", "content_type": "image/png", "size": 5}),
            "content_type",
        ),
        (
            serde_json::json!({"filename": "x.txt", "content_type": "text/plain", "size": 0}),
            "size",
        ),
        (
            serde_json::json!({"filename": "x.txt", "content_type": "TEXT/PLAIN", "size": 5}),
            "content_type",
        ),
        (
            serde_json::json!({"filename": " x.txt", "content_type": "text/plain", "size": 5}),
            "filename",
        ),
        (
            serde_json::json!({"filename": "x.txt", "content_type": "text/plain", "size": "5"}),
            "size",
        ),
        (
            serde_json::json!({"filename": "x.txt", "content_type": "text/plain"}),
            "size",
        ),
    ] {
        let resp = api
            .client
            .post(format!("{}/uploads", api.base))
            .bearer_auth(API_KEY)
            .json(&body)
            .send()
            .await
            .unwrap();
        let p = problem(resp, 400).await;
        assert!(p["detail"].as_str().unwrap().contains(field), "{body}: {p}");
    }
    // Over INGEST_MAX_FILE_BYTES (which the schema cannot know): 413, naming the size.
    let resp = api
        .client
        .post(format!("{}/uploads", api.base))
        .bearer_auth(API_KEY)
        .json(&serde_json::json!({"filename": "x.txt", "content_type": "text/plain", "size": 2_000_000_000_u64}))
        .send()
        .await
        .unwrap();
    let p = problem(resp, 413).await;
    assert!(p["detail"].as_str().unwrap().contains("size"), "{p}");
    let resp = api
        .client
        .post(format!("{}/uploads", api.base))
        .json(&serde_json::json!({"filename": "x.txt", "content_type": "text/plain", "size": 5}))
        .send()
        .await
        .unwrap();
    problem(resp, 401).await;
}
