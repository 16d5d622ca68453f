//! The ingest HTTP API: jobs, uploads, probes.

mod error;
mod health;
mod jobs;
mod uploads;

pub use error::ApiError;
pub use health::HealthApi;
pub use jobs::{JobView, JobsApi};
pub use uploads::UploadsApi;

use poem_openapi::Tags;

#[derive(Tags)]
pub enum ApiTags {
    /// Ingestion jobs over a bucket prefix.
    Jobs,
    /// Browser uploads through presigned URLs.
    Uploads,
    /// Liveness and readiness probes.
    Health,
}
