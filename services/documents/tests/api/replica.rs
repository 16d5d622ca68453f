//! `DATABASE_READ_URL`: lists, reads and search use a second pool; writes and deletes the
//! primary; a read of a document the replica does not have (yet) falls back to the
//! primary; readiness checks both (issue 11, item 4).

use sea_orm::{ConnectionTrait, DbBackend, Statement};
use secrecy::SecretString;
use serde_json::{Value, json};

use crate::helpers::{API_KEY, TestApp, assert_problem, config, fresh_database, spawn_with};

async fn with_read_url(primary: &str, read: &str) -> TestApp {
    let mut cfg = config(primary, "");
    cfg.database_read_url = Some(SecretString::from(read.to_owned()));
    spawn_with(cfg, primary.to_owned()).await
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    app.db
        .query_one_raw(Statement::from_string(DbBackend::Postgres, sql.to_owned()))
        .await
        .unwrap()
        .unwrap()
        .try_get::<i64>("", "n")
        .unwrap()
}

#[tokio::test]
async fn lists_reads_and_search_go_through_the_read_url() {
    let primary = fresh_database().await;
    // A second connection URL to the same database, told apart by its application name.
    let read = format!("{primary}?application_name=corpus_read_pool");
    let app = with_read_url(&primary, &read).await;
    let doc = app.create("whales", "a whale sang").await;
    let id = doc["id"].as_str().unwrap();
    assert_eq!(
        count(
            &app,
            "SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = 'corpus_read_pool'"
        )
        .await,
        0,
        "a write does not touch the read pool"
    );

    let (status, got) = app.get_json(&format!("/documents/{id}")).await;
    assert_eq!((status, &got), (200, &doc));
    let (status, page) = app.get_json("/documents").await;
    assert_eq!(status, 200);
    assert_eq!(page["items"][0]["id"], doc["id"]);
    let (status, hits) = app.get_json("/search?q=whale").await;
    assert_eq!(status, 200);
    assert_eq!(hits["hits"][0]["document_id"], doc["id"]);
    assert!(
        count(
            &app,
            "SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = 'corpus_read_pool'"
        )
        .await
            >= 1,
        "the reads used the read pool"
    );
    let (status, body) = app.get_json("/readyz").await;
    assert_eq!((status, body["status"].as_str()), (200, Some("ready")));
}

#[tokio::test]
async fn a_client_reads_its_own_write_through_the_primary_when_the_replica_lacks_it() {
    let primary = fresh_database().await;
    // A "replica" that never receives anything: an empty database of its own.
    let replica = fresh_database().await;
    let app = with_read_url(&primary, &replica).await;

    let resp = app
        .client
        .post(app.url("/documents"))
        .bearer_auth(API_KEY)
        .json(&json!({"title": "fresh", "text": "just written"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201);
    let doc: Value = resp.json().await.unwrap();
    let id = doc["id"].as_str().unwrap();

    // By id: the replica misses, the primary has it.
    let (status, got) = app.get_json(&format!("/documents/{id}")).await;
    assert_eq!((status, &got), (200, &doc));
    let resp = app
        .client
        .get(app.url(&format!("/documents/{id}/text")))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.text().await.unwrap(), "just written");

    // Lists and search read the replica only (they follow it, lag included).
    let (_, page) = app.get_json("/documents").await;
    assert!(page["items"].as_array().unwrap().is_empty(), "{page}");
    let (_, hits) = app.get_json("/search?q=written").await;
    assert!(hits["hits"].as_array().unwrap().is_empty(), "{hits}");

    // A document neither has is still a 404; the delete goes to the primary.
    let resp = app
        .client
        .get(app.url(&format!("/documents/{}", uuid::Uuid::now_v7())))
        .send()
        .await
        .unwrap();
    assert_problem(resp, 404).await;
    let resp = app.delete_document(id).await;
    assert_eq!(resp.status(), 204);
    assert_eq!(count(&app, "SELECT count(*) AS n FROM documents").await, 0);
    let resp = app
        .client
        .get(app.url(&format!("/documents/{id}")))
        .send()
        .await
        .unwrap();
    assert_problem(resp, 404).await;
}

#[tokio::test]
async fn readiness_checks_the_read_replica_too() {
    let primary = fresh_database().await;
    // A port nothing listens on.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let app = with_read_url(
        &primary,
        &format!("postgres://corpus@127.0.0.1:{port}/none"),
    )
    .await;
    let resp = app.client.get(app.url("/readyz")).send().await.unwrap();
    let problem = assert_problem(resp, 503).await;
    assert!(
        problem["detail"].as_str().unwrap().contains("read replica"),
        "{problem}"
    );
    let (status, _) = app.get_json("/healthz").await;
    assert_eq!(status, 200);
    // Writes do not need the replica.
    app.create("still", "writable").await;
}
