//! Turning one S3 object into documents, one module per file format: [`text`] (`.txt`,
//! `.md`, `.log`: one document) and [`ndjson`] (`.jsonl`, `.ndjson`: one per line).
//!
//! The object is streamed: memory stays bounded by one chunk, one batch of passages and,
//! for NDJSON, one line, whatever the file's size. All documents of a file are written in
//! one transaction, committed before the file's outcome is recorded; so after a crash
//! between the two, a redelivery finds the file's documents committed and counts them
//! without writing anything again.

mod decode;
pub mod ndjson;
pub mod text;

use aws_sdk_s3::primitives::ByteStream;
use corpus_documents::Credentials;
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, DbErr, Statement, TransactionTrait};
use uuid::Uuid;

use crate::job::{FileOutcome, OutcomeKind};

pub use ndjson::MAX_LINE_BYTES;

const TITLE_MAX_CHARS: usize = 200;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    Text(&'static str),
    Ndjson,
}

pub const SUPPORTED: &str = ".txt, .md, .log, .jsonl, .ndjson";

pub fn kind_of(key: &str) -> Result<FileKind, String> {
    let name = key.rsplit('/').next().unwrap_or(key);
    let ext = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
    match ext.as_deref() {
        Some("txt" | "log") => Ok(FileKind::Text("text/plain")),
        Some("md") => Ok(FileKind::Text("text/markdown")),
        Some("jsonl" | "ndjson") => Ok(FileKind::Ndjson),
        Some(other) => Err(format!(
            "unsupported file type .{other}; supported: {SUPPORTED}"
        )),
        None => Err(format!("file has no extension; supported: {SUPPORTED}")),
    }
}

/// Where a file's bytes come from and where its documents go.
pub struct Source<'a> {
    pub bucket: &'a str,
    pub key: &'a str,
    pub job_id: Uuid,
    pub max_bytes: u64,
}

impl Source<'_> {
    /// The `source` of the file's document (NDJSON lines append `#L<n>`).
    pub fn uri(&self) -> String {
        format!("s3://{}/{}", self.bucket, self.key)
    }
}

/// A failure that is not the file's fault: the message is left on the queue and retried.
#[derive(Debug, thiserror::Error)]
pub enum Retryable {
    #[error("database: {0}")]
    Database(#[from] sea_orm::DbErr),
    #[error("reading the object: {0}")]
    Read(String),
}

async fn next_chunk(body: &mut ByteStream) -> Result<Option<bytes::Bytes>, Retryable> {
    body.try_next()
        .await
        .map_err(|e| Retryable::Read(crate::aws::chain(&e)))
}

fn title_of(first_text: &str, key: &str) -> String {
    let line = first_text
        .lines()
        .map(|l| l.trim().trim_start_matches('#').trim())
        .find(|l| !l.is_empty());
    let fallback = key.rsplit('/').next().unwrap_or(key);
    let title = line.unwrap_or(fallback);
    title.chars().take(TITLE_MAX_CHARS).collect()
}

fn too_big(bytes: u64, max: u64) -> String {
    format!("the file is larger than INGEST_MAX_FILE_BYTES ({bytes}+ bytes > {max})")
}

/// How many documents of this job already came from this file (committed by an earlier
/// delivery that died before recording the outcome). Uses the `job_id` index.
async fn committed_documents(db: &DatabaseConnection, src: &Source<'_>) -> Result<u64, DbErr> {
    let uri = src.uri();
    let row = db
        .query_one_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT count(*) AS n FROM documents WHERE job_id = $1 AND (source = $2 OR starts_with(source, $3))",
            [src.job_id.into(), uri.clone().into(), format!("{uri}#L").into()],
        ))
        .await?;
    let n: i64 = match row {
        Some(r) => r.try_get("", "n")?,
        None => 0,
    };
    Ok(u64::try_from(n).unwrap_or(0))
}

/// The database a file is written to: the pool, and the login it uses.
#[derive(Clone, Copy)]
pub struct Database<'a> {
    pub pool: &'a DatabaseConnection,
    pub login: &'a Credentials,
}

/// Ingests one object; `size` is its length as S3 reported it. Only a `redelivered`
/// message can find the file's documents committed already (a first delivery racing a
/// duplicate is caught by the write's conflict instead), so only then is it looked up.
/// A connection refused authentication is retried with re-read credentials (before
/// anything is read from `body` or written).
pub async fn ingest(
    db: Database<'_>,
    src: &Source<'_>,
    kind: FileKind,
    size: u64,
    body: ByteStream,
    redelivered: bool,
) -> Result<FileOutcome, Retryable> {
    let committed = if redelivered {
        db.login.retry(|| committed_documents(db.pool, src)).await?
    } else {
        0
    };
    if committed > 0 {
        tracing::info!(
            documents = committed,
            "the file's documents were committed by an earlier delivery; counting them"
        );
        return Ok(match kind {
            FileKind::Text(_) => FileOutcome {
                kind: OutcomeKind::Done,
                documents: committed,
                bytes: size,
                reason: None,
            },
            // Read again (never written) only to report its malformed lines again.
            FileKind::Ndjson => ndjson::recount(src, body, committed).await?,
        });
    }
    let txn = db.login.retry(|| db.pool.begin()).await?;
    let (outcome, commit) = match kind {
        FileKind::Text(content_type) => text::ingest(&txn, src, content_type, body).await?,
        FileKind::Ndjson => ndjson::ingest(&txn, src, body).await?,
    };
    if commit {
        txn.commit().await?;
        crate::failpoint::hit("after-commit");
    } else {
        txn.rollback().await?;
    }
    Ok(outcome)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_by_extension() {
        assert_eq!(kind_of("a/b.TXT"), Ok(FileKind::Text("text/plain")));
        assert_eq!(kind_of("notes.md"), Ok(FileKind::Text("text/markdown")));
        assert_eq!(kind_of("x.ndjson"), Ok(FileKind::Ndjson));
        assert!(kind_of("x.pdf").unwrap_err().contains(".pdf"));
        assert!(
            kind_of("dir.d/README")
                .unwrap_err()
                .contains("no extension")
        );
    }

    #[test]
    fn titles() {
        assert_eq!(
            title_of("\n\n# Heading here\nbody", "k/f.md"),
            "Heading here"
        );
        assert_eq!(title_of("   \n", "k/f.txt"), "f.txt");
        assert_eq!(title_of(&"x".repeat(500), "f").chars().count(), 200);
    }
}
