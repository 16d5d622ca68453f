//! `documents serve`'s configuration from the environment; every bad value is an error
//! naming its variable.

use std::time::Duration;

use corpus_platform::{ConfigError, Env, HttpConfig};
use secrecy::{ExposeSecret, SecretString};

use crate::CredentialsConfig;

/// Configuration of `documents serve` (and `migrate`, which needs only the database).
#[derive(Debug, Clone)]
pub struct Config {
    pub http: HttpConfig,
    /// `BIND_ADDRESS` (default `0.0.0.0`; the local scripts use `127.0.0.1`).
    pub bind_address: String,
    /// `DATABASE_URL`: the primary, for writes.
    pub database_url: SecretString,
    /// `DATABASE_READ_URL`: a read replica for lists, reads and search (optional).
    pub database_read_url: Option<SecretString>,
    /// `DATABASE_MAX_CONNECTIONS` per pool (default 10).
    pub database_max_connections: u32,
    /// `DATABASE_SECRET_ARN`, `DATABASE_SECRET_REFRESH_SECONDS`: where the login of both
    /// URLs comes from ([`crate::credentials`]).
    pub credentials: CredentialsConfig,
    /// `DATABASE_ROLE_SECRET_ARNS` (`migrate` only): the services' login secrets, comma
    /// separated, whose passwords `migrate` sets on the database.
    pub role_secret_arns: Vec<String>,
    /// `SEARCH_CONCURRENCY`: searches in flight per task (default 2, 1 to 1024): about the
    /// database's vCPUs over the documents tasks at their minimum count, since a search keeps
    /// one core busy (bench/README.md, "search p99 under load").
    pub search_concurrency: usize,
    /// `SEARCH_QUEUE_WAIT_MS`: how long a search beyond that waits for a slot before it is
    /// shed with a 503 and `Retry-After` (default 5, about one typical search, at most
    /// 30000): a longer wait only turns an overload into queueing latency for everyone
    /// (bench/README.md, "search p99 under load").
    pub search_queue_wait: Duration,
    /// `DOCUMENT_CACHE_MIB`: memory for the task's cache of documents' metadata (default 8,
    /// 0 turns it off, at most 1024); `GET /documents/{id}` answers a hit without the
    /// database ([`crate::doc_cache`]).
    pub document_cache_bytes: usize,
    /// `DOCUMENT_CACHE_TTL_SECONDS`: how long a task keeps a document (default 30, 1 to
    /// 300): how long a task that did not delete a document may still serve it.
    pub document_cache_ttl: Duration,
}

impl Config {
    pub fn from_env(env: &Env) -> Result<Self, ConfigError> {
        Ok(Self {
            http: HttpConfig::from_env(env)?,
            bind_address: env.raw("BIND_ADDRESS").unwrap_or("0.0.0.0").to_owned(),
            database_url: database_url(env, "DATABASE_URL")?,
            database_read_url: env
                .raw("DATABASE_READ_URL")
                .map(|_| database_url(env, "DATABASE_READ_URL"))
                .transpose()?,
            database_max_connections: env.parse_or("DATABASE_MAX_CONNECTIONS", 10)?,
            credentials: CredentialsConfig::from_env(env)?,
            role_secret_arns: env.list("DATABASE_ROLE_SECRET_ARNS"),
            search_concurrency: in_range(env, "SEARCH_CONCURRENCY", 2, 1, 1024)?,
            search_queue_wait: Duration::from_millis(in_range(
                env,
                "SEARCH_QUEUE_WAIT_MS",
                5,
                0,
                30_000,
            )?),
            document_cache_bytes: in_range(env, "DOCUMENT_CACHE_MIB", 8, 0, 1024)? << 20,
            document_cache_ttl: Duration::from_secs(in_range(
                env,
                "DOCUMENT_CACHE_TTL_SECONDS",
                30,
                1,
                300,
            )?),
        })
    }
}

fn in_range<T>(env: &Env, name: &str, default: T, min: T, max: T) -> Result<T, ConfigError>
where
    T: std::str::FromStr + PartialOrd + std::fmt::Display + Copy,
    T::Err: std::fmt::Display,
{
    let v = env.parse_or(name, default)?;
    if v < min || v > max {
        return Err(ConfigError::new(
            name,
            format!("must be between {min} and {max}, got {v}"),
        ));
    }
    Ok(v)
}

fn database_url(env: &Env, name: &str) -> Result<SecretString, ConfigError> {
    let url = env.secret(name)?;
    let s = url.expose_secret();
    if !(s.starts_with("postgres://") || s.starts_with("postgresql://")) {
        return Err(ConfigError::new(
            name,
            "must be a postgres:// or postgresql:// URL",
        ));
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(extra: &[(&str, &str)]) -> Env {
        let mut pairs = vec![("DATABASE_URL", "postgres://u@h/db")];
        pairs.extend_from_slice(extra);
        Env::from_pairs(pairs)
    }

    #[test]
    fn search_limits_and_the_document_cache_default_and_are_validated() {
        let c = Config::from_env(&env(&[])).unwrap();
        assert_eq!(c.search_concurrency, 2);
        assert_eq!(c.search_queue_wait, Duration::from_millis(5));
        assert_eq!(c.document_cache_bytes, 8 << 20);
        assert_eq!(c.document_cache_ttl, Duration::from_secs(30));
        let c = Config::from_env(&env(&[
            ("SEARCH_CONCURRENCY", "16"),
            ("SEARCH_QUEUE_WAIT_MS", "0"),
            ("DOCUMENT_CACHE_MIB", "0"),
            ("DOCUMENT_CACHE_TTL_SECONDS", "300"),
        ]))
        .unwrap();
        assert_eq!(c.document_cache_bytes, 0);
        assert_eq!(c.document_cache_ttl, Duration::from_secs(300));
        assert_eq!(c.search_concurrency, 16);
        assert_eq!(c.search_queue_wait, Duration::ZERO);
        for (name, value) in [
            ("SEARCH_CONCURRENCY", "0"),
            ("SEARCH_CONCURRENCY", "many"),
            ("SEARCH_QUEUE_WAIT_MS", "60000"),
            ("SEARCH_QUEUE_WAIT_MS", "-1"),
            ("DOCUMENT_CACHE_MIB", "2048"),
            ("DOCUMENT_CACHE_MIB", "-1"),
            ("DOCUMENT_CACHE_TTL_SECONDS", "0"),
            ("DOCUMENT_CACHE_TTL_SECONDS", "301"),
        ] {
            let err = Config::from_env(&env(&[(name, value)])).unwrap_err();
            assert_eq!(err.name, name, "{value}");
        }
    }
}
