//! The DNS client behind custom-domain checks: one hickory resolver, pointed at
//! `SITEPILOT_DNS_SERVER` when set (the tests' local server) or the system's nameservers. It
//! keeps no cache, so a check always sees what DNS says now. Every finding is put in words the
//! domain's owner can act on: NXDOMAIN, a CNAME pointing elsewhere, a missing or wrong TXT
//! record, a lookup that timed out.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use app::db::domains::CheckTarget;
use app::model::verify_record_name;
use hickory_resolver::config::{
    ConnectionConfig, NameServerConfig, ResolveHosts, ResolverConfig, ResolverOpts,
};
use hickory_resolver::net::runtime::TokioRuntimeProvider;
use hickory_resolver::net::NetError;
use hickory_resolver::proto::rr::{RData, RecordType};
use hickory_resolver::TokioResolver;

/// A resolver asking `server` (UDP, then TCP for long answers), or the system's nameservers,
/// without a cache. Outgoing webhooks (`crate::webhooks`) resolve with it too.
pub fn build_resolver(server: Option<SocketAddr>) -> Result<TokioResolver, String> {
    match server {
        Some(addr) => {
            let mut udp = ConnectionConfig::udp();
            udp.port = addr.port();
            let mut tcp = ConnectionConfig::tcp();
            tcp.port = addr.port();
            let ns = NameServerConfig::new(addr.ip(), true, vec![udp, tcp]);
            TokioResolver::builder_with_config(
                ResolverConfig::from_name_servers(vec![ns]),
                TokioRuntimeProvider::default(),
            )
            .with_options(options())
            .build()
            .map_err(|e| e.to_string())
        }
        None => TokioResolver::builder_tokio()
            .map(|mut b| {
                let system = b.options_mut();
                system.cache_size = 0;
                b
            })
            .and_then(|b| b.build())
            .map_err(|e| e.to_string()),
    }
}

/// Looks up the records a custom domain needs.
#[derive(Clone)]
pub struct DnsChecker {
    /// `None` when the system's configuration could not be read: every check says so.
    resolver: Option<Arc<TokioResolver>>,
    apex_ips: Arc<[IpAddr]>,
}

fn options() -> ResolverOpts {
    let mut opts = ResolverOpts::default();
    opts.cache_size = 0;
    opts.timeout = Duration::from_secs(3);
    opts.attempts = 2;
    opts.use_hosts_file = ResolveHosts::Never;
    opts
}

impl DnsChecker {
    /// A checker asking `server` (UDP, then TCP for long answers), or the system's nameservers.
    pub fn new(server: Option<SocketAddr>, apex_ips: &[IpAddr]) -> Self {
        let resolver = build_resolver(server);
        let resolver = match resolver {
            Ok(r) => Some(Arc::new(r)),
            Err(e) => {
                tracing::error!(error = %e, "no DNS resolver: custom domains cannot be checked");
                None
            }
        };
        Self {
            resolver,
            apex_ips: apex_ips.into(),
        }
    }

    /// Checks `t`'s records; `Err` says what is wrong (every problem found, in one text).
    pub async fn check(&self, t: &CheckTarget) -> Result<(), String> {
        let Some(resolver) = &self.resolver else {
            return Err(
                "This server cannot look up DNS records (no resolver is configured). Ask the SitePilot operator.".into(),
            );
        };
        // The two records are independent: ask for both at once.
        let (routing, txt) = tokio::join!(
            self.check_routing(resolver, t),
            check_txt(resolver, &t.domain, &t.verification_token)
        );
        let mut problems = Vec::new();
        problems.extend(routing.err());
        problems.extend(txt.err());
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems.join(" "))
        }
    }

    /// An apex domain points here with A/AAAA records (when the edge's addresses are
    /// configured), any other with a CNAME to the site's address, or with the A/AAAA records
    /// shown as its alternative.
    async fn check_routing(&self, resolver: &TokioResolver, t: &CheckTarget) -> Result<(), String> {
        if t.is_apex() && !self.apex_ips.is_empty() {
            return self.check_addresses(resolver, &t.domain).await;
        }
        let cname = check_cname(resolver, &t.domain, &t.cname_target).await;
        if cname.is_err()
            && !self.apex_ips.is_empty()
            && self.check_addresses(resolver, &t.domain).await.is_ok()
        {
            return Ok(());
        }
        cname
    }

    async fn check_addresses(&self, resolver: &TokioResolver, domain: &str) -> Result<(), String> {
        let mut found = Vec::new();
        let mut nx = false;
        for kind in [RecordType::A, RecordType::AAAA] {
            match resolver.lookup(fqdn(domain), kind).await {
                Ok(lookup) => found.extend(lookup.answers().iter().filter_map(|r| match &r.data {
                    RData::A(a) => Some(IpAddr::V4(a.0)),
                    RData::AAAA(a) => Some(IpAddr::V6(a.0)),
                    _ => None,
                })),
                Err(e) if e.is_nx_domain() => nx = true,
                Err(e) if e.is_no_records_found() => {}
                Err(e) => return Err(failed(domain, &e)),
            }
        }
        let expected = self
            .apex_ips
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", ");
        if found.is_empty() {
            return Err(if nx {
                format!("NXDOMAIN: {domain} does not exist in DNS yet. Create A/AAAA records for {domain} pointing to {expected}.")
            } else {
                format!("{domain} has no A or AAAA record. Create records pointing to {expected}.")
            });
        }
        let wrong: Vec<String> = found
            .iter()
            .filter(|ip| !self.apex_ips.contains(ip))
            .map(ToString::to_string)
            .collect();
        if !wrong.is_empty() {
            return Err(format!(
                "{domain} points to {}, not {expected}. Change its A/AAAA records to {expected} and remove the others.",
                wrong.join(", ")
            ));
        }
        Ok(())
    }
}

