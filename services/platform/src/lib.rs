//! Shared runtime for corpus services.
//!
//! Every HTTP service is assembled from the same parts: typed configuration read from the
//! environment ([`config`]), JSON logs and OpenTelemetry traces ([`telemetry`]), a
//! middleware stack that assigns request ids, continues W3C trace context and renders every
//! error as `application/problem+json` ([`http`], [`problem`]), Bearer API keys checked
//! against SHA-256 digests ([`auth`]), the app builder every service uses ([`app`]) and a server loop that drains in-flight requests on
//! SIGTERM ([`server`]).

pub mod app;
pub mod auth;
pub mod cli;
pub mod config;
pub mod cursor;
pub mod health;
pub mod http;
pub mod problem;
pub mod server;
pub mod telemetry;

pub use config::{ConfigError, Env, HttpConfig};
pub use problem::Problem;

/// An error and its whole chain of causes on one line (AWS SDK and sqlx errors hide the
/// cause that explains them in `source()`).
pub fn error_chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut out = err.to_string();
    let mut source = err.source();
    while let Some(s) = source {
        out.push_str(": ");
        out.push_str(&s.to_string());
        source = s.source();
    }
    out
}
