//! Database credentials that change without a restart (issue 10, item 1).
//!
//! PostgreSQL checks a password only when a connection opens, so a rotation matters only to
//! new connections. With `DATABASE_SECRET_ARN` the login (`username`, `password`: the JSON
//! RDS and Secrets Manager's rotation functions write) comes from that secret:
//!
//! - it is re-read every `DATABASE_SECRET_REFRESH_SECONDS` (default 60); a changed login is
//!   first tried on a probe connection and only then handed to the pools for their next
//!   connections ([`sqlx::Pool::set_connect_options`]); a connection opened with an older
//!   login is closed when it is next taken from the pool (not while in use), so the old
//!   login (an alternating-users rotation changes its password next time) is soon unused;
//! - when opening a connection fails authentication (SQLSTATE 28P01, or 28000: the user of
//!   an alternating-users secret does not exist yet), the operation that needed it is not
//!   failed: [`Credentials::retry`] re-reads the secret's `AWSCURRENT`, `AWSPENDING` and
//!   `AWSPREVIOUS` versions, switches to the first one the database accepts, and runs the
//!   operation again, backing off while none works, for up to [`AUTH_RETRY_FOR`]. That
//!   covers single-user rotation, where the database has the new password a moment before
//!   the secret's `AWSCURRENT` does, and the opposite order (a new `AWSCURRENT` the
//!   database does not have yet: its previous version still logs in, and a task started
//!   meanwhile uses it until the periodic re-read finds the new one accepted). Authentication fails before any statement is sent, so running the
//!   operation again never repeats a write.
//!
//! Without a secret the login is the one in `DATABASE_URL` (or `PGPASSWORD`) and never
//! changes; [`Credentials::retry`] then runs the operation once.

mod provision;
mod secret;

use std::{
    sync::{
        Arc, Mutex, RwLock,
        atomic::{AtomicU64, Ordering},
    },
    time::Duration,
};

use corpus_platform::{ConfigError, Env};
use sea_orm::{
    DbErr, RuntimeErr,
    sqlx::{self, ConnectOptions as _, Connection as _, PgPool, postgres::PgConnectOptions},
};
use secrecy::{ExposeSecret, SecretString};
use tokio::time::Instant;

pub use provision::{Provisioned, SERVICE_ROLES, provision_logins, scram_verifier};
pub use secret::{Login, SecretSource};

/// How long an operation whose connection failed authentication keeps being retried with
/// re-read credentials before its error is returned.
pub const AUTH_RETRY_FOR: Duration = Duration::from_secs(10);

/// After a re-read that found nothing new, how long before the next one (many operations
/// failing at once share one re-read).
const MIN_REREAD_INTERVAL: Duration = Duration::from_millis(200);

const PROBE_TIMEOUT: Duration = Duration::from_secs(3);

/// Where the login comes from (`DATABASE_SECRET_ARN`, `DATABASE_SECRET_REFRESH_SECONDS`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CredentialsConfig {
    /// `DATABASE_SECRET_ARN`: a Secrets Manager secret holding `{"username", "password"}`;
    /// unset: the login in the database URL.
    pub secret_arn: Option<String>,
    /// `DATABASE_SECRET_REFRESH_SECONDS` (default 60, 1 to 86400).
    pub refresh_every: Duration,
}

impl CredentialsConfig {
    pub fn from_env(env: &Env) -> Result<Self, ConfigError> {
        let secs: u64 = env.parse_or("DATABASE_SECRET_REFRESH_SECONDS", 60)?;
        if !(1..=86_400).contains(&secs) {
            return Err(ConfigError::new(
                "DATABASE_SECRET_REFRESH_SECONDS",
                "must be between 1 and 86400",
            ));
        }
        Ok(Self {
            secret_arn: env.raw("DATABASE_SECRET_ARN").map(str::to_owned),
            refresh_every: Duration::from_secs(secs),
        })
    }

    /// The login of the database URL, never re-read.
    pub fn fixed() -> Self {
        Self {
            secret_arn: None,
            refresh_every: Duration::from_secs(60),
        }
    }
}

/// The current login of one database role, shared by every pool and connection of a task.
pub struct Credentials {
    source: Option<SecretSource>,
    /// Where a changed login is tried before it is used (the primary).
    probe_target: PgConnectOptions,
    current: RwLock<Option<Arc<Login>>>,
    /// Bumped on every switch, so operations that failed together re-read once.
    generation: AtomicU64,
    /// When the last switch happened.
    switched_at: RwLock<Option<std::time::Instant>>,
    /// The current run of refused logins: (first, last). A run ends with a switch, or when
    /// no login was refused for [`AUTH_RETRY_FOR`].
    refused: Mutex<Option<(Instant, Instant)>>,
    pools: Mutex<Vec<PgPool>>,
    on_switch: Mutex<Vec<Box<dyn Fn() + Send + Sync>>>,
    reread: tokio::sync::Mutex<Option<Instant>>,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let user = self.login().map(|l| l.username.clone());
        write!(
            f,
            "Credentials(user: {user:?}, rotating: {})",
            self.rotates()
        )
    }
}

