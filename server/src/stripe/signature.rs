//! The `Stripe-Signature` header, checked as Stripe specifies: the header is
//! `t=<unix seconds>,v1=<hex>[,v1=<hex>…]` (other schemes such as `v0` are ignored); the
//! expected signature is hex(HMAC-SHA256(secret, "{t}.{raw body}")); the request is genuine
//! if ANY `v1` matches (Stripe sends several while a secret is being rolled), and fresh if
//! `t` is within [`TOLERANCE_SECS`] of our clock (limits replay of a captured request).

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// Stripe's default tolerance.
pub const TOLERANCE_SECS: i64 = 300;

#[derive(Debug, PartialEq, Eq)]
pub enum SignatureError {
    /// No header, or no `t=`, or an unreadable one.
    Malformed(&'static str),
    /// No `v1` signature matches the body.
    Mismatch,
    /// Genuine but signed too long ago (or in the future).
    Expired,
}

impl SignatureError {
    pub fn message(&self) -> &'static str {
        match self {
            Self::Malformed(why) => why,
            Self::Mismatch => "No v1 signature in the Stripe-Signature header matches this request body.",
            Self::Expired => "The Stripe-Signature timestamp is more than 300 seconds away from the server clock.",
        }
    }
}

struct Parsed {
    timestamp: i64,
    v1: Vec<Vec<u8>>,
}

fn parse(header: &str) -> Result<Parsed, SignatureError> {
    let mut timestamp = None;
    let mut v1 = Vec::new();
    for item in header.split(',') {
        let Some((key, value)) = item.split_once('=') else {
            return Err(SignatureError::Malformed(
                "The Stripe-Signature header is not a list of key=value pairs.",
            ));
        };
        match key.trim() {
            "t" => {
                if timestamp.is_some() {
                    return Err(SignatureError::Malformed(
                        "The Stripe-Signature header has more than one timestamp.",
                    ));
                }
                let t = value.trim().parse::<i64>();
                timestamp = Some(t.map_err(|_| {
                    SignatureError::Malformed("The Stripe-Signature timestamp is not a number.")
                })?);
            }
            // A candidate that is not hex cannot match; skipping it lets a valid sibling win.
            "v1" => v1.extend(hex::decode(value.trim()).ok()),
            _ => {}
        }
    }
    let timestamp = timestamp.ok_or(SignatureError::Malformed(
        "The Stripe-Signature header has no timestamp (t=).",
    ))?;
    Ok(Parsed { timestamp, v1 })
}

/// Checks `header` against `body` signed with `secret`, at `now` (unix seconds).
pub fn verify(secret: &[u8], header: &str, body: &[u8], now: i64) -> Result<(), SignatureError> {
    let parsed = parse(header)?;
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).map_err(|_| SignatureError::Mismatch)?;
    mac.update(parsed.timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    // verify_slice compares in constant time, so timing reveals nothing about the expected value.
    let genuine = parsed
        .v1
        .iter()
        .any(|candidate| mac.clone().verify_slice(candidate).is_ok());
    if !genuine {
        return Err(SignatureError::Mismatch);
    }
    if (now - parsed.timestamp).abs() > TOLERANCE_SECS {
        return Err(SignatureError::Expired);
    }
    Ok(())
}

/// The `v1` value Stripe would send for `body` at `timestamp` (used by tests and tooling).
pub fn sign(secret: &[u8], timestamp: i64, body: &[u8]) -> String {
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret) else {
        return String::new();
    };
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    hex::encode(mac.finalize().into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &[u8] = b"whsec_unit";
    const BODY: &[u8] = br#"{"id":"evt_1"}"#;

    #[test]
    fn accepts_a_matching_v1_among_others() {
        let good = sign(SECRET, 1000, BODY);
        let header = format!("t=1000,v1={},v0=abc,v1={good}", "00".repeat(32));
        assert_eq!(verify(SECRET, &header, BODY, 1000), Ok(()));
    }

    #[test]
    fn refuses_wrong_body_secret_missing_v1_and_stale_time() {
        let good = sign(SECRET, 1000, BODY);
        let header = format!("t=1000,v1={good}");
        assert_eq!(
            verify(SECRET, &header, b"{}", 1000),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify(b"other", &header, BODY, 1000),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify(SECRET, "t=1000,v0=aa", BODY, 1000),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify(SECRET, &header, BODY, 1301),
            Err(SignatureError::Expired)
        );
        assert_eq!(
            verify(SECRET, &header, BODY, 699),
            Err(SignatureError::Expired)
        );
        assert_eq!(verify(SECRET, &header, BODY, 1300), Ok(()));
    }

    #[test]
    fn refuses_malformed_headers() {
        for header in ["", "v1=aa", "t=abc,v1=aa", "t=1,t=2,v1=aa", "garbage"] {
            assert!(
                matches!(
                    verify(SECRET, header, BODY, 1),
                    Err(SignatureError::Malformed(_))
                ),
                "{header}"
            );
        }
    }
}
