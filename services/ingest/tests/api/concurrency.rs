//! Many workers, long files, slow statements: what holds under concurrency and time.

use std::{sync::atomic::Ordering, time::Duration};

use serde_json::Value;

use crate::helpers::{env, env_with_visibility, eventually, spawn_api, spawn_worker};

#[tokio::test]
async fn many_workers_finish_a_job_exactly_once_with_one_callback() {
    let env = env().await;
    for i in 0..24 {
        env.put(
            &env.data_bucket,
            &format!("fan/{i:02}.txt"),
            format!("file {i} of the fan-out"),
        )
        .await;
    }
    let (url, receiver) = crate::helpers::callback_receiver(0).await;
    let api = spawn_api(env.serve_config()).await;
    let workers = vec![
        spawn_worker(env.work_config()).await,
        spawn_worker(env.work_config()).await,
        spawn_worker(env.work_config()).await,
    ];
    let job: Value = api
        .start_job(&format!(
            "bucket={}&prefix=fan/&callback_url={}",
            env.data_bucket, url
        ))
        .await;
    let id = job["id"].as_str().unwrap().to_owned();
    let job = api.wait_final(&id, 60).await;
    assert_eq!(job["files_done"], 24);
    assert_eq!(job["documents"], 24);
    eventually(20, "callback stored", || async {
        api.job(&id).await["callback"]["status"] == "delivered"
    })
    .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        receiver.calls.lock().unwrap().len(),
        1,
        "exactly one callback"
    );
    // A standard queue may hand the same message to two consumers now and then (SQS is
    // at-least-once, and the emulator races under concurrent long polls): a file may be
    // read twice, but it is stored, counted and called back once, as asserted above.
    let processed: u64 = workers
        .iter()
        .map(|w| w.processed.load(Ordering::Relaxed))
        .sum();
    assert!(processed >= 24, "every file was read");
    for w in workers {
        w.stop().await;
    }
}

#[tokio::test]
async fn visibility_is_extended_while_a_long_file_is_in_progress() {
    // Visibility 2 s; a file that takes longer than that must not be handed to the second
    // worker meanwhile.
    let env = env_with_visibility(2).await;
    let mut text = String::new();
    let mut i = 0;
    while text.len() < 900 * 1024 {
        text.push_str(&format!(
            "Sentence number {i} about lanterns and harbours. "
        ));
        i += 1;
    }
    env.put(&env.bucket, "incoming/long.txt", text.clone())
        .await;
    let mut config = env.work_config();
    config.visibility = Duration::from_secs(2);
    config.concurrency = 1;
    // Slow the database down so the file takes several seconds: hold a lock the insert of
    // the document row needs, then release it.
    use sea_orm::{ConnectionTrait, TransactionTrait};
    let txn = env.db.begin().await.unwrap();
    txn.execute_unprepared("LOCK TABLE documents IN SHARE MODE")
        .await
        .unwrap();
    let a = spawn_worker(config.clone()).await;
    let b = spawn_worker(config).await;
    tokio::time::sleep(Duration::from_secs(6)).await;
    txn.rollback().await.unwrap();
    eventually(30, "document stored", || async {
        env.document_count().await == 1
    })
    .await;
    eventually(30, "queue drained", || async {
        env.queue_depth(&env.queue_url).await == 0
    })
    .await;
    let processed = a.processed.load(Ordering::Relaxed) + b.processed.load(Ordering::Relaxed);
    assert_eq!(
        processed, 1,
        "the message was redelivered while in progress"
    );
    a.stop().await;
    b.stop().await;
}

#[tokio::test]
async fn every_database_statement_has_a_timeout() {
    use sea_orm::ConnectionTrait;
    let (url, _) = crate::helpers::fresh_database().await;
    let url = secrecy::SecretString::from(url);
    // The pools of the services and the worker.
    let db = corpus_documents::connect(&url, 1).await.unwrap();
    let row = db
        .query_one_raw(sea_orm::Statement::from_string(
            sea_orm::DbBackend::Postgres,
            "SHOW statement_timeout".to_owned(),
        ))
        .await
        .unwrap()
        .unwrap();
    let shown: String = row.try_get("", "statement_timeout").unwrap();
    assert_eq!(shown, "30s");
    // And a statement over it is cancelled.
    let short = corpus_documents::connect_with_timeout(&url, 1, Some(Duration::from_millis(200)))
        .await
        .unwrap();
    let err = short
        .execute_unprepared("SELECT pg_sleep(2)")
        .await
        .unwrap_err();
    assert!(err.to_string().contains("statement timeout"), "{err}");
}
