//! Custom domains (schema reference §7 `custom_domain`, §15 `domain_verifications`): the
//! domain as people type it, parsed into the one form stored and compared (lower case,
//! punycode, no trailing dot), and what the website's domain settings show.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[cfg(feature = "ssr")]
use crate::error::AppError;

/// The label of the TXT record that proves control: `_sitepilot-verify.<domain>`.
pub const VERIFY_LABEL: &str = "_sitepilot-verify";

/// The name of the TXT record for `domain`.
pub fn verify_record_name(domain: &str) -> String {
    format!("{VERIFY_LABEL}.{domain}")
}

/// A domain name as stored: lower-case ASCII (internationalised names in punycode), at least
/// two labels, no trailing dot, no port, path, wildcard or IP address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DomainName(String);

impl DomainName {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// An apex (registrable) domain such as `mybakery.com` cannot carry a CNAME next to its
    /// other records, so it is pointed with A/AAAA records instead. Two labels is the usual
    /// case; names under a two-part public suffix (`mybakery.co.uk`) are treated as
    /// subdomains, and the A/AAAA records are shown for them as the alternative.
    pub fn is_apex(&self) -> bool {
        self.0.matches('.').count() == 1
    }

    /// Whether this is `other` or a name under it.
    pub fn is_within(&self, other: &str) -> bool {
        let other = other.trim_end_matches('.').to_ascii_lowercase();
        !other.is_empty()
            && (self.0 == other
                || self
                    .0
                    .strip_suffix(&other)
                    .is_some_and(|rest| rest.ends_with('.')))
    }
}

impl std::fmt::Display for DomainName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(feature = "ssr")]
fn bad(message: impl Into<String>) -> AppError {
    AppError::invalid("domain", message)
}

#[cfg(feature = "ssr")]
impl DomainName {
    /// Parses what a person typed into the settings form. Every refusal says what to type
    /// instead; nothing is silently cut off (a path or port would mean another site).
    pub fn parse(input: &str) -> Result<Self, AppError> {
        const EXAMPLE: &str = "such as www.mybakery.com";
        let s = input.trim();
        if s.is_empty() {
            return Err(bad(format!("Enter a domain, {EXAMPLE}.")));
        }
        if s.contains("://") {
            return Err(bad(format!(
                "Enter just the domain, {EXAMPLE}, without http:// or https://."
            )));
        }
        if s.contains('/') || s.contains('?') || s.contains('#') {
            return Err(bad(format!(
                "Enter just the domain, {EXAMPLE}, without a path."
            )));
        }
        if s.contains('*') {
            return Err(bad(
                "Wildcard domains are not supported. Enter one domain, such as www.mybakery.com.",
            ));
        }
        if s.starts_with('[') || s.parse::<std::net::IpAddr>().is_ok() {
            return Err(bad(format!(
                "Enter a domain name, {EXAMPLE}, not an IP address."
            )));
        }
        if s.contains(':') {
            return Err(bad(format!("Enter the domain without a port, {EXAMPLE}.")));
        }
        if s.contains('@') || s.chars().any(char::is_whitespace) {
            return Err(bad(format!(
                "That is not a domain name. Enter one {EXAMPLE}."
            )));
        }
        let s = s.strip_suffix('.').unwrap_or(s);
        let ascii = idna::domain_to_ascii_strict(s).map_err(|_| {
            bad(format!(
                "That is not a valid domain name. Use letters, digits and hyphens, {EXAMPLE}."
            ))
        })?;
        let labels: Vec<&str> = ascii.split('.').collect();
        if labels.len() < 2 {
            return Err(bad(format!(
                "Enter a full domain with its ending, {EXAMPLE}."
            )));
        }
        let label_ok = |l: &str| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        };
        if ascii.len() > 253 || !labels.iter().all(|l| label_ok(l)) {
            return Err(bad(format!(
                "That is not a valid domain name. Use letters, digits and hyphens, {EXAMPLE}."
            )));
        }
        // A numeric last label is an address written as a name (10.0.0.1), never a domain.
        if labels
            .last()
            .is_some_and(|tld| tld.bytes().all(|b| b.is_ascii_digit()))
        {
            return Err(bad(format!(
                "Enter a domain name, {EXAMPLE}, not an IP address."
            )));
        }
        Ok(Self(ascii))
    }
}

/// One DNS record the customer creates at their DNS provider.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DnsRecordToCreate {
    /// `CNAME`, `A`, `AAAA` or `TXT`.
    pub kind: String,
    /// The full name (`www.mybakery.com`, `_sitepilot-verify.www.mybakery.com`).
    pub name: String,
    pub value: String,
    /// Whether the record is an alternative to the CNAME (A/AAAA for an apex domain) rather
    /// than required.
    pub alternative: bool,
}

/// A website's custom domain and where its verification stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainStatus {
    pub domain: String,
    pub verified: bool,
    pub cname_target: String,
    pub records: Vec<DnsRecordToCreate>,
    pub verification_attempts: i32,
    pub last_checked_at: Option<DateTime<Utc>>,
    pub first_verified_at: Option<DateTime<Utc>>,
    /// What the last check found, in words people understand; `None` after a passing check.
    pub last_error: Option<String>,
    pub ssl_provisioned: bool,
    /// Since when the records of a verified domain have been failing (it stays verified
    /// through a grace period).
    pub failing_since: Option<DateTime<Utc>>,
}

/// The website's domain settings page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainSettings {
    pub website_id: Uuid,
    pub website_name: String,
    /// The site's own address (`{subdomain}.{sites domain}`), where the CNAME points.
    pub site_address: Option<String>,
    pub domain: Option<DomainStatus>,
    /// Whether the signed-in member may add, remove or check the domain.
    pub can_manage: bool,
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;

    #[test]
    fn domains_are_normalised_or_refused_with_a_reason() {
        let ok = |s: &str| DomainName::parse(s).map(|d| d.0).expect(s);
        assert_eq!(ok("WWW.MyBakery.com"), "www.mybakery.com");
        assert_eq!(ok(" www.mybakery.com. "), "www.mybakery.com");
        assert_eq!(ok("bäckerei.de"), "xn--bckerei-5wa.de");
        assert_eq!(ok("shop.bücher.example"), "shop.xn--bcher-kva.example");
        for bad in [
            "",
            "https://www.mybakery.com",
            "www.mybakery.com/menu",
            "www.mybakery.com:8080",
            "*.mybakery.com",
            "10.0.0.1",
            "[::1]",
            "::1",
            "localhost",
            "my bakery.com",
            "-bad.com",
            "a..b.com",
            "under_score.com",
        ] {
            let err = DomainName::parse(bad).expect_err(bad);
            assert_eq!(err.field(), Some("domain"), "{bad}");
        }
    }

    #[test]
    fn apex_and_containment() {
        let d = DomainName::parse("mybakery.com").expect("apex");
        assert!(d.is_apex());
        let w = DomainName::parse("www.mybakery.com").expect("www");
        assert!(!w.is_apex());
        assert!(w.is_within("mybakery.com") && w.is_within("WWW.mybakery.com."));
        assert!(!w.is_within("bakery.com") && !w.is_within(""));
    }
}
