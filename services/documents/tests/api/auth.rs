use serde_json::json;

use crate::helpers::{API_KEY, assert_problem, spawn_app};

#[tokio::test]
async fn writes_need_a_valid_key() {
    let app = spawn_app().await;
    let body = json!({"title": "t", "text": "x"});
    let missing = app
        .client
        .post(app.url("/documents"))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_problem(missing, 401).await;
    let wrong = app
        .client
        .post(app.url("/documents"))
        .bearer_auth("not-the-key")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_problem(wrong, 401).await;
    let basic = app
        .client
        .post(app.url("/documents"))
        .basic_auth("user", Some(API_KEY))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_problem(basic, 401).await;

    let doc = app.create("t", "x").await;
    let id = doc["id"].as_str().unwrap();
    let delete = app
        .client
        .delete(app.url(&format!("/documents/{id}")))
        .send()
        .await
        .unwrap();
    assert_problem(delete, 401).await;
    // Nothing changed.
    let (status, _) = app.get_json(&format!("/documents/{id}")).await;
    assert_eq!(status, 200);
    let (_, page) = app.get_json("/documents").await;
    assert_eq!(page["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn reads_need_no_key() {
    let app = spawn_app().await;
    let (status, _) = app.get_json("/documents").await;
    assert_eq!(status, 200);
    let (status, _) = app.get_json("/search?q=anything").await;
    assert_eq!(status, 200);
}
