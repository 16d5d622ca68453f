//! Lists and search narrowed by source prefix, job, content type and a created-at range;
//! collapsed search with an estimated total (issue 11, item 6).

use corpus_documents::store::{NewDocument, WriteOutcome, create_document};
use sea_orm::{ConnectionTrait, DbBackend, Statement};
use serde_json::Value;
use uuid::Uuid;

use crate::helpers::{TestApp, assert_problem, spawn_app};

/// Stores a document as ingestion would (any source, content type and job), created at
/// `created_at`.
async fn seed(
    app: &TestApp,
    title: &str,
    text: &str,
    source: &str,
    content_type: &str,
    job_id: Option<Uuid>,
    created_at: &str,
) -> String {
    let meta = NewDocument {
        title: title.to_owned(),
        source: source.to_owned(),
        content_type: content_type.to_owned(),
        job_id,
    };
    let WriteOutcome::Created(doc) = create_document(&app.db, meta, text).await.unwrap() else {
        panic!("{title} is a duplicate");
    };
    app.db
        .execute_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "UPDATE documents SET created_at = $1::timestamptz WHERE id = $2",
            [created_at.into(), doc.id.into()],
        ))
        .await
        .unwrap();
    doc.id.to_string()
}

fn titles(page: &Value, key: &str) -> Vec<String> {
    page[key]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["title"].as_str().unwrap().to_owned())
        .collect()
}

struct Corpus {
    job1: Uuid,
    job2: Uuid,
}

/// a, b (job 1, under reports/), c (job 2), d (the API), e (a source with a LIKE wildcard
/// character), one a month from January 2026; every text mentions a lantern.
async fn corpus(app: &TestApp) -> Corpus {
    let job1 = Uuid::now_v7();
    let job2 = Uuid::now_v7();
    let docs = [
        (
            "a",
            "s3://bk/reports/a.txt",
            "text/plain",
            Some(job1),
            "2026-01-01T00:00:00Z",
        ),
        (
            "b",
            "s3://bk/reports/b.md",
            "text/markdown",
            Some(job1),
            "2026-02-01T00:00:00Z",
        ),
        (
            "c",
            "s3://bk/other/c.txt",
            "text/plain",
            Some(job2),
            "2026-03-01T00:00:00Z",
        ),
        ("d", "api", "text/plain", None, "2026-04-01T00:00:00Z"),
        (
            "e",
            "s3://bk/re_orts/e.txt",
            "text/plain",
            Some(job2),
            "2026-05-01T00:00:00Z",
        ),
    ];
    for (title, source, ct, job, at) in docs {
        let text = format!("A lantern in document {title}.");
        seed(app, title, &text, source, ct, job, at).await;
    }
    Corpus { job1, job2 }
}

fn enc(s: &str) -> String {
    s.replace('%', "%25")
        .replace(':', "%3A")
        .replace('/', "%2F")
        .replace('+', "%2B")
}

#[tokio::test]
async fn lists_are_narrowed_by_each_filter_and_their_combination() {
    let app = spawn_app().await;
    let Corpus { job1, job2 } = corpus(&app).await;
    let cases: Vec<(String, Vec<&str>)> = vec![
        (String::new(), vec!["e", "d", "c", "b", "a"]),
        (
            format!("source_prefix={}", enc("s3://bk/reports/")),
            vec!["b", "a"],
        ),
        // `_` is no wildcard: only the source that really starts with it.
        (format!("source_prefix={}", enc("s3://bk/re_")), vec!["e"]),
        (
            format!("source_prefix={}", enc("s3://")),
            vec!["e", "c", "b", "a"],
        ),
        (format!("job_id={job1}"), vec!["b", "a"]),
        (format!("job_id={job2}"), vec!["e", "c"]),
        (format!("job_id={}", Uuid::now_v7()), vec![]),
        ("content_type=text%2Fmarkdown".to_owned(), vec!["b"]),
        (
            "content_type=text%2Fplain".to_owned(),
            vec!["e", "d", "c", "a"],
        ),
        (
            format!(
                "created_from={}&created_to={}",
                enc("2026-02-01T00:00:00Z"),
                enc("2026-04-01T00:00:00Z")
            ),
            vec!["c", "b"],
        ),
        (
            format!("created_from={}", enc("2026-04-01T00:00:00+00:00")),
            vec!["e", "d"],
        ),
        (
            format!("created_to={}", enc("2026-02-01T00:00:00Z")),
            vec!["a"],
        ),
        (
            format!("job_id={job1}&content_type=text%2Fplain"),
            vec!["a"],
        ),
    ];
    for (query, expected) in cases {
        let (status, page) = app.get_json(&format!("/documents?{query}")).await;
        assert_eq!(status, 200, "{query}: {page}");
        assert_eq!(titles(&page, "items"), expected, "{query}");
    }
}

