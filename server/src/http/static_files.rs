//! Caching headers of the app's answers, as one middleware over the app's router:
//!
//! - `/pkg/` files with a content hash in their name (cargo-leptos `hash-files`: the WASM, its
//!   JS, wasm-split's loader, chunks and manifest, the stylesheet) never change under that
//!   name: `public, max-age=31536000, immutable`, so a second visit downloads none of them.
//! - other `/pkg/` files (unhashed builds, wasm-bindgen snippets): `no-cache`, so the browser
//!   revalidates with `If-Modified-Since` and gets a 304 while they are unchanged.
//! - `/starter/` images and the favicon: a day.
//! - `/pkg/` answers say `Vary: Accept-Encoding`: `ServeDir` picks the `.br` or `.gz` file
//!   built next to each one (`cargo leptos build --precompress`) by that header.
//! - HTML pages (the app's routes and its "not found" page) that set no policy themselves:
//!   `private, no-cache`. They carry the visitor's session state, and a nonce-based CSP would
//!   make every copy different, so there is no ETag; they are small and compressed.
//!
//! `/pkg/__wasm_split_manifest.json` stays a stable address (tools and tests read it to find
//! the chunk names): in a hashed build it answers with the hashed manifest, not cached.

use std::sync::OnceLock;

use axum::extract::Request;
use axum::http::{header, HeaderValue, StatusCode, Uri};
use axum::middleware::Next;
use axum::response::Response;

/// Content-hashed static files.
pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// Static files whose name does not change with their content.
pub const REVALIDATE: &str = "no-cache";
/// Starter images and the favicon: they rarely change, and a stale one harms nobody.
pub const SHORT: &str = "public, max-age=86400";
/// The app's HTML pages.
pub const HTML: &str = "private, no-cache";

const MANIFEST: &str = "/pkg/__wasm_split_manifest.json";

/// The middleware (see the module docs). Layer it over the app's whole router.
pub async fn headers(mut req: Request, next: Next) -> Response {
    let path = req.uri().path().to_owned();
    let policy = if path == MANIFEST {
        if let Some(uri) = hashed_manifest_uri(req.uri()) {
            *req.uri_mut() = uri;
        }
        Some(REVALIDATE)
    } else if let Some(name) = path.strip_prefix("/pkg/") {
        Some(if is_hashed(name) {
            IMMUTABLE
        } else {
            REVALIDATE
        })
    } else if path.starts_with("/starter/") || path.starts_with("/favicon.") {
        Some(SHORT)
    } else {
        None
    };
    let pkg = path.starts_with("/pkg/");
    let mut res = next.run(req).await;
    let ok = matches!(
        res.status(),
        StatusCode::OK | StatusCode::PARTIAL_CONTENT | StatusCode::NOT_MODIFIED
    );
    let h = res.headers_mut();
    match policy {
        Some(policy) if ok => {
            h.insert(header::CACHE_CONTROL, HeaderValue::from_static(policy));
            if pkg && !h.contains_key(header::VARY) {
                h.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
            }
        }
        _ => {
            let html = h
                .get(header::CONTENT_TYPE)
                .is_some_and(|t| t.as_bytes().starts_with(b"text/html"));
            if html && !h.contains_key(header::CACHE_CONTROL) {
                h.insert(header::CACHE_CONTROL, HeaderValue::from_static(HTML));
            }
        }
    }
    res
}

/// Whether a file name carries cargo-leptos' content hash: `stem.HASH.ext`, where HASH is the
/// MD5 of the content in unpadded base64url (22 characters).
pub fn is_hashed(name: &str) -> bool {
    let file = name.rsplit('/').next().unwrap_or(name);
    let mut parts = file.rsplit('.');
    let (Some(_ext), Some(hash), Some(stem)) = (parts.next(), parts.next(), parts.next()) else {
        return false;
    };
    // wasm-split's loader is named with a placeholder of underscores until it is hashed.
    !stem.is_empty()
        && hash.len() == 22
        && !hash.bytes().all(|b| b == b'_')
        && hash
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// The hashed manifest's address, when this build hashed it.
fn hashed_manifest_uri(uri: &Uri) -> Option<Uri> {
    static NAME: OnceLock<String> = OnceLock::new();
    let name = NAME.get_or_init(app::assets::split_manifest_name);
    if name == "__wasm_split_manifest.json" {
        return None;
    }
    let path = format!("/pkg/{name}");
    let mut parts = uri.clone().into_parts();
    parts.path_and_query = Some(path.parse().ok()?);
    Uri::from_parts(parts).ok()
}

#[cfg(test)]
mod tests {
    use super::is_hashed;

    #[test]
    fn hashed_names_are_recognised() {
        assert!(is_hashed("sitepilot.B3n7gK0aZ5yq-Lw9_c2XQw.wasm"));
        assert!(is_hashed("__wasm_split.B3n7gK0aZ5yq-Lw9_c2XQw.js"));
        assert!(is_hashed(
            "split_sp_block_inspector.B3n7gK0aZ5yq-Lw9_c2XQw.wasm"
        ));
        assert!(is_hashed("sitepilot.B3n7gK0aZ5yq-Lw9_c2XQw.css"));
        assert!(!is_hashed("sitepilot.wasm"));
        assert!(!is_hashed("sitepilot_bg.wasm"));
        assert!(!is_hashed("__wasm_split.______________________.js"));
        assert!(!is_hashed("snippets/leptos-abc/inline0.js"));
        assert!(!is_hashed(".B3n7gK0aZ5yq-Lw9_c2XQw.js"));
    }
}
