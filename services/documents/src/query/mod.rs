//! The read side: the document list and full-text search ([`search`]), both narrowed by
//! the same [`Filters`] and paged with keyset cursors. Functions take a connection so the
//! API can point them at the read replica.

mod search;
mod search_cursor;

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DbBackend, DbErr, FromQueryResult, Statement, Value};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

pub use self::{
    search::{SearchHit, SearchResults, search},
    search_cursor::SearchCursor,
};
use crate::entities::document;

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

#[cfg(test)]
mod tests {
    use super::*;

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
