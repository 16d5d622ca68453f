use serde_json::Value;

use crate::helpers::{API_KEY, env, spawn_api, spawn_worker};

async fn problem(resp: reqwest::Response, status: u16) -> Value {
    assert_eq!(resp.status().as_u16(), status);
    assert!(
        resp.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/problem+json")
    );
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["status"], status);
    body
}

#[tokio::test]
async fn job_over_a_prefix_ingests_every_file_and_reports() {
    let env = env().await;
    for i in 0..3 {
        env.put(
            &env.data_bucket,
            &format!("reports/r{i}.txt"),
            format!("Report number {i}\n\nquarterly figures {i}"),
        )
        .await;
    }
    env.put(
        &env.data_bucket,
        "reports/sub/notes.md",
        "# Notes\n\nmarkdown body",
    )
    .await;
    env.put(
        &env.data_bucket,
        "other/ignored.txt",
        "not under the prefix",
    )
    .await;
    let api = spawn_api(env.serve_config()).await;
    let worker = spawn_worker(env.work_config()).await;

    let resp = api
        .post_job(&format!("bucket={}&prefix=reports/", env.data_bucket))
        .await;
    assert_eq!(resp.status(), 202);
    let location = resp.headers()["location"].to_str().unwrap().to_owned();
    let job: Value = resp.json().await.unwrap();
    let id = job["id"].as_str().unwrap().to_owned();
    assert_eq!(location, format!("/jobs/{id}"));
    // The worker lists the prefix: the total grows as it does.
    assert!(matches!(job["status"].as_str(), Some("queued" | "running")));
    // Optional fields without a value are absent, never null (the spec declares them
    // optional, not nullable).
    assert!(job.get("finished_at").is_none(), "{job}");
    assert!(job.get("callback").is_none(), "{job}");

    let done = api.wait_final(&id, 30).await;
    assert_eq!(done["status"], "completed", "{done}");
    assert_eq!(done["files_total"], 4);
    assert_eq!(done["files_done"], 4);
    assert_eq!(done["files_failed"], 0);
    assert_eq!(done["documents"], 4);
    assert!(done["bytes"].as_u64().unwrap() > 40);
    assert!(done["finished_at"].is_string());
    assert_eq!(done["errors"], Value::Array(vec![]));
    assert_eq!(done["bucket"], env.data_bucket.as_str());
    assert_eq!(done["prefix"], "reports/");
    let sources = env.sources().await;
    assert_eq!(sources.len(), 4);
    assert!(sources.contains(&format!("s3://{}/reports/sub/notes.md", env.data_bucket)));
    // Every item of the job (the job and each file) expires with it.
    let items = env
        .clients
        .dynamodb
        .scan()
        .table_name(&env.table)
        .send()
        .await
        .unwrap()
        .items
        .unwrap();
    assert_eq!(items.len(), 5, "the job and its 4 files");
    let ttls: std::collections::HashSet<String> = items
        .iter()
        .map(|i| i["ttl"].as_n().unwrap().clone())
        .collect();
    assert_eq!(ttls.len(), 1, "one expiry for the whole job: {ttls:?}");
    worker.stop().await;
}

#[tokio::test]
async fn jobs_are_listed_newest_first_with_a_cursor() {
    let env = env().await;
    let api = spawn_api(env.serve_config()).await;
    let mut ids = Vec::new();
    for _ in 0..3 {
        let job: Value = api
            .post_job(&format!("bucket={}&prefix=empty/", env.data_bucket))
            .await
            .json()
            .await
            .unwrap();
        ids.push(job["id"].as_str().unwrap().to_owned());
        // An empty job finishes at once.
        assert_eq!(job["files_total"], 0);
    }
    let page: Value = api
        .client
        .get(format!("{}/jobs?limit=2", api.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let got: Vec<&str> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|j| j["id"].as_str().unwrap())
        .collect();
    assert_eq!(got, vec![ids[2].as_str(), ids[1].as_str()]);
    let cursor = page["next_cursor"].as_str().unwrap();
    let page: Value = api
        .client
        .get(format!("{}/jobs?limit=2&cursor={cursor}", api.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let got: Vec<&str> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|j| j["id"].as_str().unwrap())
        .collect();
    assert_eq!(got, vec![ids[0].as_str()]);
    let job = api.job(&ids[0]).await;
    assert_eq!(job["status"], "completed");
}

#[tokio::test]
async fn job_requests_are_validated() {
    let env = env().await;
    let mut config = env.serve_config();
    config.common.callback_allow_private = false;
    let api = spawn_api(config).await;
    let p = problem(
        api.post_job("bucket=not-allowed-bucket&prefix=a/").await,
        403,
    )
    .await;
    assert!(
        p["detail"]
            .as_str()
            .unwrap()
            .contains("INGEST_ALLOWED_BUCKETS")
    );
    let p = problem(
        api.post_job(&format!("bucket={}", env.data_bucket)).await,
        400,
    )
    .await;
    assert!(p["detail"].as_str().unwrap().contains("prefix"), "{p}");
    let p = problem(
        api.post_job(&format!("bucket={}&prefix=", env.data_bucket))
            .await,
        400,
    )
    .await;
    assert!(p["detail"].as_str().unwrap().contains("prefix"), "{p}");
    let p = problem(api.post_job("bucket=Bad_Name&prefix=a").await, 400).await;
    assert!(p["detail"].as_str().unwrap().contains("bucket"), "{p}");
    let p = problem(
        api.post_job(&format!("bucket={}&prefix=a%13b", env.data_bucket))
            .await,
        400,
    )
    .await;
    assert!(p["detail"].as_str().unwrap().contains("prefix"), "{p}");
    let p = problem(
        api.post_job("bucket=no-such-bucket-here&prefix=a/").await,
        403,
    )
    .await;
    assert!(p["detail"].as_str().unwrap().contains("bucket"), "{p}");
    // The schema states what a callback URL looks like (400); a well-formed one that may
    // not be called is 422.
    for (url, status, why) in [
        ("not a url", 400, "callback_url"),
        ("", 400, "callback_url"),
        ("http://example.com/hook", 422, "https"),
        ("https://127.0.0.1/hook", 422, "not public"),
        (
            "https://169.254.169.254/latest/meta-data",
            422,
            "not public",
        ),
        ("https://localhost/hook", 422, "not public"),
    ] {
        let p = problem(
            api.post_job(&format!(
                "bucket={}&prefix=x/&callback_url={}",
                env.data_bucket,
                urlencode(url)
            ))
            .await,
            status,
        )
        .await;
        let detail = p["detail"].as_str().unwrap();
        assert!(
            detail.contains("callback_url") && detail.contains(why),
            "{url}: {detail}"
        );
    }
    let resp = api
        .client
        .post(format!(
            "{}/jobs?bucket={}&prefix=a/",
            api.base, env.data_bucket
        ))
        .send()
        .await
        .unwrap();
    problem(resp, 401).await;
    // Nothing was recorded by the refused requests.
    let page: Value = api
        .client
        .get(format!("{}/jobs", api.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(page["items"].as_array().unwrap().len(), 0);
    let p = problem(
        api.client
            .get(format!("{}/jobs/{}", api.base, uuid::Uuid::new_v4()))
            .send()
            .await
            .unwrap(),
        404,
    )
    .await;
    assert!(p["detail"].as_str().unwrap().contains("no job"));
    problem(
        api.client
            .get(format!("{}/jobs/not-a-uuid", api.base))
            .send()
            .await
            .unwrap(),
        400,
    )
    .await;
}

fn urlencode(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
}

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
