//! The reconciler ends every job: past its deadline (a lost message, a listing that died,
//! an upload ticket never used) and with a callback the outbox did not settle in time.

use std::time::Duration;

use chrono::Utc;
use serde_json::Value;

use crate::{
    helpers::{API_KEY, callback_receiver, env, eventually, spawn_api, spawn_worker},
    procs::{start, wait_exit},
};

#[tokio::test]
async fn an_upload_ticket_never_used_expires_into_a_failed_job() {
    let env = env().await;
    let api = spawn_api(env.serve_config()).await;
    let ticket: Value = api
        .client
        .post(format!("{}/uploads", api.base))
        .bearer_auth(API_KEY)
        .json(
            &serde_json::json!({"filename": "never.txt", "content_type": "text/plain", "size": 5}),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = ticket["job_id"].as_str().unwrap().to_owned();
    let reconciler = env.reconciler();
    // Before the ticket's deadline nothing happens.
    let report = reconciler.run_once(Utc::now(), 100).await.unwrap();
    assert_eq!(report.jobs_expired, 0);
    assert_eq!(api.job(&id).await["status"], "queued");
    // After it (expiry plus an hour), the file fails with the reason.
    let later = Utc::now() + chrono::Duration::hours(2);
    let report = reconciler.run_once(later, 100).await.unwrap();
    assert_eq!((report.jobs_expired, report.files_failed), (1, 1));
    let job = api.job(&id).await;
    assert_eq!(job["status"], "failed", "{job}");
    assert_eq!(job["files_failed"], 1);
    let reason = job["errors"][0]["reason"].as_str().unwrap();
    assert!(reason.contains("never completed"), "{reason}");
    // A second run finds nothing due: the job left the open index.
    assert_eq!(
        reconciler.run_once(later, 100).await.unwrap(),
        Default::default()
    );
}

#[tokio::test]
async fn a_job_whose_messages_were_lost_is_finished_at_its_deadline_and_calls_back() {
    let env = env().await;
    for i in 0..2 {
        env.put(&env.data_bucket, &format!("lost/{i}.txt"), "never read")
            .await;
    }
    let (hook, receiver) = callback_receiver(0).await;
    let api = spawn_api(env.serve_config()).await;
    let job: Value = api
        .start_job(&format!(
            "bucket={}&prefix=lost/&callback_url={hook}",
            env.data_bucket
        ))
        .await;
    let id = job["id"].as_str().unwrap().to_owned();
    env.purge().await; // the listing message is lost
    let past_deadline = Utc::now() + chrono::Duration::days(1) + chrono::Duration::minutes(1);
    let report = env.reconciler().run_once(past_deadline, 100).await.unwrap();
    assert_eq!(report.jobs_expired, 1);
    let job = api.job(&id).await;
    assert_eq!(job["status"], "failed", "{job}");
    let reason = job["errors"][0]["reason"].as_str().unwrap();
    assert!(reason.contains("not completely listed"), "{reason}");
    // The callback goes through the outbox like any other.
    let worker = spawn_worker(env.work_config()).await;
    eventually(30, "callback delivered", || async {
        !receiver.calls.lock().unwrap().is_empty()
    })
    .await;
    let body: Value = serde_json::from_slice(&receiver.calls.lock().unwrap()[0].1).unwrap();
    assert_eq!(body["status"], "failed");
    worker.stop().await;
}

#[tokio::test]
async fn a_callback_message_lost_after_the_final_transition_is_sent_again() {
    let env = env().await;
    let (hook, receiver) = callback_receiver(0).await;
    let api = spawn_api(env.serve_config()).await;
    // An empty job is final at once and its callback queued...
    let job: Value = api
        .start_job(&format!(
            "bucket={}&prefix=none/&callback_url={hook}",
            env.data_bucket
        ))
        .await;
    let id = job["id"].as_str().unwrap().to_owned();
    assert_eq!(job["status"], "completed");
    // ...and the message is lost.
    env.purge().await;
    let reconciler = env.reconciler();
    assert_eq!(
        reconciler
            .run_once(Utc::now(), 100)
            .await
            .unwrap()
            .callbacks_requeued,
        0
    );
    // Once the outbox's grace period is over, the reconciler queues it again.
    let later = Utc::now() + chrono::Duration::minutes(11);
    assert_eq!(
        reconciler
            .run_once(later, 100)
            .await
            .unwrap()
            .callbacks_requeued,
        1
    );
    let worker = spawn_worker(env.work_config()).await;
    eventually(30, "callback delivered", || async {
        api.job(&id).await["callback"]["status"] == "delivered"
    })
    .await;
    assert_eq!(receiver.calls.lock().unwrap().len(), 1);
    worker.stop().await;
}

#[tokio::test]
async fn a_file_failing_on_every_receive_is_recorded_failed_on_its_last() {
    let env = crate::helpers::env_with_visibility(2).await;
    env.put(&env.data_bucket, "doomed/a.txt", "the database is gone")
        .await;
    let api = spawn_api(env.serve_config()).await;
    let mut config = env.work_config();
    config.visibility = Duration::from_secs(2);
    config.max_receives = 2;
    // A database that does not exist: every attempt fails with a transient error.
    let (base, _) = env.database_url.rsplit_once('/').unwrap();
    config.database_url = format!("{base}/no_such_database_here").into();
    let worker = spawn_worker(config).await;
    let job: Value = api
        .start_job(&format!("bucket={}&prefix=doomed/", env.data_bucket))
        .await;
    let job = api.wait_final(job["id"].as_str().unwrap(), 60).await;
    assert_eq!(job["status"], "failed", "{job}");
    let reason = job["errors"][0]["reason"].as_str().unwrap();
    assert!(
        reason.contains("gave up") && reason.contains("database"),
        "{reason}"
    );
    eventually(10, "message deleted, not dead-lettered", || async {
        env.queue_depth(&env.queue_url).await == 0
    })
    .await;
    assert_eq!(env.queue_depth(&env.dlq_url).await, 0);
    worker.stop().await;
}

#[tokio::test]
async fn the_reconcile_command_finishes_jobs_past_their_deadline() {
    let env = env().await;
    env.put(&env.data_bucket, "late/a.txt", "nobody works")
        .await;
    let mut config = env.serve_config();
    config.common.job_deadline = chrono::Duration::seconds(1);
    let api = spawn_api(config).await;
    let job: Value = api
        .start_job(&format!("bucket={}&prefix=late/", env.data_bucket))
        .await;
    let id = job["id"].as_str().unwrap().to_owned();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let proc = start(&env, "reconcile", &[]);
    let (code, logs) = wait_exit(proc, 60).await;
    assert_eq!(code, Some(0), "{logs:#?}");
    let summary = logs
        .iter()
        .find(|l| l["message"] == "reconcile run finished")
        .unwrap();
    assert_eq!(summary["jobs_expired"], 1, "{summary}");
    assert_eq!(api.job(&id).await["status"], "failed");
}
