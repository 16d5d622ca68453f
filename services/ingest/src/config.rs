//! Configuration of `ingest serve` and `ingest work`.

use std::time::Duration;

use corpus_platform::{ConfigError, Env, HttpConfig};
use secrecy::SecretString;

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
    /// `CALLBACK_ALLOW_PRIVATE` (default false): allow http and private addresses
    /// (local development only).
    pub callback_allow_private: bool,
}

impl Common {
    pub fn from_env(env: &Env) -> Result<Self, ConfigError> {
        let bucket = env.required("INGEST_BUCKET")?.to_owned();
        let mut allowed_buckets: Vec<String> = env
            .raw("INGEST_ALLOWED_BUCKETS")
            .unwrap_or("")
            .split(',')
            .map(|b| b.trim().to_owned())
            .filter(|b| !b.is_empty())
            .collect();
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
            callback_allow_private: env.bool_or("CALLBACK_ALLOW_PRIVATE", false)?,
        })
    }
}

/// `ingest serve`.
#[derive(Debug, Clone)]
pub struct ServeConfig {
    pub http: HttpConfig,
    pub bind_address: String,
    pub common: Common,
    /// `INGEST_MAX_JOB_FILES` (default 10000): a job over more objects is refused.
    pub max_job_files: usize,
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
            max_job_files: env.parse_or("INGEST_MAX_JOB_FILES", 10_000)?,
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
    /// `WORKER_CONCURRENCY` (default 4): concurrent long-poll loops.
    pub concurrency: usize,
    /// `WORKER_VISIBILITY_SECONDS` (default 60): how long a received message stays hidden;
    /// extended while a file is in progress.
    pub visibility: Duration,
    /// `SHUTDOWN_GRACE_SECONDS` (default 20): how long in-flight files may finish on
    /// SIGTERM before their messages are released.
    pub shutdown_grace: Duration,
    /// `CALLBACK_RETRY_BASE_MS` (default 1000): first callback retry delay (doubles).
    pub callback_retry_base: Duration,
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
            concurrency,
            visibility: Duration::from_secs(visibility),
            shutdown_grace: Duration::from_secs(env.parse_or("SHUTDOWN_GRACE_SECONDS", 20)?),
            callback_retry_base: Duration::from_millis(
                env.parse_or("CALLBACK_RETRY_BASE_MS", 1000)?,
            ),
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
