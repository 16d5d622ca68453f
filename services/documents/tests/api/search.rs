use serde_json::Value;

use crate::helpers::spawn_app;

fn titles(page: &Value) -> Vec<String> {
    page["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["title"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn ranks_and_highlights_matches() {
    let app = spawn_app().await;
    app.create(
        "whales",
        "The whale surfaced. A whale, a whale! Whales everywhere in the sea.",
    )
    .await;
    app.create(
        "ships",
        "The ship sailed past a single whale near the harbour.",
    )
    .await;
    app.create("cooking", "Recipes for bread and soup.").await;

    let (status, page) = app.get_json("/search?q=whale").await;
    assert_eq!(status, 200);
    assert_eq!(titles(&page), vec!["whales", "ships"]);
    let hits = page["hits"].as_array().unwrap();
    assert!(hits[0]["rank"].as_f64().unwrap() > hits[1]["rank"].as_f64().unwrap());
    assert!(hits[0]["snippet"].as_str().unwrap().contains("<mark>"));
    assert_eq!(hits[0]["seq"], 0);
    assert!(hits[0]["document_id"].is_string());
    assert_eq!(page["next_cursor"], Value::Null);
}

#[tokio::test]
async fn websearch_syntax_phrases_or_and_exclusion() {
    let app = spawn_app().await;
    app.create("a", "red apples grow on trees").await;
    app.create("b", "apples are red and green").await;
    app.create("c", "bananas are yellow").await;

    let (_, page) = app.get_json("/search?q=%22red%20apples%22").await;
    assert_eq!(titles(&page), vec!["a"]);

    let (_, page) = app.get_json("/search?q=bananas%20or%20trees").await;
    let mut t = titles(&page);
    t.sort();
    assert_eq!(t, vec!["a", "c"]);

    let (_, page) = app.get_json("/search?q=apples%20-trees").await;
    assert_eq!(titles(&page), vec!["b"]);

    let (_, page) = app.get_json("/search?q=nothingmatchesthis").await;
    assert!(page["hits"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn snippets_escape_html() {
    let app = spawn_app().await;
    app.create(
        "html",
        "Tom & Jerry: 5 < 6 > 4 \"quoted\" dangerous <b>markup</b> word",
    )
    .await;
    let (_, page) = app.get_json("/search?q=dangerous").await;
    let snippet = page["hits"][0]["snippet"].as_str().unwrap();
    assert!(snippet.contains("<mark>dangerous</mark>"), "{snippet}");
    assert!(snippet.contains("&lt;"), "{snippet}");
    let without_marks = snippet.replace("<mark>", "").replace("</mark>", "");
    assert!(
        !without_marks.contains('<') && !without_marks.contains('>'),
        "{snippet}"
    );
}

#[tokio::test]
async fn search_pages_through_all_hits_without_repeats() {
    let app = spawn_app().await;
    for i in 0..12 {
        // Different densities give different ranks; equal ones tie-break by id/seq.
        let text = format!(
            "{} filler words here, number {i}",
            "lantern ".repeat(1 + i % 4)
        );
        app.create(&format!("doc {i}"), &text).await;
    }
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    let mut last_rank = f64::INFINITY;
    loop {
        let path = match &cursor {
            Some(c) => format!("/search?q=lantern&limit=5&cursor={c}"),
            None => "/search?q=lantern&limit=5".to_owned(),
        };
        let (status, page) = app.get_json(&path).await;
        assert_eq!(status, 200);
        for hit in page["hits"].as_array().unwrap() {
            let rank = hit["rank"].as_f64().unwrap();
            assert!(rank <= last_rank);
            last_rank = rank;
            seen.push(hit["document_id"].as_str().unwrap().to_owned());
        }
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
    }
    assert_eq!(seen.len(), 12);
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), 12);
}

#[tokio::test]
async fn hits_point_at_the_right_passage_of_a_long_document() {
    let app = spawn_app().await;
    let mut text = "filler sentence about nothing in particular. ".repeat(400);
    text.push_str("\n\nThe unicorn appears only here.\n\n");
    text.push_str(&"more filler about nothing. ".repeat(400));
    let doc = app.create("long", &text).await;
    assert!(doc["passage_count"].as_i64().unwrap() > 2);
    let (_, page) = app.get_json("/search?q=unicorn").await;
    let hits = page["hits"].as_array().unwrap();
    assert_eq!(hits.len(), 1);
    assert!(hits[0]["seq"].as_i64().unwrap() > 0);
}
