//! Documents never change once stored: reads carry a strong ETag and a bounded
//! Cache-Control, and revalidate with 304.

use crate::helpers::spawn_app;

#[tokio::test]
async fn reads_are_cacheable_and_revalidate_with_304() {
    let app = spawn_app().await;
    let doc = app.create("Cached", "Immutable text about glaciers.").await;
    let id = doc["id"].as_str().unwrap();
    for path in [format!("/documents/{id}"), format!("/documents/{id}/text")] {
        let resp = app.client.get(app.url(&path)).send().await.unwrap();
        assert_eq!(resp.status(), 200, "{path}");
        let etag = resp.headers()["etag"].to_str().unwrap().to_owned();
        assert!(
            etag.starts_with('"') && etag.ends_with('"'),
            "{path}: strong etag {etag}"
        );
        assert_eq!(
            resp.headers()["cache-control"],
            "public, max-age=60, s-maxage=300"
        );
        let again = app.client.get(app.url(&path)).send().await.unwrap();
        assert_eq!(
            again.headers()["etag"].to_str().unwrap(),
            etag,
            "{path}: stable"
        );

        let resp = app
            .client
            .get(app.url(&path))
            .header("if-none-match", &etag)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 304, "{path}");
        assert_eq!(resp.headers()["etag"].to_str().unwrap(), etag);
        assert!(resp.bytes().await.unwrap().is_empty());

        let resp = app
            .client
            .get(app.url(&path))
            .header("if-none-match", "\"something-else\"")
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200, "{path}: another tag gets the body");
    }
    let text_etag = app
        .client
        .get(app.url(&format!("/documents/{id}/text")))
        .send()
        .await
        .unwrap()
        .headers()["etag"]
        .to_str()
        .unwrap()
        .to_owned();
    let other = app.create("Cached 2", "Different text.").await;
    let other_etag = app
        .client
        .get(app.url(&format!(
            "/documents/{}/text",
            other["id"].as_str().unwrap()
        )))
        .send()
        .await
        .unwrap()
        .headers()["etag"]
        .to_str()
        .unwrap()
        .to_owned();
    assert_ne!(text_etag, other_etag, "the text's tag follows its content");

    let resp = app.delete_document(id).await;
    assert_eq!(resp.status(), 204);
    let resp = app
        .client
        .get(app.url(&format!("/documents/{id}/text")))
        .header("if-none-match", &text_etag)
        .send()
        .await
        .unwrap();
    crate::helpers::assert_problem(resp, 404).await;
}
