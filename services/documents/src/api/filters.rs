//! The filters `GET /documents` and `GET /search` share, and the cursor fingerprint that
//! ties a cursor to the listing that issued it.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::ApiError;
use crate::query::Filters;

/// Builds the filters from the query parameters (each already validated against the
/// schema); a range that ends before it starts is a 422 naming `created_to`.
pub fn filters(
    source_prefix: Option<String>,
    job_id: Option<Uuid>,
    content_type: Option<String>,
    created_from: Option<DateTime<Utc>>,
    created_to: Option<DateTime<Utc>>,
) -> Result<Filters, ApiError> {
    if let (Some(from), Some(to)) = (created_from, created_to)
        && to <= from
    {
        return Err(ApiError::unprocessable(
            "created_to",
            "must be later than created_from (the range is [created_from, created_to))",
        ));
    }
    Ok(Filters {
        source_prefix,
        job_id,
        content_type,
        created_from,
        created_to,
    })
}

/// Checks that a decoded cursor was issued for the same listing (`expected` is the
/// request's fingerprint); cursors of earlier releases carry none and are taken as they are.
pub fn check_fingerprint(found: Option<&str>, expected: &str) -> Result<(), ApiError> {
    match found {
        Some(f) if f != expected => Err(ApiError::unprocessable(
            "cursor",
            "was issued for another query or other filters; start again without a cursor",
        )),
        _ => Ok(()),
    }
}
