use std::time::Duration;

use corpus_documents::{Application, Config, CredentialsConfig, connect};
use corpus_platform::{HttpConfig, auth::ApiKeys};
use sea_orm::DatabaseConnection;
use secrecy::SecretString;
use serde_json::Value;
use tokio::sync::oneshot;

pub const API_KEY: &str = "test-key-0123456789";

pub use corpus_test_support::admin_url;

/// Creates an empty, migrated database (the shared fixture) and returns its URL.
pub async fn fresh_database() -> String {
    let (url, db) = corpus_test_support::fresh_database("test", 1).await;
    db.close().await.unwrap();
    url
}

pub fn config(database_url: &str, base_path: &str) -> Config {
    Config {
        http: HttpConfig {
            port: 0,
            base_path: base_path.to_owned(),
            api_keys: ApiKeys::from_keys([API_KEY]),
            shutdown_grace: Duration::from_secs(5),
        },
        bind_address: "127.0.0.1".into(),
        database_url: SecretString::from(database_url.to_owned()),
        database_read_url: None,
        database_max_connections: 10,
        credentials: CredentialsConfig::fixed(),
        role_secret_arns: Vec::new(),
        search_concurrency: 4,
        search_queue_wait: Duration::from_millis(250),
        document_cache_bytes: 8 << 20,
        document_cache_ttl: Duration::from_secs(30),
    }
}

pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    pub db: DatabaseConnection,
    _stop: oneshot::Sender<()>,
}

pub async fn spawn_app() -> TestApp {
    spawn_app_at("").await
}

/// The app logs in as a member of `corpus_documents`, so every test also checks that the
/// service's role may do what it needs; `TestApp::db` is the admin's.
pub async fn spawn_app_at(base_path: &str) -> TestApp {
    let database_url = fresh_database().await;
    let (_, service_url) =
        corpus_test_support::service_login(&database_url, "corpus_documents", "documents-pw").await;
    spawn_with(config(&service_url, base_path), database_url).await
}

pub async fn spawn_with(config: Config, database_url: String) -> TestApp {
    let base_path = config.http.base_path.clone();
    let app = Application::build(config).await.unwrap();
    let port = app.port();
    let (stop, stopped) = oneshot::channel::<()>();
    tokio::spawn(app.run_until(async {
        let _ = stopped.await;
    }));
    let db = connect(&SecretString::from(database_url), 2).await.unwrap();
    TestApp {
        base: format!("http://127.0.0.1:{port}{base_path}"),
        client: reqwest::Client::new(),
        db,
        _stop: stop,
    }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn create(&self, title: &str, text: &str) -> Value {
        let resp = self
            .client
            .post(self.url("/documents"))
            .bearer_auth(API_KEY)
            .json(&serde_json::json!({ "title": title, "text": text }))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 201, "create {title}");
        resp.json().await.unwrap()
    }

    /// `GET path`, the response as it came.
    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.unwrap()
    }

    /// `DELETE /documents/{id}` with the API key.
    pub async fn delete_document(&self, id: &str) -> reqwest::Response {
        self.client
            .delete(self.url(&format!("/documents/{id}")))
            .bearer_auth(API_KEY)
            .send()
            .await
            .unwrap()
    }

    pub async fn get_json(&self, path: &str) -> (u16, Value) {
        let resp = self.client.get(self.url(path)).send().await.unwrap();
        let status = resp.status().as_u16();
        (status, resp.json().await.unwrap_or(Value::Null))
    }
}

/// Asserts an RFC 9457 problem response and returns its body.
pub async fn assert_problem(resp: reqwest::Response, status: u16) -> Value {
    assert_eq!(resp.status().as_u16(), status);
    let content_type = resp
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert!(
        content_type.starts_with("application/problem+json"),
        "content type {content_type}"
    );
    let request_id = resp
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["status"], status);
    assert!(
        body["type"]
            .as_str()
            .unwrap()
            .starts_with("urn:corpus:problem:")
    );
    assert!(!body["title"].as_str().unwrap().is_empty());
    assert!(!body["detail"].as_str().unwrap().is_empty());
    assert_eq!(body["request_id"].as_str().unwrap(), request_id);
    body
}
