use corpus_platform::Problem;
use poem::http::StatusCode;
use poem_openapi::{ApiResponse, payload::Json};

/// Every error the ingest API answers with, as `application/problem+json`.
#[derive(Debug, ApiResponse)]
pub enum ApiError {
    /// Malformed input; `detail` names the field or parameter.
    #[oai(status = 400, content_type = "application/problem+json")]
    BadRequest(Json<Problem>),
    /// Missing or invalid API key.
    #[oai(status = 401, content_type = "application/problem+json")]
    Unauthorized(Json<Problem>),
    /// The bucket is not in `INGEST_ALLOWED_BUCKETS`.
    #[oai(status = 403, content_type = "application/problem+json")]
    Forbidden(Json<Problem>),
    #[oai(status = 404, content_type = "application/problem+json")]
    NotFound(Json<Problem>),
    /// The request body, or the declared upload size, is over the limit.
    #[oai(status = 413, content_type = "application/problem+json")]
    PayloadTooLarge(Json<Problem>),
    /// A request with a body did not declare `Content-Type: application/json`.
    #[oai(status = 415, content_type = "application/problem+json")]
    UnsupportedMediaType(Json<Problem>),
    /// Well-formed but unusable input (a bucket that does not exist, a prefix over too many
    /// objects, a callback URL that is not public, a cursor this endpoint did not issue);
    /// `detail` names the field.
    #[oai(status = 422, content_type = "application/problem+json")]
    Unprocessable(Json<Problem>),
    #[oai(status = 500, content_type = "application/problem+json")]
    Internal(Json<Problem>),
    /// A dependency (DynamoDB, SQS, S3) is unreachable.
    #[oai(status = 503, content_type = "application/problem+json")]
    Unavailable(Json<Problem>),
}

impl ApiError {
    pub fn bad_request(field: &str, reason: impl std::fmt::Display) -> Self {
        Self::BadRequest(Json(Problem::new(
            StatusCode::BAD_REQUEST,
            format!("{field}: {reason}"),
        )))
    }

    pub fn unprocessable(field: &str, reason: impl std::fmt::Display) -> Self {
        Self::Unprocessable(Json(Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            format!("{field}: {reason}"),
        )))
    }

    pub fn payload_too_large(detail: impl Into<String>) -> Self {
        Self::PayloadTooLarge(Json(Problem::new(StatusCode::PAYLOAD_TOO_LARGE, detail)))
    }

    pub fn forbidden(detail: impl Into<String>) -> Self {
        Self::Forbidden(Json(Problem::new(StatusCode::FORBIDDEN, detail)))
    }

    pub fn not_found(detail: impl Into<String>) -> Self {
        Self::NotFound(Json(Problem::new(StatusCode::NOT_FOUND, detail)))
    }

    pub fn unavailable(detail: impl Into<String>) -> Self {
        Self::Unavailable(Json(Problem::new(StatusCode::SERVICE_UNAVAILABLE, detail)))
    }

    /// An unexpected failure: the cause chain is logged, only the request id is sent.
    pub fn internal(err: impl std::fmt::Display) -> Self {
        tracing::error!(error = %err, "unexpected error");
        Self::Internal(Json(Problem::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "the server failed to handle the request; quote the request id when reporting it",
        )))
    }
}

/// One status per kind of store error.
impl From<crate::job::StoreError> for ApiError {
    fn from(err: crate::job::StoreError) -> Self {
        use crate::job::StoreError as E;
        match err {
            E::Invalid(why) => Self::BadRequest(Json(Problem::new(
                StatusCode::BAD_REQUEST,
                format!("the request cannot be stored: {why}"),
            ))),
            E::Throttled(e) => {
                tracing::warn!(error = %e, "DynamoDB throttled the request");
                Self::unavailable("the job table is busy; retry shortly")
            }
            E::Unavailable(e) | E::Conflict(e) => {
                tracing::error!(error = %e, "DynamoDB call failed");
                Self::unavailable("the job table is unreachable; retry shortly")
            }
            other @ (E::AlreadyExists(_) | E::Malformed(_)) => Self::internal(other),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::job::StoreError;

    #[test]
    fn each_kind_of_store_error_has_one_status() {
        let status = |e: StoreError| match ApiError::from(e) {
            ApiError::BadRequest(p)
            | ApiError::Unavailable(p)
            | ApiError::Internal(p)
            | ApiError::Unauthorized(p)
            | ApiError::Forbidden(p)
            | ApiError::NotFound(p)
            | ApiError::PayloadTooLarge(p)
            | ApiError::UnsupportedMediaType(p)
            | ApiError::Unprocessable(p) => (p.0.status, p.0.detail.clone()),
        };
        let (code, detail) = status(StoreError::Invalid(
            "Hash primary key values must be under 2048 bytes".into(),
        ));
        assert_eq!(code, 400);
        assert!(detail.contains("2048 bytes"), "{detail}");
        assert_eq!(status(StoreError::Throttled("t".into())).0, 503);
        assert_eq!(status(StoreError::Unavailable("u".into())).0, 503);
        assert_eq!(status(StoreError::Conflict("c".into())).0, 503);
        assert_eq!(status(StoreError::Malformed("m".into())).0, 500);
    }
}
