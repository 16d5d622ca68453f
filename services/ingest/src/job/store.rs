//! Job state in DynamoDB (layout in [`super::item`]).
//!
//! A file's outcome is recorded in one transaction that flips the file item from
//! `pending` (condition) and adds to the job's counters, so however often a file is
//! delivered it is counted once; the job then finishes through a conditional status
//! transition that exactly one caller wins. Every per-file call reads or writes a fixed
//! number of items: nothing here scans a job's files except [`JobStore::get`] (the public
//! view's failed-file list, at most [`MAX_ERRORS_LISTED`]).

use std::collections::HashMap;

use aws_sdk_dynamodb::{
    Client, error::SdkError, operation::transact_write_items::TransactWriteItemsError,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{
    FileError, Job, MAX_ERRORS_LISTED, StoreError,
    item::{Item, get_s, job_from_item, job_pk, s},
};

/// How long after a job's final transition (or a callback retry's due time) the
/// reconciler waits before re-sending a callback the outbox has not settled.
pub const OUTBOX_GRACE: chrono::Duration = chrono::Duration::minutes(10);

/// What [`JobStore::finish_if_complete`] found.
#[derive(Debug)]
pub enum Finish {
    /// This caller moved the job to its final status.
    Won(Job),
    /// The job was already final.
    Final(Job),
    /// Files are still uncounted (or the job is unknown).
    Open,
}

#[derive(Clone, Debug)]
pub struct JobStore {
    pub(super) client: Client,
    pub(super) table: String,
}

/// Position in the newest-first job list.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct JobCursor {
    pub created: String,
    pub id: String,
}

pub(super) fn err<E, R>(e: SdkError<E, R>) -> StoreError
where
    E: aws_sdk_dynamodb::error::ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug + 'static,
{
    StoreError::from_sdk(e)
}

pub(super) fn build<T, E: std::fmt::Display>(r: Result<T, E>) -> Result<T, StoreError> {
    r.map_err(|e| StoreError::Invalid(e.to_string()))
}

/// The cancellation reason codes of a cancelled transaction, in item order.
pub(super) fn cancellation_codes(e: &TransactWriteItemsError) -> Vec<String> {
    match e {
        TransactWriteItemsError::TransactionCanceledException(t) => t
            .cancellation_reasons()
            .iter()
            .map(|r| r.code().unwrap_or("None").to_owned())
            .collect(),
        _ => Vec::new(),
    }
}

impl JobStore {
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self {
            client,
            table: table.into(),
        }
    }

    /// True when the table answers.
    pub async fn ping(&self) -> Result<(), StoreError> {
        self.client
            .describe_table()
            .table_name(&self.table)
            .send()
            .await
            .map_err(err)?;
        Ok(())
    }

    /// An update of the job item (`JOB#<id>`, `META`), for the caller to complete.
    pub(super) fn update_meta(
        &self,
        id: Uuid,
    ) -> aws_sdk_dynamodb::operation::update_item::builders::UpdateItemFluentBuilder {
        self.client
            .update_item()
            .table_name(&self.table)
            .key("pk", s(job_pk(id)))
            .key("sk", s("META"))
    }

    pub(super) async fn meta_item(&self, id: Uuid) -> Result<Option<Item>, StoreError> {
        Ok(self
            .client
            .get_item()
            .table_name(&self.table)
            .key("pk", s(job_pk(id)))
            .key("sk", s("META"))
            .consistent_read(true)
            .send()
            .await
            .map_err(err)?
            .item)
    }

    /// The job item alone (no failed-file list): one read.
    pub async fn get_meta(&self, id: Uuid) -> Result<Option<Job>, StoreError> {
        self.meta_item(id)
            .await?
            .as_ref()
            .map(job_from_item)
            .transpose()
    }

    /// One job with its failed files (at most [`MAX_ERRORS_LISTED`]).
    pub async fn get(&self, id: Uuid) -> Result<Option<Job>, StoreError> {
        let Some(mut job) = self.get_meta(id).await? else {
            return Ok(None);
        };
        if job.files_failed > 0 {
            job.errors = self.failed_files(id).await?;
        }
        Ok(Some(job))
    }

    /// Keys of the job's files in `status`, at most `max`.
    pub(super) async fn files_in(
        &self,
        id: Uuid,
        status: &str,
        max: usize,
    ) -> Result<Vec<Item>, StoreError> {
        let mut found = Vec::new();
        let mut start: Option<Item> = None;
        loop {
            let out = self
                .client
                .query()
                .table_name(&self.table)
                .key_condition_expression("pk = :pk AND begins_with(sk, :file)")
                .filter_expression("#status = :status")
                .expression_attribute_names("#status", "status")
                .expression_attribute_values(":pk", s(job_pk(id)))
                .expression_attribute_values(":file", s("FILE#"))
                .expression_attribute_values(":status", s(status))
                .consistent_read(true)
                .set_exclusive_start_key(start)
                .send()
                .await
                .map_err(err)?;
            for item in out.items() {
                found.push(item.clone());
                if found.len() >= max {
                    return Ok(found);
                }
            }
            match out.last_evaluated_key {
                Some(k) if !k.is_empty() => start = Some(k),
                _ => return Ok(found),
            }
        }
    }

    async fn failed_files(&self, id: Uuid) -> Result<Vec<FileError>, StoreError> {
        Ok(self
            .files_in(id, "failed", MAX_ERRORS_LISTED)
            .await?
            .iter()
            .map(|item| FileError {
                key: get_s(item, "key").unwrap_or_default(),
                reason: get_s(item, "reason").unwrap_or_default(),
            })
            .collect())
    }

    /// Newest first, through the `by_created` index.
    pub async fn list(
        &self,
        limit: i32,
        after: Option<JobCursor>,
    ) -> Result<(Vec<Job>, Option<JobCursor>), StoreError> {
        let start = after.map(|c| {
            HashMap::from([
                ("gsi1pk".to_owned(), s("JOB")),
                ("gsi1sk".to_owned(), s(c.created)),
                ("pk".to_owned(), s(format!("JOB#{}", c.id))),
                ("sk".to_owned(), s("META")),
            ])
        });
        let out = self
            .client
            .query()
            .table_name(&self.table)
            .index_name("by_created")
            .key_condition_expression("gsi1pk = :job")
            .expression_attribute_values(":job", s("JOB"))
            .scan_index_forward(false)
            .limit(limit)
            .set_exclusive_start_key(start)
            .send()
            .await
            .map_err(err)?;
        let jobs = out
            .items()
            .iter()
            .map(job_from_item)
            .collect::<Result<Vec<_>, _>>()?;
        let next = match (&out.last_evaluated_key, jobs.last()) {
            (Some(k), Some(last)) if !k.is_empty() => Some(JobCursor {
                created: get_s(k, "gsi1sk").unwrap_or_default(),
                id: last.id.to_string(),
            }),
            _ => None,
        };
        Ok((jobs, next))
    }
}
