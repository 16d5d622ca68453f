//! The read side: the document list and full-text search, both narrowed by the same
//! [`Filters`] and paged with keyset cursors. Functions take a connection so the API can
//! point them at the read replica.

use chrono::{DateTime, Utc};
use sea_orm::{
    AccessMode, ConnectionTrait, DbBackend, DbErr, FromQueryResult, IsolationLevel, Statement,
    TransactionSession, TransactionTrait, Value,
};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::{
    entities::document,
    ranking::{self, Scored, StatsCache, Weighted},
};

/// What a list or a search is narrowed to; every field is optional and they combine with
/// AND. Each is served by an index (migration `m20261202_000001_filter_indexes`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filters {
    /// `source` starts with this (byte-wise, case-sensitive).
    pub source_prefix: Option<String>,
    /// Stored by this ingestion job.
    pub job_id: Option<Uuid>,
    /// Exactly this content type.
    pub content_type: Option<String>,
    /// Created at or after this instant.
    pub created_from: Option<DateTime<Utc>>,
    /// Created strictly before this instant.
    pub created_to: Option<DateTime<Utc>>,
}

impl Filters {
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    /// `AND ...` conditions on the documents table aliased `d`, with their values pushed
    /// onto `values` (placeholders numbered after what is already there).
    fn sql(&self, values: &mut Vec<Value>) -> String {
        let mut sql = String::new();
        if let Some(prefix) = &self.source_prefix {
            // A range on the "C"-collated index (byte order, whatever the database's
            // collation), and starts_with() as the exact test.
            let p = bind(values, prefix.clone());
            sql.push_str(&format!(
                r#" AND d.source COLLATE "C" >= {p} AND starts_with(d.source, {p})"#
            ));
            if let Some(upper) = prefix_upper_bound(prefix) {
                let u = bind(values, upper);
                sql.push_str(&format!(r#" AND d.source COLLATE "C" < {u}"#));
            }
        }
        if let Some(job_id) = self.job_id {
            sql.push_str(&format!(" AND d.job_id = {}", bind(values, job_id)));
        }
        if let Some(ct) = &self.content_type {
            sql.push_str(&format!(
                " AND d.content_type = {}",
                bind(values, ct.clone())
            ));
        }
        if let Some(from) = self.created_from {
            sql.push_str(&format!(" AND d.created_at >= {}", bind(values, from)));
        }
        if let Some(to) = self.created_to {
            sql.push_str(&format!(" AND d.created_at < {}", bind(values, to)));
        }
        sql
    }

    /// A short digest of the filters and `extra` (the query, the mode): cursors carry it,
    /// so a cursor is only accepted by the request that continues the same listing.
    pub fn fingerprint(&self, extra: &str) -> String {
        let mut h = Sha256::new();
        let field = |h: &mut Sha256, v: Option<String>| {
            let v = v.unwrap_or_default();
            h.update((v.len() as u64).to_be_bytes());
            h.update(v.as_bytes());
        };
        field(&mut h, self.source_prefix.clone());
        field(&mut h, self.job_id.map(|u| u.to_string()));
        field(&mut h, self.content_type.clone());
        field(&mut h, self.created_from.map(|t| t.to_rfc3339()));
        field(&mut h, self.created_to.map(|t| t.to_rfc3339()));
        field(&mut h, Some(extra.to_owned()));
        hex::encode(&h.finalize()[..6])
    }
}

pub(crate) fn bind(values: &mut Vec<Value>, v: impl Into<Value>) -> String {
    values.push(v.into());
    format!("${}", values.len())
}

/// The smallest string greater than every string starting with `prefix` in byte (code
/// point) order: the last character that can be incremented is, the rest dropped. None
/// when there is no such string (every character is U+10FFFF).
fn prefix_upper_bound(prefix: &str) -> Option<String> {
    let mut chars: Vec<char> = prefix.chars().collect();
    while let Some(last) = chars.pop() {
        let mut next = u32::from(last) + 1;
        if (0xD800..=0xDFFF).contains(&next) {
            next = 0xE000;
        }
        if let Some(c) = char::from_u32(next) {
            chars.push(c);
            return Some(chars.into_iter().collect());
        }
    }
    None
}

/// A page position in the newest-first document list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListCursor {
    #[serde(rename = "t")]
    pub created_at: DateTime<Utc>,
    #[serde(rename = "i")]
    pub id: Uuid,
    /// [`Filters::fingerprint`] of the listing that issued it (absent: unfiltered cursors
    /// of earlier releases).
    #[serde(rename = "f", default, skip_serializing_if = "Option::is_none")]
    pub fingerprint: Option<String>,
}

/// Newest first; keyset pagination on (created_at, id), so documents inserted while a
/// client pages never shift or repeat the pages it has not read yet.
pub async fn list_documents(
    db: &impl ConnectionTrait,
    filters: &Filters,
    limit: u64,
    after: Option<&ListCursor>,
) -> Result<(Vec<document::Model>, Option<ListCursor>), DbErr> {
    let mut values = Vec::new();
    let mut sql = String::from(
        "SELECT d.id, d.source, d.checksum, d.title, d.content_type, d.byte_size, \
         d.passage_count, d.job_id, d.created_at FROM documents d WHERE TRUE",
    );
    sql.push_str(&filters.sql(&mut values));
    if let Some(c) = after {
        let t = bind(&mut values, c.created_at);
        let i = bind(&mut values, c.id);
        sql.push_str(&format!(" AND (d.created_at, d.id) < ({t}, {i})"));
    }
    let l = bind(&mut values, i64::try_from(limit + 1).unwrap_or(i64::MAX));
    sql.push_str(&format!(" ORDER BY d.created_at DESC, d.id DESC LIMIT {l}"));
    let stmt = Statement::from_sql_and_values(DbBackend::Postgres, sql, values);
    let mut rows = document::Model::find_by_statement(stmt).all(db).await?;
    let next = cut_page(&mut rows, limit).map(|d| ListCursor {
        created_at: d.created_at,
        id: d.id,
        fingerprint: None,
    });
    Ok((rows, next))
}

/// A position in a ranked result list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchCursor {
    /// The score (a double: the search compares it exactly).
    #[serde(rename = "r")]
    pub rank: f64,
    #[serde(rename = "d")]
    pub document_id: Uuid,
    #[serde(rename = "s")]
    pub seq: i32,
    /// [`Filters::fingerprint`] of the search that issued it (query, filters, collapse).
    #[serde(rename = "f", default, skip_serializing_if = "Option::is_none")]
    pub fingerprint: Option<String>,
}

