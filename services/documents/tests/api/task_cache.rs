//! A task's cache of documents for `GET /documents/{id}` (issue 11, item 3): a hit needs no
//! database, a delete through this task is seen at once, one elsewhere within the time to
//! live, and a miss is never kept.

use std::time::Duration;

use sea_orm::ConnectionTrait;

use crate::helpers::{TestApp, assert_problem, config, fresh_database, spawn_with};

async fn app_with_cache(bytes: usize, ttl: Duration) -> TestApp {
    let database_url = fresh_database().await;
    let mut cfg = config(&database_url, "");
    cfg.document_cache_bytes = bytes;
    cfg.document_cache_ttl = ttl;
    spawn_with(cfg, database_url).await
}

/// Deletes a document behind the service's back, as another task would.
async fn delete_elsewhere(app: &TestApp, id: &str) {
    let n = app
        .db
        .execute_unprepared(&format!("DELETE FROM documents WHERE id = '{id}'"))
        .await
        .unwrap()
        .rows_affected();
    assert_eq!(n, 1);
}

async fn status(app: &TestApp, id: &str) -> u16 {
    app.get_json(&format!("/documents/{id}")).await.0
}

async fn cache_control(app: &TestApp, id: &str) -> String {
    let resp = app.get(&format!("/documents/{id}")).await;
    assert_eq!(resp.status(), 200);
    resp.headers()["cache-control"].to_str().unwrap().to_owned()
}

#[tokio::test]
async fn a_document_deleted_by_another_task_is_served_until_the_time_to_live_then_404() {
    let app = app_with_cache(1 << 20, Duration::from_millis(2000)).await;
    let doc = app.create("cached", "a document read twice").await;
    let id = doc["id"].as_str().unwrap();
    assert_eq!(
        cache_control(&app, id).await,
        "public, max-age=60, s-maxage=300",
        "read from the database"
    );
    tokio::time::sleep(Duration::from_millis(1100)).await;
    // A copy read over a second ago: caches keep it until 300 s after that read.
    let hit = cache_control(&app, id).await;
    let ages: Vec<u64> = hit
        .split(", ")
        .filter_map(|d| d.split_once('=').map(|(_, v)| v.parse().unwrap()))
        .collect();
    assert!(
        hit.starts_with("public, max-age=") && ages.len() == 2,
        "{hit}"
    );
    assert!((50..=58).contains(&ages[0]), "{hit}");
    assert_eq!(ages[1], ages[0] + 240, "{hit}");

    delete_elsewhere(&app, id).await;
    let (code, cached) = app.get_json(&format!("/documents/{id}")).await;
    assert_eq!(
        (code, &cached),
        (200, &doc),
        "a hit is answered from the task"
    );
    tokio::time::sleep(Duration::from_millis(1000)).await;
    assert_eq!(status(&app, id).await, 404, "past its time to live");
}

#[tokio::test]
async fn a_delete_through_this_task_is_seen_at_once() {
    let app = app_with_cache(1 << 20, Duration::from_secs(300)).await;
    let doc = app.create("cached", "a document deleted here").await;
    let id = doc["id"].as_str().unwrap();
    assert_eq!(status(&app, id).await, 200);
    let resp = app.delete_document(id).await;
    assert_eq!(resp.status(), 204);
    let resp = app.get(&format!("/documents/{id}")).await;
    assert_problem(resp, 404).await;
}

#[tokio::test]
async fn a_miss_is_not_kept_so_a_new_document_is_found_at_once() {
    let app = app_with_cache(1 << 20, Duration::from_secs(300)).await;
    let id = uuid::Uuid::now_v7().to_string();
    assert_eq!(status(&app, &id).await, 404);
    // The document appears with that id (as a write on the primary would make it).
    app.db
        .execute_unprepared(&format!(
            "INSERT INTO documents (id, source, checksum, title, content_type, byte_size, \
             passage_count, created_at) \
             VALUES ('{id}', 'api', repeat('a', 64), 'new', 'text/plain', 0, 0, now())"
        ))
        .await
        .unwrap();
    let (code, got) = app.get_json(&format!("/documents/{id}")).await;
    assert_eq!((code, got["title"].as_str()), (200, Some("new")));
}

#[tokio::test]
async fn with_the_cache_off_every_read_goes_to_the_database() {
    let app = app_with_cache(0, Duration::from_secs(300)).await;
    let doc = app.create("uncached", "a document read twice").await;
    let id = doc["id"].as_str().unwrap();
    assert_eq!(status(&app, id).await, 200);
    delete_elsewhere(&app, id).await;
    assert_eq!(status(&app, id).await, 404);
}
