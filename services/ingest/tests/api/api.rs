//! Jobs over a bucket prefix: creation, listing, validation.

use serde_json::Value;

use crate::helpers::{env, spawn_api, spawn_worker};

pub async fn problem(resp: reqwest::Response, status: u16) -> Value {
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
            .start_job(&format!("bucket={}&prefix=empty/", env.data_bucket))
            .await;
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
async fn a_prefix_over_the_file_limit_ingests_up_to_it_and_says_why() {
    let env = env().await;
    for i in 0..3 {
        env.put(
            &env.data_bucket,
            &format!("many/{i}.txt"),
            format!("file {i}"),
        )
        .await;
    }
    let api = spawn_api(env.serve_config()).await;
    let mut config = env.work_config();
    config.common.max_job_files = 2;
    config.list_page_size = 2;
    let worker = spawn_worker(config).await;
    let job = api
        .start_job(&format!("bucket={}&prefix=many/", env.data_bucket))
        .await;
    let job = api.wait_final(job["id"].as_str().unwrap(), 30).await;
    assert_eq!(job["status"], "completed_with_errors", "{job}");
    assert_eq!(job["files_done"], 2);
    assert_eq!(job["files_failed"], 1);
    assert_eq!(job["errors"][0]["key"], "many/ [listing]");
    let reason = job["errors"][0]["reason"].as_str().unwrap();
    assert!(
        reason.contains("more than 2") && reason.contains("INGEST_MAX_JOB_FILES"),
        "{reason}"
    );
    worker.stop().await;
}
