//! Sending outgoing webhooks (issue 21 part 4). The outbox rows and their bookkeeping are
//! `app::db::webhooks`; this module signs and sends one delivery per `webhooks.deliver` job and
//! guards the addresses it calls.
//!
//! **Signature** (the way Stripe signs): each request carries
//! `SitePilot-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`, the
//! delivery's id in `SitePilot-Delivery` and the event in `SitePilot-Event`. A receiver
//! recomputes the HMAC over the timestamp, a dot and the raw body with the endpoint's secret,
//! compares in constant time and refuses a timestamp more than a few minutes old.
//!
//! **Addresses (SSRF).** An endpoint must not reach this server's own network: addresses that
//! are loopback, private, link-local (cloud metadata included), shared (CGNAT), unspecified,
//! multicast, documentation or reserved are refused, in IPv4 and IPv6 (IPv4-mapped, NAT64 and
//! 6to4 forms are judged by the IPv4 address inside). The name is checked when the endpoint is
//! saved, and again on every send: the HTTP client resolves names only through
//! [`GuardedResolver`], which refuses a forbidden answer, and connects to exactly the addresses
//! it returned, so a name that changes its answer after the check (DNS rebinding) cannot slip
//! through. Redirects are not followed and no proxy is used. `SITEPILOT_WEBHOOKS_ALLOW_PRIVATE`
//! (development and tests only) allows loopback and private addresses, never link-local.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};

use app::db::webhooks::{self as db, Attempt, AttemptResult, Settled};
use app::error::AppError;
use hickory_resolver::proto::rr::{RData, RecordType};
use hickory_resolver::TokioResolver;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use uuid::Uuid;

use crate::jobs::{Backoff, JobCtx, JobError};

/// The signature header.
pub const SIGNATURE_HEADER: &str = "SitePilot-Signature";
/// The delivery id header (unique per delivery; a resend is a new delivery of the same event).
pub const DELIVERY_HEADER: &str = "SitePilot-Delivery";
/// The event name header.
pub const EVENT_HEADER: &str = "SitePilot-Event";
/// How long one request may take.
pub const SEND_TIMEOUT: Duration = Duration::from_secs(10);
/// How much of an answer is read (the log keeps the first 1,024 characters).
const READ_MAX: usize = 4096;

/// `v1` of the signature: hex HMAC-SHA256 of `"{t}.{body}"` with `secret`.
pub fn sign(secret: &str, t: i64, body: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key");
    mac.update(t.to_string().as_bytes());
    mac.update(b".");
    mac.update(body.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// The whole header value.
pub fn signature_header(secret: &str, t: i64, body: &str) -> String {
    format!("t={t},v1={}", sign(secret, t, body))
}

/// Retries: 1 minute, doubling, at most 8 hours; with `db::webhooks::DELIVER_ATTEMPTS` (12)
/// the last attempt is about 24 hours after the first.
pub fn backoff() -> Backoff {
    Backoff::exponential(Duration::from_secs(60), Duration::from_secs(8 * 3600))
}

/// Why an address may not be called, or `None` when it may. `allow_private` (dev switch)
/// admits loopback and private ranges, never link-local/metadata and the rest.
pub fn refused_reason(ip: IpAddr, allow_private: bool) -> Option<&'static str> {
    match ip {
        IpAddr::V4(v4) => v4_reason(v4, allow_private),
        IpAddr::V6(v6) => v6_reason(v6, allow_private),
    }
}

fn v4_reason(ip: Ipv4Addr, allow_private: bool) -> Option<&'static str> {
    let [a, b, c, _] = ip.octets();
    let reason = if ip.is_loopback() {
        if allow_private {
            return None;
        }
        "loopback"
    } else if ip.is_private() {
        if allow_private {
            return None;
        }
        "private"
    } else if a == 0 {
        "unspecified"
    } else if ip.is_link_local() {
        "link-local (cloud metadata)"
    } else if a == 100 && (64..128).contains(&b) {
        "shared address space (CGNAT)"
    } else if a == 192 && b == 0 && c == 0 {
        "IETF protocol assignment"
    } else if (a == 192 && b == 0 && c == 2)
        || (a == 198 && b == 51 && c == 100)
        || (a == 203 && b == 0 && c == 113)
    {
        "documentation"
    } else if a == 198 && (b == 18 || b == 19) {
        "benchmarking"
    } else if a >= 224 {
        "multicast or reserved"
    } else {
        return None;
    };
    Some(reason)
}

