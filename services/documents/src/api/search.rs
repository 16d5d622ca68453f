use corpus_platform::cursor;
use poem_openapi::{Object, OpenApi, param::Query, payload::Json};
use uuid::Uuid;

use super::{ApiError, ApiTags, DEFAULT_LIMIT};
use crate::{
    AppState,
    store::{self, SearchCursor},
};

#[derive(Debug, Object)]
pub struct Hit {
    pub document_id: Uuid,
    pub title: String,
    /// The passage's position in its document.
    pub seq: i32,
    /// HTML-escaped excerpt; matches are wrapped in `<mark>`.
    pub snippet: String,
    pub rank: f32,
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct SearchPage {
    pub hits: Vec<Hit>,
    /// Pass as `cursor` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

pub struct SearchApi {
    pub state: AppState,
}

#[OpenApi(tag = "ApiTags::Search")]
impl SearchApi {
    /// Full-text search (websearch syntax: `"a phrase"`, `or`, `-word`), best first.
    #[oai(path = "/search", method = "get")]
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
        /// `next_cursor` of the previous page.
        #[oai(validator(max_length = 1024, pattern = r"^[A-Za-z0-9_-]*$"))]
        cursor: Query<Option<String>>,
    ) -> Result<Json<SearchPage>, ApiError> {
        let after = match cursor.0.as_deref() {
            None | Some("") => None,
            Some(raw) => Some(
                cursor::decode::<SearchCursor>(raw)
                    .ok_or_else(|| ApiError::unprocessable("cursor", "is not a search cursor"))?,
            ),
        };
        let limit = u64::from(limit.0.unwrap_or(DEFAULT_LIMIT));
        let (hits, next) = store::search(&self.state.read, &q.0, limit, after).await?;
        Ok(Json(SearchPage {
            hits: hits
                .into_iter()
                .map(|h| Hit {
                    document_id: h.document_id,
                    title: h.title,
                    seq: h.seq,
                    snippet: h.snippet,
                    rank: h.rank,
                })
                .collect(),
            next_cursor: next.map(|c| cursor::encode(&c)),
        }))
    }
}
