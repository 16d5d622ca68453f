use std::collections::HashSet;

use serde_json::{Value, json};

use crate::helpers::{API_KEY, assert_problem, spawn_app, spawn_app_at};

#[tokio::test]
async fn create_get_text_and_delete() {
    let app = spawn_app().await;
    let resp = app
        .client
        .post(app.url("/documents"))
        .bearer_auth(API_KEY)
        .json(&json!({"title": "  Moby Dick ", "text": "Call me Ishmael.", "source": "https://books.example/moby.txt"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201);
    let location = resp.headers()["location"].to_str().unwrap().to_owned();
    let doc: Value = resp.json().await.unwrap();
    let id = doc["id"].as_str().unwrap();
    assert_eq!(location, format!("/documents/{id}"));
    assert_eq!(doc["title"], "Moby Dick");
    assert_eq!(doc["source"], "https://books.example/moby.txt");
    assert_eq!(doc["content_type"], "text/plain");
    assert_eq!(doc["byte_size"], 16);
    assert_eq!(doc["passage_count"], 1);
    assert_eq!(doc["job_id"], Value::Null);
    assert!(doc["created_at"].is_string());

    let (status, got) = app.get_json(&format!("/documents/{id}")).await;
    assert_eq!(status, 200);
    assert_eq!(got, doc);

    let resp = app
        .client
        .get(app.url(&format!("/documents/{id}/text")))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["content-type"], "text/plain; charset=utf-8");
    assert_eq!(resp.text().await.unwrap(), "Call me Ishmael.");

    let resp = app.delete_document(id).await;
    assert_eq!(resp.status(), 204);
    let resp = app
        .client
        .get(app.url(&format!("/documents/{id}")))
        .send()
        .await
        .unwrap();
    assert_problem(resp, 404).await;
    let resp = app
        .client
        .get(app.url(&format!("/documents/{id}/text")))
        .send()
        .await
        .unwrap();
    assert_problem(resp, 404).await;
    let resp = app.delete_document(id).await;
    assert_problem(resp, 404).await;
    // Passages went with the document.
    use sea_orm::{ConnectionTrait, Statement};
    let row = app
        .db
        .query_one_raw(Statement::from_string(
            sea_orm::DbBackend::Postgres,
            "SELECT count(*) AS n FROM passages".to_owned(),
        ))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.try_get::<i64>("", "n").unwrap(), 0);
}

#[tokio::test]
async fn large_multilingual_text_round_trips_exactly() {
    let app = spawn_app().await;
    let pieces = [
        "The quick brown fox jumps over the lazy dog. ",
        "Der schnelle braune Fuchs springt über den faulen Hund.\n\n",
        "Съешь же ещё этих мягких французских булок, да выпей чаю. ",
        "いろはにほへと ちりぬるを わかよたれそ つねならむ。",
        "中文文本没有空格也应该被正确地切分成段落",
        "🦀🚀 emoji 👩‍👩‍👧 and combining é\u{301}\r\n",
        "العربية نص تجريبي. ",
    ];
    let mut text = String::new();
    let mut i = 0;
    while text.len() < 200 * 1024 {
        text.push_str(pieces[i % pieces.len()]);
        i += 1;
    }
    let doc = app.create("multilingual", &text).await;
    assert_eq!(doc["byte_size"], text.len());
    assert!(doc["passage_count"].as_i64().unwrap() >= 25);
    let id = doc["id"].as_str().unwrap();
    let resp = app
        .client
        .get(app.url(&format!("/documents/{id}/text")))
        .send()
        .await
        .unwrap();
    let bytes = resp.bytes().await.unwrap();
    assert_eq!(bytes.len(), text.len());
    assert!(
        bytes == text.as_bytes(),
        "text differs after the round trip"
    );
}