/// The absolute form of a name, so no search domain is ever appended.
fn fqdn(name: &str) -> String {
    format!("{}.", name.trim_end_matches('.'))
}

fn plain(name: &str) -> String {
    name.trim_end_matches('.').to_ascii_lowercase()
}

fn failed(name: &str, e: &NetError) -> String {
    if matches!(e, NetError::Timeout) {
        format!("DNS did not answer for {name} in time. We will try again.")
    } else {
        format!("The DNS lookup of {name} failed ({e}). We will try again.")
    }
}

async fn check_cname(resolver: &TokioResolver, domain: &str, target: &str) -> Result<(), String> {
    match resolver.lookup(fqdn(domain), RecordType::CNAME).await {
        Ok(lookup) => {
            let names: Vec<String> = lookup
                .answers()
                .iter()
                .filter_map(|r| match &r.data {
                    RData::CNAME(c) => Some(plain(&c.0.to_ascii())),
                    _ => None,
                })
                .collect();
            if names.iter().any(|n| n == &plain(target)) {
                Ok(())
            } else if let Some(other) = names.first() {
                Err(format!(
                    "The CNAME record of {domain} points to {other}, not {target}. Change it to {target}."
                ))
            } else {
                Err(no_cname(domain, target))
            }
        }
        Err(e) if e.is_nx_domain() => Err(format!(
            "NXDOMAIN: {domain} does not exist in DNS yet. Create a CNAME record named {domain} pointing to {target}."
        )),
        Err(e) if e.is_no_records_found() => Err(no_cname(domain, target)),
        Err(e) => Err(failed(domain, &e)),
    }
}

fn no_cname(domain: &str, target: &str) -> String {
    format!(
        "{domain} has no CNAME record. Create a CNAME record named {domain} pointing to {target}."
    )
}

async fn check_txt(resolver: &TokioResolver, domain: &str, token: &str) -> Result<(), String> {
    let name = verify_record_name(domain);
    let missing = || {
        format!(
            "The TXT record is missing: create a TXT record named {name} with the value {token}."
        )
    };
    match resolver.lookup(fqdn(&name), RecordType::TXT).await {
        Ok(lookup) => {
            let values: Vec<String> = lookup
                .answers()
                .iter()
                .filter_map(|r| match &r.data {
                    RData::TXT(t) => Some(
                        t.txt_data
                            .iter()
                            .map(|part| String::from_utf8_lossy(part).into_owned())
                            .collect::<String>(),
                    ),
                    _ => None,
                })
                .collect();
            if values.iter().any(|v| v.trim().trim_matches('"') == token) {
                Ok(())
            } else if values.is_empty() {
                Err(missing())
            } else {
                Err(format!(
                    "The TXT record {name} holds \"{}\", not the verification code {token}. Change its value to {token}.",
                    values.join("\", \"")
                ))
            }
        }
        Err(e) if e.is_nx_domain() || e.is_no_records_found() => Err(missing()),
        Err(e) => Err(failed(&name, &e)),
    }
}
