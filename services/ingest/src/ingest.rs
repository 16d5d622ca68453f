//! Turning one S3 object into documents.
//!
//! `.txt`, `.md`, `.log`: one document (title: the first non-empty line). `.jsonl`,
//! `.ndjson`: one document per line `{"title", "text"}` (source `s3://bucket/key#L<n>`).
//! The object is streamed: memory stays bounded by one chunk, one batch of passages and,
//! for NDJSON, one line (at most [`MAX_LINE_BYTES`]), whatever the file's size. All
//! documents of a file are written in one transaction, committed before the file's
//! outcome is recorded.
//!
//! Malformed NDJSON lines are reported with their line numbers and the file counts as
//! failed, but its valid lines are kept: one bad record does not throw away the rest.

use aws_sdk_s3::primitives::ByteStream;
use corpus_documents::store::{self, DocumentWriter, NewDocument, WriteOutcome};
use sea_orm::{DatabaseConnection, DatabaseTransaction, TransactionTrait};
use uuid::Uuid;

use crate::{
    decode::Utf8Stream,
    jobs::{FileOutcome, OutcomeKind},
};

/// Longest NDJSON line accepted.
pub const MAX_LINE_BYTES: usize = 16 * 1024 * 1024;
/// Most malformed lines named in a file's reason.
const MAX_LINE_ERRORS_LISTED: usize = 10;
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

pub fn failed(reason: impl Into<String>, bytes: u64) -> FileOutcome {
    FileOutcome {
        kind: OutcomeKind::Failed,
        documents: 0,
        bytes,
        reason: Some(reason.into()),
    }
}

/// Where a file's bytes come from and where its documents go.
pub struct Source<'a> {
    pub bucket: &'a str,
    pub key: &'a str,
    pub job_id: Uuid,
    pub max_bytes: u64,
}

/// A failure that is not the file's fault (database or S3 unreachable): the message is
/// left on the queue and retried.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct Transient(pub String);

impl From<sea_orm::DbErr> for Transient {
    fn from(e: sea_orm::DbErr) -> Self {
        Self(format!("database: {e}"))
    }
}

