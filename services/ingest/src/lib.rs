//! The ingest service: `serve` (jobs and uploads API), `work` (the SQS consumer that
//! lists jobs' prefixes, turns S3 objects into documents through the documents crate's
//! write path and delivers callbacks) and `reconcile` (the scheduled sweep that ends
//! every job).
//!
//! Layout: [`job`] (model and DynamoDB store), [`formats`] (one module per file format),
//! [`worker`] (the SQS consumer, the per-file handler, the lister), [`outbox`] (callbacks),
//! [`reconcile`], [`queue`] and [`messages`] (what travels on SQS), [`api`] (HTTP only).

pub mod api;
pub mod aws;
pub mod config;
pub mod failpoint;
pub mod formats;
pub mod job;
pub mod messages;
pub mod outbox;
pub mod queue;
pub mod reconcile;
pub mod worker;

use corpus_platform::server::{self, App};
use poem::endpoint::BoxEndpoint;
use poem_openapi::OpenApiService;

use crate::{
    api::{HealthApi, JobsApi, UploadsApi},
    aws::Clients,
    config::ServeConfig,
    job::JobStore,
    outbox::{CallbackClient, Outbox},
    queue::Queue,
};

/// What every command talks to: the jobs table, the ingest queue, and the callback
/// outbox over both, as the shared settings name them.
#[derive(Clone)]
pub struct Plane {
    pub store: JobStore,
    pub queue: Queue,
    pub outbox: Outbox,
}

impl Plane {
    pub fn new(clients: &Clients, common: &config::Common) -> Self {
        let store = JobStore::new(clients.dynamodb.clone(), common.table.clone());
        let queue = Queue::new(clients.sqs.clone(), common.queue_url.clone());
        let outbox = Outbox::new(store.clone(), queue.clone(), common.callback_client());
        Self {
            store,
            queue,
            outbox,
        }
    }
}

/// What the API handlers share.
#[derive(Clone)]
pub struct AppState {
    pub clients: Clients,
    pub store: JobStore,
    pub queue: Queue,
    pub outbox: Outbox,
    pub config: ServeConfig,
    pub base_path: String,
}

impl AppState {
    pub fn new(clients: Clients, config: ServeConfig) -> Self {
        let Plane {
            store,
            queue,
            outbox,
        } = Plane::new(&clients, &config.common);
        Self {
            store,
            queue,
            outbox,
            base_path: config.http.base_path.clone(),
            clients,
            config,
        }
    }

    pub fn callbacks(&self) -> &CallbackClient {
        self.outbox.client()
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

/// `ingest reconcile`: one run over what is due now.
pub async fn reconcile_once(
    config: config::ReconcileConfig,
) -> Result<reconcile::Report, reconcile::ReconcileError> {
    let clients = Clients::from_env().await;
    reconcile::Reconciler::new(Plane::new(&clients, &config.common))
        .run_once(chrono::Utc::now(), config.limit)
        .await
}

/// `ingest resend-callback ID`: an operator re-sends a final job's callback.
pub async fn resend_callback(
    config: config::ReconcileConfig,
    id: uuid::Uuid,
) -> anyhow::Result<()> {
    let Plane { store, queue, .. } = Plane::new(&Clients::from_env().await, &config.common);
    if !store.reopen_callback(id).await? {
        anyhow::bail!("job {id} is unknown, not final yet, or has no callback URL");
    }
    let job = store
        .get_meta(id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("job {id} vanished"))?;
    queue.send_callback(id, &job.request_id, 0).await?;
    Ok(())
}

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
