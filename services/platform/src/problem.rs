//! RFC 9457 problem details, the body of every 4xx/5xx response.

use poem::{Response, http::StatusCode};
use poem_openapi::Object;
use serde::{Deserialize, Serialize};

pub const CONTENT_TYPE: &str = "application/problem+json";

tokio::task_local! {
    static REQUEST_ID: String;
}

/// Runs `fut` with `request_id` visible to [`current_request_id`] (used by the middleware,
/// so error bodies built anywhere in a handler carry the id).
pub async fn with_request_id<F: std::future::Future>(request_id: String, fut: F) -> F::Output {
    REQUEST_ID.scope(request_id, fut).await
}

/// The id of the request being served, or an empty string outside a request.
pub fn current_request_id() -> String {
    REQUEST_ID.try_with(Clone::clone).unwrap_or_default()
}

/// A problem details object (`application/problem+json`).
#[derive(Debug, Clone, PartialEq, Eq, Object, Serialize, Deserialize)]
pub struct Problem {
    /// A URI naming the kind of problem, e.g. `urn:corpus:problem:not-found`.
    #[oai(rename = "type")]
    #[serde(rename = "type")]
    pub kind: String,
    /// Short summary of the kind of problem.
    pub title: String,
    /// The HTTP status code.
    pub status: u16,
    /// What went wrong with this request, naming the offending input where there is one.
    pub detail: String,
    /// The request id; quote it when reporting a problem.
    pub request_id: String,
}

impl Problem {
    /// A problem for `status`, with the kind and title derived from it.
    pub fn new(status: StatusCode, detail: impl Into<String>) -> Self {
        let (slug, title) = describe(status);
        Self {
            kind: format!("urn:corpus:problem:{slug}"),
            title: title.to_owned(),
            status: status.as_u16(),
            detail: detail.into(),
            request_id: current_request_id(),
        }
    }

    pub fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = serde_json::to_vec(&self).unwrap_or_default();
        Response::builder()
            .status(status)
            .content_type(CONTENT_TYPE)
            .body(body)
    }
}

fn describe(status: StatusCode) -> (&'static str, &'static str) {
    match status.as_u16() {
        400 => ("bad-request", "The request is malformed"),
        401 => ("unauthorized", "Missing or invalid API key"),
        403 => ("forbidden", "Not allowed"),
        404 => ("not-found", "Not found"),
        405 => ("method-not-allowed", "Method not allowed"),
        406 => ("not-acceptable", "Not acceptable"),
        409 => ("conflict", "Conflict"),
        413 => ("payload-too-large", "Payload too large"),
        415 => ("unsupported-media-type", "Unsupported media type"),
        422 => ("unprocessable", "Unprocessable content"),
        429 => ("too-many-requests", "Too many requests"),
        503 => ("unavailable", "Service unavailable"),
        s if s >= 500 => ("internal", "Internal server error"),
        _ => ("client-error", "Client error"),
    }
}

/// Parses a required JSON string field strictly (a number is not a string) and names the
/// field in every error (poem-openapi alone names only the object). Use through
/// `#[oai(deserialize_with = "...")]` with a one-line wrapper per field.
pub fn required_string(
    field: &str,
    value: Option<serde_json::Value>,
) -> Result<String, poem_openapi::types::ParseError<String>> {
    match value {
        None | Some(serde_json::Value::Null) => Err(poem_openapi::types::ParseError::custom(
            format!("field `{field}` is required"),
        )),
        Some(serde_json::Value::String(s)) => Ok(s),
        Some(other) => Err(poem_openapi::types::ParseError::custom(format!(
            "field `{field}` must be a string, got {}",
            json_kind(&other)
        ))),
    }
}

/// Like [`required_string`] for an optional field: absent is `None`. `null` is refused,
/// as the OpenAPI documents declare these fields as strings (not nullable).
pub fn optional_string(
    field: &str,
    value: Option<serde_json::Value>,
) -> Result<Option<String>, poem_openapi::types::ParseError<Option<String>>> {
    match value {
        None => Ok(None),
        Some(serde_json::Value::String(s)) => Ok(Some(s)),
        Some(other) => Err(poem_openapi::types::ParseError::custom(format!(
            "field `{field}` must be a string or absent, got {}",
            json_kind(&other)
        ))),
    }
}

fn json_kind(v: &serde_json::Value) -> &'static str {
    match v {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "an array",
        serde_json::Value::Object(_) => "an object",
    }
}

/// Parses a required JSON integer field strictly (no strings, no fractions), naming the
/// field in every error.
pub fn required_u64(
    field: &str,
    value: Option<serde_json::Value>,
) -> Result<u64, poem_openapi::types::ParseError<u64>> {
    match value {
        None | Some(serde_json::Value::Null) => Err(poem_openapi::types::ParseError::custom(
            format!("field `{field}` is required"),
        )),
        Some(serde_json::Value::Number(n)) if n.as_u64().is_some() => Ok(n.as_u64().unwrap_or(0)),
        Some(other) => Err(poem_openapi::types::ParseError::custom(format!(
            "field `{field}` must be a non-negative integer, got {}",
            if other.is_number() {
                "a negative or fractional number"
            } else {
                json_kind(&other)
            }
        ))),
    }
}
