//! Which destinations a callback may reach: `https` URLs of public addresses only (unless
//! `CALLBACK_ALLOW_PRIVATE=true`, for local development). The check covers every special
//! IPv4 and IPv6 range, including the IPv6 forms that embed an IPv4 address (mapped,
//! IPv4-compatible, NAT64, 6to4, Teredo), since a gateway would forward them to it.

use std::{
    net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr},
    time::Duration,
};

use reqwest::Url;

/// Longest a DNS lookup of a callback host may take.
pub const DNS_TIMEOUT: Duration = Duration::from_secs(5);

/// Why a destination is refused (permanent: retrying cannot help).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Refused(pub String);

/// Checks a URL's form (at job creation and before each delivery).
pub fn check_url(raw: &str, allow_private: bool) -> Result<Url, Refused> {
    let url = Url::parse(raw).map_err(|e| Refused(format!("not a valid URL: {e}")))?;
    match url.scheme() {
        "https" => {}
        "http" if allow_private => {}
        "http" => return Err(Refused("must use https".into())),
        other => {
            return Err(Refused(format!(
                "scheme {other:?} is not allowed; use https"
            )));
        }
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(Refused("must not carry credentials".into()));
    }
    let host = url
        .host_str()
        .ok_or_else(|| Refused("has no host".into()))?;
    if !allow_private
        && let Ok(ip) = host.trim_matches(['[', ']']).parse::<IpAddr>()
        && !is_public(ip)
    {
        return Err(Refused(format!("address {ip} is not public")));
    }
    Ok(url)
}

/// What a lookup can end in.
#[derive(Debug, thiserror::Error)]
pub enum Lookup {
    #[error(transparent)]
    Refused(#[from] Refused),
    /// The name did not resolve (now): worth another try later.
    #[error("{0}")]
    Failed(String),
}

/// Resolves the host (under [`DNS_TIMEOUT`]) and returns an address that may be called;
/// the caller pins the connection to it, so the answer cannot change in between.
pub async fn resolve(url: &Url, allow_private: bool) -> Result<SocketAddr, Lookup> {
    let host = url
        .host_str()
        .ok_or_else(|| Refused("has no host".into()))?
        .trim_matches(['[', ']'])
        .to_owned();
    let port = url
        .port_or_known_default()
        .ok_or_else(|| Refused("has no port".into()))?;
    let addrs: Vec<SocketAddr> =
        match tokio::time::timeout(DNS_TIMEOUT, tokio::net::lookup_host((host.as_str(), port)))
            .await
        {
            Err(_) => {
                return Err(Lookup::Failed(format!(
                    "resolving {host} took longer than {DNS_TIMEOUT:?}"
                )));
            }
            Ok(Err(e)) => return Err(Lookup::Failed(format!("cannot resolve {host}: {e}"))),
            Ok(Ok(a)) => a.collect(),
        };
    let Some(first) = addrs.first().copied() else {
        return Err(Lookup::Failed(format!("{host} has no addresses")));
    };
    if !allow_private && let Some(bad) = addrs.iter().find(|a| !is_public(a.ip())) {
        return Err(Refused(format!(
            "{host} resolves to {}, which is not public",
            bad.ip()
        ))
        .into());
    }
    Ok(first)
}

/// False for every address that is not a unicast address on the public internet.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => is_public_v6(v6),
    }
}

fn in_v4(ip: Ipv4Addr, net: [u8; 4], bits: u32) -> bool {
    let mask = u32::MAX.checked_shl(32 - bits).unwrap_or(0);
    (u32::from(ip) & mask) == (u32::from(Ipv4Addr::from(net)) & mask)
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    const SPECIAL: [([u8; 4], u32); 16] = [
        ([0, 0, 0, 0], 8),       // "this network"
        ([10, 0, 0, 0], 8),      // private
        ([100, 64, 0, 0], 10),   // shared address space (CGNAT)
        ([127, 0, 0, 0], 8),     // loopback
        ([169, 254, 0, 0], 16),  // link local (instance metadata)
        ([172, 16, 0, 0], 12),   // private
        ([192, 0, 0, 0], 24),    // IETF protocol assignments
        ([192, 0, 2, 0], 24),    // documentation
        ([192, 31, 196, 0], 24), // AS112
        ([192, 52, 193, 0], 24), // AMT
        ([192, 88, 99, 0], 24),  // 6to4 relay anycast (deprecated)
        ([192, 168, 0, 0], 16),  // private
        ([198, 18, 0, 0], 15),   // benchmarking
        ([198, 51, 100, 0], 24), // documentation
        ([203, 0, 113, 0], 24),  // documentation
        ([224, 0, 0, 0], 3),     // multicast 224/4 and reserved 240/4 (incl. broadcast)
    ];
    !SPECIAL.iter().any(|(net, bits)| in_v4(ip, *net, *bits))
}

