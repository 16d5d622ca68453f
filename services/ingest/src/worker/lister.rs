//! Listing a job's prefix, handed over by `POST /jobs` so that a job over many objects
//! never depends on one HTTP request surviving. Page by page (`INGEST_LIST_PAGE_SIZE`,
//! 1000 keys): add the pending
//! file items (never resetting one already recorded), queue one message per file, then
//! advance the job's listing position and total in one conditional write. A delivery that
//! dies anywhere resumes at the last position: items and messages are idempotent (a
//! duplicate file message finds its file recorded), the advance happens once per page.

use uuid::Uuid;

use super::{WorkError, Worker};
use crate::{aws::chain, failpoint, job::Job};

impl Worker {
    pub(super) async fn list(&self, id: Uuid) -> Result<(), WorkError> {
        let Some(job) = self.store.get_meta(id).await? else {
            tracing::warn!("list message for an unknown job; dropped");
            return Ok(());
        };
        if job.status.is_final() {
            return Ok(());
        }
        let Some(mut position) = self.store.listing_position(id).await? else {
            // Listed already (a redelivery after the last page): maybe finish.
            return self.finish(id).await;
        };
        let max = self.config.common.max_job_files as u64;
        let mut total = job.files_total;
        loop {
            let page = self
                .clients
                .s3
                .list_objects_v2()
                .bucket(&job.bucket)
                .prefix(&job.prefix)
                .max_keys(self.config.list_page_size)
                .set_continuation_token(position.clone())
                .send()
                .await;
            let page = match page {
                Ok(p) => p,
                Err(err)
                    if err
                        .as_service_error()
                        .is_some_and(|e| e.is_no_such_bucket()) =>
                {
                    return self
                        .fail_listing(
                            &job,
                            position.as_deref(),
                            format!("bucket {} does not exist", job.bucket),
                        )
                        .await;
                }
                Err(err) => {
                    return Err(WorkError::S3(format!(
                        "listing s3://{}/{}: {}",
                        job.bucket,
                        job.prefix,
                        chain(&err)
                    )));
                }
            };
            let keys: Vec<String> = page
                .contents()
                .iter()
                .filter_map(|o| o.key())
                .filter(|k| !k.ends_with('/')) // folder placeholders
                .map(str::to_owned)
                .collect();
            if total + keys.len() as u64 > max {
                return self
                    .fail_listing(
                        &job,
                        position.as_deref(),
                        format!(
                            "the prefix matches more than {max} objects (INGEST_MAX_JOB_FILES); nothing past the first {total} was ingested: split the job into narrower prefixes"
                        ),
                    )
                    .await;
            }
            let next = page
                .next_continuation_token()
                .filter(|_| page.is_truncated() == Some(true))
                .map(str::to_owned);
            self.store.put_files(id, &keys, job.created_at).await?;
            self.queue
                .send_files(id, &job.bucket, &keys, &job.request_id)
                .await?;
            failpoint::hit("after-list-page");
            let added = keys.len() as u64;
            if !self
                .store
                .advance_listing(id, position.as_deref(), next.as_deref(), added)
                .await?
            {
                tracing::info!("another delivery advanced this listing; leaving it to it");
                return Ok(());
            }
            total += added;
            tracing::info!(
                files = added,
                total,
                more = next.is_some(),
                "listing page queued"
            );
            match next {
                Some(token) => position = Some(token),
                None => break,
            }
        }
        self.finish(id).await
    }

    /// Ends a listing that cannot go on: one failed entry (named after the prefix) carries
    /// the reason, and the job finishes with what was queued before.
    async fn fail_listing(
        &self,
        job: &Job,
        position: Option<&str>,
        reason: String,
    ) -> Result<(), WorkError> {
        tracing::error!(reason = %reason, "listing failed");
        self.store
            .end_listing_failed(job, position, &reason)
            .await?;
        self.finish(job.id).await
    }
}
