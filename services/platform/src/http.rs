//! The middleware every service wraps its routes in.
//!
//! [`Observe`] gives each request an id (the incoming `x-request-id` when it is sane, a new
//! UUID otherwise), continues the W3C `traceparent`, runs the request inside a span that
//! carries the id (so every log line of the request has it), echoes the id in the response
//! and turns every 4xx/5xx that is not yet `application/problem+json` (unknown routes,
//! malformed JSON, parameter validation, auth failures) into a problem body.

use std::time::Instant;

use opentelemetry::{propagation::Extractor, trace::TraceContextExt};
use poem::{
    Endpoint, IntoResponse, Middleware, Request, Response,
    http::{HeaderMap, HeaderValue, StatusCode, header},
};
use tracing::{Instrument, field::Empty};
use tracing_opentelemetry::OpenTelemetrySpanExt;

use crate::problem::{self, Problem};

pub const REQUEST_ID_HEADER: &str = "x-request-id";

/// The request id of the current request, as stored in the request's extensions.
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

/// Middleware: request id, trace context, access log, problem+json for every error.
pub struct Observe;

impl<E: Endpoint> Middleware<E> for Observe {
    type Output = ObserveEndpoint<E>;
    fn transform(&self, ep: E) -> Self::Output {
        ObserveEndpoint { inner: ep }
    }
}

pub struct ObserveEndpoint<E> {
    inner: E,
}

impl<E: Endpoint> Endpoint for ObserveEndpoint<E> {
    type Output = Response;

    async fn call(&self, mut req: Request) -> poem::Result<Response> {
        let request_id = incoming_request_id(req.headers()).unwrap_or_else(new_request_id);
        let parent = opentelemetry::global::get_text_map_propagator(|p| {
            p.extract(&HeaderExtractor(req.headers()))
        });
        let span = tracing::info_span!(
            "request",
            request_id = %request_id,
            trace_id = Empty,
            method = %req.method(),
            path = %req.uri().path(),
        );
        let _ = span.set_parent(parent);
        let trace_id = span.context().span().span_context().trace_id();
        if trace_id != opentelemetry::trace::TraceId::INVALID {
            span.record("trace_id", tracing::field::display(trace_id));
        }
        req.extensions_mut().insert(RequestId(request_id.clone()));

        let started = Instant::now();
        let id = request_id.clone();
        let work = async move {
            let response = match self.inner.call(req).await {
                Ok(output) => output.into_response(),
                Err(err) => err.into_response(),
            };
            let mut response = ensure_problem(response).await;
            let status = response.status();
            let latency_ms = started.elapsed().as_secs_f64() * 1000.0;
            if status.is_server_error() {
                tracing::error!(status = status.as_u16(), latency_ms, "request failed");
            } else {
                tracing::info!(status = status.as_u16(), latency_ms, "request completed");
            }
            if let Ok(value) = HeaderValue::from_str(&id) {
                response.headers_mut().insert(REQUEST_ID_HEADER, value);
            }
            response
        };
        Ok(problem::with_request_id(request_id, work.instrument(span)).await)
    }
}

/// Rewrites an error response that is not problem+json into one, keeping its status and
/// using its text as the detail (never for 5xx, whose text could leak internals).
async fn ensure_problem(response: Response) -> Response {
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let is_problem = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with(problem::CONTENT_TYPE));
    if is_problem {
        return response;
    }
    let (parts, body) = response.into_parts();
    let text = body.into_string().await.unwrap_or_default();
    let detail = if status.is_server_error() {
        "the server failed to handle the request; quote the request id when reporting it".to_owned()
    } else {
        describe_client_error(status, text.trim())
    };
    let mut rebuilt = Problem::new(status, detail).into_response();
    for (name, value) in parts.headers.iter() {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            rebuilt.headers_mut().insert(name.clone(), value.clone());
        }
    }
    rebuilt
}