async fn next_chunk(body: &mut ByteStream) -> Result<Option<bytes::Bytes>, Transient> {
    body.try_next()
        .await
        .map_err(|e| Transient(format!("reading the object: {}", crate::aws::chain(&e))))
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

/// Was this duplicate written by this very job (a redelivery after a crash that followed
/// the commit)? Then it counts as done, not skipped.
async fn written_by_job(
    db: &DatabaseTransaction,
    existing: Uuid,
    job_id: Uuid,
) -> Result<bool, Transient> {
    Ok(store::get_document(db, existing)
        .await?
        .is_some_and(|d| d.job_id == Some(job_id)))
}

pub async fn ingest(
    db: &DatabaseConnection,
    src: &Source<'_>,
    kind: FileKind,
    body: ByteStream,
) -> Result<FileOutcome, Transient> {
    let txn = db.begin().await?;
    let outcome = match kind {
        FileKind::Text(content_type) => ingest_text(&txn, src, content_type, body).await?,
        FileKind::Ndjson => ingest_ndjson(&txn, src, body).await?,
    };
    if outcome.documents > 0 {
        txn.commit().await?;
    } else {
        txn.rollback().await?;
    }
    Ok(outcome)
}

async fn ingest_text(
    txn: &DatabaseTransaction,
    src: &Source<'_>,
    content_type: &str,
    mut body: ByteStream,
) -> Result<FileOutcome, Transient> {
    let mut decoder = Utf8Stream::default();
    let mut text = String::new();
    let mut writer: Option<DocumentWriter<'_, DatabaseTransaction>> = None;
    let mut bytes: u64 = 0;
    while let Some(chunk) = next_chunk(&mut body).await? {
        bytes += chunk.len() as u64;
        if bytes > src.max_bytes {
            return Ok(failed(too_big(bytes, src.max_bytes), bytes));
        }
        text.clear();
        if let Err(reason) = decoder.feed(&chunk, &mut text) {
            return Ok(failed(reason, bytes));
        }
        if writer.is_none() && !text.is_empty() {
            writer = Some(DocumentWriter::new(
                txn,
                NewDocument {
                    title: title_of(&text, src.key),
                    source: format!("s3://{}/{}", src.bucket, src.key),
                    content_type: content_type.to_owned(),
                    job_id: Some(src.job_id),
                },
            ));
        }
        if let Some(w) = writer.as_mut() {
            w.push(&text).await?;
        }
    }
    if let Err(reason) = decoder.finish() {
        return Ok(failed(reason, bytes));
    }
    let Some(writer) = writer else {
        return Ok(failed("the file is empty", bytes));
    };
    Ok(match writer.finish().await? {
        WriteOutcome::Created(_) => FileOutcome {
            kind: OutcomeKind::Done,
            documents: 1,
            bytes,
            reason: None,
        },
        WriteOutcome::Duplicate { existing_id } => {
            if written_by_job(txn, existing_id, src.job_id).await? {
                // Already committed by this job: nothing new to write, but it is done.
                FileOutcome {
                    kind: OutcomeKind::Done,
                    documents: 0,
                    bytes,
                    reason: None,
                }
            } else {
                FileOutcome {
                    kind: OutcomeKind::Skipped,
                    documents: 0,
                    bytes,
                    reason: None,
                }
            }
        }
    })
}

fn too_big(bytes: u64, max: u64) -> String {
    format!("the file is larger than INGEST_MAX_FILE_BYTES ({bytes}+ bytes > {max})")
}

#[derive(serde::Deserialize)]
struct Line {
    title: Option<String>,
    text: String,
}

#[derive(Default)]
struct NdjsonTally {
    created: u64,
    skipped: u64,
    recovered: u64,
    errors: Vec<String>,
    error_count: usize,
}

async fn ingest_ndjson(
    txn: &DatabaseTransaction,
    src: &Source<'_>,
    mut body: ByteStream,
) -> Result<FileOutcome, Transient> {
    let mut decoder = Utf8Stream::default();
    let mut buf = String::new();
    let mut line_no: u64 = 0;
    let mut bytes: u64 = 0;
    let mut tally = NdjsonTally::default();
    while let Some(chunk) = next_chunk(&mut body).await? {
        bytes += chunk.len() as u64;
        if bytes > src.max_bytes {
            return Ok(failed(too_big(bytes, src.max_bytes), bytes));
        }
        if let Err(reason) = decoder.feed(&chunk, &mut buf) {
            return Ok(failed(reason, bytes));
        }
        let mut consumed = 0;
        while let Some(nl) = buf[consumed..].find('\n') {
            line_no += 1;
            let line = &buf[consumed..consumed + nl];
            store_line(txn, src, line_no, line, &mut tally).await?;
            consumed += nl + 1;
        }
        buf.drain(..consumed);
        if buf.len() > MAX_LINE_BYTES {
            return Ok(failed(
                format!(
                    "line {} is longer than {} bytes",
                    line_no + 1,
                    MAX_LINE_BYTES
                ),
                bytes,
            ));
        }
    }
    if let Err(reason) = decoder.finish() {
        return Ok(failed(reason, bytes));
    }
    if !buf.is_empty() {
        line_no += 1;
        store_line(txn, src, line_no, &buf, &mut tally).await?;
    }
    let documents = tally.created;
    if tally.error_count > 0 {
        let mut reason = format!(
            "{} malformed line(s); the {} valid line(s) were kept: {}",
            tally.error_count,
            documents + tally.skipped + tally.recovered,
            tally.errors.join("; ")
        );
        if tally.error_count > tally.errors.len() {
            reason.push_str("; ...");
        }
        return Ok(FileOutcome {
            kind: OutcomeKind::Failed,
            documents,
            bytes,
            reason: Some(reason),
        });
    }
    if documents + tally.recovered == 0 && tally.skipped == 0 {
        return Ok(failed("the file holds no records", bytes));
    }
    let kind = if documents + tally.recovered == 0 {
        OutcomeKind::Skipped
    } else {
        OutcomeKind::Done
    };
    Ok(FileOutcome {
        kind,
        documents,
        bytes,
        reason: None,
    })
}

async fn store_line(
    txn: &DatabaseTransaction,
    src: &Source<'_>,
    line_no: u64,
    raw: &str,
    tally: &mut NdjsonTally,
) -> Result<(), Transient> {
    let raw = raw.trim_end_matches('\r');
    if raw.trim().is_empty() {
        return Ok(());
    }
    let mut bad = |reason: String| {
        tally.error_count += 1;
        if tally.errors.len() < MAX_LINE_ERRORS_LISTED {
            tally.errors.push(format!("line {line_no}: {reason}"));
        }
    };
    let line: Line = match serde_json::from_str(raw) {
        Ok(l) => l,
        Err(e) => {
            bad(format!("not a JSON object with a string \"text\": {e}"));
            return Ok(());
        }
    };
    if line.text.is_empty() {
        bad("\"text\" is empty".into());
        return Ok(());
    }
    if line.text.contains('\0') {
        bad("\"text\" contains a NUL character".into());
        return Ok(());
    }
    let title = line
        .title
        .filter(|t| !t.trim().is_empty())
        .map(|t| t.trim().chars().take(TITLE_MAX_CHARS).collect())
        .unwrap_or_else(|| title_of(&line.text, src.key));
    // A savepoint per record: a duplicate record is undone alone.
    let savepoint = txn.begin().await?;
    let mut writer = DocumentWriter::new(
        &savepoint,
        NewDocument {
            title,
            source: format!("s3://{}/{}#L{line_no}", src.bucket, src.key),
            content_type: "text/plain".to_owned(),
            job_id: Some(src.job_id),
        },
    );
    writer.push(&line.text).await?;
    match writer.finish().await? {
        WriteOutcome::Created(_) => {
            savepoint.commit().await?;
            tally.created += 1;
        }
        WriteOutcome::Duplicate { existing_id } => {
            savepoint.rollback().await?;
            if written_by_job(txn, existing_id, src.job_id).await? {
                tally.recovered += 1;
            } else {
                tally.skipped += 1;
            }
        }
    }
    Ok(())
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
