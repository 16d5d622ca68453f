//! The HTTP app every service serves: its OpenAPI routes, the spec and Swagger UI under
//! `BASE_PATH`, wrapped in the shared middleware (request ids and problem+json, panics
//! caught, a body limit, API keys, and `Allow` on every 405).

use poem::{
    Endpoint, EndpointExt, IntoEndpoint, IntoResponse, Middleware, Request, Response, Route,
    endpoint::BoxEndpoint,
    http::{HeaderValue, StatusCode, header},
    middleware::CatchPanic,
};
use poem_openapi::{OpenApi, OpenApiService};

use crate::{
    auth::ApiKeys,
    http::{BodyLimit, Observe},
};

/// Builds the service's endpoint: `api` (with its spec at `/openapi.json` and Swagger UI
/// at `/docs`) nested under `base_path`.
pub fn build<T>(
    api: OpenApiService<T, ()>,
    base_path: &str,
    api_keys: ApiKeys,
    max_body_bytes: u64,
) -> BoxEndpoint<'static>
where
    T: OpenApi + 'static,
{
    let allowed = AllowedMethods::from_openapi(base_path, &api.spec());
    let inner = Route::new()
        .at("/openapi.json", api.spec_endpoint())
        .nest("/docs", api.swagger_ui())
        .nest("/", api);
    let base = if base_path.is_empty() { "/" } else { base_path };
    Route::new()
        .nest(base, inner)
        .data(api_keys)
        .with(allowed)
        .with(BodyLimit(max_body_bytes))
        .with(CatchPanic::new())
        .with(Observe)
        .into_endpoint()
        .boxed()
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Literal(String),
    Param,
}

/// The methods each path of the app answers, read from its OpenAPI document, so that a 405
/// carries the `Allow` header RFC 9110 requires.
#[derive(Debug, Clone, Default)]
pub struct AllowedMethods {
    routes: Vec<(Vec<Segment>, String)>,
}

impl AllowedMethods {
    /// Reads `paths` of `spec` (an OpenAPI JSON document) mounted under `base_path`, plus
    /// the spec and docs routes every service serves.
    pub fn from_openapi(base_path: &str, spec: &str) -> Self {
        let mut table: Vec<(String, Vec<String>)> = Vec::new();
        if let Ok(doc) = serde_json::from_str::<serde_json::Value>(spec)
            && let Some(paths) = doc.get("paths").and_then(|p| p.as_object())
        {
            for (path, item) in paths {
                let mut methods: Vec<String> = item
                    .as_object()
                    .map(|ops| {
                        ops.keys()
                            .filter(|m| {
                                matches!(
                                    m.as_str(),
                                    "get" | "put" | "post" | "delete" | "patch" | "options"
                                )
                            })
                            .map(|m| m.to_ascii_uppercase())
                            .collect()
                    })
                    .unwrap_or_default();
                if methods.iter().any(|m| m == "GET") {
                    methods.push("HEAD".to_owned());
                }
                table.push((path.clone(), methods));
            }
        }
        table.push((
            "/openapi.json".to_owned(),
            vec!["GET".into(), "HEAD".into()],
        ));
        table.push(("/docs".to_owned(), vec!["GET".into(), "HEAD".into()]));
        let base = base_path.trim_end_matches('/');
        let routes = table
            .into_iter()
            .map(|(path, mut methods)| {
                methods.sort();
                methods.dedup();
                (parse(&format!("{base}{path}")), methods.join(", "))
            })
            .collect();
        Self { routes }
    }

    /// The `Allow` value for a request path, when the path is one of the app's.
    pub fn allow(&self, path: &str) -> Option<&str> {
        let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
        self.routes
            .iter()
            .find(|(route, _)| {
                route.len() == segments.len()
                    && route.iter().zip(&segments).all(|(r, s)| match r {
                        Segment::Param => !s.is_empty(),
                        Segment::Literal(l) => l == s,
                    })
            })
            .map(|(_, allow)| allow.as_str())
    }
}

fn parse(path: &str) -> Vec<Segment> {
    path.trim_matches('/')
        .split('/')
        .map(|s| {
            if s.starts_with('{') && s.ends_with('}') {
                Segment::Param
            } else {
                Segment::Literal(s.to_owned())
            }
        })
        .collect()
}

impl<E: Endpoint> Middleware<E> for AllowedMethods {
    type Output = AllowEndpoint<E>;
    fn transform(&self, ep: E) -> Self::Output {
        AllowEndpoint {
            inner: ep,
            allowed: self.clone(),
        }
    }
}

pub struct AllowEndpoint<E> {
    inner: E,
    allowed: AllowedMethods,
}

impl<E: Endpoint> Endpoint for AllowEndpoint<E> {
    type Output = Response;

    async fn call(&self, req: Request) -> poem::Result<Response> {
        let path = req.uri().path().to_owned();
        let mut response = match self.inner.call(req).await {
            Ok(output) => output.into_response(),
            Err(err) => err.into_response(),
        };
        if response.status() == StatusCode::METHOD_NOT_ALLOWED
            && let Some(allow) = self.allowed.allow(&path)
            && let Ok(value) = HeaderValue::from_str(allow)
        {
            response.headers_mut().insert(header::ALLOW, value);
        }
        Ok(response)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPEC: &str = r#"{"paths": {
        "/documents": {"get": {}, "post": {}},
        "/documents/{id}": {"get": {}, "delete": {}, "parameters": []},
        "/documents/{id}/text": {"get": {}}
    }}"#;

    #[test]
    fn allow_lists_the_documented_methods_of_the_matching_path() {
        let allowed = AllowedMethods::from_openapi("/api/documents", SPEC);
        assert_eq!(
            allowed.allow("/api/documents/documents"),
            Some("GET, HEAD, POST")
        );
        assert_eq!(
            allowed.allow("/api/documents/documents/0190/"),
            Some("DELETE, GET, HEAD")
        );
        assert_eq!(
            allowed.allow("/api/documents/documents/x/text"),
            Some("GET, HEAD")
        );
        assert_eq!(
            allowed.allow("/api/documents/openapi.json"),
            Some("GET, HEAD")
        );
        assert_eq!(allowed.allow("/api/documents/nothing"), None);
        assert_eq!(allowed.allow("/documents"), None);
    }

    #[test]
    fn without_a_base_path_routes_sit_at_the_root() {
        let allowed = AllowedMethods::from_openapi("", SPEC);
        assert_eq!(allowed.allow("/documents"), Some("GET, HEAD, POST"));
        assert_eq!(allowed.allow("/documents/"), Some("GET, HEAD, POST"));
    }
}