#[tokio::test]
async fn filtered_lists_page_with_their_cursor_and_refuse_another_listing_s() {
    let app = spawn_app().await;
    let Corpus { job1, .. } = corpus(&app).await;
    let (_, first) = app
        .get_json(&format!("/documents?job_id={job1}&limit=1"))
        .await;
    assert_eq!(titles(&first, "items"), vec!["b"]);
    let cursor = first["next_cursor"].as_str().unwrap();
    let (status, second) = app
        .get_json(&format!("/documents?job_id={job1}&limit=1&cursor={cursor}"))
        .await;
    assert_eq!(status, 200);
    assert_eq!(titles(&second, "items"), vec!["a"]);
    assert!(second.get("next_cursor").is_none(), "{second}");

    // The cursor of a job's listing is not a position in another listing.
    for other in ["", "&content_type=text%2Fplain"] {
        let resp = app
            .client
            .get(app.url(&format!("/documents?limit=1&cursor={cursor}{other}")))
            .send()
            .await
            .unwrap();
        let problem = assert_problem(resp, 422).await;
        assert!(problem["detail"].as_str().unwrap().starts_with("cursor:"));
    }
}

#[tokio::test]
async fn filters_are_validated_naming_the_parameter() {
    let app = spawn_app().await;
    for path in ["/documents", "/search?q=lantern"] {
        let sep = if path.contains('?') { '&' } else { '?' };
        for (query, status, field) in [
            ("job_id=not-a-uuid", 400, "job_id"),
            ("created_from=yesterday", 400, "created_from"),
            ("created_to=2026-13-01T00:00:00Z", 400, "created_to"),
            ("source_prefix=", 400, "source_prefix"),
            ("source_prefix=a%00b", 400, "source_prefix"),
            ("content_type=", 400, "content_type"),
            (
                "created_from=2026-02-01T00:00:00Z&created_to=2026-02-01T00:00:00Z",
                422,
                "created_to",
            ),
            (
                "created_from=2026-03-01T00:00:00Z&created_to=2026-02-01T00:00:00Z",
                422,
                "created_to",
            ),
        ] {
            let resp = app
                .client
                .get(app.url(&format!("{path}{sep}{query}")))
                .send()
                .await
                .unwrap();
            let problem = assert_problem(resp, status).await;
            let detail = problem["detail"].as_str().unwrap();
            assert!(detail.contains(field), "{path} {query}: {detail}");
        }
    }
    let resp = app
        .client
        .get(app.url("/search?q=lantern&collapse=passage"))
        .send()
        .await
        .unwrap();
    let problem = assert_problem(resp, 400).await;
    assert!(problem["detail"].as_str().unwrap().contains("collapse"));
}

