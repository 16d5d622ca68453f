//! One signed callback attempt.
//!
//! `POST callback_url` with the job JSON and the headers `x-corpus-timestamp` (unix
//! seconds), `x-corpus-signature: sha256=<hex HMAC-SHA256(timestamp + "." + body,
//! secret)>` (one comma-separated entry per secret while a rotation is under way),
//! `x-corpus-job-id` and `x-request-id`. 10 s timeout, redirects not followed, no proxy
//! (a proxy would resolve the name itself and defeat the address check), the connection
//! pinned to the address that was checked. How a receiver verifies: docs/callbacks.md.

use std::time::Duration;

use hmac::{KeyInit, Mac};
use secrecy::{ExposeSecret, SecretString};
use sha2::Sha256;

use super::guard::{self, Lookup};

const TIMEOUT: Duration = Duration::from_secs(10);

/// The signing keys: the current one, and the previous one during a rotation.
#[derive(Clone)]
pub struct Secrets {
    pub current: SecretString,
    pub previous: Option<SecretString>,
}

/// `sha256=<hex>` of `timestamp.body` under one secret.
pub fn signature(secret: &SecretString, timestamp: i64, body: &[u8]) -> String {
    let mut mac = hmac::Hmac::<Sha256>::new_from_slice(secret.expose_secret().as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC accepts keys of any length"));
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

impl Secrets {
    /// The `x-corpus-signature` value: the current secret's signature first.
    pub fn header(&self, timestamp: i64, body: &[u8]) -> String {
        let mut value = signature(&self.current, timestamp, body);
        if let Some(previous) = &self.previous {
            value.push(',');
            value.push_str(&signature(previous, timestamp, body));
        }
        value
    }
}

/// Why an attempt failed, by kind: a refused destination is permanent, anything else is
/// worth another attempt.
#[derive(Debug, thiserror::Error)]
pub enum AttemptError {
    #[error("refused: {0}")]
    Refused(String),
    #[error("{0}")]
    Failed(String),
}

/// What one attempt sends.
pub struct Attempt<'a> {
    pub url: &'a str,
    pub body: &'a [u8],
    pub job_id: &'a str,
    pub request_id: &'a str,
}

#[derive(Clone)]
pub struct CallbackClient {
    secrets: Secrets,
    allow_private: bool,
}

impl CallbackClient {
    pub fn new(secrets: Secrets, allow_private: bool) -> Self {
        Self {
            secrets,
            allow_private,
        }
    }

    pub fn allow_private(&self) -> bool {
        self.allow_private
    }

    /// One delivery attempt.
    pub async fn send(&self, a: &Attempt<'_>) -> Result<(), AttemptError> {
        let url =
            guard::check_url(a.url, self.allow_private).map_err(|r| AttemptError::Refused(r.0))?;
        let addr = guard::resolve(&url, self.allow_private)
            .await
            .map_err(|e| match e {
                Lookup::Refused(r) => AttemptError::Refused(r.0),
                Lookup::Failed(f) => AttemptError::Failed(f),
            })?;
        let host = url.host_str().unwrap_or_default().to_owned();
        let client = reqwest::Client::builder()
            .no_proxy()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(TIMEOUT)
            .resolve(&host, addr)
            .build()
            .map_err(|e| AttemptError::Failed(format!("client: {e}")))?;
        let timestamp = chrono::Utc::now().timestamp();
        let response = client
            .post(url)
            .header("content-type", "application/json")
            .header("x-corpus-timestamp", timestamp.to_string())
            .header("x-corpus-signature", self.secrets.header(timestamp, a.body))
            .header("x-corpus-job-id", a.job_id)
            .header("x-request-id", a.request_id)
            .body(a.body.to_vec())
            .send()
            .await
            .map_err(|e| {
                AttemptError::Failed(format!("request failed: {}", crate::aws::chain(&e)))
            })?;
        let status = response.status();
        if status.is_success() {
            Ok(())
        } else {
            Err(AttemptError::Failed(format!("receiver answered {status}")))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature_covers_the_timestamp_and_the_body() {
        // HMAC-SHA256 of "1700000000.{}" under "k", computed independently with
        // `printf '1700000000.{}' | openssl dgst -sha256 -hmac k`.
        let secret = SecretString::from("k");
        let sig = signature(&secret, 1_700_000_000, b"{}");
        assert_eq!(
            sig,
            "sha256=c6ef4734033cee2367414a0939385eca0397754aa7a59716da7463a9298b5146"
        );
        assert_ne!(sig, signature(&secret, 1_700_000_001, b"{}"));
    }

    #[test]
    fn a_rotation_signs_with_both_secrets_current_first() {
        let secrets = Secrets {
            current: SecretString::from("new"),
            previous: Some(SecretString::from("old")),
        };
        let header = secrets.header(5, b"x");
        let parts: Vec<&str> = header.split(',').collect();
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[0], signature(&SecretString::from("new"), 5, b"x"));
        assert_eq!(parts[1], signature(&SecretString::from("old"), 5, b"x"));
    }
}
