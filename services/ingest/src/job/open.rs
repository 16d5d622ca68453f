//! The open-jobs index (`by_open`, sparse) and the callback state the outbox keeps.
//!
//! A job is in the index from creation until it is final and its callback (if any) is
//! settled; its sort key starts with the time something is due: the job's deadline while
//! it runs, then the time by which the outbox should have delivered its callback. The
//! reconciler reads only what is due, so its cost follows the work to do, not the number
//! of jobs ever created.

use aws_sdk_dynamodb::{error::SdkError, types::ReturnValue};
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::{
    CallbackStatus, Job, JobStore, StoreError,
    item::{get_n, get_s, job_from_item, open_sk, s},
    rfc3339,
    store::OUTBOX_GRACE,
};

impl JobStore {
    /// Jobs whose due time is at or before `now`, oldest due first, at most `limit`.
    pub async fn due(&self, now: DateTime<Utc>, limit: usize) -> Result<Vec<Job>, StoreError> {
        // `<due>#<id>` sorts before `<now>$` exactly when due <= now ('$' follows '#').
        let bound = format!("{}$", rfc3339(now));
        let mut jobs = Vec::new();
        let mut start = None;
        loop {
            let out = self
                .client
                .query()
                .table_name(&self.table)
                .index_name("by_open")
                .key_condition_expression("gsi2pk = :open AND gsi2sk < :bound")
                .expression_attribute_values(":open", s("OPEN"))
                .expression_attribute_values(":bound", s(bound.clone()))
                .limit(i32::try_from(limit.min(1000)).unwrap_or(1000))
                .set_exclusive_start_key(start)
                .send()
                .await
                .map_err(StoreError::from_sdk)?;
            for item in out.items() {
                jobs.push(job_from_item(item)?);
                if jobs.len() >= limit {
                    return Ok(jobs);
                }
            }
            match out.last_evaluated_key {
                Some(k) if !k.is_empty() => start = Some(k),
                _ => return Ok(jobs),
            }
        }
    }

    /// Keys of the job's files still pending (the reconciler fails them at the deadline).
    pub async fn pending_keys(&self, id: Uuid, max: usize) -> Result<Vec<String>, StoreError> {
        Ok(self
            .files_in(id, "pending", max)
            .await?
            .iter()
            .filter_map(|item| get_s(item, "key"))
            .collect())
    }

    /// Moves the job's due time (the reconciler looks again then).
    pub async fn set_due(&self, id: Uuid, due: DateTime<Utc>) -> Result<(), StoreError> {
        let out = self
            .update_meta(id)
            .update_expression("SET gsi2sk = :due")
            .condition_expression("attribute_exists(gsi2pk)")
            .expression_attribute_values(":due", s(open_sk(due, id)))
            .send()
            .await;
        match out {
            Ok(_) => Ok(()),
            // Settled in the meantime: nothing is due any more.
            Err(SdkError::ServiceError(e)) if e.err().is_conditional_check_failed_exception() => {
                Ok(())
            }
            Err(e) => Err(StoreError::from_sdk(e)),
        }
    }

    /// Counts one delivery attempt of a pending callback before it is made, takes a lease
    /// on it (two deliveries of the callback message never call at once; a process that
    /// dies mid-attempt loses the lease when it expires) and pushes the reconciler's look
    /// past it.
    pub async fn begin_callback_attempt(&self, id: Uuid) -> Result<AttemptClaim, StoreError> {
        let now = Utc::now();
        let out = self.update_meta(id)
            .update_expression("ADD callback_attempts :one SET gsi2sk = :due, callback_lease = :lease")
            .condition_expression(
                "callback_status = :pending AND (attribute_not_exists(callback_lease) OR callback_lease < :now)",
            )
            .expression_attribute_values(":one", super::item::n(1))
            .expression_attribute_values(":pending", s("pending"))
            .expression_attribute_values(":due", s(open_sk(now + OUTBOX_GRACE, id)))
            .expression_attribute_values(":lease", s(rfc3339(now + CALLBACK_LEASE)))
            .expression_attribute_values(":now", s(rfc3339(now)))
            .return_values(ReturnValue::UpdatedNew)
            .send()
            .await;
        match out {
            Ok(out) => Ok(AttemptClaim::Go(
                u32::try_from(get_n(
                    &out.attributes.unwrap_or_default(),
                    "callback_attempts",
                ))
                .unwrap_or(u32::MAX),
            )),
            Err(SdkError::ServiceError(e)) if e.err().is_conditional_check_failed_exception() => {
                let pending = self
                    .get_meta(id)
                    .await?
                    .and_then(|j| j.callback)
                    .is_some_and(|c| c.status == CallbackStatus::Pending);
                Ok(if pending {
                    AttemptClaim::Busy
                } else {
                    AttemptClaim::Settled
                })
            }
            Err(e) => Err(StoreError::from_sdk(e)),
        }
    }

