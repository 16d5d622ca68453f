//! The ingest service: `serve` (jobs and uploads API) and `work` (the SQS consumer that
//! turns S3 objects into documents through the documents crate's write path).

pub mod api;
pub mod aws;
pub mod callback;
pub mod config;
pub mod decode;
pub mod ingest;
pub mod jobs;
pub mod messages;
pub mod worker;

use std::time::Duration;

use corpus_platform::server::{self, App};
use poem::endpoint::BoxEndpoint;
use poem_openapi::OpenApiService;

use crate::{
    api::{HealthApi, JobView, JobsApi, UploadsApi},
    aws::Clients,
    callback::Callbacks,
    config::ServeConfig,
    jobs::JobStore,
};

/// What the API handlers share.
#[derive(Clone)]
pub struct AppState {
    pub clients: Clients,
    pub store: JobStore,
    pub config: ServeConfig,
    pub callbacks: Callbacks,
    pub base_path: String,
}

impl AppState {
    pub fn new(clients: Clients, config: ServeConfig) -> Self {
        Self {
            store: JobStore::new(clients.dynamodb.clone(), config.common.table.clone()),
            callbacks: Callbacks::new(
                config.common.callback_secret.clone(),
                config.common.callback_allow_private,
                Duration::from_secs(1),
            ),
            base_path: config.http.base_path.clone(),
            clients,
            config,
        }
    }

    /// Finishes a job that has no files and sends its callback in the background.
    pub async fn finish_empty(&self, id: uuid::Uuid) {
        let job = match self.store.finish_if_complete(id).await {
            Ok(Some(job)) => job,
            Ok(None) => return,
            Err(err) => {
                tracing::error!(job_id = %id, error = %err, "finishing an empty job failed");
                return;
            }
        };
        let Some(callback) = job.callback.clone() else {
            return;
        };
        let store = self.store.clone();
        let callbacks = self.callbacks.clone();
        let request_id = job.request_id.clone();
        let body = serde_json::to_vec(&JobView::from(job).to_json_value()).unwrap_or_default();
        tokio::spawn(async move {
            let d = callbacks
                .deliver(&callback.url, &body, &id.to_string(), &request_id)
                .await;
            let status = if d.delivered { "delivered" } else { "failed" };
            if let Err(err) = store.set_callback(id, status, d.attempts).await {
                tracing::error!(job_id = %id, error = %err, "storing the callback outcome failed");
            }
        });
    }
}

fn api_service(state: &AppState) -> OpenApiService<(JobsApi, UploadsApi, HealthApi), ()> {
    let server = if state.base_path.is_empty() {
        "/".to_owned()
    } else {
        state.base_path.clone()
    };
    OpenApiService::new(
        (
            JobsApi {
                state: state.clone(),
            },
            UploadsApi {
                state: state.clone(),
            },
            HealthApi {
                state: state.clone(),
            },
        ),
        "corpus ingest API",
        env!("CARGO_PKG_VERSION"),
    )
    .description("Ingestion jobs over S3 prefixes, browser uploads, and their status.")
    .server(server)
}

/// The OpenAPI document (committed as `openapi/ingest.json`).
pub fn openapi_json() -> String {
    let env = corpus_platform::Env::from_pairs([
        ("INGEST_TABLE", "spec"),
        ("INGEST_QUEUE_URL", "http://localhost/spec"),
        ("INGEST_BUCKET", "spec-bucket"),
        ("CALLBACK_SECRET", "spec"),
    ]);
    let config = match ServeConfig::from_env(&env) {
        Ok(c) => c,
        Err(e) => unreachable!("static spec configuration is valid: {e}"),
    };
    api_service(&AppState::new(Clients::offline(), config)).spec()
}

/// The whole HTTP app under `BASE_PATH`, wrapped in the shared middleware.
pub fn router(state: &AppState) -> BoxEndpoint<'static> {
    corpus_platform::app::build(
        api_service(state),
        &state.base_path,
        state.config.http.api_keys.clone(),
        MAX_BODY_BYTES,
    )
}

/// Largest request body (the API takes only small JSON bodies).
const MAX_BODY_BYTES: u64 = 64 * 1024;

/// A bound, ready-to-run `ingest serve`.
pub struct Application;

impl Application {
    pub async fn build(config: ServeConfig) -> anyhow::Result<App> {
        use anyhow::Context as _;
        let clients = Clients::from_env().await;
        let bound = server::bind(&config.bind_address, config.http.port)
            .await
            .with_context(|| format!("cannot bind {}:{}", config.bind_address, config.http.port))?;
        let grace = config.http.shutdown_grace;
        let state = AppState::new(clients, config);
        Ok(App::new("ingest", bound, router(&state), grace))
    }
}
