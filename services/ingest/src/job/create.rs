//! Creating jobs and listing their prefixes: file items and the listing position.

use std::collections::HashMap;

use aws_sdk_dynamodb::{
    error::SdkError,
    types::{AttributeValue, Put, TransactWriteItem},
};
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::{
    Job, JobStatus, NewJob, StoreError,
    item::{Item, file_sk, get_s, job_pk, n, open_sk, s, ttl_for},
    rfc3339,
    store::{JobStore, build, cancellation_codes, err},
};

impl JobStore {
    /// Stores the job item and one pending item per file in `keys`. `listed`: no more
    /// files will be added (uploads, drops); otherwise the worker lists the prefix.
    /// Idempotent for the same id when `allow_existing` (drops, whose id derives from the
    /// S3 event): a file already recorded is never reset.
    pub async fn create(
        &self,
        job: &NewJob,
        keys: &[String],
        listed: bool,
        allow_existing: bool,
    ) -> Result<Job, StoreError> {
        let now = Utc::now();
        let mut item: Item = HashMap::from([
            ("pk".to_owned(), s(job_pk(job.id))),
            ("sk".to_owned(), s("META")),
            ("id".to_owned(), s(job.id.to_string())),
            ("status".to_owned(), s(JobStatus::Queued.as_str())),
            ("bucket".to_owned(), s(&job.bucket)),
            ("prefix".to_owned(), s(&job.prefix)),
            ("files_total".to_owned(), n(keys.len() as u64)),
            ("files_done".to_owned(), n(0)),
            ("files_failed".to_owned(), n(0)),
            ("files_skipped".to_owned(), n(0)),
            ("documents".to_owned(), n(0)),
            ("bytes".to_owned(), n(0)),
            ("created_at".to_owned(), s(rfc3339(now))),
            ("deadline".to_owned(), s(rfc3339(job.deadline))),
            ("listed".to_owned(), AttributeValue::Bool(listed)),
            ("request_id".to_owned(), s(&job.request_id)),
            ("gsi1pk".to_owned(), s("JOB")),
            (
                "gsi1sk".to_owned(),
                s(format!("{}#{}", rfc3339(now), job.id)),
            ),
            ("gsi2pk".to_owned(), s("OPEN")),
            ("gsi2sk".to_owned(), s(open_sk(job.deadline, job.id))),
            ("ttl".to_owned(), ttl_for(now)),
        ]);
        if let Some(url) = &job.callback_url {
            item.insert("callback_url".to_owned(), s(url));
            item.insert("callback_status".to_owned(), s("pending"));
            item.insert("callback_attempts".to_owned(), n(0));
        }
        // File items first: a job item is only visible once all its files are.
        self.put_files(job.id, keys, now).await?;
        let put = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(pk)")
            .send()
            .await;
        match put {
            Ok(_) => {}
            Err(SdkError::ServiceError(e)) if e.err().is_conditional_check_failed_exception() => {
                if !allow_existing {
                    return Err(StoreError::AlreadyExists(job.id));
                }
            }
            Err(e) => return Err(err(e)),
        }
        self.get_meta(job.id)
            .await?
            .ok_or_else(|| StoreError::Malformed(format!("job {} vanished after creation", job.id)))
    }

    /// Adds a pending item for each key that has none yet (never resets one already
    /// recorded): 100 conditional puts per transaction, one by one only for a batch in
    /// which some item exists already (a listing page redone after a crash).
    pub async fn put_files(
        &self,
        id: Uuid,
        keys: &[String],
        created: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let ttl = ttl_for(created);
        let file_item = |key: &str| -> Item {
            HashMap::from([
                ("pk".to_owned(), s(job_pk(id))),
                ("sk".to_owned(), s(file_sk(key))),
                ("key".to_owned(), s(key)),
                ("status".to_owned(), s("pending")),
                ("ttl".to_owned(), ttl.clone()),
            ])
        };
        for chunk in keys.chunks(100) {
            let mut txn = self.client.transact_write_items();
            for key in chunk {
                let put = build(
                    Put::builder()
                        .table_name(&self.table)
                        .set_item(Some(file_item(key)))
                        .condition_expression("attribute_not_exists(pk)")
                        .build(),
                )?;
                txn = txn.transact_items(TransactWriteItem::builder().put(put).build());
            }
            match txn.send().await {
                Ok(_) => continue,
                Err(SdkError::ServiceError(e))
                    if cancellation_codes(e.err())
                        .iter()
                        .any(|c| c == "ConditionalCheckFailed") => {}
                Err(e) => return Err(err(e)),
            }
            for key in chunk {
                match self
                    .client
                    .put_item()
                    .table_name(&self.table)
                    .set_item(Some(file_item(key)))
                    .condition_expression("attribute_not_exists(pk)")
                    .send()
                    .await
                {
                    Ok(_) => {}
                    Err(SdkError::ServiceError(e))
                        if e.err().is_conditional_check_failed_exception() => {}
                    Err(e) => return Err(err(e)),
                }
            }
        }
        Ok(())
    }

    /// Moves a job's listing from the page at `from` (None: the first) to `to` (None:
    /// listing is over), adding `added` files to its total. Exactly once per page: false
    /// when another delivery already advanced past `from`.
    pub async fn advance_listing(
        &self,
        id: Uuid,
        from: Option<&str>,
        to: Option<&str>,
        added: u64,
    ) -> Result<bool, StoreError> {
        let mut update = self
            .update_meta(id)
            .expression_attribute_values(":added", n(added))
            .expression_attribute_values(":false", AttributeValue::Bool(false));
        update = match to {
            Some(token) => update
                .update_expression("SET list_token = :to ADD files_total :added")
                .expression_attribute_values(":to", s(token)),
            None => update
                .update_expression("SET listed = :true REMOVE list_token ADD files_total :added")
                .expression_attribute_values(":true", AttributeValue::Bool(true)),
        };
        update = match from {
            Some(token) => update
                .condition_expression("listed = :false AND list_token = :from")
                .expression_attribute_values(":from", s(token)),
            None => {
                update.condition_expression("listed = :false AND attribute_not_exists(list_token)")
            }
        };
        match update.send().await {
            Ok(_) => Ok(true),
            Err(SdkError::ServiceError(e)) if e.err().is_conditional_check_failed_exception() => {
                Ok(false)
            }
            Err(e) => Err(err(e)),
        }
    }

    /// Ends a listing that cannot go on (at `position`): one failed entry named after the
    /// prefix carries `reason`, and no more files will be added. The caller then finishes
    /// the job.
    pub async fn end_listing_failed(
        &self,
        job: &Job,
        position: Option<&str>,
        reason: &str,
    ) -> Result<(), StoreError> {
        let marker = format!("{} [listing]", job.prefix);
        self.put_files(job.id, std::slice::from_ref(&marker), job.created_at)
            .await?;
        self.record(job.id, &marker, &super::FileOutcome::failed(reason, 0))
            .await?;
        self.advance_listing(job.id, position, None, 1).await?;
        Ok(())
    }

    /// Where a job's listing stands: `None` when it is over, else the token of the next
    /// page (`Some(None)` for the first).
    pub async fn listing_position(&self, id: Uuid) -> Result<Option<Option<String>>, StoreError> {
        let item = self.meta_item(id).await?;
        Ok(item.and_then(|item| {
            let listed = item
                .get("listed")
                .and_then(|v| v.as_bool().ok())
                .copied()
                .unwrap_or(true);
            (!listed).then(|| get_s(&item, "list_token"))
        }))
    }
}
