//! Recording files once and finishing jobs: the per-file writes, a fixed number of items
//! each, whatever the job's size.

use aws_sdk_dynamodb::{
    error::SdkError,
    types::{ReturnValue, TransactWriteItem, Update},
};
use chrono::Utc;
use uuid::Uuid;

use super::{
    FileOutcome, FileState, Job, JobStatus, StoreError,
    item::{file_sk, get_s, job_from_item, job_pk, n, open_sk, s},
    rfc3339,
    store::{Finish, JobStore, OUTBOX_GRACE, build, cancellation_codes, err},
};

impl JobStore {
    pub async fn file_state(&self, id: Uuid, key: &str) -> Result<Option<FileState>, StoreError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .key("pk", s(job_pk(id)))
            .key("sk", s(file_sk(key)))
            .consistent_read(true)
            .send()
            .await
            .map_err(err)?;
        Ok(out.item.map(|item| {
            if get_s(&item, "status").as_deref() == Some("pending") {
                FileState::Pending
            } else {
                FileState::Recorded
            }
        }))
    }

    /// Records a file's outcome once: returns false when it had already been recorded
    /// (or the job is already final).
    pub async fn record(
        &self,
        id: Uuid,
        key: &str,
        outcome: &FileOutcome,
    ) -> Result<bool, StoreError> {
        let file_update = Update::builder()
            .table_name(&self.table)
            .key("pk", s(job_pk(id)))
            .key("sk", s(file_sk(key)))
            .update_expression("SET #status = :outcome, documents = :docs, #reason = :reason")
            .condition_expression("#status = :pending")
            .expression_attribute_names("#status", "status")
            .expression_attribute_names("#reason", "reason")
            .expression_attribute_values(":outcome", s(outcome.kind.as_str()))
            .expression_attribute_values(":pending", s("pending"))
            .expression_attribute_values(":docs", n(outcome.documents))
            .expression_attribute_values(":reason", s(outcome.reason.clone().unwrap_or_default()));
        let job_update = Update::builder()
            .table_name(&self.table)
            .key("pk", s(job_pk(id)))
            .key("sk", s("META"))
            .update_expression(format!(
                "SET #status = :running ADD {} :one, documents :docs, bytes :bytes",
                outcome.kind.counter()
            ))
            .condition_expression("#status IN (:queued, :running)")
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":running", s("running"))
            .expression_attribute_values(":queued", s("queued"))
            .expression_attribute_values(":one", n(1))
            .expression_attribute_values(":docs", n(outcome.documents))
            .expression_attribute_values(":bytes", n(outcome.bytes));
        let result = self
            .client
            .transact_write_items()
            .transact_items(
                TransactWriteItem::builder()
                    .update(build(file_update.build())?)
                    .build(),
            )
            .transact_items(
                TransactWriteItem::builder()
                    .update(build(job_update.build())?)
                    .build(),
            )
            .send()
            .await;
        match result {
            Ok(_) => Ok(true),
            Err(SdkError::ServiceError(e)) if e.err().is_transaction_canceled_exception() => {
                let reasons = cancellation_codes(e.err());
                if reasons.first().map(String::as_str) == Some("ConditionalCheckFailed") {
                    Ok(false)
                } else if reasons.get(1).map(String::as_str) == Some("ConditionalCheckFailed") {
                    // The job is already final (failed, or expired by the reconciler):
                    // nothing left to count, and retrying would not change it.
                    tracing::warn!(job_id = %id, "the job is no longer active; outcome not counted");
                    Ok(false)
                } else {
                    Err(StoreError::Conflict(format!(
                        "transaction cancelled: {reasons:?}"
                    )))
                }
            }
            Err(e) => Err(err(e)),
        }
    }

    /// When every file is counted, moves the job to its final status. Exactly one caller
    /// wins the transition. One read and at most one write, whatever the job's size.
    pub async fn finish_if_complete(&self, id: Uuid) -> Result<Finish, StoreError> {
        let Some(job) = self.get_meta(id).await? else {
            return Ok(Finish::Open);
        };
        if job.status.is_final() {
            return Ok(Finish::Final(job));
        }
        if !job.is_complete() {
            return Ok(Finish::Open);
        }
        Ok(match self.transition(&job, job.final_status()).await? {
            Some(finished) => Finish::Won(finished),
            None => match self.get_meta(id).await? {
                Some(j) => Finish::Final(j),
                None => Finish::Open,
            },
        })
    }

    /// Moves an open job to `status` (final). The winner gets the finished job.
    pub async fn transition(
        &self,
        job: &Job,
        status: JobStatus,
    ) -> Result<Option<Job>, StoreError> {
        let now = Utc::now();
        let mut update = self
            .update_meta(job.id)
            .condition_expression("#status IN (:queued, :running)")
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":final", s(status.as_str()))
            .expression_attribute_values(":now", s(rfc3339(now)))
            .expression_attribute_values(":queued", s("queued"))
            .expression_attribute_values(":running", s("running"))
            .return_values(ReturnValue::AllNew);
        // A pending callback keeps the job in the open index, due when the outbox should
        // have settled it; otherwise the job leaves the index.
        update = if job.callback.is_some() {
            update
                .update_expression("SET #status = :final, finished_at = :now, gsi2sk = :due")
                .expression_attribute_values(":due", s(open_sk(now + OUTBOX_GRACE, job.id)))
        } else {
            update
                .update_expression("SET #status = :final, finished_at = :now REMOVE gsi2pk, gsi2sk")
        };
        match update.send().await {
            Ok(out) => Ok(Some(job_from_item(&out.attributes.unwrap_or_default())?)),
            Err(SdkError::ServiceError(e)) if e.err().is_conditional_check_failed_exception() => {
                Ok(None)
            }
            Err(e) => Err(err(e)),
        }
    }
}
