//! The documents service: documents and their passages in PostgreSQL, full-text search,
//! and the write path the ingest worker reuses ([`store::DocumentWriter`]).

pub mod api;
mod config;
pub mod credentials;
pub mod doc_cache;
pub mod entities;
pub mod limit;
pub mod migration;
pub mod passages;
pub mod query;
pub mod ranking;
pub mod reads;
pub mod store;

use std::{sync::Arc, time::Duration};

use corpus_platform::{
    HttpConfig,
    server::{self, App},
};
use poem::endpoint::BoxEndpoint;
use poem_openapi::OpenApiService;
use sea_orm::{ConnectOptions, Database, DatabaseConnection};
use sea_orm_migration::MigratorTrait;
use secrecy::{ExposeSecret, SecretString};

use crate::{
    api::{DocumentsApi, HealthApi, SearchApi},
    doc_cache::DocumentCache,
    limit::SearchSlots,
    ranking::StatsCache,
    reads::DirectReads,
};
pub use crate::{
    config::Config,
    credentials::{Credentials, CredentialsConfig},
};

/// What the handlers share.
#[derive(Clone)]
pub struct AppState {
    /// The primary.
    pub db: DatabaseConnection,
    /// The read replica, or the primary again.
    pub read: DatabaseConnection,
    /// True when `read` is a replica (`DATABASE_READ_URL`), not the primary again.
    pub replica: bool,
    /// Reads by id on the read database, on connections of their own (`crate::reads`).
    pub direct: Arc<DirectReads>,
    /// Documents' metadata recently read by id (`crate::doc_cache`).
    pub documents: Arc<DocumentCache>,
    pub base_path: String,
    /// The bound on searches in flight.
    pub search_slots: SearchSlots,
    /// Term statistics for search ranking, shared by the task's searches.
    pub search_stats: Arc<StatsCache>,
    /// The login of every pool above; [`Credentials::retry`] wraps each database call.
    pub credentials: Arc<Credentials>,
}

impl AppState {
    /// A document by id, and the pool that has it: the read pool first; when that is a
    /// replica that does not have it (yet: replication lag), the primary. So a client
    /// reading its own write right after `POST` sees it (docs/architecture.md, "The read
    /// replica"); a miss costs one more query, on the primary.
    pub async fn find_document(
        &self,
        id: uuid::Uuid,
    ) -> Result<Option<(entities::document::Model, &DatabaseConnection)>, sea_orm::DbErr> {
        let retry = &self.credentials;
        if let Some(d) = retry.retry(|| self.direct.get_document(id)).await? {
            return Ok(Some((d, &self.read)));
        }
        if !self.replica {
            return Ok(None);
        }
        Ok(retry
            .retry(|| store::get_document(&self.db, id))
            .await?
            .map(|d| (d, &self.db)))
    }
}

/// Longest any one statement of the services may run: a query that would run longer is
/// cancelled by PostgreSQL and fails (a 503, or a retried file) instead of holding a
/// connection and its locks. Migrations connect without it (an index build may be long).
pub const STATEMENT_TIMEOUT: Duration = Duration::from_secs(30);

/// A pool that connects lazily (a service starts, and reports not ready, while the
/// database is down, and reconnects when it is back), its statements timing out after
/// [`STATEMENT_TIMEOUT`].
pub async fn connect(
    url: &SecretString,
    max_connections: u32,
) -> Result<DatabaseConnection, sea_orm::DbErr> {
    connect_with_timeout(url, max_connections, Some(STATEMENT_TIMEOUT)).await
}

/// A pool whose statements time out after `statement_timeout` (`None`: never).
pub async fn connect_with_timeout(
    url: &SecretString,
    max_connections: u32,
    statement_timeout: Option<Duration>,
) -> Result<DatabaseConnection, sea_orm::DbErr> {
    connect_as(
        url,
        max_connections,
        statement_timeout,
        &Credentials::fixed(),
    )
    .await
}

/// A pool (as [`connect_with_timeout`]) whose new connections log in with the current
/// login of `credentials`, whatever it is when they open.
pub async fn connect_as(
    url: &SecretString,
    max_connections: u32,
    statement_timeout: Option<Duration>,
    credentials: &Arc<Credentials>,
) -> Result<DatabaseConnection, sea_orm::DbErr> {
    let mut options = ConnectOptions::new(url.expose_secret().to_owned());
    options
        .max_connections(max_connections)
        .min_connections(0)
        .connect_timeout(Duration::from_secs(3))
        .acquire_timeout(Duration::from_secs(5))
        .idle_timeout(Duration::from_secs(300))
        // No ping before every checkout (it doubles the round trips of a read); a broken
        // connection fails its query, is dropped by the pool, and readiness reports it.
        .test_before_acquire(false)
        .connect_lazy(true)
        .sqlx_logging(false);
    if let Some(limit) = statement_timeout {
        let ms = limit.as_millis().to_string();
        options.map_sqlx_postgres_opts(move |o| o.options([("statement_timeout", ms.as_str())]));
    }
    if credentials.rotates() {
        // A connection opened with an older login is closed instead of handed out.
        let c = credentials.clone();
        options.map_sqlx_postgres_pool_opts(move |o| {
            let c = c.clone();
            o.before_acquire(move |_, meta| {
                let keep = !c.outdated(meta.age);
                Box::pin(async move { Ok(keep) })
            })
        });
    }
    let db = Database::connect(options).await?;
    credentials.register(db.get_postgres_connection_pool());
    Ok(db)
}

