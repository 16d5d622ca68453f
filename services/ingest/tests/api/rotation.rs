//! The worker's database login rotates while it ingests a job (issue 10, item 1): it logs
//! in through a Secrets Manager secret (the emulator), the password changes on the database
//! a second before the secret has it, and no file fails or is read twice.

use std::{sync::atomic::Ordering, time::Duration};

use corpus_documents::CredentialsConfig;
use corpus_test_support::{login_secret, login_url, put_login, secrets_client, service_login};
use sea_orm::ConnectionTrait;
use serde_json::Value;

use crate::helpers::{env, spawn_api, spawn_worker};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_worker_follows_its_password_rotation_without_failing_a_file() {
    let env = env().await;
    let (user, _) = service_login(&env.database_url, "corpus_worker", "w-first-1").await;
    let secrets = secrets_client().await;
    let arn = login_secret(&secrets, &user, "w-first-1").await;
    const FILES: u64 = 30;
    for i in 0..FILES {
        let text = format!("Report {i}\n\nWhales sing long songs, number {i}.");
        env.put(&env.data_bucket, &format!("rot/{i:02}.txt"), text)
            .await;
    }
    let mut config = env.work_config();
    config.database_url = login_url(&env.database_url, &user, None).into();
    config.credentials = CredentialsConfig {
        secret_arn: Some(arn.clone()),
        refresh_every: Duration::from_secs(3600),
    };
    config.concurrency = 4;
    let worker = spawn_worker(config).await;
    let api = spawn_api(env.serve_config()).await;

    // A first file logs in with the first password (the pool holds that connection).
    let warm: Value = api
        .start_job(&format!("bucket={}&prefix=rot/00", env.data_bucket))
        .await;
    let warm = api.wait_final(warm["id"].as_str().unwrap(), 60).await;
    assert_eq!(warm["files_done"], 1, "{warm}");

    // The database first; the job starts and needs more connections; the secret follows.
    env.db
        .execute_unprepared(&format!("ALTER ROLE {user} PASSWORD 'w-second-2'"))
        .await
        .unwrap();
    let job: Value = api
        .start_job(&format!("bucket={}&prefix=rot/", env.data_bucket))
        .await;
    tokio::time::sleep(Duration::from_millis(1000)).await;
    put_login(&secrets, &arn, &user, "w-second-2", "AWSCURRENT").await;
    let job = api.wait_final(job["id"].as_str().unwrap(), 120).await;

    assert_eq!(job["status"], "completed", "{job}");
    assert_eq!(job["files_total"], FILES, "{job}");
    // The first job's file is stored already (skipped as a duplicate); the others are new.
    assert_eq!(job["files_done"], FILES - 1, "{job}");
    assert_eq!(job["files_skipped"], 1, "{job}");
    assert_eq!(job["files_failed"], 0, "{job}");
    assert_eq!(env.document_count().await, i64::try_from(FILES).unwrap());
    // No file was read twice (a refused login was retried, not redelivered).
    assert_eq!(worker.processed.load(Ordering::Relaxed), FILES + 1);
    worker.stop().await;
}