    /// A failed attempt that will be retried at `retry_at`.
    pub async fn callback_retry(
        &self,
        id: Uuid,
        error: &str,
        retry_at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.update_meta(id)
            .update_expression("SET callback_error = :e, gsi2sk = :due REMOVE callback_lease")
            .condition_expression("callback_status = :pending")
            .expression_attribute_values(":e", s(error))
            .expression_attribute_values(":pending", s("pending"))
            .expression_attribute_values(":due", s(open_sk(retry_at + OUTBOX_GRACE, id)))
            .send()
            .await
            .map(|_| ())
            .or_else(ignore_condition)
    }

    /// The callback's final state: the job leaves the open index.
    pub async fn settle_callback(
        &self,
        id: Uuid,
        status: CallbackStatus,
        error: Option<&str>,
    ) -> Result<(), StoreError> {
        let mut update = self
            .update_meta(id)
            .condition_expression("callback_status = :pending")
            .expression_attribute_values(":pending", s("pending"))
            .expression_attribute_values(":s", s(status.as_str()));
        update = match error {
            Some(e) => update
                .update_expression("SET callback_status = :s, callback_error = :e REMOVE gsi2pk, gsi2sk, callback_lease")
                .expression_attribute_values(":e", s(e)),
            None => update.update_expression("SET callback_status = :s REMOVE gsi2pk, gsi2sk, callback_error, callback_lease"),
        };
        update.send().await.map(|_| ()).or_else(ignore_condition)
    }

    /// Makes a final job's callback pending again (an operator re-sending it), due now.
    /// False when the job is unknown, not final, or has no callback.
    pub async fn reopen_callback(&self, id: Uuid) -> Result<bool, StoreError> {
        let out = self.update_meta(id)
            .update_expression(
                "SET callback_status = :pending, callback_attempts = :zero, gsi2pk = :open, gsi2sk = :due REMOVE callback_error, callback_lease",
            )
            .condition_expression(
                "attribute_exists(callback_url) AND NOT (#status IN (:queued, :running))",
            )
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":pending", s("pending"))
            .expression_attribute_values(":zero", super::item::n(0))
            .expression_attribute_values(":open", s("OPEN"))
            .expression_attribute_values(":due", s(open_sk(Utc::now(), id)))
            .expression_attribute_values(":queued", s("queued"))
            .expression_attribute_values(":running", s("running"))
            .send()
            .await;
        match out {
            Ok(_) => Ok(true),
            Err(SdkError::ServiceError(e)) if e.err().is_conditional_check_failed_exception() => {
                Ok(false)
            }
            Err(e) => Err(StoreError::from_sdk(e)),
        }
    }
}

/// How long one attempt may hold a callback (DNS 5 s, request 10 s, with room to spare).
pub const CALLBACK_LEASE: chrono::Duration = chrono::Duration::seconds(30);

/// Whether a delivery may make an attempt now.
#[derive(Debug, PartialEq, Eq)]
pub enum AttemptClaim {
    /// Yes: this is attempt number n.
    Go(u32),
    /// Another delivery holds the lease: look again after it.
    Busy,
    /// Delivered or failed already: nothing to do.
    Settled,
}

/// A conditional write that lost because the state moved on is not an error here.
fn ignore_condition<R: std::fmt::Debug + 'static>(
    e: SdkError<aws_sdk_dynamodb::operation::update_item::UpdateItemError, R>,
) -> Result<(), StoreError> {
    match e {
        SdkError::ServiceError(ref se) if se.err().is_conditional_check_failed_exception() => {
            Ok(())
        }
        other => Err(StoreError::from_sdk(other)),
    }
}
