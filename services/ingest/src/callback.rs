//! Signed job callbacks with an SSRF guard.
//!
//! `POST callback_url` with the job JSON; `x-corpus-signature: sha256=<hex HMAC-SHA256(body,
//! CALLBACK_SECRET)>`, `x-corpus-job-id`, `x-request-id`. 10 s timeout per try, up to 5
//! tries with exponential backoff and full jitter; redirects are not followed. Unless
//! `CALLBACK_ALLOW_PRIVATE=true`, only `https` URLs whose host resolves to public
//! addresses are called, and the connection is pinned to the address that was checked (so
//! a DNS answer cannot change between the check and the call).

use std::{
    net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr},
    time::Duration,
};

use hmac::{KeyInit, Mac};
use rand::Rng;
use reqwest::Url;
use secrecy::{ExposeSecret, SecretString};
use sha2::Sha256;

pub const MAX_ATTEMPTS: u32 = 5;
const TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Clone)]
pub struct Callbacks {
    secret: SecretString,
    allow_private: bool,
    retry_base: Duration,
}

/// What happened to a callback.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    pub delivered: bool,
    pub attempts: u32,
    pub last_error: Option<String>,
}

/// `sha256=<hex>` of the body under the secret.
pub fn signature(secret: &SecretString, body: &[u8]) -> String {
    let mut mac = hmac::Hmac::<Sha256>::new_from_slice(secret.expose_secret().as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC accepts keys of any length"));
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

impl Callbacks {
    pub fn new(secret: SecretString, allow_private: bool, retry_base: Duration) -> Self {
        Self {
            secret,
            allow_private,
            retry_base,
        }
    }

    /// Checks a URL's form (at job creation and before each delivery).
    pub fn check_url(&self, raw: &str) -> Result<Url, String> {
        let url = Url::parse(raw).map_err(|e| format!("not a valid URL: {e}"))?;
        match url.scheme() {
            "https" => {}
            "http" if self.allow_private => {}
            "http" => return Err("must use https".into()),
            other => return Err(format!("scheme {other:?} is not allowed; use https")),
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err("must not carry credentials".into());
        }
        let host = url.host_str().ok_or("has no host")?;
        if !self.allow_private
            && let Ok(ip) = host.trim_matches(['[', ']']).parse::<IpAddr>()
            && !is_public(ip)
        {
            return Err(format!("address {ip} is not public"));
        }
        Ok(url)
    }

    /// Resolves the host and returns an address that may be called.
    pub async fn resolve(&self, url: &Url) -> Result<SocketAddr, String> {
        let host = url
            .host_str()
            .ok_or("has no host")?
            .trim_matches(['[', ']'])
            .to_owned();
        let port = url.port_or_known_default().ok_or("has no port")?;
        let addrs: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), port))
            .await
            .map_err(|e| format!("cannot resolve {host}: {e}"))?
            .collect();
        if addrs.is_empty() {
            return Err(format!("{host} has no addresses"));
        }
        if !self.allow_private
            && let Some(bad) = addrs.iter().find(|a| !is_public(a.ip()))
        {
            return Err(format!(
                "{host} resolves to {}, which is not public",
                bad.ip()
            ));
        }
        Ok(addrs[0])
    }

    /// Delivers `body` with retries; never fails, it reports.
    pub async fn deliver(
        &self,
        raw_url: &str,
        body: &[u8],
        job_id: &str,
        request_id: &str,
    ) -> Delivery {
        let mut last_error = None;
        for attempt in 1..=MAX_ATTEMPTS {
            match self.try_once(raw_url, body, job_id, request_id).await {
                Ok(()) => {
                    tracing::info!(attempt, "callback delivered");
                    return Delivery {
                        delivered: true,
                        attempts: attempt,
                        last_error: None,
                    };
                }
                Err(err) => {
                    tracing::warn!(attempt, error = %err, "callback attempt failed");
                    let permanent = err.starts_with("refused:");
                    last_error = Some(err);
                    if permanent {
                        return Delivery {
                            delivered: false,
                            attempts: attempt,
                            last_error,
                        };
                    }
                }
            }
            if attempt < MAX_ATTEMPTS {
                // Full jitter: a random delay up to base * 2^(attempt-1).
                let cap = self.retry_base.saturating_mul(1 << (attempt - 1));
                let millis = u64::try_from(cap.as_millis()).unwrap_or(u64::MAX);
                let delay = rand::rng().random_range(millis / 2..=millis.max(1));
                tokio::time::sleep(Duration::from_millis(delay)).await;
            }
        }
        Delivery {
            delivered: false,
            attempts: MAX_ATTEMPTS,
            last_error,
        }
    }

    async fn try_once(
        &self,
        raw_url: &str,
        body: &[u8],
        job_id: &str,
        request_id: &str,
    ) -> Result<(), String> {
        let url = self
            .check_url(raw_url)
            .map_err(|e| format!("refused: {e}"))?;
        let addr = self.resolve(&url).await.map_err(|e| {
            if e.contains("not public") {
                format!("refused: {e}")
            } else {
                e
            }
        })?;
        let host = url.host_str().unwrap_or_default().to_owned();
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(TIMEOUT)
            .resolve(&host, addr)
            .build()
            .map_err(|e| format!("client: {e}"))?;
        let response = client
            .post(url)
            .header("content-type", "application/json")
            .header("x-corpus-signature", signature(&self.secret, body))
            .header("x-corpus-job-id", job_id)
            .header("x-request-id", request_id)
            .body(body.to_vec())
            .send()
            .await
            .map_err(|e| format!("request failed: {}", crate::aws::chain(&e)))?;
        let status = response.status();
        if status.is_success() {
            Ok(())
        } else {
            Err(format!("receiver answered {status}"))
        }
    }
}

