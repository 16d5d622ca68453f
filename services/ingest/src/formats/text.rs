//! `.txt`, `.md`, `.log`: one document per file (title: the first non-empty line).

use aws_sdk_s3::primitives::ByteStream;
use corpus_documents::store::{self, DocumentWriter, NewDocument, WriteOutcome};
use sea_orm::DatabaseTransaction;

use super::{Retryable, Source, decode::Utf8Stream, next_chunk, title_of, too_big};
use crate::job::{FileOutcome, OutcomeKind};

/// Was this duplicate written by this very job (a concurrent delivery of the same file)?
/// Then it counts as done with its document, not skipped.
pub(super) async fn written_by_job(
    db: &DatabaseTransaction,
    existing: uuid::Uuid,
    job_id: uuid::Uuid,
) -> Result<bool, Retryable> {
    Ok(store::get_document(db, existing)
        .await?
        .is_some_and(|d| d.job_id == Some(job_id)))
}

/// The file's outcome, and whether the transaction holds a new document to commit.
pub async fn ingest(
    txn: &DatabaseTransaction,
    src: &Source<'_>,
    content_type: &str,
    mut body: ByteStream,
) -> Result<(FileOutcome, bool), Retryable> {
    let mut decoder = Utf8Stream::default();
    let mut text = String::new();
    let mut writer: Option<DocumentWriter<'_, DatabaseTransaction>> = None;
    let mut bytes: u64 = 0;
    while let Some(chunk) = next_chunk(&mut body).await? {
        bytes += chunk.len() as u64;
        if bytes > src.max_bytes {
            return Ok((
                FileOutcome::failed(too_big(bytes, src.max_bytes), bytes),
                false,
            ));
        }
        text.clear();
        if let Err(reason) = decoder.feed(&chunk, &mut text) {
            return Ok((FileOutcome::failed(reason, bytes), false));
        }
        if writer.is_none() && !text.is_empty() {
            writer = Some(DocumentWriter::new(
                txn,
                NewDocument {
                    title: title_of(&text, src.key),
                    source: src.uri(),
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
        return Ok((FileOutcome::failed(reason, bytes), false));
    }
    let Some(writer) = writer else {
        return Ok((FileOutcome::failed("the file is empty", bytes), false));
    };
    let (kind, documents, commit) = match writer.finish().await? {
        WriteOutcome::Created(_) => (OutcomeKind::Done, 1, true),
        // A duplicate's passages must be rolled back (the deferred foreign key).
        WriteOutcome::Duplicate { existing_id } => {
            if written_by_job(txn, existing_id, src.job_id).await? {
                (OutcomeKind::Done, 1, false)
            } else {
                (OutcomeKind::Skipped, 0, false)
            }
        }
    };
    let outcome = FileOutcome {
        kind,
        documents,
        bytes,
        reason: None,
    };
    Ok((outcome, commit))
}