#[tokio::test]
async fn duplicate_text_from_same_source_is_a_conflict() {
    let app = spawn_app().await;
    let first = app.create("one", "same words").await;
    let resp = app
        .client
        .post(app.url("/documents"))
        .bearer_auth(API_KEY)
        .json(&json!({"title": "two", "text": "same words"}))
        .send()
        .await
        .unwrap();
    let problem = assert_problem(resp, 409).await;
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains(first["id"].as_str().unwrap())
    );
    // Another source may hold the same text.
    let resp = app
        .client
        .post(app.url("/documents"))
        .bearer_auth(API_KEY)
        .json(&json!({"title": "two", "text": "same words", "source": "https://example.org/k"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201);
    let (_, page) = app.get_json("/documents").await;
    assert_eq!(page["items"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn list_pages_newest_first_and_is_stable_under_inserts() {
    let app = spawn_app().await;
    let mut created = Vec::new();
    for i in 0..7 {
        let doc = app
            .create(&format!("doc {i}"), &format!("text number {i}"))
            .await;
        created.push(doc["id"].as_str().unwrap().to_owned());
    }
    let (status, page1) = app.get_json("/documents?limit=3").await;
    assert_eq!(status, 200);
    let ids = |page: &Value| -> Vec<String> {
        page["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["id"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(
        ids(&page1),
        vec![created[6].clone(), created[5].clone(), created[4].clone()]
    );
    let cursor = page1["next_cursor"].as_str().unwrap().to_owned();

    // Documents created while paging do not shift the pages still to come.
    app.create("late 1", "inserted while paging 1").await;
    app.create("late 2", "inserted while paging 2").await;

    let (_, page2) = app
        .get_json(&format!("/documents?limit=3&cursor={cursor}"))
        .await;
    assert_eq!(
        ids(&page2),
        vec![created[3].clone(), created[2].clone(), created[1].clone()]
    );
    let cursor = page2["next_cursor"].as_str().unwrap().to_owned();
    let (_, page3) = app
        .get_json(&format!("/documents?limit=3&cursor={cursor}"))
        .await;
    assert_eq!(ids(&page3), vec![created[0].clone()]);
    assert_eq!(page3["next_cursor"], Value::Null);

    let (_, all) = app.get_json("/documents?limit=100").await;
    assert_eq!(all["items"].as_array().unwrap().len(), 9);
    assert_eq!(all["next_cursor"], Value::Null);
}

#[tokio::test]
async fn hundred_concurrent_creates_all_succeed() {
    let app = spawn_app().await;
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..100 {
        let client = app.client.clone();
        let url = app.url("/documents");
        tasks.spawn(async move {
            let resp = client
                .post(url)
                .bearer_auth(API_KEY)
                .json(&json!({"title": format!("concurrent {i}"), "text": format!("body {i} {}", "word ".repeat(i * 50))}))
                .send()
                .await
                .unwrap();
            assert_eq!(resp.status(), 201, "create {i}");
            let doc: Value = resp.json().await.unwrap();
            doc["id"].as_str().unwrap().to_owned()
        });
    }
    let mut ids = HashSet::new();
    while let Some(id) = tasks.join_next().await {
        ids.insert(id.unwrap());
    }
    assert_eq!(ids.len(), 100);
    let mut seen = HashSet::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/documents?limit=30&cursor={c}"),
            None => "/documents?limit=30".to_owned(),
        };
        let (_, page) = app.get_json(&path).await;
        for d in page["items"].as_array().unwrap() {
            assert!(
                seen.insert(d["id"].as_str().unwrap().to_owned()),
                "duplicate in pages"
            );
        }
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
    }
    assert_eq!(seen, ids);
}

#[tokio::test]
async fn routes_live_under_the_base_path() {
    let app = spawn_app_at("/api/documents").await;
    assert!(app.base.ends_with("/api/documents"));
    let doc = app.create("based", "under a base path").await;
    let (status, _) = app
        .get_json(&format!("/documents/{}", doc["id"].as_str().unwrap()))
        .await;
    assert_eq!(status, 200);
    let (status, _) = app.get_json("/healthz").await;
    assert_eq!(status, 200);
    // The same path without the prefix is unknown.
    let root = app.base.trim_end_matches("/api/documents").to_owned();
    let resp = app
        .client
        .get(format!("{root}/healthz"))
        .send()
        .await
        .unwrap();
    assert_problem(resp, 404).await;
}

/// Documents never change once stored: reads carry a strong ETag and a bounded
/// Cache-Control, a matching If-None-Match is a 304 without a body, and a deleted document
/// is a 404 whatever the client still holds.
/// `s3://` sources belong to ingestion (issue 9, item 6): the API refuses to store one, in
/// any letter case, with a 422 naming `source`, and stores nothing.
#[tokio::test]
async fn s3_sources_are_reserved_for_ingestion() {
    let app = spawn_app().await;
    for source in [
        "s3://bucket/key.txt",
        "S3://Bucket/key.txt",
        " s3://bucket/x",
    ] {
        let resp = app
            .client
            .post(app.url("/documents"))
            .bearer_auth(API_KEY)
            .json(&json!({"title": "claimed", "text": "not from S3", "source": source}))
            .send()
            .await
            .unwrap();
        let problem = assert_problem(resp, 422).await;
        let detail = problem["detail"].as_str().unwrap();
        assert!(detail.starts_with("source:"), "{source}: {detail}");
    }
    let (_, page) = app.get_json("/documents").await;
    assert_eq!(page["items"].as_array().unwrap().len(), 0);
    // Other sources are still the client's to name.
    let resp = app
        .client
        .post(app.url("/documents"))
        .bearer_auth(API_KEY)
        .json(&json!({"title": "web", "text": "from the web", "source": "https://example.org/s3://x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201);
}
