use chrono::{DateTime, Utc};
use corpus_platform::cursor;
use poem_openapi::{Enum, Object, OpenApi, param::Query, payload::Json};
use uuid::Uuid;

use super::{ApiError, ApiTags, DEFAULT_LIMIT, filters};
use crate::{
    AppState,
    query::{self, SearchCursor},
};

#[derive(Debug, Object)]
pub struct Hit {
    pub document_id: Uuid,
    pub title: String,
    /// The passage's position in its document.
    pub seq: i32,
    /// HTML-escaped excerpt; matches are wrapped in `<mark>`.
    pub snippet: String,
    /// The passage's score, higher first: the sum over the query's terms of the term's
    /// rarity (BM25's idf) times its saturated frequency in the passage; a quoted two-word
    /// phrase is one term. Comparable within one search only.
    pub rank: f32,
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct SearchPage {
    pub hits: Vec<Hit>,
    /// Pass as `cursor` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
    /// An estimate of how many hits the whole search has (passages, or documents with
    /// `collapse=document`), for display ("about N results"). It is not a promise: it may
    /// be approximate for very common terms, and it is 0 on an empty page; page with
    /// `next_cursor`, never by this number.
    pub estimated_total: i64,
}

/// How hits are grouped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "lowercase")]
pub enum Collapse {
    /// Every matching passage is a hit (the default).
    None,
    /// Only the best passage of each document is a hit.
    Document,
}

pub struct SearchApi {
    pub state: AppState,
}

#[OpenApi(tag = "ApiTags::Search")]
impl SearchApi {
    /// Full-text search (websearch syntax: `"a phrase"`, `or`, `-word`), best first,
    /// optionally narrowed by the same filters as `GET /documents` (combined with AND).
    /// Searches in flight are bounded per task: beyond the bound a search waits briefly,
    /// then gets a 503 with `Retry-After`.
    #[oai(path = "/search", method = "get")]
    #[allow(clippy::too_many_arguments)]
    async fn search(
        &self,
        /// The query: at least one non-blank character, no NUL.
        #[oai(validator(
            min_length = 1,
            max_length = 1000,
            pattern = r"^[^\x00]*[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000][^\x00]*$"
        ))]
        q: Query<String>,
        /// Page size, 1 to 100 (default 20).
        #[oai(validator(minimum(value = "1"), maximum(value = "100")))]
        limit: Query<Option<u32>>,
        /// `next_cursor` of the previous page, with the same query, filters and `collapse`
        /// (a cursor issued for another search: 422).
        #[oai(validator(max_length = 1024, pattern = r"^[A-Za-z0-9_-]*$"))]
        cursor: Query<Option<String>>,
        /// `document`: only the best passage of each document (default `none`: every
        /// matching passage).
        collapse: Query<Option<Collapse>>,
        /// Only documents whose `source` starts with this (case-sensitive).
        #[oai(validator(min_length = 1, max_length = 1024, pattern = r"^[^\x00]+$"))]
        source_prefix: Query<Option<String>>,
        /// Only documents stored by this ingestion job.
        job_id: Query<Option<Uuid>>,
        /// Only documents of exactly this content type, e.g. `text/plain`.
        #[oai(validator(min_length = 1, max_length = 255, pattern = r"^[^\x00]+$"))]
        content_type: Query<Option<String>>,
        /// Only documents created at or after this instant (RFC 3339).
        created_from: Query<Option<DateTime<Utc>>>,
        /// Only documents created before this instant (RFC 3339); must be later than
        /// `created_from` (otherwise 422).
        created_to: Query<Option<DateTime<Utc>>>,
    ) -> Result<Json<SearchPage>, ApiError> {
        let filters = filters::filters(
            source_prefix.0,
            job_id.0,
            content_type.0,
            created_from.0,
            created_to.0,
        )?;
        let collapse = collapse.0 == Some(Collapse::Document);
        // "search2": the ranking of crate::ranking (cursors of the earlier ts_rank_cd
        // ranking carry other rank values, and are refused).
        let fingerprint = filters.fingerprint(&format!(
            "search2:{}:{}",
            if collapse { "document" } else { "none" },
            q.0
        ));
        let after = match cursor.0.as_deref() {
            None | Some("") => None,
            Some(raw) => {
                let c = cursor::decode::<SearchCursor>(raw)
                    .ok_or_else(|| ApiError::unprocessable("cursor", "is not a search cursor"))?;
                filters::check_fingerprint(c.fingerprint.as_deref(), &fingerprint)?;
                Some(c)
            }
        };
        let limit = u64::from(limit.0.unwrap_or(DEFAULT_LIMIT));
        // Held until the query is done (issue 11, item 2): see `crate::limit`.
        let _slot = self.state.search_slots.acquire().await?;
        let read = &self.state.read;
        let stats = &self.state.search_stats;
        let results = self
            .state
            .credentials
            .retry(|| query::search(read, stats, &q.0, &filters, collapse, limit, after.as_ref()))
            .await?;
        Ok(Json(SearchPage {
            hits: results
                .hits
                .into_iter()
                .map(|h| Hit {
                    document_id: h.document_id,
                    title: h.title,
                    seq: h.seq,
                    snippet: h.snippet,
                    rank: h.rank as f32,
                })
                .collect(),
            next_cursor: results.next.map(|mut c| {
                c.fingerprint = Some(fingerprint);
                cursor::encode(&c)
            }),
            estimated_total: results.estimated_total,
        }))
    }
}