fn v6_reason(ip: Ipv6Addr, allow_private: bool) -> Option<&'static str> {
    if let Some(v4) = ip.to_ipv4_mapped() {
        return v4_reason(v4, allow_private);
    }
    let s = ip.segments();
    // NAT64 (64:ff9b::/96) and 6to4 (2002::/16) carry an IPv4 address that is what gets reached.
    if s[0] == 0x64 && s[1] == 0xff9b && s[2..6] == [0, 0, 0, 0] {
        let v4 = Ipv4Addr::new((s[6] >> 8) as u8, s[6] as u8, (s[7] >> 8) as u8, s[7] as u8);
        return v4_reason(v4, allow_private);
    }
    if s[0] == 0x2002 {
        let v4 = Ipv4Addr::new((s[1] >> 8) as u8, s[1] as u8, (s[2] >> 8) as u8, s[2] as u8);
        return v4_reason(v4, allow_private);
    }
    let reason = if ip.is_loopback() {
        if allow_private {
            return None;
        }
        "loopback"
    } else if ip.is_unspecified() {
        "unspecified"
    } else if s[0..6] == [0, 0, 0, 0, 0, 0] {
        // ::a.b.c.d, the old IPv4-compatible form.
        "IPv4-compatible"
    } else if (s[0] & 0xfe00) == 0xfc00 {
        if allow_private {
            return None;
        }
        "private (unique local)"
    } else if (s[0] & 0xffc0) == 0xfe80 || (s[0] & 0xffc0) == 0xfec0 {
        "link-local"
    } else if (s[0] & 0xff00) == 0xff00 {
        "multicast"
    } else if s[0] == 0x2001 && s[1] == 0x0db8 {
        "documentation"
    } else if s[0] == 0x0100 && s[1..4] == [0, 0, 0] {
        "discard-only"
    } else {
        return None;
    };
    Some(reason)
}

fn refusal(host: &str, ip: IpAddr, reason: &str) -> String {
    if host == ip.to_string() {
        format!("{ip} is a {reason} address; webhooks are sent only to public addresses.")
    } else {
        format!("{host} resolves to {ip}, a {reason} address; webhooks are sent only to public addresses.")
    }
}

/// Resolves names for webhooks and judges the answers.
#[derive(Clone)]
pub struct GuardedResolver {
    resolver: Option<Arc<TokioResolver>>,
    allow_private: bool,
}

impl GuardedResolver {
    pub fn new(dns_server: Option<SocketAddr>, allow_private: bool) -> Self {
        let resolver = match crate::domains::dns::build_resolver(dns_server) {
            Ok(r) => Some(Arc::new(r)),
            Err(e) => {
                tracing::error!(error = %e, "no DNS resolver: webhooks cannot be sent");
                None
            }
        };
        Self {
            resolver,
            allow_private,
        }
    }

    /// The addresses of `host`, every one of them allowed; `Err` says why not in words.
    pub async fn resolve(&self, host: &str) -> Result<Vec<IpAddr>, String> {
        let host = host.trim_start_matches('[').trim_end_matches(']');
        if let Ok(ip) = host.parse::<IpAddr>() {
            return match refused_reason(ip, self.allow_private) {
                Some(reason) => Err(refusal(host, ip, reason)),
                None => Ok(vec![ip]),
            };
        }
        let lower = host.trim_end_matches('.').to_ascii_lowercase();
        let ips = if lower == "localhost" || lower.ends_with(".localhost") {
            vec![IpAddr::V4(Ipv4Addr::LOCALHOST)]
        } else {
            self.lookup(&lower).await?
        };
        if ips.is_empty() {
            return Err(format!("{host} has no A or AAAA record."));
        }
        if let Some((ip, reason)) = ips
            .iter()
            .find_map(|ip| refused_reason(*ip, self.allow_private).map(|r| (*ip, r)))
        {
            return Err(refusal(host, ip, reason));
        }
        Ok(ips)
    }

