use crate::helpers::spawn_app;

/// The committed spec (`openapi/documents.json`, the frontend's client source) matches the
/// code. Regenerate with `./scripts/openapi.sh`.
#[tokio::test]
async fn committed_openapi_document_matches_the_code() {
    let generated = corpus_documents::openapi_json().await.unwrap();
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../openapi/documents.json");
    let committed = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read {path}: {e}; run ./scripts/openapi.sh"));
    let generated: serde_json::Value = serde_json::from_str(&generated).unwrap();
    let committed: serde_json::Value = serde_json::from_str(&committed).unwrap();
    assert!(
        generated == committed,
        "openapi/documents.json is out of date: run ./scripts/openapi.sh and commit it"
    );
}

#[tokio::test]
async fn spec_and_swagger_ui_are_served() {
    let app = spawn_app().await;
    let (status, spec) = app.get_json("/openapi.json").await;
    assert_eq!(status, 200);
    assert!(spec["openapi"].as_str().unwrap().starts_with("3."));
    for path in [
        "/documents",
        "/documents/{id}",
        "/documents/{id}/text",
        "/search",
        "/healthz",
        "/readyz",
    ] {
        assert!(
            spec["paths"][path].is_object(),
            "{path} missing from the spec"
        );
    }
    let resp = app.client.get(app.url("/docs")).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    let html = resp.text().await.unwrap();
    assert!(html.to_lowercase().contains("swagger"));
}

/// Optional fields are left out when they have no value (the spec declares them optional,
/// not nullable): a generated client must never see `null` where it expects a string.
#[tokio::test]
async fn optional_fields_are_absent_not_null() {
    let app = spawn_app().await;
    let resp = app
        .client
        .post(app.url("/documents"))
        .bearer_auth(crate::helpers::API_KEY)
        .json(&serde_json::json!({"title": "Alone", "text": "a single whale"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201);
    let created: serde_json::Value = resp.json().await.unwrap();
    assert!(created.get("job_id").is_none(), "{created}");
    let (status, page) = app.get_json("/documents").await;
    assert_eq!(status, 200);
    assert!(page.get("next_cursor").is_none(), "{page}");
    assert!(page["items"][0].get("job_id").is_none(), "{page}");
    let (status, hits) = app.get_json("/search?q=whale").await;
    assert_eq!(status, 200);
    assert!(hits.get("next_cursor").is_none(), "{hits}");
    // And a client may not send null for an optional string either.
    let resp = app
        .client
        .post(app.url("/documents"))
        .bearer_auth(crate::helpers::API_KEY)
        .json(&serde_json::json!({"title": "t", "text": "x", "source": null}))
        .send()
        .await
        .unwrap();
    let problem = crate::helpers::assert_problem(resp, 400).await;
    assert!(problem["detail"].as_str().unwrap().contains("source"));
}
