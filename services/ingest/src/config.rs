//! Configuration of `ingest serve` and `ingest work`.

use std::time::Duration;

use corpus_platform::{ConfigError, Env, HttpConfig};
use secrecy::SecretString;

use crate::outbox::{CallbackClient, Secrets};

/// What both commands share.
#[derive(Debug, Clone)]
pub struct Common {
    /// `INGEST_TABLE`: the DynamoDB jobs table.
    pub table: String,
    /// `INGEST_QUEUE_URL`: the ingest queue.
    pub queue_url: String,
    /// `INGEST_BUCKET`: the landing bucket (uploads and drops).
    pub bucket: String,
    /// `INGEST_ALLOWED_BUCKETS`: buckets jobs may read (the landing bucket always may).
    pub allowed_buckets: Vec<String>,
    /// `INGEST_MAX_FILE_BYTES` (default 256 MiB): larger files fail.
    pub max_file_bytes: u64,
    /// `CALLBACK_SECRET`: HMAC key of callback signatures.
    pub callback_secret: SecretString,
    /// `CALLBACK_SECRET_PREVIOUS` (optional): the key being rotated out; while set, every
    /// callback carries a signature under each key.
    pub callback_secret_previous: Option<SecretString>,
    /// `INGEST_MAX_JOB_FILES` (default 10000): a job's listing stops there (the job
    /// reports it as a failed entry).
    pub max_job_files: usize,
    /// `INGEST_JOB_DEADLINE_SECONDS` (default 86400): after this long the reconciler
    /// finishes a job, failing the files still pending.
    pub job_deadline: chrono::Duration,
    /// `CALLBACK_ALLOW_PRIVATE` (default false): allow http and private addresses
    /// (local development only).
    pub callback_allow_private: bool,
}

impl Common {
    pub fn from_env(env: &Env) -> Result<Self, ConfigError> {
        let bucket = env.required("INGEST_BUCKET")?.to_owned();
        let mut allowed_buckets = env.list("INGEST_ALLOWED_BUCKETS");
        if let Some(bad) = allowed_buckets.iter().find(|b| !valid_bucket_name(b)) {
            return Err(ConfigError::new(
                "INGEST_ALLOWED_BUCKETS",
                format!("{bad:?} is not a valid S3 bucket name"),
            ));
        }
        if !allowed_buckets.contains(&bucket) {
            allowed_buckets.push(bucket.clone());
        }
        let queue_url = env.required("INGEST_QUEUE_URL")?.to_owned();
        if !(queue_url.starts_with("https://") || queue_url.starts_with("http://")) {
            return Err(ConfigError::new(
                "INGEST_QUEUE_URL",
                "must be an SQS queue URL",
            ));
        }
        let max_file_bytes = env.parse_or("INGEST_MAX_FILE_BYTES", 256 * 1024 * 1024u64)?;
        if max_file_bytes == 0 {
            return Err(ConfigError::new(
                "INGEST_MAX_FILE_BYTES",
                "must be positive",
            ));
        }
        Ok(Self {
            table: env.required("INGEST_TABLE")?.to_owned(),
            queue_url,
            bucket,
            allowed_buckets,
            max_file_bytes,
            callback_secret: env.secret("CALLBACK_SECRET")?,
            callback_secret_previous: env.optional_secret("CALLBACK_SECRET_PREVIOUS"),
            max_job_files: env.parse_or("INGEST_MAX_JOB_FILES", 10_000)?,
            job_deadline: {
                let secs: i64 = env.parse_or("INGEST_JOB_DEADLINE_SECONDS", 86_400)?;
                if !(1..=30 * 86_400).contains(&secs) {
                    return Err(ConfigError::new(
                        "INGEST_JOB_DEADLINE_SECONDS",
                        "must be between 1 and 2592000 (30 days, the jobs' time to live)",
                    ));
                }
                chrono::Duration::seconds(secs)
            },
            callback_allow_private: env.bool_or("CALLBACK_ALLOW_PRIVATE", false)?,
        })
    }
}

impl Common {
    /// The callback sender these settings describe.
    pub fn callback_client(&self) -> CallbackClient {
        CallbackClient::new(
            Secrets {
                current: self.callback_secret.clone(),
                previous: self.callback_secret_previous.clone(),
            },
            self.callback_allow_private,
        )
    }
}

/// `ingest serve`.
#[derive(Debug, Clone)]
pub struct ServeConfig {
    pub http: HttpConfig,
    pub bind_address: String,
    pub common: Common,
    /// `UPLOAD_URL_TTL_SECONDS` (default 900): lifetime of presigned upload URLs.
    pub upload_ttl: Duration,
}

impl ServeConfig {
    pub fn from_env(env: &Env) -> Result<Self, ConfigError> {
        let ttl: u64 = env.parse_or("UPLOAD_URL_TTL_SECONDS", 900)?;
        if !(60..=3600).contains(&ttl) {
            return Err(ConfigError::new(
                "UPLOAD_URL_TTL_SECONDS",
                "must be between 60 and 3600",
            ));
        }
        Ok(Self {
            http: HttpConfig::from_env(env)?,
            bind_address: env.raw("BIND_ADDRESS").unwrap_or("0.0.0.0").to_owned(),
            common: Common::from_env(env)?,
            upload_ttl: Duration::from_secs(ttl),
        })
    }
}

