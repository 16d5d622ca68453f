//! `.jsonl`, `.ndjson`: one document per line `{"title"?, "text"}` (source
//! `s3://bucket/key#L<n>`).
//!
//! Malformed lines are reported with their line numbers and the file counts as failed,
//! but its valid lines are kept: one bad record does not throw away the rest. Lines this
//! job had already stored (a concurrent delivery) count as its documents.

use aws_sdk_s3::primitives::ByteStream;
use corpus_documents::store::{self, NewDocument, WriteOutcome};
use sea_orm::DatabaseTransaction;

use super::{
    Retryable, Source, TITLE_MAX_CHARS, decode::Utf8Stream, next_chunk, text::written_by_job,
    title_of, too_big,
};
use crate::job::{FileOutcome, OutcomeKind};

/// Longest NDJSON line accepted.
pub const MAX_LINE_BYTES: usize = 16 * 1024 * 1024;
/// Most malformed lines named in a file's reason.
const MAX_LINE_ERRORS_LISTED: usize = 10;

#[derive(serde::Deserialize)]
struct Line {
    title: Option<String>,
    text: String,
}

#[derive(Default)]
struct Tally {
    /// New documents written by this delivery.
    created: u64,
    /// Lines this job had already stored.
    recovered: u64,
    /// Lines stored before by someone else (same source and text).
    skipped: u64,
    errors: Vec<String>,
    error_count: usize,
}

impl Tally {
    fn bad(&mut self, line_no: u64, reason: String) {
        self.error_count += 1;
        if self.errors.len() < MAX_LINE_ERRORS_LISTED {
            self.errors.push(format!("line {line_no}: {reason}"));
        }
    }

    fn outcome(&self, documents: u64, bytes: u64) -> FileOutcome {
        if self.error_count > 0 {
            let mut reason = format!(
                "{} malformed line(s); the {} valid line(s) were kept: {}",
                self.error_count,
                documents + self.skipped,
                self.errors.join("; ")
            );
            if self.error_count > self.errors.len() {
                reason.push_str("; ...");
            }
            return FileOutcome {
                kind: OutcomeKind::Failed,
                documents,
                bytes,
                reason: Some(reason),
            };
        }
        if documents == 0 && self.skipped == 0 {
            return FileOutcome::failed("the file holds no records", bytes);
        }
        FileOutcome {
            kind: if documents == 0 {
                OutcomeKind::Skipped
            } else {
                OutcomeKind::Done
            },
            documents,
            bytes,
            reason: None,
        }
    }
}

/// A valid line's title and text, `None` for a blank line, or why it is malformed.
fn parse(raw: &str, key: &str) -> Result<Option<(String, String)>, String> {
    let raw = raw.trim_end_matches('\r');
    if raw.trim().is_empty() {
        return Ok(None);
    }
    let line: Line = serde_json::from_str(raw)
        .map_err(|e| format!("not a JSON object with a string \"text\": {e}"))?;
    if line.text.is_empty() {
        return Err("\"text\" is empty".into());
    }
    if line.text.contains('\0') {
        return Err("\"text\" contains a NUL character".into());
    }
    let title = line
        .title
        .filter(|t| !t.trim().is_empty())
        .map(|t| t.trim().chars().take(TITLE_MAX_CHARS).collect())
        .unwrap_or_else(|| title_of(&line.text, key));
    Ok(Some((title, line.text)))
}

/// The object's lines, one at a time; memory holds one chunk and one line.
struct Lines<'a> {
    src: &'a Source<'a>,
    body: ByteStream,
    decoder: Utf8Stream,
    buf: String,
    consumed: usize,
    line_no: u64,
    bytes: u64,
    done: bool,
}

/// What [`Lines::next`] found.
enum Read {
    Line(u64, String),
    /// The end: the object's size.
    End(u64),
    /// The file itself is unusable (too big, not UTF-8, a line over the limit).
    Unusable(FileOutcome),
}

impl<'a> Lines<'a> {
    fn new(src: &'a Source<'a>, body: ByteStream) -> Self {
        Self {
            src,
            body,
            decoder: Utf8Stream::default(),
            buf: String::new(),
            consumed: 0,
            line_no: 0,
            bytes: 0,
            done: false,
        }
    }

