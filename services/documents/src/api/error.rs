use corpus_platform::Problem;
use poem::http::StatusCode;
use poem_openapi::{ApiResponse, payload::Json};

/// Every error the documents API answers with, as `application/problem+json`.
#[derive(Debug, ApiResponse)]
pub enum ApiError {
    /// Malformed input; `detail` names the field.
    #[oai(status = 400, content_type = "application/problem+json")]
    BadRequest(Json<Problem>),
    /// Missing or invalid API key.
    #[oai(status = 401, content_type = "application/problem+json")]
    Unauthorized(Json<Problem>),
    #[oai(status = 404, content_type = "application/problem+json")]
    NotFound(Json<Problem>),
    /// The same text from the same source is already stored.
    #[oai(status = 409, content_type = "application/problem+json")]
    Conflict(Json<Problem>),
    /// The request body (or the text in it) is over the limit.
    #[oai(status = 413, content_type = "application/problem+json")]
    PayloadTooLarge(Json<Problem>),
    /// A request with a body did not declare `Content-Type: application/json`.
    #[oai(status = 415, content_type = "application/problem+json")]
    UnsupportedMediaType(Json<Problem>),
    /// Well-formed but unusable input, e.g. a cursor this endpoint did not issue; `detail`
    /// names the field.
    #[oai(status = 422, content_type = "application/problem+json")]
    Unprocessable(Json<Problem>),
    #[oai(status = 500, content_type = "application/problem+json")]
    Internal(Json<Problem>),
    /// A dependency (the database) is unreachable, or (search) every search slot of this
    /// task stayed busy for the queue wait: then `Retry-After` says when to try again.
    #[oai(status = 503, content_type = "application/problem+json")]
    Unavailable(
        Json<Problem>,
        /// Seconds to wait before retrying; sent when a search was shed under load.
        #[oai(header = "retry-after")]
        Option<u32>,
    ),
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

    pub fn not_found(detail: impl Into<String>) -> Self {
        Self::NotFound(Json(Problem::new(StatusCode::NOT_FOUND, detail)))
    }

    pub fn conflict(detail: impl Into<String>) -> Self {
        Self::Conflict(Json(Problem::new(StatusCode::CONFLICT, detail)))
    }

    pub fn unavailable(detail: impl Into<String>) -> Self {
        Self::Unavailable(
            Json(Problem::new(StatusCode::SERVICE_UNAVAILABLE, detail)),
            None,
        )
    }

    /// Shed under load: a 503 with `Retry-After: <seconds>`.
    pub fn overloaded(detail: impl Into<String>, retry_after_seconds: u32) -> Self {
        Self::Unavailable(
            Json(Problem::new(StatusCode::SERVICE_UNAVAILABLE, detail)),
            Some(retry_after_seconds),
        )
    }

    /// An unexpected failure: the whole cause chain is logged, only the request id is sent.
    pub fn internal(err: impl Into<anyhow::Error>) -> Self {
        let err = err.into();
        tracing::error!(error = %format!("{err:#}"), "unexpected error");
        Self::Internal(Json(Problem::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "the server failed to handle the request; quote the request id when reporting it",
        )))
    }
}

impl From<sea_orm::DbErr> for ApiError {
    fn from(err: sea_orm::DbErr) -> Self {
        if database_unavailable(&err) {
            tracing::error!(error = %err, "database unavailable");
            return Self::unavailable("the database is unavailable; retry shortly");
        }
        Self::internal(anyhow::Error::new(err).context("database query failed"))
    }
}

/// Whether a database error says the database (or this connection to it) is unavailable
/// rather than the request being wrong: no connection, a pooled connection found broken
/// (the server restarted or ended it), a statement over its timeout, too many clients.
/// Decided by the error's kind and SQLSTATE class, never its text. The pool drops a broken
/// connection, so the next request gets a fresh one: such a 503 recovers by itself.
pub fn database_unavailable(err: &sea_orm::DbErr) -> bool {
    use sea_orm::{DbErr, RuntimeErr, sqlx::Error};
    let runtime = match err {
        DbErr::ConnectionAcquire(_) | DbErr::Conn(_) => return true,
        DbErr::Exec(r) | DbErr::Query(r) => r,
        _ => return false,
    };
    let RuntimeErr::SqlxError(e) = runtime else {
        return false;
    };
    match e.as_ref() {
        Error::Io(_)
        | Error::Tls(_)
        | Error::Protocol(_)
        | Error::PoolTimedOut
        | Error::PoolClosed
        | Error::WorkerCrashed => true,
        // 08: connection exception; 57: operator intervention (admin shutdown, statement
        // timeout 57014); 53300: too many connections.
        Error::Database(db) => db
            .code()
            .is_some_and(|c| c.starts_with("08") || c.starts_with("57") || c == "53300"),
        _ => false,
    }
}