fn in_v6(ip: Ipv6Addr, net: Ipv6Addr, bits: u32) -> bool {
    let mask = u128::MAX.checked_shl(128 - bits).unwrap_or(0);
    (u128::from(ip) & mask) == (u128::from(net) & mask)
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    // Forms that carry an IPv4 address are as public as that address, except the
    // translation and tunnelling prefixes, which are refused outright.
    if let Some(v4) = ip.to_ipv4_mapped() {
        return is_public_v4(v4);
    }
    let v6 = |s: &str| s.parse::<Ipv6Addr>().unwrap_or(Ipv6Addr::UNSPECIFIED);
    let special: [(Ipv6Addr, u32); 14] = [
        (v6("::"), 96),          // unspecified, loopback, IPv4-compatible (deprecated)
        (v6("64:ff9b::"), 96),   // NAT64 well-known prefix
        (v6("64:ff9b:1::"), 48), // NAT64 local use
        (v6("100::"), 64),       // discard
        (v6("2001::"), 23),      // IETF protocol assignments (Teredo, benchmarking, ORCHID)
        (v6("2001:db8::"), 32),  // documentation
        (v6("2002::"), 16),      // 6to4
        (v6("3fff::"), 20),      // documentation
        (v6("5f00::"), 16),      // SRv6 SIDs
        (v6("fc00::"), 7),       // unique local (incl. fd00:ec2::254)
        (v6("fe80::"), 10),      // link local
        (v6("fec0::"), 10),      // site local (deprecated)
        (v6("ff00::"), 8),       // multicast
        (v6("::ffff:0:0"), 96),  // mapped (handled above; kept for completeness)
    ];
    !special.iter().any(|(net, bits)| in_v6(ip, *net, *bits))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn special_addresses_are_not_public() {
        for ip in [
            "0.1.2.3",
            "10.1.2.3",
            "100.64.0.1",
            "127.0.0.1",
            "169.254.169.254",
            "172.16.0.1",
            "192.0.0.8",
            "192.0.2.1",
            "192.88.99.1",
            "192.168.1.1",
            "198.18.0.1",
            "198.19.255.255",
            "198.51.100.7",
            "203.0.113.9",
            "224.0.0.1",
            "240.0.0.1",
            "255.255.255.255",
            "::",
            "::1",
            "::127.0.0.1",      // IPv4-compatible
            "::ffff:127.0.0.1", // mapped
            "::ffff:169.254.169.254",
            "64:ff9b::a9fe:a9fe", // NAT64 of 169.254.169.254
            "64:ff9b::808:808",   // NAT64 even of a public address
            "64:ff9b:1::1",
            "100::1",
            "2001::1",   // Teredo
            "2001:2::1", // benchmarking
            "2001:db8::1",
            "2002:a9fe:a9fe::1", // 6to4 of 169.254.169.254
            "3fff::1",
            "fc00::1",
            "fd00:ec2::254",
            "fe80::1",
            "fec0::1",
            "ff02::1",
        ] {
            assert!(!is_public(ip.parse().unwrap()), "{ip}");
        }
        for ip in [
            "93.184.216.34",
            "8.8.8.8",
            "198.20.0.1",
            "::ffff:8.8.8.8",
            "2606:4700::1111",
            "2a00:1450:4001::1",
        ] {
            assert!(is_public(ip.parse().unwrap()), "{ip}");
        }
    }

    #[test]
    fn url_rules() {
        assert!(check_url("https://example.com/hook", false).is_ok());
        assert!(
            check_url("http://example.com/hook", false)
                .unwrap_err()
                .0
                .contains("https")
        );
        assert!(check_url("ftp://example.com", false).is_err());
        assert!(check_url("https://user:pw@example.com", false).is_err());
        assert!(
            check_url("https://127.0.0.1/x", false)
                .unwrap_err()
                .0
                .contains("not public")
        );
        assert!(
            check_url("https://[::1]/x", false)
                .unwrap_err()
                .0
                .contains("not public")
        );
        assert!(check_url("https://[64:ff9b::a9fe:a9fe]/x", false).is_err());
        assert!(check_url("https://169.254.169.254/latest", false).is_err());
        assert!(check_url("http://127.0.0.1:9/x", true).is_ok());
    }

    #[tokio::test]
    async fn names_resolving_to_private_addresses_are_refused() {
        let url = check_url("https://localhost/x", false).unwrap();
        match resolve(&url, false).await {
            Err(Lookup::Refused(r)) => assert!(r.0.contains("not public"), "{r}"),
            other => panic!("{other:?}"),
        }
    }
}