    async fn next(&mut self) -> Result<Read, Retryable> {
        loop {
            if let Some(nl) = self.buf[self.consumed..].find('\n') {
                self.line_no += 1;
                let line = self.buf[self.consumed..self.consumed + nl].to_owned();
                self.consumed += nl + 1;
                return Ok(Read::Line(self.line_no, line));
            }
            if self.done {
                if self.consumed < self.buf.len() {
                    self.line_no += 1;
                    let line = self.buf[self.consumed..].to_owned();
                    self.consumed = self.buf.len();
                    return Ok(Read::Line(self.line_no, line));
                }
                return Ok(Read::End(self.bytes));
            }
            self.buf.drain(..self.consumed);
            self.consumed = 0;
            if self.buf.len() > MAX_LINE_BYTES {
                return Ok(Read::Unusable(FileOutcome::failed(
                    format!(
                        "line {} is longer than {MAX_LINE_BYTES} bytes",
                        self.line_no + 1
                    ),
                    self.bytes,
                )));
            }
            let Some(chunk) = next_chunk(&mut self.body).await? else {
                if let Err(reason) = std::mem::take(&mut self.decoder).finish() {
                    return Ok(Read::Unusable(FileOutcome::failed(reason, self.bytes)));
                }
                self.done = true;
                continue;
            };
            self.bytes += chunk.len() as u64;
            if self.bytes > self.src.max_bytes {
                return Ok(Read::Unusable(FileOutcome::failed(
                    too_big(self.bytes, self.src.max_bytes),
                    self.bytes,
                )));
            }
            if let Err(reason) = self.decoder.feed(&chunk, &mut self.buf) {
                return Ok(Read::Unusable(FileOutcome::failed(reason, self.bytes)));
            }
        }
    }
}

/// Stores each valid line; the outcome, and whether there is anything to commit.
pub async fn ingest(
    txn: &DatabaseTransaction,
    src: &Source<'_>,
    body: ByteStream,
) -> Result<(FileOutcome, bool), Retryable> {
    let mut tally = Tally::default();
    let mut lines = Lines::new(src, body);
    let bytes = loop {
        let (line_no, raw) = match lines.next().await? {
            Read::Line(n, raw) => (n, raw),
            Read::End(bytes) => break bytes,
            Read::Unusable(outcome) => return Ok((outcome, false)),
        };
        let (title, text) = match parse(&raw, src.key) {
            Ok(Some(line)) => line,
            Ok(None) => continue,
            Err(reason) => {
                tally.bad(line_no, reason);
                continue;
            }
        };
        // Row first, then its passages: a duplicate record writes nothing, so no
        // savepoint is needed to undo it.
        let written = store::write_whole(
            txn,
            NewDocument {
                title,
                source: format!("{}#L{line_no}", src.uri()),
                content_type: "text/plain".to_owned(),
                job_id: Some(src.job_id),
            },
            &text,
        )
        .await?;
        match written {
            WriteOutcome::Created(_) => tally.created += 1,
            WriteOutcome::Duplicate { existing_id } => {
                if written_by_job(txn, existing_id, src.job_id).await? {
                    tally.recovered += 1;
                } else {
                    tally.skipped += 1;
                }
            }
        }
    };
    let outcome = tally.outcome(tally.created + tally.recovered, bytes);
    Ok((outcome, tally.created > 0))
}

/// The outcome of a file whose `committed` documents are already stored, read again
/// without writing (its malformed lines are reported again).
pub async fn recount(
    src: &Source<'_>,
    body: ByteStream,
    committed: u64,
) -> Result<FileOutcome, Retryable> {
    let mut tally = Tally::default();
    let mut lines = Lines::new(src, body);
    loop {
        match lines.next().await? {
            Read::Line(line_no, raw) => {
                if let Err(reason) = parse(&raw, src.key) {
                    tally.bad(line_no, reason);
                }
            }
            Read::End(bytes) => return Ok(tally.outcome(committed, bytes)),
            Read::Unusable(outcome) => return Ok(outcome),
        }
    }
}
