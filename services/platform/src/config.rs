//! Typed configuration from environment variables.
//!
//! A missing or malformed variable is a [`ConfigError`] whose `Display` is one line naming
//! the variable, so `main` can print it and exit before anything starts.

use std::{collections::HashMap, fmt::Display, str::FromStr, time::Duration};

use secrecy::SecretString;

use crate::auth::ApiKeys;

/// A configuration variable that is missing or cannot be parsed.
#[derive(Debug, thiserror::Error)]
#[error("configuration error: {name}: {reason}")]
pub struct ConfigError {
    pub name: String,
    pub reason: String,
}

impl ConfigError {
    pub fn new(name: &str, reason: impl Into<String>) -> Self {
        Self {
            name: name.to_owned(),
            reason: reason.into(),
        }
    }
}

/// A source of variables: the process environment, or a map in tests.
#[derive(Debug, Clone, Default)]
pub struct Env {
    vars: HashMap<String, String>,
}

impl Env {
    /// Snapshot of the process environment.
    pub fn from_process() -> Self {
        Self {
            vars: std::env::vars().collect(),
        }
    }

    pub fn from_pairs<I, K, V>(pairs: I) -> Self
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<String>,
        V: Into<String>,
    {
        Self {
            vars: pairs
                .into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        }
    }

    /// The raw value; an empty string counts as unset.
    pub fn raw(&self, name: &str) -> Option<&str> {
        self.vars
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.trim().is_empty())
    }

    /// A comma-separated list, each item trimmed, empty items dropped (unset: empty).
    pub fn list(&self, name: &str) -> Vec<String> {
        self.raw(name)
            .unwrap_or("")
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect()
    }

    pub fn required(&self, name: &str) -> Result<&str, ConfigError> {
        self.raw(name)
            .ok_or_else(|| ConfigError::new(name, "is required but not set"))
    }

    pub fn secret(&self, name: &str) -> Result<SecretString, ConfigError> {
        self.required(name)
            .map(|v| SecretString::from(v.to_owned()))
    }

    pub fn optional_secret(&self, name: &str) -> Option<SecretString> {
        self.raw(name).map(|v| SecretString::from(v.to_owned()))
    }

    /// Parses the variable, or returns `default` when unset.
    pub fn parse_or<T>(&self, name: &str, default: T) -> Result<T, ConfigError>
    where
        T: FromStr,
        T::Err: Display,
    {
        match self.raw(name) {
            None => Ok(default),
            Some(raw) => parse(name, raw),
        }
    }

    pub fn parse_required<T>(&self, name: &str) -> Result<T, ConfigError>
    where
        T: FromStr,
        T::Err: Display,
    {
        parse(name, self.required(name)?)
    }

    pub fn bool_or(&self, name: &str, default: bool) -> Result<bool, ConfigError> {
        match self.raw(name).map(|v| v.trim().to_ascii_lowercase()) {
            None => Ok(default),
            Some(v) if matches!(v.as_str(), "true" | "1" | "yes") => Ok(true),
            Some(v) if matches!(v.as_str(), "false" | "0" | "no") => Ok(false),
            Some(v) => Err(ConfigError::new(
                name,
                format!("expected true or false, got {v:?}"),
            )),
        }
    }
}

fn parse<T>(name: &str, raw: &str) -> Result<T, ConfigError>
where
    T: FromStr,
    T::Err: Display,
{
    raw.trim()
        .parse()
        .map_err(|e| ConfigError::new(name, format!("cannot parse {raw:?}: {e}")))
}

/// Log output format (`LOG_FORMAT`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Json,
    Pretty,
}

impl FromStr for LogFormat {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "json" => Ok(Self::Json),
            "pretty" => Ok(Self::Pretty),
            other => Err(format!("expected json or pretty, got {other:?}")),
        }
    }
}

/// Settings every HTTP service shares.
#[derive(Debug, Clone)]
pub struct HttpConfig {
    /// `PORT` (default 8000); 0 binds a free port (tests).
    pub port: u16,
    /// `BASE_PATH`: empty, or `/something` without a trailing slash.
    pub base_path: String,
    /// `API_KEY_SHA256`: digests of the keys that may write.
    pub api_keys: ApiKeys,
    /// `SHUTDOWN_GRACE_SECONDS` (default 20): how long in-flight requests may finish.
    pub shutdown_grace: Duration,
}

impl HttpConfig {
    pub fn from_env(env: &Env) -> Result<Self, ConfigError> {
        let port = env.parse_or("PORT", 8000u16)?;
        let base_path = normalize_base_path(env.raw("BASE_PATH").unwrap_or(""))
            .map_err(|reason| ConfigError::new("BASE_PATH", reason))?;
        let api_keys = ApiKeys::from_digests(env.raw("API_KEY_SHA256").unwrap_or(""))
            .map_err(|reason| ConfigError::new("API_KEY_SHA256", reason))?;
        let grace: u64 = env.parse_or("SHUTDOWN_GRACE_SECONDS", 20)?;
        Ok(Self {
            port,
            base_path,
            api_keys,
            shutdown_grace: Duration::from_secs(grace),
        })
    }
}

fn normalize_base_path(raw: &str) -> Result<String, String> {
    let trimmed = raw.trim().trim_end_matches('/');
    if trimmed.is_empty() {
        return Ok(String::new());
    }
    if !trimmed.starts_with('/') {
        return Err(format!("must start with '/', got {raw:?}"));
    }
    if !trimmed
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '/' | '-' | '_' | '.'))
    {
        return Err(format!(
            "may hold only letters, digits, '/', '-', '_', '.', got {raw:?}"
        ));
    }
    Ok(trimmed.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_apply_when_unset() {
        let cfg = HttpConfig::from_env(&Env::default()).unwrap();
        assert_eq!(cfg.port, 8000);
        assert_eq!(cfg.base_path, "");
        assert_eq!(cfg.shutdown_grace, Duration::from_secs(20));
    }

    #[test]
    fn malformed_variable_is_named_in_one_line() {
        let err = HttpConfig::from_env(&Env::from_pairs([("PORT", "eighty")])).unwrap_err();
        let line = err.to_string();
        assert!(line.starts_with("configuration error: PORT:"), "{line}");
        assert!(!line.contains('\n'));
    }

    #[test]
    fn base_path_is_normalized_and_validated() {
        let cfg =
            HttpConfig::from_env(&Env::from_pairs([("BASE_PATH", "/api/documents/")])).unwrap();
        assert_eq!(cfg.base_path, "/api/documents");
        let err = HttpConfig::from_env(&Env::from_pairs([("BASE_PATH", "api")])).unwrap_err();
        assert_eq!(err.name, "BASE_PATH");
    }

    #[test]
    fn bad_digest_is_rejected() {
        let err = HttpConfig::from_env(&Env::from_pairs([("API_KEY_SHA256", "abc")])).unwrap_err();
        assert_eq!(err.name, "API_KEY_SHA256");
    }

    #[test]
    fn required_reports_missing() {
        let err = Env::default().required("DATABASE_URL").unwrap_err();
        assert_eq!(
            err.to_string(),
            "configuration error: DATABASE_URL: is required but not set"
        );
    }
}
