//! Full-text search: the page of a query, by the bounded search of [`crate::ranking`] where
//! it applies and by scoring every match where it does not.

use sea_orm::{
    AccessMode, ConnectionTrait, DbBackend, DbErr, FromQueryResult, IsolationLevel, Statement,
    TransactionSession, TransactionTrait, Value,
};
use uuid::Uuid;

use super::{Filters, SearchCursor, bind, cut_page};
use crate::ranking::{self, Scored, StatsCache, Weighted};

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
    let mut terms = ranking::weigh(&stats, &analysis);
    if let Some(c) = after {
        c.reweigh(&mut terms);
    }
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
    let next =
        cut_page(&mut page, limit).map(|h| SearchCursor::at(h.score, h.document_id, h.seq, &terms));
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
    let cursor = ranking::after_sql(after, "m.rank", "m", &mut values)
        .map_or_else(String::new, |c| format!("WHERE {c}"));
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
    let next =
        cut_page(&mut hits, limit).map(|h| SearchCursor::at(h.rank, h.document_id, h.seq, terms));
    for hit in &mut hits {
        hit.snippet = escape_snippet(&hit.snippet);
    }
    Ok(SearchResults {
        hits,
        next,
        estimated_total,
    })
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
}