/// False for loopback, private, link-local (including the instance metadata address
/// 169.254.169.254), unique-local, shared (CGNAT), unspecified, broadcast, documentation
/// and multicast addresses.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public_v4(v4);
            }
            let seg = v6.segments();
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (seg[0] & 0xfe00) == 0xfc00 // unique local fc00::/7 (incl. fd00:ec2::254)
                || (seg[0] & 0xffc0) == 0xfe80 // link local fe80::/10
                || (seg[0] == 0x2001 && seg[1] == 0x0db8)) // documentation
                && v6 != Ipv6Addr::LOCALHOST
        }
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, ..] = ip.octets();
    !(ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        || a == 0
        || (a == 100 && (64..128).contains(&b)) // shared address space
        || (a == 192 && b == 0 && ip.octets()[2] == 0)) // IETF protocol assignments
}

#[cfg(test)]
mod tests {
    use super::*;

    fn guarded() -> Callbacks {
        Callbacks::new(SecretString::from("k"), false, Duration::from_millis(1))
    }

    #[test]
    fn signature_is_hmac_sha256_hex() {
        // RFC 4231 test case 2.
        let sig = signature(&SecretString::from("Jefe"), b"what do ya want for nothing?");
        assert_eq!(
            sig,
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn private_and_special_addresses_are_not_public() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "0.0.0.0",
            "100.64.0.1",
            "::1",
            "fe80::1",
            "fd00:ec2::254",
            "fc00::1",
            "::ffff:127.0.0.1",
            "::ffff:169.254.169.254",
            "255.255.255.255",
        ] {
            assert!(!is_public(ip.parse().unwrap()), "{ip}");
        }
        for ip in ["93.184.216.34", "8.8.8.8", "2606:4700::1111"] {
            assert!(is_public(ip.parse().unwrap()), "{ip}");
        }
    }

    #[test]
    fn url_rules() {
        let g = guarded();
        assert!(g.check_url("https://example.com/hook").is_ok());
        assert!(
            g.check_url("http://example.com/hook")
                .unwrap_err()
                .contains("https")
        );
        assert!(g.check_url("ftp://example.com").is_err());
        assert!(g.check_url("https://user:pw@example.com").is_err());
        assert!(
            g.check_url("https://127.0.0.1/x")
                .unwrap_err()
                .contains("not public")
        );
        assert!(
            g.check_url("https://[::1]/x")
                .unwrap_err()
                .contains("not public")
        );
        assert!(g.check_url("https://169.254.169.254/latest").is_err());
        let open = Callbacks::new(SecretString::from("k"), true, Duration::from_millis(1));
        assert!(open.check_url("http://127.0.0.1:9/x").is_ok());
    }

    #[tokio::test]
    async fn names_resolving_to_private_addresses_are_refused() {
        let g = guarded();
        let url = g.check_url("https://localhost/x").unwrap();
        let err = g.resolve(&url).await.unwrap_err();
        assert!(err.contains("not public"), "{err}");
        let d = g.deliver("https://localhost/x", b"{}", "j", "r").await;
        assert!(!d.delivered);
        assert_eq!(d.attempts, 1, "a refused address is not retried");
    }
}
