//! `ingest reconcile`: run on a schedule (EventBridge Scheduler, as an ECS task), it
//! walks the open-jobs index for what is due and makes sure every job ends:
//!
//! - a job past its deadline (a lost message, a listing that died, an upload ticket never
//!   used) has its pending files recorded as failed with the reason, and is finished;
//! - a final job whose callback the outbox has not settled in time gets a new callback
//!   message (delivery is at least once; receivers deduplicate on the job id).
//!
//! Idempotent: every step is a conditional write, so two runs at once, or a run killed
//! half-way, leave nothing counted twice.

use chrono::{DateTime, Utc};

use crate::{
    job::{
        CallbackStatus, FileOutcome, Finish, Job, JobStatus, JobStore, StoreError,
        store::OUTBOX_GRACE,
    },
    outbox::Outbox,
    queue::{Queue, SendError},
};

/// Most pending files failed per job in one run (the rest in the next run).
const MAX_FILES_PER_JOB: usize = 10_000;

/// What one run did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Report {
    pub jobs_expired: usize,
    pub files_failed: usize,
    pub callbacks_requeued: usize,
}

#[derive(Debug, thiserror::Error)]
pub enum ReconcileError {
    #[error("job table: {0}")]
    Store(#[from] StoreError),
    #[error("queue: {0}")]
    Queue(#[from] SendError),
}

pub struct Reconciler {
    store: JobStore,
    queue: Queue,
    outbox: Outbox,
}

impl Reconciler {
    pub fn new(plane: crate::Plane) -> Self {
        Self {
            store: plane.store,
            queue: plane.queue,
            outbox: plane.outbox,
        }
    }

    /// Handles every job due at `now` (at most `limit`).
    pub async fn run_once(
        &self,
        now: DateTime<Utc>,
        limit: usize,
    ) -> Result<Report, ReconcileError> {
        let mut report = Report::default();
        for job in self.store.due(now, limit).await? {
            if !job.status.is_final() {
                report.files_failed += self.expire(&job).await?;
                report.jobs_expired += 1;
            } else if job.callback.as_ref().map(|c| c.status) == Some(CallbackStatus::Pending) {
                tracing::warn!(job_id = %job.id, "callback not settled in time; queueing it again");
                self.queue.send_callback(job.id, &job.request_id, 0).await?;
                self.store.set_due(job.id, now + OUTBOX_GRACE).await?;
                report.callbacks_requeued += 1;
            }
        }
        tracing::info!(
            jobs_expired = report.jobs_expired,
            files_failed = report.files_failed,
            callbacks_requeued = report.callbacks_requeued,
            "reconcile run finished"
        );
        Ok(report)
    }

    /// Fails what a job past its deadline still waits for, then finishes it.
    async fn expire(&self, job: &Job) -> Result<usize, ReconcileError> {
        let upload = job.prefix.starts_with("uploads/");
        let reason = if upload {
            "the upload was never completed before its ticket expired".to_owned()
        } else {
            format!(
                "not ingested before the job's deadline ({})",
                crate::job::rfc3339(job.deadline)
            )
        };
        let mut failed = 0;
        if !job.listed {
            let position = self.store.listing_position(job.id).await?.flatten();
            self.store
                .end_listing_failed(
                    job,
                    position.as_deref(),
                    "the prefix was not completely listed before the job's deadline",
                )
                .await?;
            failed += 1;
        }
        for key in self.store.pending_keys(job.id, MAX_FILES_PER_JOB).await? {
            if self
                .store
                .record(job.id, &key, &FileOutcome::failed(reason.clone(), 0))
                .await?
            {
                failed += 1;
            }
        }
        let finished = match self.store.finish_if_complete(job.id).await? {
            Finish::Won(j) | Finish::Final(j) => Some(j),
            // Counters that cannot add up (a file item lost): end it anyway.
            Finish::Open => match self.store.get_meta(job.id).await? {
                Some(j) if !j.status.is_final() => {
                    self.store.transition(&j, JobStatus::Failed).await?
                }
                _ => None,
            },
        };
        tracing::warn!(job_id = %job.id, files_failed = failed, "job past its deadline finished");
        if let Some(j) = finished {
            self.outbox.enqueue(&j).await?;
        }
        Ok(failed)
    }
}
