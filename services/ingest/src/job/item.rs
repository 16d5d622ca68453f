//! The jobs table's item layout: keys, attribute helpers and decoding a job item.
//!
//! META item (`pk = JOB#<id>`, `sk = META`): status, counters, callback state, timestamps,
//! `ttl`, `gsi1pk = JOB`/`gsi1sk = <created_at>#<id>` (index `by_created`, newest first)
//! and, while the job is open or its callback pending, `gsi2pk = OPEN`/`gsi2sk =
//! <due>#<id>` (sparse index `by_open`: what the reconciler must look at, by due time).
//! FILE items (`sk = FILE#<key>`): `pending`, `done`, `skipped` or `failed` with the reason;
//! they carry the job's `ttl` and expire with it.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::{CallbackState, CallbackStatus, Job, JobStatus, StoreError};

/// How long a job and its files are kept after creation (DynamoDB TTL).
pub const JOB_TTL_DAYS: i64 = 30;

pub type Item = HashMap<String, AttributeValue>;

pub fn s(v: impl Into<String>) -> AttributeValue {
    AttributeValue::S(v.into())
}

pub fn n(v: u64) -> AttributeValue {
    AttributeValue::N(v.to_string())
}

pub fn job_pk(id: Uuid) -> String {
    format!("JOB#{id}")
}

/// A file's sort key: `FILE#<key>`, or `FILE#~sha256:<hex>` for a key too long for a
/// DynamoDB sort key (1024 bytes; S3 keys may reach that alone). The item's `key`
/// attribute always holds the whole key.
pub fn file_sk(key: &str) -> String {
    const MAX_SORT_KEY_BYTES: usize = 1024;
    let sk = format!("FILE#{key}");
    if sk.len() <= MAX_SORT_KEY_BYTES {
        return sk;
    }
    use sha2::Digest;
    format!(
        "FILE#~sha256:{}",
        hex::encode(sha2::Sha256::digest(key.as_bytes()))
    )
}

/// Sort key of the open-jobs index: due time first, so a range query finds what is due.
pub fn open_sk(due: DateTime<Utc>, id: Uuid) -> String {
    format!("{}#{id}", super::rfc3339(due))
}

pub fn ttl_for(created: DateTime<Utc>) -> AttributeValue {
    n(u64::try_from((created + chrono::Duration::days(JOB_TTL_DAYS)).timestamp()).unwrap_or(0))
}

pub fn get_s(item: &Item, name: &str) -> Option<String> {
    item.get(name).and_then(|v| v.as_s().ok()).cloned()
}

pub fn get_n(item: &Item, name: &str) -> u64 {
    item.get(name)
        .and_then(|v| v.as_n().ok())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

fn parse_time(raw: Option<String>) -> Option<DateTime<Utc>> {
    raw.and_then(|t| DateTime::parse_from_rfc3339(&t).ok())
        .map(|t| t.with_timezone(&Utc))
}

pub fn job_from_item(item: &Item) -> Result<Job, StoreError> {
    let id = get_s(item, "id")
        .and_then(|v| Uuid::parse_str(&v).ok())
        .ok_or_else(|| StoreError::Malformed("missing id".into()))?;
    let status = get_s(item, "status")
        .and_then(|v| JobStatus::parse(&v))
        .ok_or_else(|| StoreError::Malformed(format!("job {id}: bad status")))?;
    let callback = get_s(item, "callback_url").map(|url| CallbackState {
        url,
        status: CallbackStatus::parse(&get_s(item, "callback_status").unwrap_or_default()),
        attempts: u32::try_from(get_n(item, "callback_attempts")).unwrap_or(u32::MAX),
        last_error: get_s(item, "callback_error"),
    });
    let created_at = parse_time(get_s(item, "created_at"))
        .ok_or_else(|| StoreError::Malformed(format!("job {id}: bad created_at")))?;
    Ok(Job {
        id,
        status,
        bucket: get_s(item, "bucket").unwrap_or_default(),
        prefix: get_s(item, "prefix").unwrap_or_default(),
        files_total: get_n(item, "files_total"),
        files_done: get_n(item, "files_done"),
        files_failed: get_n(item, "files_failed"),
        files_skipped: get_n(item, "files_skipped"),
        documents: get_n(item, "documents"),
        bytes: get_n(item, "bytes"),
        errors: Vec::new(),
        callback,
        created_at,
        finished_at: parse_time(get_s(item, "finished_at")),
        // Items written before deadlines existed get one day from creation.
        deadline: parse_time(get_s(item, "deadline"))
            .unwrap_or(created_at + chrono::Duration::days(1)),
        // Items written before the worker listed prefixes were listed at creation.
        listed: item
            .get("listed")
            .and_then(|v| v.as_bool().ok())
            .copied()
            .unwrap_or(true),
        request_id: get_s(item, "request_id").unwrap_or_default(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_keys_get_a_digest_sort_key() {
        assert_eq!(file_sk("a/b.txt"), "FILE#a/b.txt");
        let long = "é".repeat(512);
        let sk = file_sk(&long);
        assert!(sk.len() <= 1024 && sk.starts_with("FILE#~sha256:"), "{sk}");
        assert_ne!(sk, file_sk(&"é".repeat(511)));
    }
}