fn describe_client_error(status: StatusCode, text: &str) -> String {
    match status {
        StatusCode::NOT_FOUND if text.is_empty() || text == "not found" => {
            "no resource at this path".to_owned()
        }
        StatusCode::METHOD_NOT_ALLOWED => "this path does not accept that method".to_owned(),
        StatusCode::UNAUTHORIZED => {
            "send a valid API key as 'Authorization: Bearer <key>'".to_owned()
        }
        _ if text.is_empty() => status
            .canonical_reason()
            .unwrap_or("client error")
            .to_owned(),
        _ => text.to_owned(),
    }
}

fn incoming_request_id(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(REQUEST_ID_HEADER)?.to_str().ok()?.trim();
    let sane = !value.is_empty()
        && value.len() <= 128
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':' | b'/'));
    sane.then(|| value.to_owned())
}

/// A random (version 4) UUID from the thread's generator (ChaCha, seeded from the OS):
/// `Uuid::new_v4` asks the OS for every id, one system call per request on the hot path.
fn new_request_id() -> String {
    uuid::Builder::from_random_bytes(rand::random())
        .into_uuid()
        .to_string()
}

struct HeaderExtractor<'a>(&'a HeaderMap);

impl Extractor for HeaderExtractor<'_> {
    fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).and_then(|v| v.to_str().ok())
    }
    fn keys(&self) -> Vec<&str> {
        self.0.keys().map(|k| k.as_str()).collect()
    }
}

/// Middleware: refuses a request whose declared body is larger than `max_bytes` with 413,
/// before anything reads it.
pub struct BodyLimit(pub u64);

impl<E: Endpoint> Middleware<E> for BodyLimit {
    type Output = BodyLimitEndpoint<E>;
    fn transform(&self, ep: E) -> Self::Output {
        BodyLimitEndpoint {
            inner: ep,
            max_bytes: self.0,
        }
    }
}

pub struct BodyLimitEndpoint<E> {
    inner: E,
    max_bytes: u64,
}

impl<E: Endpoint> Endpoint for BodyLimitEndpoint<E> {
    type Output = Response;

    async fn call(&self, mut req: Request) -> poem::Result<Response> {
        let too_large = |what: String| {
            Problem::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                format!("{what}; the limit is {} bytes", self.max_bytes),
            )
            .into_response()
        };
        let declared = req
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        match declared {
            Some(len) if len > self.max_bytes => {
                return Ok(too_large(format!("request body is {len} bytes")));
            }
            Some(_) => {}
            // No length declared (chunked): read at most the limit before any handler
            // sees the body, so a stream cannot cost more than a declared body may.
            None => {
                let limit = usize::try_from(self.max_bytes).unwrap_or(usize::MAX);
                match req.take_body().into_bytes_limit(limit).await {
                    Ok(bytes) => req.set_body(bytes),
                    Err(poem::error::ReadBodyError::PayloadTooLarge) => {
                        return Ok(too_large(
                            "request body (sent without a length) is larger".into(),
                        ));
                    }
                    Err(err) => {
                        return Ok(Problem::new(
                            StatusCode::BAD_REQUEST,
                            format!("the request body could not be read: {err}"),
                        )
                        .into_response());
                    }
                }
            }
        }
        self.inner.call(req).await.map(IntoResponse::into_response)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_id_is_honoured_only_when_sane() {
        let mut headers = HeaderMap::new();
        headers.insert(REQUEST_ID_HEADER, HeaderValue::from_static("abc-123"));
        assert_eq!(incoming_request_id(&headers).as_deref(), Some("abc-123"));
        headers.insert(REQUEST_ID_HEADER, HeaderValue::from_static("has space"));
        assert_eq!(incoming_request_id(&headers), None);
        let long = "x".repeat(129);
        headers.insert(REQUEST_ID_HEADER, HeaderValue::from_str(&long).unwrap());
        assert_eq!(incoming_request_id(&headers), None);
    }

    #[test]
    fn new_request_ids_are_distinct_version_4_uuids() {
        let ids: std::collections::HashSet<String> = (0..1000).map(|_| new_request_id()).collect();
        assert_eq!(ids.len(), 1000);
        for id in &ids {
            let u = uuid::Uuid::parse_str(id).unwrap();
            assert_eq!(u.get_version(), Some(uuid::Version::Random), "{id}");
            assert_eq!(u.get_variant(), uuid::Variant::RFC4122, "{id}");
        }
    }
}
