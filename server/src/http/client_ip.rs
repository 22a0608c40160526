//! The client's IP behind a reverse proxy. The TCP peer is the client unless it is one of the
//! configured trusted proxies (`SITEPILOT_TRUSTED_PROXIES`, CIDRs); then the address comes from
//! the right-most hop of `Forwarded` (or, without it, `X-Forwarded-For`) that is not itself a
//! trusted proxy. From any other peer those headers are ignored: anyone can send them.

use std::net::IpAddr;

use app::state::ClientIp;
use axum::extract::Request;
use axum::http::HeaderMap;
use ipnet::IpNet;

/// The networks whose peers may tell us the client's address. Empty: trust nobody.
#[derive(Clone, Debug, Default)]
pub struct TrustedProxies(Vec<IpNet>);

impl TrustedProxies {
    /// A comma- or space-separated list of CIDRs or single addresses (`10.0.0.0/8, 127.0.0.1`).
    pub fn parse(list: &str) -> Result<Self, String> {
        list.split([',', ' '])
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| {
                s.parse::<IpNet>()
                    .or_else(|_| s.parse::<IpAddr>().map(IpNet::from))
                    .map_err(|_| {
                        format!("SITEPILOT_TRUSTED_PROXIES: `{s}` is not an address or CIDR")
                    })
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Self)
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = canonical(ip);
        self.0.iter().any(|net| net.contains(&ip))
    }

    /// The client's address for a request from `peer` carrying `headers`.
    pub fn client_ip(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        let peer = canonical(peer);
        if !self.contains(peer) {
            return peer;
        }
        let hops = forwarded_hops(headers);
        // Right to left: the nearest hop a trusted proxy vouches for that is not itself one of
        // ours is the client. An unreadable hop ends the walk (nothing left of it is vouched for).
        let mut client = peer;
        for hop in hops.iter().rev() {
            let Some(ip) = hop else { break };
            client = canonical(*ip);
            if !self.contains(client) {
                break;
            }
        }
        client
    }
}

/// IPv4-mapped IPv6 (`::ffff:1.2.3.4`, what a dual-stack socket reports) as plain IPv4.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

/// The hops, left (origin) to right (nearest), from `Forwarded` when present, else
/// `X-Forwarded-For`; `None` for a hop that is not an address (`unknown`, obfuscated ids).
fn forwarded_hops(headers: &HeaderMap) -> Vec<Option<IpAddr>> {
    let joined = |name: &str| {
        let values: Vec<&str> = headers
            .get_all(name)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect();
        (!values.is_empty()).then(|| values.join(","))
    };
    if let Some(forwarded) = joined("forwarded") {
        return forwarded
            .split(',')
            .map(|element| {
                element
                    .split(';')
                    .filter_map(|pair| pair.split_once('='))
                    .find(|(k, _)| k.trim().eq_ignore_ascii_case("for"))
                    .and_then(|(_, v)| parse_node(v.trim().trim_matches('"')))
            })
            .collect();
    }
    joined("x-forwarded-for")
        .map(|xff| xff.split(',').map(|h| parse_node(h.trim())).collect())
        .unwrap_or_default()
}

/// `1.2.3.4`, `1.2.3.4:80`, `[::1]`, `[::1]:80` or a bare IPv6 address.
fn parse_node(node: &str) -> Option<IpAddr> {
    if let Ok(ip) = node.parse() {
        return Some(ip);
    }
    if let Some(rest) = node.strip_prefix('[') {
        return rest.split_once(']')?.0.parse().ok();
    }
    node.rsplit_once(':')?.0.parse().ok()
}

/// The client address the outermost service recorded for this request, if any.
pub fn of(req: &Request) -> Option<IpAddr> {
    req.extensions().get::<ClientIp>().map(|c| c.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, HeaderValue::from_static(v));
        }
        h
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().expect("ip")
    }

    #[test]
    fn an_untrusted_peers_forwarding_headers_are_ignored() {
        let none = TrustedProxies::default();
        let spoofed = headers(&[
            ("x-forwarded-for", "203.0.113.9"),
            ("forwarded", "for=198.51.100.1"),
        ]);
        assert_eq!(none.client_ip(ip("192.0.2.7"), &spoofed), ip("192.0.2.7"));
        let proxies = TrustedProxies::parse("10.0.0.0/8").expect("parse");
        assert_eq!(
            proxies.client_ip(ip("192.0.2.7"), &spoofed),
            ip("192.0.2.7")
        );
    }

    #[test]
    fn a_trusted_peer_gives_the_right_most_untrusted_hop() {
        let proxies = TrustedProxies::parse("10.0.0.0/8, 127.0.0.1").expect("parse");
        // The client forged the left-most entry; our proxy appended the real peer.
        let xff = headers(&[("x-forwarded-for", "6.6.6.6, 203.0.113.9, 10.1.2.3")]);
        assert_eq!(proxies.client_ip(ip("10.0.0.1"), &xff), ip("203.0.113.9"));
        let two = headers(&[
            ("x-forwarded-for", "6.6.6.6"),
            ("x-forwarded-for", "203.0.113.9"),
        ]);
        assert_eq!(proxies.client_ip(ip("127.0.0.1"), &two), ip("203.0.113.9"));
        let fwd = headers(&[(
            "forwarded",
            "for=6.6.6.6, for=\"[2001:db8::1]:4711\";proto=https",
        )]);
        assert_eq!(proxies.client_ip(ip("10.0.0.1"), &fwd), ip("2001:db8::1"));
        let unknown = headers(&[("forwarded", "for=unknown, for=10.9.9.9")]);
        assert_eq!(
            proxies.client_ip(ip("10.0.0.1"), &unknown),
            ip("10.9.9.9"),
            "an unreadable hop ends the walk"
        );
        assert_eq!(
            proxies.client_ip(ip("10.0.0.1"), &HeaderMap::new()),
            ip("10.0.0.1")
        );
        let mapped = ip("::ffff:10.0.0.1");
        assert_eq!(proxies.client_ip(mapped, &xff), ip("203.0.113.9"));
    }

    #[test]
    fn bad_settings_are_refused() {
        assert!(TrustedProxies::parse("10.0.0.0/33").is_err());
        assert!(TrustedProxies::parse("proxy.local").is_err());
        assert!(TrustedProxies::parse("").expect("empty").0.is_empty());
        assert!(TrustedProxies::parse("::1 fd00::/8")
            .expect("v6")
            .contains(ip("::1")));
    }
}