#[tokio::test]
async fn search_is_narrowed_by_the_same_filters() {
    let app = spawn_app().await;
    let Corpus { job1, job2 } = corpus(&app).await;
    let mut cases = vec![
        (String::new(), vec!["a", "b", "c", "d", "e"]),
        (format!("job_id={job1}"), vec!["a", "b"]),
        (
            format!("job_id={job2}&content_type=text%2Fplain"),
            vec!["c", "e"],
        ),
        (
            format!("source_prefix={}", enc("s3://bk/reports/")),
            vec!["a", "b"],
        ),
        ("content_type=text%2Fmarkdown".to_owned(), vec!["b"]),
        (
            format!(
                "created_from={}&created_to={}",
                enc("2026-03-01T00:00:00Z"),
                enc("2026-05-01T00:00:00Z")
            ),
            vec!["c", "d"],
        ),
    ];
    for (query, expected) in cases.drain(..) {
        let (status, page) = app.get_json(&format!("/search?q=lantern&{query}")).await;
        assert_eq!(status, 200, "{query}: {page}");
        let mut got = titles(&page, "hits");
        got.sort();
        assert_eq!(got, expected, "{query}");
        assert_eq!(page["estimated_total"], expected.len(), "{query}");
    }
}

#[tokio::test]
async fn collapsed_search_returns_the_best_passage_of_each_document() {
    let app = spawn_app().await;
    // Three passages (paragraphs of ~7 KiB) that all mention a lantern, the second most.
    let paragraph = |n: usize| {
        format!(
            "{} {}\n\n",
            "lantern ".repeat(n),
            "filler words here. ".repeat(360)
        )
    };
    let long = format!("{}{}{}", paragraph(1), paragraph(3), paragraph(1));
    let long_id = seed(
        &app,
        "long",
        &long,
        "api-long",
        "text/plain",
        None,
        "2026-01-01T00:00:00Z",
    )
    .await;
    for i in 0..4 {
        let text = format!("one lantern in short document {i}");
        seed(
            &app,
            &format!("short {i}"),
            &text,
            "api",
            "text/plain",
            None,
            "2026-01-02T00:00:00Z",
        )
        .await;
    }

    let (_, all) = app.get_json("/search?q=lantern&limit=100").await;
    assert_eq!(all["hits"].as_array().unwrap().len(), 7);
    assert_eq!(all["estimated_total"], 7);

    let (_, collapsed) = app
        .get_json("/search?q=lantern&limit=100&collapse=document")
        .await;
    let hits = collapsed["hits"].as_array().unwrap();
    assert_eq!(hits.len(), 5, "{collapsed}");
    assert_eq!(collapsed["estimated_total"], 5);
    let best = hits
        .iter()
        .find(|h| h["document_id"] == long_id.as_str())
        .unwrap();
    assert_eq!(best["seq"], 1, "the passage with the most matches");

    // collapse=none is the default.
    let (_, none) = app
        .get_json("/search?q=lantern&limit=100&collapse=none")
        .await;
    assert_eq!(none["hits"], all["hits"]);

    // Paging a collapsed search visits every document once; the total is the same on
    // every page.
    let mut seen = Vec::new();
    let mut path = "/search?q=lantern&limit=2&collapse=document".to_owned();
    loop {
        let (status, page) = app.get_json(&path).await;
        assert_eq!(status, 200, "{page}");
        assert_eq!(page["estimated_total"], 5);
        for h in page["hits"].as_array().unwrap() {
            seen.push(h["document_id"].as_str().unwrap().to_owned());
        }
        match page["next_cursor"].as_str() {
            Some(c) => {
                // The cursor belongs to the collapsed search: not to the plain one.
                let resp = app
                    .client
                    .get(app.url(&format!("/search?q=lantern&limit=2&cursor={c}")))
                    .send()
                    .await
                    .unwrap();
                assert_problem(resp, 422).await;
                path = format!("/search?q=lantern&limit=2&collapse=document&cursor={c}");
            }
            None => break,
        }
    }
    assert_eq!(seen.len(), 5);
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), 5);

    // No match: an empty page with a total of 0.
    let (_, empty) = app
        .get_json("/search?q=nothingmatches&collapse=document")
        .await;
    assert_eq!(empty["estimated_total"], 0);
    assert!(empty["hits"].as_array().unwrap().is_empty());
}