/// Applies pending migrations.
pub async fn migrate(db: &DatabaseConnection) -> Result<(), sea_orm::DbErr> {
    migration::Migrator::up(db, None).await
}

fn api_service(state: &AppState) -> OpenApiService<(DocumentsApi, SearchApi, HealthApi), ()> {
    let server = if state.base_path.is_empty() {
        "/".to_owned()
    } else {
        state.base_path.clone()
    };
    OpenApiService::new(
        (
            DocumentsApi {
                state: state.clone(),
            },
            SearchApi {
                state: state.clone(),
            },
            HealthApi {
                state: state.clone(),
            },
        ),
        "corpus documents API",
        env!("CARGO_PKG_VERSION"),
    )
    .description("Documents, their exact text, and full-text search over their passages.")
    .server(server)
}

/// The OpenAPI document (committed as `openapi/documents.json`).
pub async fn openapi_json() -> Result<String, sea_orm::DbErr> {
    let url = "postgres://localhost/spec";
    let db = connect(&SecretString::from(url), 1).await?;
    let credentials = Credentials::fixed();
    let state = AppState {
        direct: Arc::new(DirectReads::new(url, 1, credentials.clone())?),
        documents: Arc::new(DocumentCache::off()),
        credentials,
        read: db.clone(),
        db,
        replica: false,
        base_path: String::new(),
        search_slots: SearchSlots::new(1, Duration::ZERO),
        search_stats: Arc::default(),
    };
    Ok(api_service(&state).spec())
}

/// Largest request body accepted (a 32 MiB text plus JSON escaping).
const MAX_BODY_BYTES: u64 = 40 * 1024 * 1024;

/// The whole HTTP app: routes under `BASE_PATH`, wrapped in the shared middleware.
pub fn router(state: &AppState, config: &HttpConfig) -> BoxEndpoint<'static> {
    corpus_platform::app::build(
        api_service(state),
        &config.base_path,
        config.api_keys.clone(),
        MAX_BODY_BYTES,
    )
}

/// A bound, ready-to-run `documents serve`.
pub struct Application;

impl Application {
    /// Connects (lazily) and binds `BIND_ADDRESS:PORT` (port 0 picks a free one).
    pub async fn build(config: Config) -> anyhow::Result<App> {
        use anyhow::Context as _;
        let credentials = Credentials::load(&config.credentials, &config.database_url).await?;
        let pool = |url| {
            connect_as(
                url,
                config.database_max_connections,
                Some(STATEMENT_TIMEOUT),
                &credentials,
            )
        };
        let db = pool(&config.database_url)
            .await
            .context("cannot open the DATABASE_URL pool")?;
        let read = match &config.database_read_url {
            Some(url) => pool(url)
                .await
                .context("cannot open the DATABASE_READ_URL pool")?,
            None => db.clone(),
        };
        let read_url = config
            .database_read_url
            .as_ref()
            .unwrap_or(&config.database_url);
        let direct = DirectReads::new(
            read_url.expose_secret(),
            config.database_max_connections,
            credentials.clone(),
        )
        .context("cannot use the read database URL")?;
        let direct = Arc::new(direct);
        let weak = Arc::downgrade(&direct);
        credentials.on_switch(move || {
            if let Some(d) = weak.upgrade() {
                d.close_outdated();
            }
        });
        let documents = Arc::new(DocumentCache::new(
            config.document_cache_bytes,
            config.document_cache_ttl,
        ));
        DocumentCache::report_every(&documents, Duration::from_secs(60));
        let state = AppState {
            credentials,
            direct,
            documents,
            db,
            read,
            replica: config.database_read_url.is_some(),
            base_path: config.http.base_path.clone(),
            search_slots: SearchSlots::new(config.search_concurrency, config.search_queue_wait),
            search_stats: Arc::default(),
        };
        let bound = server::bind(&config.bind_address, config.http.port)
            .await
            .with_context(|| format!("cannot bind {}:{}", config.bind_address, config.http.port))?;
        Ok(App::new(
            "documents",
            bound,
            router(&state, &config.http),
            config.http.shutdown_grace,
        ))
    }
}
