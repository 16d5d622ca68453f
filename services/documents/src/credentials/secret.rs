//! The login held in a Secrets Manager secret.

use aws_config::BehaviorVersion;
use aws_sdk_secretsmanager::{Client, operation::get_secret_value::GetSecretValueError};
use sea_orm::sqlx::postgres::PgConnectOptions;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

/// The version every reader uses.
pub const CURRENT: &str = "AWSCURRENT";
/// The version a rotation is installing (set on the database before it becomes current
/// in single-user rotation).
pub const PENDING: &str = "AWSPENDING";
/// The version `AWSCURRENT` replaced (Secrets Manager moves the label when a new version
/// becomes current): still the database's password until the new one is set there.
pub const PREVIOUS: &str = "AWSPREVIOUS";

/// A user name and its password.
#[derive(Clone)]
pub struct Login {
    pub username: String,
    pub password: SecretString,
}

impl PartialEq for Login {
    fn eq(&self, other: &Self) -> bool {
        self.username == other.username
            && self.password.expose_secret() == other.password.expose_secret()
    }
}

impl std::fmt::Debug for Login {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Login({})", self.username)
    }
}

impl Login {
    /// `options` logging in as this user.
    pub fn apply(&self, options: PgConnectOptions) -> PgConnectOptions {
        options
            .username(&self.username)
            .password(self.password.expose_secret())
    }

    /// Parses the secret string: JSON with at least `username` and `password` (what RDS
    /// and the rotation functions write, with `host`, `port`, `dbname`... beside them).
    pub fn parse(secret: &str) -> Result<Self, String> {
        #[derive(Deserialize)]
        struct Raw {
            username: String,
            password: String,
        }
        let raw: Raw = serde_json::from_str(secret)
            // Not the error's text: it may quote a value of the secret.
            .map_err(|e| {
                format!(
                    "the secret is not JSON with string fields username and password ({:?} error at line {} column {})",
                    e.classify(),
                    e.line(),
                    e.column()
                )
            })?;
        if raw.username.is_empty() {
            return Err("the secret's username is empty".into());
        }
        Ok(Self {
            username: raw.username,
            password: SecretString::from(raw.password),
        })
    }
}

/// Reads one secret's versions.
pub struct SecretSource {
    client: Client,
    secret_id: String,
}

#[derive(Debug, thiserror::Error)]
#[error("secret {secret_id} ({stage}): {reason}")]
pub struct SecretError {
    secret_id: String,
    stage: String,
    reason: String,
}

impl SecretSource {
    /// A reader of `secret_id` (name or ARN) using the SDK's own configuration.
    pub async fn from_env(secret_id: &str) -> Self {
        let shared = aws_config::defaults(BehaviorVersion::latest()).load().await;
        Self {
            client: Client::new(&shared),
            secret_id: secret_id.to_owned(),
        }
    }

    /// The login of version `stage`; None when no version has that label.
    pub async fn read(&self, stage: &str) -> Result<Option<Login>, SecretError> {
        let err = |reason: String| SecretError {
            secret_id: self.secret_id.clone(),
            stage: stage.to_owned(),
            reason,
        };
        let out = match self
            .client
            .get_secret_value()
            .secret_id(&self.secret_id)
            .version_stage(stage)
            .send()
            .await
        {
            Ok(out) => out,
            Err(e) => {
                return match e.into_service_error() {
                    GetSecretValueError::ResourceNotFoundException(_) if stage != CURRENT => {
                        Ok(None)
                    }
                    other => Err(err(corpus_platform::error_chain(&other))),
                };
            }
        };
        let text = out
            .secret_string()
            .ok_or_else(|| err("the secret has no string value".into()))?;
        Login::parse(text).map(Some).map_err(err)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rotation_functions_json_is_a_login() {
        let l = Login::parse(
            r#"{"engine":"postgres","host":"h","port":5432,"dbname":"corpus","username":"corpus_documents","password":"p'w\"d"}"#,
        )
        .unwrap();
        assert_eq!(l.username, "corpus_documents");
        assert_eq!(l.password.expose_secret(), "p'w\"d");
        let o = l.apply(PgConnectOptions::new_without_pgpass());
        assert_eq!(o.get_username(), "corpus_documents");
        assert!(Login::parse(r#"{"username":"","password":"x"}"#).is_err());
        assert!(Login::parse(r#"{"password":"x"}"#).is_err());
        assert!(Login::parse("hunter2").is_err());
    }

    #[test]
    fn debug_never_shows_the_password() {
        let l = Login::parse(r#"{"username":"u","password":"very-secret"}"#).unwrap();
        assert!(!format!("{l:?}").contains("very-secret"));
    }
}
