use std::sync::atomic::Ordering;

use serde_json::Value;

use crate::helpers::{env, env_with_visibility, eventually, spawn_api, spawn_worker};

fn errors_of(job: &Value) -> Vec<(String, String)> {
    job["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["key"].as_str().unwrap().to_owned(),
                e["reason"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[tokio::test]
async fn file_types_and_bad_files_fail_only_themselves() {
    let env = env().await;
    let b = env.data_bucket.clone();
    env.put(&b, "mix/plain.txt", "Plain text file.").await;
    env.put(&b, "mix/readme.md", "# Title line\n\nBody").await;
    env.put(&b, "mix/server.log", "2026-01-01 INFO started\n")
        .await;
    env.put(
        &b,
        "mix/records.ndjson",
        "{\"title\": \"first\", \"text\": \"alpha record\"}\n\n{\"title\": \"second\", \"text\": \"beta record\"}\r\n{\"text\": \"gamma without title\"}",
    )
    .await;
    env.put(&b, "mix/partly.jsonl", "{\"title\": \"ok\", \"text\": \"kept line\"}\nnot json at all\n{\"title\": \"t\"}\n{\"title\": \"ok2\", \"text\": \"also kept\"}\n").await;
    env.put(&b, "mix/latin1.txt", b"caf\xe9 au lait".to_vec())
        .await;
    env.put(&b, "mix/binary.txt", b"PK\x03\x04\x00\x00binary".to_vec())
        .await;
    env.put(&b, "mix/huge.txt", vec![b'a'; 1024 * 1024 + 1])
        .await;
    env.put(&b, "mix/picture.png", b"\x89PNG".to_vec()).await;
    env.put(&b, "mix/empty.txt", Vec::new()).await;

    let api = spawn_api(env.serve_config()).await;
    let worker = spawn_worker(env.work_config()).await;
    let job: Value = api.start_job(&format!("bucket={b}&prefix=mix/")).await;
    let job = api.wait_final(job["id"].as_str().unwrap(), 60).await;
    assert_eq!(job["status"], "completed_with_errors", "{job}");
    assert_eq!(job["files_total"], 10);
    assert_eq!(job["files_done"], 4);
    assert_eq!(job["files_failed"], 6);
    // 3 single documents + 3 NDJSON records + 2 kept lines of the partly bad file.
    assert_eq!(job["documents"], 8);
    let errors = errors_of(&job);
    let reason = |key: &str| {
        errors
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, r)| r.clone())
            .unwrap_or_else(|| panic!("no error for {key}: {errors:?}"))
    };
    assert!(reason("mix/latin1.txt").contains("invalid UTF-8 at byte offset 3"));
    assert!(reason("mix/binary.txt").contains("binary content"));
    assert!(reason("mix/huge.txt").contains("INGEST_MAX_FILE_BYTES"));
    assert!(reason("mix/picture.png").contains("unsupported file type .png"));
    assert!(reason("mix/empty.txt").contains("empty"));
    let partly = reason("mix/partly.jsonl");
    assert!(
        partly.contains("2 malformed line(s)")
            && partly.contains("line 2:")
            && partly.contains("line 3:"),
        "{partly}"
    );
    assert!(partly.contains("2 valid line(s) were kept"), "{partly}");

    let sources = env.sources().await;
    assert_eq!(sources.len(), 8);
    assert!(sources.contains(&format!("s3://{b}/mix/records.ndjson#L3")));
    assert!(sources.contains(&format!("s3://{b}/mix/partly.jsonl#L4")));
    assert!(
        !sources
            .iter()
            .any(|s| s.contains("latin1") || s.contains("binary") || s.contains("huge"))
    );
    // The worker is still alive and takes more work.
    env.put(&b, "after/next.txt", "still working").await;
    let job: Value = api.start_job(&format!("bucket={b}&prefix=after/")).await;
    let job = api.wait_final(job["id"].as_str().unwrap(), 30).await;
    assert_eq!(job["status"], "completed");
    worker.stop().await;
}

#[tokio::test]
async fn a_job_whose_every_file_fails_is_failed() {
    let env = env().await;
    env.put(&env.data_bucket, "bad/a.bin", "x").await;
    let api = spawn_api(env.serve_config()).await;
    let worker = spawn_worker(env.work_config()).await;
    let job: Value = api
        .start_job(&format!("bucket={}&prefix=bad/", env.data_bucket))
        .await;
    let job = api.wait_final(job["id"].as_str().unwrap(), 30).await;
    assert_eq!(job["status"], "failed");
    assert_eq!(job["files_failed"], 1);
    worker.stop().await;
}

#[tokio::test]
async fn a_dropped_file_is_ingested_once_even_when_the_event_is_duplicated() {
    let env = env().await;
    let worker = spawn_worker(env.work_config()).await;
    env.put(
        &env.bucket,
        "incoming/dropped note.txt",
        "Dropped straight into the bucket.",
    )
    .await;
    eventually(30, "the dropped file becomes a document", || async {
        env.document_count().await == 1
    })
    .await;
    assert_eq!(
        env.sources().await,
        vec![format!("s3://{}/incoming/dropped note.txt", env.bucket)]
    );

    // The same S3 event again (S3 delivers at least once), several records per message,
    // URL-encoded keys with '+' for spaces, and a test event.
    let record = |key: &str, seq: &str| {
        format!(
            r#"{{"eventVersion":"2.1","eventSource":"aws:s3","eventName":"ObjectCreated:Put","s3":{{"bucket":{{"name":"{}"}},"object":{{"key":"{key}","size":33,"sequencer":"{seq}"}}}}}}"#,
            env.bucket
        )
    };
    env.put(
        &env.bucket,
        "incoming/second file+x.md",
        "# Second\n\nanother drop",
    )
    .await;
    eventually(30, "second drop", || async {
        env.document_count().await == 2
    })
    .await;
    let processed_before = worker.processed.load(Ordering::Relaxed);
    assert_eq!(processed_before, 2);
    // Events again: several records per message, URL-encoded keys with '+' for spaces.
    // Their sequencers differ from the originals, so these are new drop jobs whose
    // unchanged files are skipped.
    let dup = format!(
        r#"{{"Records":[{},{}]}}"#,
        record("incoming/dropped+note.txt", "00AA"),
        record("incoming/second+file%2Bx.md", "00BB")
    );
    env.send_raw(&dup).await;
    eventually(30, "queue drained", || async {
        env.queue_depth(&env.queue_url).await == 0
    })
    .await;
    assert_eq!(worker.processed.load(Ordering::Relaxed), 4);
    // The very same event delivered again, twice (S3 delivers at least once), and a test
    // event: recognised, no file is read again, nothing is retried or dead-lettered.
    env.send_raw(&dup).await;
    env.send_raw(&dup).await;
    env.send_raw(r#"{"Service":"Amazon S3","Event":"s3:TestEvent","Bucket":"x"}"#)
        .await;
    eventually(30, "queue drained again", || async {
        env.queue_depth(&env.queue_url).await == 0
    })
    .await;
    assert_eq!(worker.processed.load(Ordering::Relaxed), 4);
    assert_eq!(env.document_count().await, 2);
    assert_eq!(env.queue_depth(&env.dlq_url).await, 0);
    let api = spawn_api(env.serve_config()).await;
    let jobs: Value = api
        .client
        .get(format!("{}/jobs?limit=100", api.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let jobs: Vec<(String, u64, u64)> = jobs["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|j| {
            (
                j["status"].as_str().unwrap().to_owned(),
                j["files_done"].as_u64().unwrap(),
                j["files_skipped"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(jobs.len(), 4, "{jobs:?}");
    assert!(
        jobs.iter()
            .all(|(s, done, skipped)| s == "completed" && done + skipped == 1),
        "{jobs:?}"
    );
    worker.stop().await;
}

#[tokio::test]
async fn the_same_job_file_delivered_twice_is_counted_once() {
    let env = env().await;
    env.put(&env.data_bucket, "twice/a.txt", "only once please")
        .await;
    let api = spawn_api(env.serve_config()).await;
    let job: Value = api
        .start_job(&format!("bucket={}&prefix=twice/", env.data_bucket))
        .await;
    let id = job["id"].as_str().unwrap().to_owned();
    let worker = spawn_worker(env.work_config()).await;
    // Once the worker has listed the file (and queued its message), deliver the job file
    // message a second and third time, racing the first.
    eventually(30, "the prefix listed", || async {
        api.job(&id).await["files_total"] == 1
    })
    .await;
    let body = serde_json::json!({"job_id": id, "bucket": env.data_bucket, "key": "twice/a.txt", "request_id": "r"}).to_string();
    env.send_raw(&body).await;
    env.send_raw(&body).await;
    let job = api.wait_final(&id, 30).await;
    eventually(30, "queue drained", || async {
        env.queue_depth(&env.queue_url).await == 0
    })
    .await;
    let job_after = api.job(&id).await;
    assert_eq!(job_after, job);
    assert_eq!(job["files_done"], 1);
    assert_eq!(job["files_total"], 1);
    assert_eq!(job["documents"], 1);
    assert_eq!(env.document_count().await, 1);
    worker.stop().await;
}

#[tokio::test]
async fn re_ingesting_an_unchanged_file_is_skipped() {
    let env = env().await;
    env.put(&env.data_bucket, "same/a.txt", "unchanged content")
        .await;
    env.put(
        &env.data_bucket,
        "same/b.ndjson",
        "{\"text\": \"one\"}\n{\"text\": \"two\"}\n",
    )
    .await;
    let api = spawn_api(env.serve_config()).await;
    let worker = spawn_worker(env.work_config()).await;
    let first: Value = api
        .start_job(&format!("bucket={}&prefix=same/", env.data_bucket))
        .await;
    let first = api.wait_final(first["id"].as_str().unwrap(), 30).await;
    assert_eq!(first["files_done"], 2);
    let second: Value = api
        .start_job(&format!("bucket={}&prefix=same/", env.data_bucket))
        .await;
    let second = api.wait_final(second["id"].as_str().unwrap(), 30).await;
    assert_eq!(second["status"], "completed", "{second}");
    assert_eq!(second["files_skipped"], 2);
    assert_eq!(second["files_done"], 0);
    assert_eq!(second["documents"], 0);
    assert_eq!(env.document_count().await, 3);
    worker.stop().await;
}

#[tokio::test]
async fn undecodable_and_unknown_messages_do_not_stop_the_worker() {
    let env = env_with_visibility(1).await;
    let worker = spawn_worker(env.work_config()).await;
    env.send_raw("this is not json").await;
    let unknown = serde_json::json!({"job_id": uuid::Uuid::new_v4(), "bucket": env.data_bucket, "key": "x.txt", "request_id": "r"});
    env.send_raw(&unknown.to_string()).await;
    // The undecodable one reaches the dead-letter queue after 5 receives.
    eventually(60, "poison message in the DLQ", || async {
        env.queue_depth(&env.dlq_url).await == 1
    })
    .await;
    eventually(30, "main queue drained", || async {
        env.queue_depth(&env.queue_url).await == 0
    })
    .await;
    let dead = env
        .clients
        .sqs
        .receive_message()
        .queue_url(&env.dlq_url)
        .send()
        .await
        .unwrap()
        .messages
        .unwrap();
    assert_eq!(dead[0].body.as_deref(), Some("this is not json"));
    // Still working.
    env.put(&env.bucket, "incoming/ok.txt", "fine").await;
    eventually(30, "a good file after the bad ones", || async {
        env.document_count().await == 1
    })
    .await;
    worker.stop().await;
}

#[tokio::test]
async fn ndjson_records_are_written_without_a_savepoint_each() {
    let env = env().await;
    let lines: String = (1..=6)
        .map(|i| {
            format!("{{\"title\": \"record {i}\", \"text\": \"line number {i} of a file\"}}\n")
        })
        .collect();
    env.put(&env.data_bucket, "nd/records.ndjson", lines).await;
    let api = spawn_api(env.serve_config()).await;
    let (proxied, recorded) = corpus_test_support::recording_proxy(&env.database_url).await;
    let mut config = env.work_config();
    config.database_url = proxied.into();
    let worker = spawn_worker(config).await;
    let job: Value = api
        .start_job(&format!("bucket={}&prefix=nd/", env.data_bucket))
        .await;
    let job = api.wait_final(job["id"].as_str().unwrap(), 30).await;
    assert_eq!(job["documents"], 6, "{job}");
    worker.stop().await;
    let sent = String::from_utf8_lossy(&recorded.lock().unwrap()).to_ascii_uppercase();
    assert!(
        sent.contains("INSERT INTO DOCUMENTS"),
        "the proxy saw the writes"
    );
    assert!(
        !sent.contains("SAVEPOINT"),
        "a savepoint was sent for NDJSON records"
    );
}