    async fn lookup(&self, host: &str) -> Result<Vec<IpAddr>, String> {
        let Some(resolver) = &self.resolver else {
            return Err("This server cannot look up DNS names (no resolver is configured).".into());
        };
        let name = format!("{host}.");
        let mut ips = Vec::new();
        let mut nx = false;
        for kind in [RecordType::A, RecordType::AAAA] {
            match resolver.lookup(name.as_str(), kind).await {
                Ok(lookup) => ips.extend(lookup.answers().iter().filter_map(|r| match &r.data {
                    RData::A(a) => Some(IpAddr::V4(a.0)),
                    RData::AAAA(a) => Some(IpAddr::V6(a.0)),
                    _ => None,
                })),
                Err(e) if e.is_nx_domain() => nx = true,
                Err(e) if e.is_no_records_found() => {}
                Err(e) => return Err(format!("The DNS lookup of {host} failed ({e}).")),
            }
        }
        if ips.is_empty() && nx {
            return Err(format!("{host} does not exist in DNS."));
        }
        Ok(ips)
    }

    /// Checks an endpoint address before it is saved: parsed, and its host allowed.
    pub async fn check_url(&self, url: &str) -> Result<(), String> {
        let parsed =
            reqwest::Url::parse(url).map_err(|e| format!("This is not a valid address ({e})."))?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err("Use an https:// address.".into());
        }
        let host = parsed
            .host_str()
            .ok_or_else(|| "The address needs a host name.".to_string())?;
        self.resolve(host).await.map(|_| ())
    }
}

/// The only way the HTTP client learns addresses: refused answers never reach a socket.
impl reqwest::dns::Resolve for GuardedResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let this = self.clone();
        let host = name.as_str().to_string();
        Box::pin(async move {
            let ips = GuardedResolver::resolve(&this, &host).await.map_err(|e| {
                Box::new(std::io::Error::other(e)) as Box<dyn std::error::Error + Send + Sync>
            })?;
            let addrs: reqwest::dns::Addrs =
                Box::new(ips.into_iter().map(|ip| SocketAddr::new(ip, 0)));
            Ok(addrs)
        })
    }
}

/// Signs and sends deliveries.
#[derive(Clone)]
pub struct Sender {
    client: reqwest::Client,
    guard: GuardedResolver,
    link_base: String,
}

impl Sender {
    pub fn new(dns_server: Option<SocketAddr>, allow_private: bool, link_base: String) -> Self {
        let guard = GuardedResolver::new(dns_server, allow_private);
        let client = reqwest::Client::builder()
            .dns_resolver(Arc::new(guard.clone()))
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .connect_timeout(Duration::from_secs(5))
            .timeout(SEND_TIMEOUT)
            .user_agent("SitePilot-Webhooks/1")
            .build()
            .expect("the webhook HTTP client builds");
        Self {
            client,
            guard,
            link_base,
        }
    }

    pub fn guard(&self) -> &GuardedResolver {
        &self.guard
    }

    /// One attempt: signs the body with the endpoint's secret and posts it.
    pub async fn send(&self, a: &Attempt) -> AttemptResult {
        let started = Instant::now();
        let elapsed = |s: Instant| s.elapsed().as_millis().min(i32::MAX as u128) as i32;
        // A literal IP never reaches the resolver: judge it here.
        let host = reqwest::Url::parse(&a.url)
            .ok()
            .and_then(|u| u.host_str().map(str::to_owned));
        match &host {
            Some(h)
                if h.trim_start_matches('[')
                    .trim_end_matches(']')
                    .parse::<IpAddr>()
                    .is_ok() =>
            {
                if let Err(e) = self.guard.resolve(h).await {
                    return failed(e, elapsed(started));
                }
            }
            Some(_) => {}
            None => return failed("The endpoint address is not valid.".into(), 0),
        }
        let t = chrono::Utc::now().timestamp();
        let response = self
            .client
            .post(&a.url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header(SIGNATURE_HEADER, signature_header(&a.secret, t, &a.payload))
            .header(DELIVERY_HEADER, a.delivery_id.to_string())
            .header(EVENT_HEADER, &a.event)
            .body(a.payload.clone())
            .send()
            .await;
        let mut resp = match response {
            Ok(r) => r,
            Err(e) => return failed(error_chain(&e), elapsed(started)),
        };
        let status = resp.status();
        let mut body: Vec<u8> = Vec::new();
        while body.len() < READ_MAX {
            match resp.chunk().await {
                Ok(Some(chunk)) => body.extend_from_slice(&chunk),
                _ => break,
            }
        }
        body.truncate(READ_MAX);
        let excerpt = String::from_utf8_lossy(&body).into_owned();
        let ok = status.is_success();
        AttemptResult {
            ok,
            response_status: Some(i32::from(status.as_u16())),
            response_excerpt: (!excerpt.is_empty()).then_some(excerpt),
            duration_ms: elapsed(started),
            error: (!ok).then(|| format!("The endpoint answered {status}.")),
        }
    }
}

fn failed(error: String, duration_ms: i32) -> AttemptResult {
    AttemptResult {
        ok: false,
        duration_ms,
        error: Some(error),
        ..Default::default()
    }
}

/// A client error with its causes ("error sending request … : … resolves to 127.0.0.1 …").
fn error_chain(e: &reqwest::Error) -> String {
    let mut out = if e.is_timeout() {
        format!("No answer within {} s.", SEND_TIMEOUT.as_secs())
    } else {
        "The request could not be sent".to_string()
    };
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        out.push_str(": ");
        out.push_str(&s.to_string());
        source = s.source();
    }
    out
}

