//! Bearer API keys, checked against SHA-256 digests in constant time.
//!
//! The service never holds a key, only `hex(sha256(key))` values from `API_KEY_SHA256`.

use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// The set of accepted key digests.
#[derive(Clone, Default)]
pub struct ApiKeys {
    digests: Vec<[u8; 32]>,
}

impl std::fmt::Debug for ApiKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ApiKeys({} digests)", self.digests.len())
    }
}

impl ApiKeys {
    /// Parses a comma-separated list of 64-character hex digests.
    pub fn from_digests(list: &str) -> Result<Self, String> {
        let mut digests = Vec::new();
        for (i, item) in list.split(',').map(str::trim).enumerate() {
            if item.is_empty() {
                continue;
            }
            let mut digest = [0u8; 32];
            hex::decode_to_slice(item, &mut digest)
                .map_err(|_| format!("entry {} is not a 64-character hex SHA-256 digest", i + 1))?;
            digests.push(digest);
        }
        Ok(Self { digests })
    }

    /// Builds the set from plain keys (tests and local development).
    pub fn from_keys<'a>(keys: impl IntoIterator<Item = &'a str>) -> Self {
        Self {
            digests: keys.into_iter().map(digest).collect(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.digests.is_empty()
    }

    /// True when `key` hashes to one of the digests. Every digest is compared, in constant
    /// time, so the timing tells nothing about which one (or how much of one) matched.
    pub fn verify(&self, key: &str) -> bool {
        let candidate = digest(key);
        self.digests
            .iter()
            .fold(subtle::Choice::from(0), |acc, d| acc | d.ct_eq(&candidate))
            .into()
    }
}

/// `hex(sha256(key))`, the form `API_KEY_SHA256` holds.
pub fn sha256_hex(key: &str) -> String {
    hex::encode(digest(key))
}

fn digest(key: &str) -> [u8; 32] {
    Sha256::digest(key.as_bytes()).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verifies_only_listed_keys() {
        let list = format!("{}, {}", sha256_hex("alpha"), sha256_hex("beta"));
        let keys = ApiKeys::from_digests(&list).unwrap();
        assert!(keys.verify("alpha"));
        assert!(keys.verify("beta"));
        assert!(!keys.verify("gamma"));
        assert!(!keys.verify(""));
    }

    #[test]
    fn empty_set_accepts_nothing() {
        let keys = ApiKeys::from_digests("").unwrap();
        assert!(keys.is_empty());
        assert!(!keys.verify("anything"));
    }

    #[test]
    fn rejects_malformed_digest() {
        let err = ApiKeys::from_digests("zz").unwrap_err();
        assert!(err.contains("entry 1"), "{err}");
    }
}

/// The security scheme of every write operation: `Authorization: Bearer <key>`, where the
/// key's SHA-256 digest is in the [`ApiKeys`] the app holds as request data.
#[derive(poem_openapi::SecurityScheme)]
#[oai(ty = "bearer", checker = "check_bearer")]
pub struct WriteAccess(pub ());

async fn check_bearer(req: &poem::Request, bearer: poem_openapi::auth::Bearer) -> Option<()> {
    let keys = req.data::<ApiKeys>()?;
    keys.verify(&bearer.token).then_some(())
}