#[derive(Debug, Clone, PartialEq, FromQueryResult)]
pub struct SearchHit {
    pub document_id: Uuid,
    pub title: String,
    pub seq: i32,
    /// HTML-escaped passage excerpt with matches wrapped in `<mark>`.
    pub snippet: String,
    pub rank: f64,
    /// Matches (passages, or documents when collapsed) of the whole search.
    pub total: i64,
}

/// One page of a search.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchResults {
    pub hits: Vec<SearchHit>,
    pub next: Option<SearchCursor>,
    /// How many passages (documents when collapsed) match; see the API's
    /// `estimated_total` for what it promises.
    pub estimated_total: i64,
}

// Markers no text we store can contain (control characters), replaced after escaping.
const MARK_START: &str = "\u{1}";
const MARK_END: &str = "\u{2}";

/// The snippet of passage `p` for the query in CTE `query`.
const HEADLINE: &str = "ts_headline('english', p.text, query.q, 'StartSel=\u{1}, StopSel=\u{2}, \
     MaxWords=35, MinWords=15, MaxFragments=2, FragmentDelimiter=\" … \"') AS snippet";

/// Full-text search over passages with PostgreSQL websearch syntax (quotes for phrases,
/// `or`, `-word`), best first ([`crate::ranking`]), ties in document/passage order,
/// narrowed by `filters`. `collapse` keeps only the best passage of each document.
/// Snippets are computed only for the page returned.
///
/// Without filters and collapse, a query of one or two terms and no `or` reads its
/// matches by class ([`ranking::bounded_search`]): its cost does not grow with the number
/// of matches, and the total is estimated from the statistics. Every other search scores
/// all its matches (the same scores) and counts them.
pub async fn search(
    db: &(impl ConnectionTrait + TransactionTrait),
    stats: &StatsCache,
    q: &str,
    filters: &Filters,
    collapse: bool,
    limit: u64,
    after: Option<&SearchCursor>,
) -> Result<SearchResults, DbErr> {
    let tsquery = db
        .query_one_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT websearch_to_tsquery('english', $1)::text AS q",
            [q.into()],
        ))
        .await?
        .map(|r| r.try_get::<String>("", "q"))
        .transpose()?
        .unwrap_or_default();
    let analysis = ranking::analyse(&tsquery).unwrap_or_default();
    let stats = stats.get(db).await?;
    let terms = ranking::weigh(&stats, &analysis);
    if !filters.is_empty() || collapse || !ranking::bounded(&analysis, &stats) {
        return exhaustive(db, q, &terms, filters, collapse, limit, after).await;
    }
    let need = usize::try_from(limit + 1).unwrap_or(usize::MAX);
    // One snapshot for the walk's queries, each planned for its own values: a cached
    // generic plan cannot tell a class of ten passages from one of half the table.
    let txn = db
        .begin_with_config(
            Some(IsolationLevel::RepeatableRead),
            Some(AccessMode::ReadOnly),
        )
        .await?;
    txn.execute_unprepared("SET LOCAL plan_cache_mode = force_custom_plan")
        .await?;
    let mut page = ranking::bounded_search(
        &txn,
        &stats,
        &tsquery,
        &analysis.index_query,
        &terms,
        after,
        need,
    )
    .await?;
    let estimated_total = if page.is_empty() {
        0
    } else {
        // An estimate, never below what this page has seen.
        (stats.estimate(&analysis).round() as i64).max(page.len() as i64)
    };
    let next = cut_page(&mut page, limit).map(|h| SearchCursor {
        rank: h.score,
        document_id: h.document_id,
        seq: h.seq,
        fingerprint: None,
    });
    let hits = decorate(&txn, q, &page).await?;
    txn.commit().await?;
    Ok(SearchResults {
        hits,
        next,
        estimated_total,
    })
}