impl Credentials {
    fn new(
        source: Option<SecretSource>,
        probe_target: PgConnectOptions,
        login: Option<Login>,
    ) -> Self {
        Self {
            source,
            probe_target,
            current: RwLock::new(login.map(Arc::new)),
            generation: AtomicU64::new(0),
            switched_at: RwLock::new(None),
            refused: Mutex::new(None),
            pools: Mutex::new(Vec::new()),
            on_switch: Mutex::new(Vec::new()),
            reread: tokio::sync::Mutex::new(None),
        }
    }

    /// The login of the URL, never re-read.
    pub fn fixed() -> Arc<Self> {
        Arc::new(Self::new(
            None,
            PgConnectOptions::new_without_pgpass(),
            None,
        ))
    }

    /// Credentials for the database of `url` as `config` says: with a secret, its current
    /// version is read now (an unreadable or malformed secret is an error: the process
    /// cannot log in) and a task re-reads it every `refresh_every` for as long as the
    /// returned value lives.
    pub async fn load(config: &CredentialsConfig, url: &SecretString) -> anyhow::Result<Arc<Self>> {
        use anyhow::Context as _;
        let Some(arn) = &config.secret_arn else {
            return Ok(Self::fixed());
        };
        let probe_target: PgConnectOptions = url
            .expose_secret()
            .parse()
            .context("the database URL cannot be parsed")?;
        let source = SecretSource::from_env(arn).await;
        let login = source
            .read(secret::CURRENT)
            .await
            .with_context(|| format!("cannot read DATABASE_SECRET_ARN {arn}"))?
            .with_context(|| format!("DATABASE_SECRET_ARN {arn} has no current version"))?;
        tracing::info!(user = %login.username, "database login from DATABASE_SECRET_ARN");
        let creds = Arc::new(Self::new(
            Some(source),
            probe_target.disable_statement_logging(),
            Some(login),
        ));
        spawn_refresh(Arc::downgrade(&creds), config.refresh_every);
        Ok(creds)
    }

    /// True while the login is changing: logins have been refused for less than
    /// [`AUTH_RETRY_FOR`] (operations wait for one the database accepts rather than fail),
    /// or it changed less than that ago (the pools are logging in again). Readiness does not
    /// report a slow login then.
    pub fn waiting_for_login(&self) -> bool {
        let refused = self
            .refused
            .lock()
            .is_ok_and(|r| r.is_some_and(|(first, _)| first.elapsed() < AUTH_RETRY_FOR));
        let switched = self
            .switched_at
            .read()
            .is_ok_and(|s| s.is_some_and(|t| t.elapsed() < AUTH_RETRY_FOR));
        refused || switched
    }

    /// Which login is current: changes with every switch.
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// True for a connection `age` old that was opened before the last switch (with a
    /// login that is no longer current).
    pub fn outdated(&self, age: Duration) -> bool {
        match self.switched_at.read().map_or(None, |g| *g) {
            Some(at) => age > at.elapsed(),
            None => false,
        }
    }

    /// True when the login comes from a secret (and may change).
    pub fn rotates(&self) -> bool {
        self.source.is_some()
    }

    /// The login in use (None: the URL's own).
    pub fn login(&self) -> Option<Arc<Login>> {
        self.current.read().map_or(None, |g| g.clone())
    }

    /// `options` with the current login.
    pub fn apply(&self, options: PgConnectOptions) -> PgConnectOptions {
        match self.login() {
            Some(l) => l.apply(options),
            None => options,
        }
    }

    /// Gives `pool` the current login and every later one.
    pub fn register(&self, pool: &PgPool) {
        if !self.rotates() {
            return;
        }
        pool.set_connect_options(self.apply(pool.connect_options().as_ref().clone()));
        if let Ok(mut pools) = self.pools.lock() {
            pools.push(pool.clone());
        }
    }

    /// Calls `f` after every switch (to close connections opened with the old login).
    pub fn on_switch(&self, f: impl Fn() + Send + Sync + 'static) {
        if let Ok(mut hooks) = self.on_switch.lock() {
            hooks.push(Box::new(f));
        }
    }

