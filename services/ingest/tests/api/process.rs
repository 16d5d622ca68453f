//! Tests of the real binaries: one trace from `POST /jobs` to the worker's logs and the
//! callback; SIGTERM and SIGKILL on `ingest work`.

use std::time::Duration;

use sea_orm::{ConnectionTrait, TransactionTrait};
use serde_json::Value;

use crate::{
    helpers::{
        API_KEY, Env, callback_receiver_on, env_with_visibility, eventually, spawn_api,
        spawn_worker,
    },
    procs::{free_port, start, wait_exit},
};

fn span_field<'a>(line: &'a Value, field: &str) -> Vec<&'a str> {
    line["spans"]
        .as_array()
        .map(|spans| spans.iter().filter_map(|s| s[field].as_str()).collect())
        .unwrap_or_default()
}

#[tokio::test]
async fn one_trace_from_the_api_through_sqs_to_the_worker_and_the_callback() {
    let env = env_with_visibility(30).await;
    env.put(&env.data_bucket, "traced/a.txt", "follow me").await;
    let (hook, receiver) = callback_receiver_on("127.0.0.2", 0).await;
    let port = free_port();
    let api = start(&env, "serve", &[("PORT", port.to_string())]);
    // A proxy that does not exist, for everything but the emulator (127.0.0.1): the
    // callback client (to 127.0.0.2) must not use it (a proxy would resolve the
    // callback's host itself and defeat the address check).
    let worker = start(
        &env,
        "work",
        &[
            ("WORKER_CONCURRENCY", "1".into()),
            ("HTTP_PROXY", "http://127.0.0.1:9".into()),
            ("http_proxy", "http://127.0.0.1:9".into()),
            ("ALL_PROXY", "http://127.0.0.1:9".into()),
            ("NO_PROXY", "127.0.0.1".into()),
            ("no_proxy", "127.0.0.1".into()),
        ],
    );
    let client = reqwest::Client::new();
    let base = format!("http://127.0.0.1:{port}");
    eventually(20, "api up", || async {
        client.get(format!("{base}/healthz")).send().await.is_ok()
    })
    .await;

    let trace_id = "0af7651916cd43dd8448eb211c80319c";
    let resp = client
        .post(format!(
            "{base}/jobs?bucket={}&prefix=traced/&callback_url={hook}",
            env.data_bucket
        ))
        .bearer_auth(API_KEY)
        .header("x-request-id", "trace-req-1")
        .header("traceparent", format!("00-{trace_id}-b7ad6b7169203331-01"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 202);
    let job: Value = resp.json().await.unwrap();
    let id = job["id"].as_str().unwrap().to_owned();
    eventually(30, "callback", || async {
        !receiver.calls.lock().unwrap().is_empty()
    })
    .await;
    let (headers, _) = receiver.calls.lock().unwrap()[0].clone();
    assert_eq!(headers["x-request-id"], "trace-req-1");
    // The worker logs the delivery once the receiver's answer is back.
    eventually(10, "the delivery logged", || async {
        worker
            .logs()
            .iter()
            .any(|l| l["message"] == "callback delivered")
    })
    .await;

    let api_logs = api.logs();
    assert!(api_logs.iter().any(|l| l["message"] == "job created"
        && span_field(l, "trace_id").contains(&trace_id)
        && span_field(l, "request_id").contains(&"trace-req-1")));
    let worker_logs = worker.logs();
    let ingested: Vec<&Value> = worker_logs
        .iter()
        .filter(|l| l["message"] == "file ingested")
        .collect();
    assert_eq!(ingested.len(), 1, "{worker_logs:#?}");
    assert!(
        span_field(ingested[0], "trace_id").contains(&trace_id),
        "{}",
        ingested[0]
    );
    assert!(
        span_field(ingested[0], "request_id").contains(&"trace-req-1"),
        "{}",
        ingested[0]
    );
    assert!(span_field(ingested[0], "job_id").contains(&id.as_str()));
    let delivered = worker_logs
        .iter()
        .find(|l| l["message"] == "callback delivered")
        .unwrap();
    assert!(span_field(delivered, "trace_id").contains(&trace_id));
}

/// Holds a lock that the insert of a document row waits for.
async fn block_document_writes(env: &Env) -> sea_orm::DatabaseTransaction {
    let txn = env.db.begin().await.unwrap();
    txn.execute_unprepared("LOCK TABLE documents IN SHARE MODE")
        .await
        .unwrap();
    txn
}

async fn waiting_inserts(env: &Env) -> i64 {
    let row = env
        .db
        .query_one_raw(sea_orm::Statement::from_string(
            sea_orm::DbBackend::Postgres,
            "SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE 'INSERT INTO documents%'".to_owned(),
        ))
        .await
        .unwrap()
        .unwrap();
    row.try_get::<i64>("", "n").unwrap()
}

#[tokio::test]
async fn sigterm_finishes_the_file_in_progress_then_exits_zero() {
    let env = env_with_visibility(30).await;
    let api = spawn_api(env.serve_config()).await;
    env.put(&env.data_bucket, "term/a.txt", "in flight during shutdown")
        .await;
    let lock = block_document_writes(&env).await;
    let worker = start(
        &env,
        "work",
        &[
            ("WORKER_CONCURRENCY", "1".into()),
            ("SHUTDOWN_GRACE_SECONDS", "20".into()),
        ],
    );
    let job: Value = api
        .start_job(&format!("bucket={}&prefix=term/", env.data_bucket))
        .await;
    let id = job["id"].as_str().unwrap().to_owned();
    eventually(30, "the worker is inside the file", || async {
        waiting_inserts(&env).await == 1
    })
    .await;
    worker.signal("-TERM");
    tokio::time::sleep(Duration::from_millis(500)).await;
    lock.rollback().await.unwrap();
    let (code, logs) = wait_exit(worker, 30).await;
    assert_eq!(code, Some(0), "{logs:#?}");
    assert!(logs.iter().any(|l| l["message"] == "worker stopped"));
    let job = api.job(&id).await;
    assert_eq!(job["status"], "completed", "{job}");
    assert_eq!(env.document_count().await, 1);
    eventually(10, "message deleted", || async {
        env.queue_depth(&env.queue_url).await == 0
    })
    .await;
}

#[tokio::test]
async fn sigterm_past_the_grace_period_releases_the_message_for_another_worker() {
    let env = env_with_visibility(30).await;
    let api = spawn_api(env.serve_config()).await;
    env.put(&env.data_bucket, "grace/a.txt", "released on shutdown")
        .await;
    let lock = block_document_writes(&env).await;
    let worker = start(
        &env,
        "work",
        &[
            ("WORKER_CONCURRENCY", "1".into()),
            ("SHUTDOWN_GRACE_SECONDS", "1".into()),
        ],
    );
    let job: Value = api
        .start_job(&format!("bucket={}&prefix=grace/", env.data_bucket))
        .await;
    let id = job["id"].as_str().unwrap().to_owned();
    eventually(30, "the worker is inside the file", || async {
        waiting_inserts(&env).await == 1
    })
    .await;
    worker.signal("-TERM");
    let (code, _) = wait_exit(worker, 30).await;
    assert_eq!(code, Some(0));
    lock.rollback().await.unwrap();
    // Released at once (not after the 30 s visibility timeout): another worker finishes it.
    let next = spawn_worker(env.work_config()).await;
    let job = api.wait_final(&id, 15).await;
    assert_eq!(job["status"], "completed");
    assert_eq!(env.document_count().await, 1);
    next.stop().await;
}

#[tokio::test]
async fn a_worker_killed_mid_file_loses_nothing_and_duplicates_nothing() {
    let env = env_with_visibility(3).await;
    let api = spawn_api(env.serve_config()).await;
    let mut text = String::new();
    while text.len() < 300 * 1024 {
        text.push_str("A long file that is being written when the worker dies. ");
    }
    env.put(&env.data_bucket, "kill/big.txt", text.clone())
        .await;
    env.put(
        &env.data_bucket,
        "kill/small.ndjson",
        "{\"text\": \"one\"}\n{\"text\": \"two\"}\n",
    )
    .await;
    let lock = block_document_writes(&env).await;
    let worker = start(
        &env,
        "work",
        &[
            ("WORKER_CONCURRENCY", "2".into()),
            ("WORKER_VISIBILITY_SECONDS", "3".into()),
        ],
    );
    let job: Value = api
        .start_job(&format!("bucket={}&prefix=kill/", env.data_bucket))
        .await;
    let id = job["id"].as_str().unwrap().to_owned();
    eventually(30, "both files in progress", || async {
        waiting_inserts(&env).await == 2
    })
    .await;
    worker.signal("-KILL");
    let (code, _) = wait_exit(worker, 10).await;
    assert_eq!(code, None, "killed by a signal");
    lock.rollback().await.unwrap();
    let mut config = env.work_config();
    config.visibility = Duration::from_secs(3);
    let next = spawn_worker(config).await;
    let job = api.wait_final(&id, 60).await;
    assert_eq!(job["status"], "completed", "{job}");
    assert_eq!(job["files_done"], 2);
    assert_eq!(job["documents"], 3);
    assert_eq!(env.document_count().await, 3);
    let stored: String = {
        let row = env
            .db
            .query_one_raw(sea_orm::Statement::from_string(
                sea_orm::DbBackend::Postgres,
                "SELECT string_agg(text, '' ORDER BY seq) AS t FROM passages p JOIN documents d ON d.id = p.document_id WHERE d.source LIKE '%big.txt'".to_owned(),
            ))
            .await
            .unwrap()
            .unwrap();
        row.try_get("", "t").unwrap()
    };
    assert!(
        stored == text,
        "the big file was not stored exactly once and whole"
    );
    next.stop().await;
}