/// Titles and snippets for a page of ranked passages, in its order.
async fn decorate(
    db: &impl ConnectionTrait,
    q: &str,
    page: &[Scored],
) -> Result<Vec<SearchHit>, DbErr> {
    if page.is_empty() {
        return Ok(Vec::new());
    }
    let mut values: Vec<Value> = vec![q.into()];
    let rows: Vec<String> = page
        .iter()
        .enumerate()
        .map(|(i, h)| {
            format!(
                "({}::uuid, {}::int4, {}::float8, {}::int4)",
                bind(&mut values, h.document_id),
                bind(&mut values, h.seq),
                bind(&mut values, h.score),
                bind(&mut values, i32::try_from(i).unwrap_or(i32::MAX)),
            )
        })
        .collect();
    let sql = format!(
        "WITH query AS (SELECT websearch_to_tsquery('english', $1) AS q) \
         SELECT page.document_id, d.title, page.seq, page.rank, 0::int8 AS total, {HEADLINE} \
         FROM (VALUES {}) page(document_id, seq, rank, i) \
         JOIN documents d ON d.id = page.document_id \
         JOIN passages p ON p.document_id = page.document_id AND p.seq = page.seq \
         CROSS JOIN query ORDER BY page.i",
        rows.join(", ")
    );
    let stmt = Statement::from_sql_and_values(DbBackend::Postgres, sql, values);
    let mut hits = SearchHit::find_by_statement(stmt).all(db).await?;
    for hit in &mut hits {
        hit.snippet = escape_snippet(&hit.snippet);
    }
    Ok(hits)
}