/// `ingest work`.
#[derive(Debug, Clone)]
pub struct WorkConfig {
    pub common: Common,
    /// `DATABASE_URL`: where documents are written.
    pub database_url: SecretString,
    /// `DATABASE_SECRET_ARN`, `DATABASE_SECRET_REFRESH_SECONDS`: the worker's login.
    pub credentials: corpus_documents::CredentialsConfig,
    /// `WORKER_CONCURRENCY` (default 4): concurrent long-poll loops.
    pub concurrency: usize,
    /// `WORKER_VISIBILITY_SECONDS` (default 60): how long a received message stays hidden;
    /// extended while a file is in progress.
    pub visibility: Duration,
    /// `SHUTDOWN_GRACE_SECONDS` (default 20): how long in-flight files may finish on
    /// SIGTERM before their messages are released.
    pub shutdown_grace: Duration,
    /// `CALLBACK_RETRY_BASE_MS` (default 30000): first callback retry delay (doubles
    /// with each of the 5 attempts).
    pub callback_retry_base: Duration,
    /// `WORKER_MAX_RECEIVES` (default 5, the queue's redrive `maxReceiveCount`): on this
    /// receive a file that still fails is recorded as failed with its last error.
    pub max_receives: u32,
    /// `INGEST_LIST_PAGE_SIZE` (default 1000, S3's maximum): keys per listing page, the
    /// unit a listing resumes from after a crash.
    pub list_page_size: i32,
}

impl WorkConfig {
    pub fn from_env(env: &Env) -> Result<Self, ConfigError> {
        let url = env.secret("DATABASE_URL")?;
        let concurrency: usize = env.parse_or("WORKER_CONCURRENCY", 4)?;
        if !(1..=64).contains(&concurrency) {
            return Err(ConfigError::new(
                "WORKER_CONCURRENCY",
                "must be between 1 and 64",
            ));
        }
        let visibility: u64 = env.parse_or("WORKER_VISIBILITY_SECONDS", 60)?;
        if !(2..=43_200).contains(&visibility) {
            return Err(ConfigError::new(
                "WORKER_VISIBILITY_SECONDS",
                "must be between 2 and 43200",
            ));
        }
        Ok(Self {
            common: Common::from_env(env)?,
            database_url: url,
            credentials: corpus_documents::CredentialsConfig::from_env(env)?,
            concurrency,
            visibility: Duration::from_secs(visibility),
            shutdown_grace: Duration::from_secs(env.parse_or("SHUTDOWN_GRACE_SECONDS", 20)?),
            callback_retry_base: Duration::from_millis(
                env.parse_or("CALLBACK_RETRY_BASE_MS", 30_000)?,
            ),
            max_receives: env.parse_or("WORKER_MAX_RECEIVES", 5)?,
            list_page_size: {
                let size: i32 = env.parse_or("INGEST_LIST_PAGE_SIZE", 1000)?;
                if !(1..=1000).contains(&size) {
                    return Err(ConfigError::new(
                        "INGEST_LIST_PAGE_SIZE",
                        "must be between 1 and 1000",
                    ));
                }
                size
            },
        })
    }
}

/// `ingest reconcile`.
#[derive(Debug, Clone)]
pub struct ReconcileConfig {
    pub common: Common,
    /// `RECONCILE_LIMIT` (default 1000): most due jobs handled per run.
    pub limit: usize,
}

impl ReconcileConfig {
    pub fn from_env(env: &Env) -> Result<Self, ConfigError> {
        let limit: usize = env.parse_or("RECONCILE_LIMIT", 1000)?;
        if limit == 0 {
            return Err(ConfigError::new("RECONCILE_LIMIT", "must be positive"));
        }
        Ok(Self {
            common: Common::from_env(env)?,
            limit,
        })
    }
}

/// S3 bucket naming rules (3-63 characters, lowercase letters, digits, dots, hyphens).
pub fn valid_bucket_name(name: &str) -> bool {
    (3..=63).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'-')
        && name.as_bytes()[0].is_ascii_alphanumeric()
        && name.as_bytes()[name.len() - 1].is_ascii_alphanumeric()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> Vec<(&'static str, &'static str)> {
        vec![
            ("INGEST_TABLE", "jobs"),
            ("INGEST_QUEUE_URL", "http://localhost:5000/123/q"),
            ("INGEST_BUCKET", "landing"),
            ("CALLBACK_SECRET", "s3cret"),
        ]
    }

    #[test]
    fn landing_bucket_is_always_allowed() {
        let mut vars = base();
        vars.push(("INGEST_ALLOWED_BUCKETS", "data-a, data-b"));
        let c = Common::from_env(&Env::from_pairs(vars)).unwrap();
        assert_eq!(c.allowed_buckets, vec!["data-a", "data-b", "landing"]);
        assert!(!c.callback_allow_private);
    }

    #[test]
    fn each_missing_or_bad_variable_is_named() {
        for (name, value) in [
            ("INGEST_TABLE", ""),
            ("INGEST_QUEUE_URL", "queue"),
            ("CALLBACK_SECRET", ""),
            ("CALLBACK_ALLOW_PRIVATE", "maybe"),
            ("INGEST_MAX_FILE_BYTES", "lots"),
            ("INGEST_ALLOWED_BUCKETS", "Bad_Bucket"),
            ("INGEST_JOB_DEADLINE_SECONDS", "0"),
        ] {
            let mut vars = base();
            vars.retain(|(k, _)| *k != name);
            vars.push((name, value));
            let err = Common::from_env(&Env::from_pairs(vars)).unwrap_err();
            assert_eq!(err.name, name);
        }
    }

    #[test]
    fn bucket_names() {
        assert!(valid_bucket_name("corpus-test-landing"));
        assert!(!valid_bucket_name("ab"));
        assert!(!valid_bucket_name("UPPER"));
        assert!(!valid_bucket_name("-lead"));
    }
}
