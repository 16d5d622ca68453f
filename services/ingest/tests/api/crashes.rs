//! The worker killed at every boundary between two durable writes (`INGEST_FAILPOINT`
//! aborts the process there, as abruptly as SIGKILL): another worker finishes the job
//! with exact counts, nothing lost, nothing written twice, the callback delivered.

use std::time::Duration;

use sea_orm::{ConnectionTrait, TransactionTrait};
use serde_json::Value;

use crate::{
    helpers::{Env, callback_receiver, env_with_visibility, eventually, spawn_api, spawn_worker},
    procs::{start, wait_exit},
};

/// Runs one job's worth of work in a worker that aborts at `point`; returns the job id
/// once the process is gone.
async fn crash_at(env: &Env, point: &str, prefix: &str, callback: Option<&str>) -> String {
    let api = spawn_api(env.serve_config()).await;
    let worker = start(
        env,
        "work",
        &[
            ("WORKER_CONCURRENCY", "1".into()),
            ("WORKER_VISIBILITY_SECONDS", "3".into()),
            ("INGEST_FAILPOINT", point.into()),
            ("INGEST_LIST_PAGE_SIZE", "2".into()),
        ],
    );
    let mut query = format!("bucket={}&prefix={prefix}", env.data_bucket);
    if let Some(url) = callback {
        query.push_str(&format!("&callback_url={url}"));
    }
    let job: Value = api.start_job(&query).await;
    let (code, logs) = wait_exit(worker, 60).await;
    assert_eq!(code, None, "aborted at {point}, not exited: {logs:#?}");
    assert!(logs.iter().any(|l| l["failpoint"] == point), "{logs:#?}");
    job["id"].as_str().unwrap().to_owned()
}

fn recovery_config(env: &Env) -> corpus_ingest::config::WorkConfig {
    let mut config = env.work_config();
    config.visibility = Duration::from_secs(3);
    config
}

#[tokio::test]
async fn killed_after_the_final_transition_the_callback_still_arrives() {
    let env = env_with_visibility(3).await;
    env.put(&env.data_bucket, "fin/a.txt", "finished, then killed")
        .await;
    let (hook, receiver) = callback_receiver(0).await;
    let id = crash_at(&env, "after-finish", "fin/", Some(&hook)).await;
    let api = spawn_api(env.serve_config()).await;
    let job = api.job(&id).await;
    assert_eq!(job["status"], "completed", "{job}");
    assert_eq!(job["callback"]["status"], "pending");
    assert!(receiver.calls.lock().unwrap().is_empty());

    let next = spawn_worker(recovery_config(&env)).await;
    eventually(60, "callback delivered", || async {
        api.job(&id).await["callback"]["status"] == "delivered"
    })
    .await;
    let calls = receiver.calls.lock().unwrap().clone();
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].0["x-corpus-job-id"], id);
    let job = api.job(&id).await;
    assert_eq!(
        (job["files_done"].as_u64(), job["documents"].as_u64()),
        (Some(1), Some(1))
    );
    next.stop().await;
}

/// Holds a lock under which no passage can be inserted.
async fn block_passage_writes(env: &Env) -> sea_orm::DatabaseTransaction {
    let txn = env.db.begin().await.unwrap();
    txn.execute_unprepared("LOCK TABLE passages IN SHARE MODE")
        .await
        .unwrap();
    txn
}

#[tokio::test]
async fn killed_after_the_commit_the_file_is_counted_without_being_written_again() {
    let env = env_with_visibility(3).await;
    env.put(
        &env.data_bucket,
        "commit/lines.ndjson",
        "{\"text\": \"first line\"}\nnot json\n{\"text\": \"third line\"}\n",
    )
    .await;
    let id = crash_at(&env, "after-commit", "commit/", None).await;
    assert_eq!(env.document_count().await, 2, "committed before the crash");
    // Redelivered while no passage can be written: the job can only finish if the file
    // is counted from what is committed.
    let lock = block_passage_writes(&env).await;
    let api = spawn_api(env.serve_config()).await;
    let next = spawn_worker(recovery_config(&env)).await;
    let job = api.wait_final(&id, 60).await;
    lock.rollback().await.unwrap();
    assert_eq!(job["status"], "failed", "{job}");
    assert_eq!(job["files_total"], 1);
    assert_eq!(job["files_failed"], 1);
    assert_eq!(
        job["documents"], 2,
        "the committed lines are counted: {job}"
    );
    let reason = job["errors"][0]["reason"].as_str().unwrap();
    assert!(reason.contains("line 2"), "{reason}");
    assert_eq!(env.document_count().await, 2);
    next.stop().await;

    env.put(
        &env.data_bucket,
        "commit2/a.txt",
        "a text file committed once",
    )
    .await;
    let id = crash_at(&env, "after-commit", "commit2/", None).await;
    let lock = block_passage_writes(&env).await;
    let next = spawn_worker(recovery_config(&env)).await;
    let job = api.wait_final(&id, 60).await;
    lock.rollback().await.unwrap();
    assert_eq!(job["status"], "completed", "{job}");
    assert_eq!(
        (job["files_done"].as_u64(), job["documents"].as_u64()),
        (Some(1), Some(1))
    );
    assert_eq!(env.document_count().await, 3);
    next.stop().await;
}

#[tokio::test]
async fn killed_after_the_job_update_the_redelivery_counts_nothing_twice() {
    let env = env_with_visibility(3).await;
    for i in 0..2 {
        env.put(
            &env.data_bucket,
            &format!("rec/{i}.txt"),
            format!("recorded {i}"),
        )
        .await;
    }
    let id = crash_at(&env, "after-record", "rec/", None).await;
    let api = spawn_api(env.serve_config()).await;
    let next = spawn_worker(recovery_config(&env)).await;
    let job = api.wait_final(&id, 60).await;
    assert_eq!(job["status"], "completed", "{job}");
    assert_eq!(job["files_total"], 2);
    assert_eq!(job["files_done"], 2);
    assert_eq!(job["documents"], 2);
    assert_eq!(env.document_count().await, 2);
    eventually(30, "every message deleted", || async {
        env.queue_depth(&env.queue_url).await == 0
    })
    .await;
    next.stop().await;
}

#[tokio::test]
async fn killed_mid_listing_the_job_lists_every_file_exactly_once() {
    let env = env_with_visibility(3).await;
    for i in 0..5 {
        env.put(
            &env.data_bucket,
            &format!("list/{i}.md"),
            format!("# Listed {i}"),
        )
        .await;
    }
    // Pages of 2 keys: the crash comes after the first page is queued, before the job's
    // listing position moves; the next worker redoes that page, then lists the others.
    let id = crash_at(&env, "after-list-page", "list/", None).await;
    let api = spawn_api(env.serve_config()).await;
    let before = api.job(&id).await;
    assert_eq!(
        before["files_total"], 0,
        "the page was queued but not yet counted"
    );
    let mut config = recovery_config(&env);
    config.list_page_size = 2;
    let next = spawn_worker(config).await;
    let job = api.wait_final(&id, 60).await;
    assert_eq!(job["status"], "completed", "{job}");
    assert_eq!(job["files_total"], 5);
    assert_eq!(job["files_done"], 5);
    assert_eq!(job["documents"], 5);
    assert_eq!(env.document_count().await, 5);
    next.stop().await;
}
