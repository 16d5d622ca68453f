//! The HTTP API: one tag enum, one error type, resource impl blocks combined into one
//! OpenAPI service.

mod caching;
mod document_types;
mod documents;
mod error;
mod filters;
mod health;
mod search;

pub use documents::DocumentsApi;
pub use error::ApiError;
pub use health::HealthApi;
pub use search::SearchApi;

use poem_openapi::Tags;

#[derive(Tags)]
pub enum ApiTags {
    /// Stored documents and their text.
    Documents,
    /// Full-text search over passages.
    Search,
    /// Liveness and readiness probes.
    Health,
}

/// Default and maximum page sizes of every list.
pub const DEFAULT_LIMIT: u32 = 20;
pub const MAX_LIMIT: u32 = 100;
