//! The bounded search (crate::ranking) against the exhaustive ranking of the same scores:
//! a search without filters reads matches class by class; the same search with a filter
//! every document passes scores every match. Both must return the same passages, in the
//! same order, with the same ranks, on every page.

use corpus_documents::ranking::{self, StatsCache};
use sea_orm::{ConnectionTrait, DbBackend, Statement};
use serde_json::Value;

use crate::helpers::{TestApp, config, fresh_database, spawn_app, spawn_with};

/// 300 documents of 10 passages of 60 words `w0` .. `w29`, drawn so that `w0` occurs about
/// 19 times a passage and the later words ever more rarely: every frequency tier, and
/// large classes of passages that tie.
async fn seed(app: &TestApp) {
    app.db
        .execute_unprepared(
            "SELECT setseed(0.11);
             INSERT INTO documents (id, source, checksum, title, content_type, byte_size, passage_count)
               SELECT gen_random_uuid(), 'seed://' || i, md5(i::text), 'doc ' || i, 'text/plain', 1, 10
               FROM generate_series(1, 300) i;
             INSERT INTO passages (document_id, seq, text)
               SELECT d.id, s.seq, (SELECT string_agg('w' || floor(30 * random() ^ 3)::int, ' ')
                                    FROM generate_series(1, 60) w WHERE s.seq >= 0 AND d.id IS NOT NULL)
               FROM documents d, generate_series(0, 9) s(seq);
             ANALYZE passages;",
        )
        .await
        .unwrap();
}

type Row = (String, i64, f64);

/// Every hit of `q` (with `extra` query parameters), page by page.
async fn all_pages(app: &TestApp, q: &str, extra: &str, limit: u32, max_pages: usize) -> Vec<Row> {
    pages_from(app, q, extra, limit, max_pages, String::new())
        .await
        .0
}

/// The hits of up to `max_pages` pages of `q` from `cursor` on, and the cursor after them.
async fn pages_from(
    app: &TestApp,
    q: &str,
    extra: &str,
    limit: u32,
    max_pages: usize,
    mut cursor: String,
) -> (Vec<Row>, String) {
    let mut rows = Vec::new();
    for _ in 0..max_pages {
        let (status, page) = app
            .get_json(&format!(
                "/search?{}&limit={limit}{extra}{cursor}",
                q_param(q)
            ))
            .await;
        assert_eq!(status, 200, "{q}: {page}");
        for h in page["hits"].as_array().unwrap() {
            rows.push((
                h["document_id"].as_str().unwrap().to_owned(),
                h["seq"].as_i64().unwrap(),
                h["rank"].as_f64().unwrap(),
            ));
        }
        match &page["next_cursor"] {
            Value::String(c) => cursor = format!("&cursor={c}"),
            _ => {
                cursor.clear();
                break;
            }
        }
    }
    (rows, cursor)
}

/// `q=<s>`, form-encoded by the URL library.
fn q_param(s: &str) -> String {
    let mut url = reqwest::Url::parse("http://localhost/").unwrap();
    url.query_pairs_mut().append_pair("q", s);
    url.query().unwrap_or_default().to_owned()
}

#[tokio::test]
async fn bounded_search_returns_the_exhaustive_ranking_page_by_page() {
    let app = spawn_app().await;
    seed(&app).await;
    let stats = StatsCache::default().get(&app.db).await.unwrap();
    // A filter every document passes sends the search down the exhaustive path.
    let everything = "&created_from=2000-01-01T00:00:00Z";
    for (q, pages) in [
        ("w0", 6),
        ("w1", 6),
        ("w9", 6),
        ("w28", 400),
        ("w0 w1", 6),
        ("w2 w3", 6),
        ("\"w0 w1\"", 6),
        ("w3 -w4", 6),
        ("\"w1 w0\" w2", 6),
    ] {
        let tsquery: String = app
            .db
            .query_one_raw(Statement::from_sql_and_values(
                DbBackend::Postgres,
                "SELECT websearch_to_tsquery('english', $1)::text AS q",
                [q.into()],
            ))
            .await
            .unwrap()
            .unwrap()
            .try_get("", "q")
            .unwrap();
        let analysis = ranking::analyse(&tsquery).unwrap();
        assert!(
            ranking::bounded(&analysis, &stats),
            "{q} takes the bounded path"
        );
        let bounded = all_pages(&app, q, "", 7, pages).await;
        let exhaustive = all_pages(&app, q, everything, 7, pages).await;
        assert!(bounded.len() >= 7, "{q}: {} hits", bounded.len());
        assert_eq!(bounded, exhaustive, "{q}");
    }
}

#[tokio::test]
async fn a_rarer_word_weighs_more_and_more_occurrences_rank_higher() {
    let app = spawn_app().await;
    seed(&app).await;
    let (_, page) = app.get_json("/search?q=w0&limit=100").await;
    let hits = page["hits"].as_array().unwrap();
    let ranks: Vec<f64> = hits.iter().map(|h| h["rank"].as_f64().unwrap()).collect();
    assert!(ranks.windows(2).all(|w| w[0] >= w[1]), "{ranks:?}");
    // w0 is in nearly every passage, w20 in few: one w20 outweighs many w0.
    let (_, rare) = app.get_json("/search?q=w20&limit=1").await;
    assert!(
        rare["hits"][0]["rank"].as_f64().unwrap() > ranks[0],
        "{rare}"
    );
    // The estimate of a bounded search is in the right range.
    let total = page["estimated_total"].as_i64().unwrap();
    assert!((2000..=3000).contains(&total), "estimated_total {total}");
}

#[tokio::test]
async fn later_pages_keep_the_weights_of_the_first_on_another_task_after_new_statistics() {
    let database_url = fresh_database().await;
    let first = spawn_with(config(&database_url, ""), database_url.clone()).await;
    let other = spawn_with(config(&database_url, ""), database_url).await;
    seed(&first).await;
    let everything = "&created_from=2000-01-01T00:00:00Z";
    let queries = [
        ("w3", ""),
        ("w3", everything),
        ("w2 w3", ""),
        ("w2 w3", everything),
    ];
    // The first page of each search, from one task.
    let mut started = Vec::new();
    for (q, extra) in queries {
        let (page, cursor) = pages_from(&first, q, extra, 7, 1, String::new()).await;
        assert!(!cursor.is_empty(), "{q}{extra} has a second page");
        started.push((page, cursor));
    }
    // The corpus doubles with passages matching none of the queries, and is analysed: every
    // term's weight changes. The other task has not read statistics yet; the first keeps
    // its own (cached) until they expire.
    first
        .db
        .execute_unprepared(
            "INSERT INTO documents (id, source, checksum, title, content_type, byte_size, passage_count)
               SELECT gen_random_uuid(), 'filler://' || i, md5('f' || i), 'filler ' || i, 'text/plain', 1, 10
               FROM generate_series(1, 300) i;
             INSERT INTO passages (document_id, seq, text)
               SELECT d.id, s.seq, 'zebra quagga okapi'
               FROM documents d, generate_series(0, 9) s(seq) WHERE d.source LIKE 'filler://%';
             ANALYZE passages;",
        )
        .await
        .unwrap();
    for ((q, extra), (page, cursor)) in queries.into_iter().zip(started) {
        // The rest of the list from the other task, with the first task's cursor...
        let (rest, _) = pages_from(&other, q, extra, 7, 2, cursor).await;
        // ...is the list the first task ranks in one go.
        let whole = all_pages(&first, q, extra, 7, 3).await;
        let stitched: Vec<Row> = page.into_iter().chain(rest).collect();
        assert_eq!(stitched, whole, "{q}{extra}");
    }
}