/// Every match scored, then the page cut: the searches [`ranking::bounded_search`] does
/// not serve.
async fn exhaustive(
    db: &impl ConnectionTrait,
    q: &str,
    terms: &[Weighted],
    filters: &Filters,
    collapse: bool,
    limit: u64,
    after: Option<&SearchCursor>,
) -> Result<SearchResults, DbErr> {
    let mut values: Vec<Value> = vec![q.into()];
    let (join, conditions) = if filters.is_empty() {
        (String::new(), String::new())
    } else {
        (
            " JOIN documents d ON d.id = p.document_id".to_owned(),
            filters.sql(&mut values),
        )
    };
    let score = ranking::score_sql(terms, &mut values);
    let matches = if collapse {
        format!(
            "SELECT DISTINCT ON (p.document_id) p.document_id, p.seq, {score} AS rank \
             FROM query, passages p{join} WHERE p.tsv @@ query.q{conditions} \
             ORDER BY p.document_id, rank DESC, p.seq"
        )
    } else {
        format!(
            "SELECT p.document_id, p.seq, {score} AS rank \
             FROM query, passages p{join} WHERE p.tsv @@ query.q{conditions}"
        )
    };
    let cursor = match after {
        None => String::new(),
        Some(c) => {
            let r = bind(&mut values, c.rank);
            let d = bind(&mut values, c.document_id);
            let s = bind(&mut values, c.seq);
            format!("WHERE m.rank < {r} OR (m.rank = {r} AND (m.document_id, m.seq) > ({d}, {s}))")
        }
    };
    let l = bind(&mut values, i64::try_from(limit + 1).unwrap_or(i64::MAX));
    let sql = format!(
        r#"
        WITH query AS (SELECT websearch_to_tsquery('english', $1) AS q),
        matches AS ({matches}),
        counted AS (SELECT m.*, count(*) OVER () AS total FROM matches m)
        SELECT page.document_id, d.title, page.seq, page.rank, page.total, {HEADLINE}
        FROM (
            SELECT * FROM counted m
            {cursor}
            ORDER BY m.rank DESC, m.document_id, m.seq
            LIMIT {l}
        ) page
        JOIN documents d ON d.id = page.document_id
        JOIN passages p ON p.document_id = page.document_id AND p.seq = page.seq
        CROSS JOIN query
        ORDER BY page.rank DESC, page.document_id, page.seq
        "#
    );
    let stmt = Statement::from_sql_and_values(DbBackend::Postgres, sql, values);
    let mut hits = SearchHit::find_by_statement(stmt).all(db).await?;
    let estimated_total = hits.first().map_or(0, |h| h.total);
    let next = cut_page(&mut hits, limit).map(|h| SearchCursor {
        rank: h.rank,
        document_id: h.document_id,
        seq: h.seq,
        fingerprint: None,
    });
    for hit in &mut hits {
        hit.snippet = escape_snippet(&hit.snippet);
    }
    Ok(SearchResults {
        hits,
        next,
        estimated_total,
    })
}

/// Queries fetch `limit + 1` rows: when the extra row came back there is a next page, so
/// drop it and return the last row kept (the cursor's position).
pub(crate) fn cut_page<T>(rows: &mut Vec<T>, limit: u64) -> Option<&T> {
    let limit = usize::try_from(limit).unwrap_or(usize::MAX);
    if rows.len() > limit {
        rows.truncate(limit);
        rows.last()
    } else {
        None
    }
}

fn escape_snippet(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len() + 32);
    for c in raw.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out.replace(MARK_START, "<mark>")
        .replace(MARK_END, "</mark>")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snippets_escape_html_but_keep_marks() {
        let raw = format!("a <b> & {MARK_START}word{MARK_END}");
        assert_eq!(escape_snippet(&raw), "a &lt;b&gt; &amp; <mark>word</mark>");
    }

    #[test]
    fn cursors_round_trip_and_reject_garbage() {
        let c = SearchCursor {
            rank: 0.1,
            document_id: Uuid::nil(),
            seq: 3,
            fingerprint: Some("abc".into()),
        };
        let s = corpus_platform::cursor::encode(&c);
        assert_eq!(corpus_platform::cursor::decode::<SearchCursor>(&s), Some(c));
        assert_eq!(
            corpus_platform::cursor::decode::<ListCursor>(&s),
            None,
            "a search cursor is no list cursor"
        );
    }

    #[test]
    fn prefix_upper_bounds_follow_code_point_order() {
        assert_eq!(prefix_upper_bound("s3://a").as_deref(), Some("s3://b"));
        assert_eq!(prefix_upper_bound("a\u{10FFFF}").as_deref(), Some("b"));
        assert_eq!(prefix_upper_bound("\u{D7FF}").as_deref(), Some("\u{E000}"));
        assert_eq!(prefix_upper_bound("\u{10FFFF}"), None);
        for (prefix, s) in [("ab", "abz"), ("a\u{10FFFF}", "a\u{10FFFF}\u{10FFFF}x")] {
            let upper = prefix_upper_bound(prefix).unwrap();
            assert!(s.starts_with(prefix) && s < upper.as_str() && s >= prefix);
        }
    }

    #[test]
    fn fingerprints_differ_by_filter_and_query() {
        let none = Filters::default();
        let ct = Filters {
            content_type: Some("text/plain".into()),
            ..Filters::default()
        };
        assert_ne!(none.fingerprint("q"), ct.fingerprint("q"));
        assert_ne!(none.fingerprint("q"), none.fingerprint("r"));
        assert_eq!(ct.fingerprint("q"), ct.clone().fingerprint("q"));
    }
}