    /// Runs `op`; while it fails because a new connection was refused authentication,
    /// re-reads the credentials and runs it again (see the module documentation).
    pub async fn retry<T, F, Fut>(&self, mut op: F) -> Result<T, DbErr>
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = Result<T, DbErr>>,
    {
        let deadline = Instant::now() + AUTH_RETRY_FOR;
        let mut backoff = Duration::from_millis(25);
        loop {
            let seen = self.generation.load(Ordering::Acquire);
            match op().await {
                Err(err) if self.rotates() && is_auth_failure(&err) => {
                    if let Ok(mut r) = self.refused.lock() {
                        let now = Instant::now();
                        *r = match *r {
                            Some((first, last)) if last.elapsed() < AUTH_RETRY_FOR => {
                                Some((first, now))
                            }
                            _ => Some((now, now)),
                        };
                    }
                    if Instant::now() >= deadline {
                        tracing::error!(error = %err, "the database refuses every login the secret has");
                        return Err(err);
                    }
                    tracing::warn!(error = %err, "database login refused; re-reading DATABASE_SECRET_ARN");
                    self.reread(seen, true).await;
                    if self.generation.load(Ordering::Acquire) == seen {
                        tokio::time::sleep(backoff).await;
                        backoff = (backoff * 2).min(Duration::from_millis(500));
                    }
                }
                other => return other,
            }
        }
    }

    /// Reads the secret again and switches to a login the database accepts. After a
    /// refused login (`refused`), `AWSPENDING` is a candidate too (single-user rotation
    /// sets it on the database before it becomes current), and then `AWSPREVIOUS` (a new
    /// version became current in the secret before the database got it: the window
    /// between Terraform's apply and the migrate step that sets the password). Does nothing when another
    /// caller switched since `seen`.
    async fn reread(&self, seen: u64, refused: bool) {
        let Some(source) = &self.source else { return };
        let mut last = self.reread.lock().await;
        if self.generation.load(Ordering::Acquire) != seen {
            return;
        }
        if refused && last.is_some_and(|t| t.elapsed() < MIN_REREAD_INTERVAL) {
            return;
        }
        *last = Some(Instant::now());
        let mut stages = vec![secret::CURRENT];
        if refused {
            stages.extend([secret::PENDING, secret::PREVIOUS]);
        }
        let current = self.login();
        for stage in stages {
            let candidate = match source.read(stage).await {
                Ok(Some(login)) => login,
                Ok(None) => continue,
                Err(err) => {
                    tracing::warn!(error = %err, stage, "cannot read DATABASE_SECRET_ARN; keeping the current login");
                    return;
                }
            };
            if !refused && current.as_deref() == Some(&candidate) {
                return;
            }
            match self.probe(&candidate).await {
                Ok(()) => {
                    tracing::info!(user = %candidate.username, stage, "database login changed");
                    self.switch(candidate);
                    return;
                }
                Err(err) if is_auth_error(&err) => {
                    tracing::debug!(stage, user = %candidate.username, "the database refuses this version");
                }
                Err(err) => {
                    // The database cannot say (down, unreachable): trust the secret's
                    // current version, as a restarted task would.
                    tracing::warn!(error = %err, stage, "cannot try the new login; using it untried");
                    if stage == secret::CURRENT && current.as_deref() != Some(&candidate) {
                        self.switch(candidate);
                    }
                    return;
                }
            }
        }
    }

    async fn probe(&self, login: &Login) -> Result<(), sqlx::Error> {
        let options = login.apply(self.probe_target.clone());
        let conn = tokio::time::timeout(PROBE_TIMEOUT, sqlx::PgConnection::connect_with(&options))
            .await
            .map_err(|_| sqlx::Error::PoolTimedOut)??;
        conn.close().await
    }

    fn switch(&self, login: Login) {
        let login = Arc::new(login);
        if let Ok(mut current) = self.current.write() {
            *current = Some(login.clone());
        }
        if let Ok(mut at) = self.switched_at.write() {
            *at = Some(std::time::Instant::now());
        }
        if let Ok(mut r) = self.refused.lock() {
            *r = None;
        }
        self.generation.fetch_add(1, Ordering::AcqRel);
        if let Ok(pools) = self.pools.lock() {
            for pool in pools.iter() {
                pool.set_connect_options(login.apply(pool.connect_options().as_ref().clone()));
            }
        }
        if let Ok(hooks) = self.on_switch.lock() {
            for hook in hooks.iter() {
                hook();
            }
        }
    }
}

fn spawn_refresh(creds: std::sync::Weak<Credentials>, every: Duration) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval_at(Instant::now() + every, every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            let Some(creds) = creds.upgrade() else { return };
            let seen = creds.generation.load(Ordering::Acquire);
            creds.reread(seen, false).await;
        }
    });
}

/// True when `err` is a connection refused authentication (28P01 invalid password, 28000
/// invalid authorization: e.g. no such role).
pub fn is_auth_failure(err: &DbErr) -> bool {
    let runtime = match err {
        DbErr::Conn(r) | DbErr::Exec(r) | DbErr::Query(r) => r,
        _ => return false,
    };
    match runtime {
        RuntimeErr::SqlxError(e) => is_auth_error(e),
        _ => false,
    }
}

fn is_auth_error(err: &sqlx::Error) -> bool {
    matches!(err, sqlx::Error::Database(e) if matches!(e.code().as_deref(), Some("28P01" | "28000")))
}