fn payload_uuid(ctx: &JobCtx, k: &str) -> Result<Uuid, JobError> {
    ctx.payload[k]
        .as_str()
        .and_then(|s| s.parse::<Uuid>().ok())
        .ok_or_else(|| JobError::Fatal(format!("payload without a valid {k}")))
}

/// `webhooks.deliver` {"tenant_id", "delivery_id"}: one attempt; a failure is retried by the
/// queue after [`backoff`] until the delivery's attempts run out.
pub async fn deliver(ctx: JobCtx, sender: Sender) -> Result<(), JobError> {
    let tenant = payload_uuid(&ctx, "tenant_id")?;
    let id = payload_uuid(&ctx, "delivery_id")?;
    let Some(attempt) = db::begin_attempt(&ctx.pool, tenant, id).await? else {
        return Ok(());
    };
    let result = sender.send(&attempt).await;
    let retry_at = (!ctx.last_attempt()).then(|| {
        chrono::Utc::now()
            + chrono::Duration::from_std(backoff().delay(ctx.attempt)).unwrap_or_default()
    });
    let settled = db::finish_attempt(
        &ctx.pool,
        tenant,
        &attempt,
        &result,
        retry_at,
        &sender.link_base,
    )
    .await?;
    match settled {
        Settled::WillRetry => Err(JobError::Retry(
            result.error.unwrap_or_else(|| "delivery failed".into()),
        )),
        Settled::Succeeded | Settled::Failed | Settled::EndpointDisabled => Ok(()),
    }
}

/// The save-time check handed to the server functions (`app::api::webhooks`).
pub fn url_guard(guard: GuardedResolver) -> app::api::webhooks::WebhookUrlGuard {
    app::api::webhooks::WebhookUrlGuard {
        check_fn: Arc::new(move |url| {
            let guard = guard.clone();
            Box::pin(async move {
                guard
                    .check_url(&url)
                    .await
                    .map_err(|m| AppError::invalid("url", m))
            })
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(s: &str) -> bool {
        refused_reason(s.parse().expect("ip"), false).is_some()
    }

    #[test]
    fn private_and_special_addresses_are_refused() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "255.255.255.255",
            "224.0.0.1",
            "::1",
            "::",
            "fe80::1",
            "fc00::1",
            "fd00:ec2::254",
            "::ffff:127.0.0.1",
            "::ffff:169.254.169.254",
            "64:ff9b::a00:1",
            "2002:7f00:1::",
            "::127.0.0.1",
            "ff02::1",
        ] {
            assert!(refused(ip), "{ip} must be refused");
        }
        for ip in [
            "93.184.216.34",
            "8.8.8.8",
            "2606:4700::1111",
            "::ffff:8.8.8.8",
        ] {
            assert!(!refused(ip), "{ip} is public");
        }
    }

    #[test]
    fn the_dev_switch_allows_loopback_and_private_but_never_metadata() {
        assert!(refused_reason("127.0.0.1".parse().expect("ip"), true).is_none());
        assert!(refused_reason("10.0.0.1".parse().expect("ip"), true).is_none());
        assert!(refused_reason("169.254.169.254".parse().expect("ip"), true).is_some());
    }

    #[test]
    fn the_signature_is_hmac_sha256_over_t_dot_body() {
        // Computed independently: printf '1700000000.{"a":1}' | openssl dgst -sha256 -hmac whsec_test
        let v1 = sign("whsec_test", 1_700_000_000, r#"{"a":1}"#);
        assert_eq!(
            v1,
            "38877139021993b830af32feea6e18a8da83eb2f6e49ee50bd9e4cf4ca4d3789"
        );
        assert_eq!(
            signature_header("whsec_test", 1_700_000_000, r#"{"a":1}"#),
            format!("t=1700000000,v1={v1}")
        );
    }
}
