//! Searches in flight are bounded per task (issue 11, item 2).

use std::time::{Duration, Instant};

use sea_orm::{ConnectionTrait, TransactionTrait};

use crate::helpers::{assert_problem, config, fresh_database, spawn_with};

#[tokio::test]
async fn a_search_beyond_the_bound_waits_briefly_then_gets_503_with_retry_after() {
    let database_url = fresh_database().await;
    let mut cfg = config(&database_url, "");
    cfg.search_concurrency = 1;
    cfg.search_queue_wait = Duration::from_millis(300);
    let app = spawn_with(cfg, database_url).await;
    let doc = app.create("whales", "a whale and a lantern").await;

    // Occupy the one slot: a search stuck behind a lock on the passages table.
    let txn = app.db.begin().await.unwrap();
    txn.execute_unprepared("LOCK TABLE passages IN ACCESS EXCLUSIVE MODE")
        .await
        .unwrap();
    let stuck = tokio::spawn({
        let client = app.client.clone();
        let url = app.url("/search?q=whale");
        async move { client.get(url).send().await.unwrap().status().as_u16() }
    });
    tokio::time::sleep(Duration::from_millis(300)).await;

    let started = Instant::now();
    let resp = app
        .client
        .get(app.url("/search?q=lantern"))
        .send()
        .await
        .unwrap();
    let waited = started.elapsed();
    assert_eq!(
        resp.headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok()),
        Some("1")
    );
    let problem = assert_problem(resp, 503).await;
    assert!(
        problem["detail"].as_str().unwrap().contains("searches"),
        "{problem}"
    );
    assert!(
        waited >= Duration::from_millis(280) && waited < Duration::from_secs(3),
        "it waited {waited:?} for a slot"
    );

    // Only search is bounded: reads go on.
    let (status, _) = app
        .get_json(&format!("/documents/{}", doc["id"].as_str().unwrap()))
        .await;
    assert_eq!(status, 200);

    txn.rollback().await.unwrap();
    assert_eq!(
        stuck.await.unwrap(),
        200,
        "the search holding the slot finishes"
    );
    let (status, page) = app.get_json("/search?q=lantern").await;
    assert_eq!(status, 200, "the slot is free again: {page}");
    assert_eq!(page["hits"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn a_normal_load_within_the_bound_is_unaffected() {
    let database_url = fresh_database().await;
    let app = spawn_with(config(&database_url, ""), database_url).await;
    for i in 0..5 {
        app.create(&format!("doc {i}"), &format!("lantern number {i}"))
            .await;
    }
    // Rounds of as many concurrent searches as there are slots (4 by default), and one
    // burst of twice that: short searches wait for each other, none is shed.
    for burst in [4, 4, 4, 8] {
        let searches = (0..burst).map(|_| {
            let client = app.client.clone();
            let url = app.url("/search?q=lantern&collapse=document");
            async move { client.get(url).send().await.unwrap().status().as_u16() }
        });
        let statuses = futures::future::join_all(searches).await;
        assert!(statuses.iter().all(|s| *s == 200), "{statuses:?}");
    }
}
