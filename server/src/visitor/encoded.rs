//! Visitor pages in the encodings browsers ask for. A page is compressed with brotli and gzip
//! once, when it is rendered (per deployment and page), and the cache keeps all three forms
//! with their own precomputed headers; a request only picks one by its `Accept-Encoding`.

use axum::body::Bytes;
use axum::http::{HeaderMap, HeaderValue};
use uuid::Uuid;

use super::cache::Rendered;
use super::headers;

/// Pages up to this size get brotli's best (and slowest) quality; larger ones a quicker one,
/// so one render of a huge page cannot hold a worker for long.
const BEST_QUALITY_UP_TO: usize = 128 * 1024;
/// Below this, compression saves less than its headers cost: plain bytes only.
const MIN_COMPRESS: usize = 256;

/// A content coding the visitor cache can answer with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Coding {
    Identity,
    Gzip,
    Br,
}

/// One form of a page: its bytes, ETag and complete header set.
pub struct Variant {
    pub body: Bytes,
    pub etag: HeaderValue,
    pub headers: HeaderMap,
}

impl Rendered {
    /// A rendered page with its compressed forms. `etag` names the plain bytes; each encoding
    /// gets its own (`"…-br"`, `"…-gz"`), since they are different bytes.
    pub fn new(website_id: Uuid, tenant_id: Uuid, html: String, etag: HeaderValue) -> Rendered {
        let html = Bytes::from(html);
        let variant = |coding: Coding, body: Vec<u8>| -> Option<Variant> {
            // Only worth keeping when it is really smaller.
            if body.len() + 32 >= html.len() {
                return None;
            }
            let suffix = match coding {
                Coding::Br => "-br",
                _ => "-gz",
            };
            let tag = etag.to_str().ok()?.trim_end_matches('"');
            let etag = HeaderValue::from_str(&format!("{tag}{suffix}\"")).ok()?;
            let headers = headers::rendered(&etag, body.len(), Some(coding));
            Some(Variant {
                body: Bytes::from(body),
                etag,
                headers,
            })
        };
        let (br, gzip) = if html.len() >= MIN_COMPRESS {
            (
                brotli(&html).and_then(|b| variant(Coding::Br, b)),
                gzip(&html).and_then(|b| variant(Coding::Gzip, b)),
            )
        } else {
            (None, None)
        };
        let identity = Variant {
            headers: headers::rendered(&etag, html.len(), None),
            body: html,
            etag,
        };
        Rendered {
            website_id,
            tenant_id,
            catalogue: false,
            identity,
            gzip,
            br,
        }
    }

    /// Marks a page that shows live catalogue rows (storefront blocks): a catalogue change of
    /// its website evicts it (`VisitorCache::evict`, payload `catalogue:<website>`).
    pub fn showing_catalogue(mut self) -> Rendered {
        self.catalogue = true;
        self
    }

    /// The form to send to a client that sent this `Accept-Encoding`.
    pub fn variant(&self, accept_encoding: Option<&HeaderValue>) -> &Variant {
        let (br, gzip) = accepted(accept_encoding);
        match (&self.br, &self.gzip) {
            (Some(v), _) if br => v,
            (_, Some(v)) if gzip => v,
            _ => &self.identity,
        }
    }
}

/// Whether an `Accept-Encoding` value allows brotli and gzip (a coding listed with `q=0` is
/// refused; `*` allows both).
pub fn accepted(accept_encoding: Option<&HeaderValue>) -> (bool, bool) {
    let Some(value) = accept_encoding else {
        return (false, false);
    };
    let (mut br, mut gzip, mut any) = (None, None, None);
    for item in value.as_bytes().split(|b| *b == b',') {
        let mut parts = item.split(|b| *b == b';');
        let name = parts.next().unwrap_or_default().trim_ascii();
        let refused = parts.any(|p| {
            let p = p.trim_ascii();
            let Some(q) = p.strip_prefix(b"q=").or_else(|| p.strip_prefix(b"Q=")) else {
                return false;
            };
            // q=0, q=0.0, q=0.000: refused; anything else accepts.
            q.first() == Some(&b'0') && q.iter().skip(1).all(|b| *b == b'.' || *b == b'0')
        });
        let slot = if name.eq_ignore_ascii_case(b"br") {
            &mut br
        } else if name.eq_ignore_ascii_case(b"gzip") || name.eq_ignore_ascii_case(b"x-gzip") {
            &mut gzip
        } else if name == b"*" {
            &mut any
        } else {
            continue;
        };
        *slot = Some(!refused);
    }
    let any = any.unwrap_or(false);
    (br.unwrap_or(any), gzip.unwrap_or(any))
}

fn brotli(html: &[u8]) -> Option<Vec<u8>> {
    let params = brotli::enc::BrotliEncoderParams {
        quality: if html.len() <= BEST_QUALITY_UP_TO {
            11
        } else {
            5
        },
        size_hint: html.len(),
        ..Default::default()
    };
    let mut out = Vec::with_capacity(html.len() / 4);
    let mut input = html;
    brotli::BrotliCompress(&mut input, &mut out, &params).ok()?;
    Some(out)
}

fn gzip(html: &[u8]) -> Option<Vec<u8>> {
    use std::io::Write;
    let mut enc = flate2::write::GzEncoder::new(
        Vec::with_capacity(html.len() / 3),
        flate2::Compression::best(),
    );
    enc.write_all(html).ok()?;
    enc.finish().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn acc(v: &str) -> (bool, bool) {
        accepted(Some(&HeaderValue::from_str(v).expect("header")))
    }

    #[test]
    fn accept_encoding_is_read() {
        assert_eq!(accepted(None), (false, false));
        assert_eq!(acc("gzip, deflate, br, zstd"), (true, true));
        assert_eq!(acc("gzip"), (false, true));
        assert_eq!(acc("br;q=1.0, gzip;q=0.5"), (true, true));
        assert_eq!(acc("br;q=0, gzip"), (false, true));
        assert_eq!(acc("gzip;q=0.000, br"), (true, false));
        assert_eq!(acc("*"), (true, true));
        assert_eq!(acc("*, br;q=0"), (false, true));
        assert_eq!(acc("identity"), (false, false));
        assert_eq!(acc("BR"), (true, false));
    }

    #[test]
    fn pages_are_kept_in_every_encoding() {
        let html = "<!DOCTYPE html><p>hello</p>".repeat(100);
        let etag = HeaderValue::from_static("\"dep-1\"");
        let r = Rendered::new(Uuid::nil(), Uuid::nil(), html.clone(), etag);
        let br = r.variant(Some(&HeaderValue::from_static("gzip, br")));
        assert_eq!(br.headers["content-encoding"], "br");
        assert_eq!(br.etag, "\"dep-1-br\"");
        let mut plain = Vec::new();
        brotli::BrotliDecompress(&mut &br.body[..], &mut plain).expect("brotli");
        assert_eq!(plain, html.as_bytes());
        let gz = r.variant(Some(&HeaderValue::from_static("gzip")));
        assert_eq!(gz.headers["content-encoding"], "gzip");
        assert_eq!(gz.headers["vary"], "accept-encoding");
        let id = r.variant(None);
        assert!(id.headers.get("content-encoding").is_none());
        assert_eq!(id.headers["vary"], "accept-encoding");
        assert_eq!(id.body, html.as_bytes());
    }
}
