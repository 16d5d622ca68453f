//! A pooled connection the server has ended is a 503 that recovers by itself, never a 500.

use sea_orm::ConnectionTrait;

use crate::helpers::{config, fresh_database, spawn_with};

#[tokio::test]
async fn a_broken_pooled_connection_is_a_503_that_recovers() {
    let database_url = fresh_database().await;
    let mut cfg = config(&database_url, "");
    // Every read must reach the database (a cached document would hide the broken pool).
    cfg.document_cache_bytes = 0;
    let app = spawn_with(cfg, database_url).await;
    let doc = app
        .create("pooled", "a document read through a broken pool")
        .await;
    let path = format!("/documents/{}", doc["id"].as_str().unwrap());
    assert_eq!(app.get_json(&path).await.0, 200);
    // The server ends every connection of the service (a failover, a restart, an admin).
    app.db
        .execute_unprepared(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE datname = current_database() AND pid <> pg_backend_pid()",
        )
        .await
        .unwrap();
    let mut seen = Vec::new();
    for _ in 0..10 {
        let (status, body) = app.get_json(&path).await;
        seen.push(status);
        if status == 200 {
            break;
        }
        assert_eq!(
            status, 503,
            "a broken connection is unavailability, not a bug: {body}"
        );
        assert!(
            body["detail"].as_str().unwrap().contains("database"),
            "{body}"
        );
    }
    assert_eq!(
        seen.first(),
        Some(&503),
        "the broken connection was used: {seen:?}"
    );
    assert_eq!(seen.last(), Some(&200), "recovered: {seen:?}");
}
