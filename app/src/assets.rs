//! Addresses of the built static files. Release builds give the stylesheet, the WASM, its JS
//! and wasm-split's files content-hashed names (cargo-leptos `hash-files`), so browsers may keep
//! them forever; cargo-leptos writes the hashes to a file next to the server binary
//! (`hash.txt`), which Leptos reads for the WASM and JS and this module for the rest.
//!
//! Read from the same environment as `leptos::config::get_configuration(None)`:
//! `LEPTOS_HASH_FILES=true` turns hashed names on, `LEPTOS_HASH_FILE_NAME` names the file.
//! Without them (tests, `cargo leptos watch`) the plain names are used.

/// The favicon, linked from the app shell and every visitor page. `/favicon.ico` exists too,
/// for clients that ask for it without reading the page.
pub const FAVICON: &str = "/favicon.svg";

/// The stylesheet cargo-leptos builds from `style/main.css`, under its hashed name when the
/// build hashed it.
pub fn stylesheet_href() -> &'static str {
    #[cfg(feature = "ssr")]
    {
        static HREF: std::sync::OnceLock<String> = std::sync::OnceLock::new();
        HREF.get_or_init(|| match hash_of("css") {
            Some(hash) => format!("/pkg/sitepilot.{hash}.css"),
            None => "/pkg/sitepilot.css".to_string(),
        })
    }
    #[cfg(not(feature = "ssr"))]
    {
        "/pkg/sitepilot.css"
    }
}

/// The file name of wasm-split's manifest under `/pkg/`, hashed or not.
#[cfg(feature = "ssr")]
pub fn split_manifest_name() -> String {
    match hash_of("manifest") {
        Some(hash) => format!("__wasm_split_manifest.{hash}.json"),
        None => "__wasm_split_manifest.json".to_string(),
    }
}

/// One hash from the hash file (`css: …`, `manifest: …`), when hashed names are on.
#[cfg(feature = "ssr")]
fn hash_of(kind: &str) -> Option<String> {
    let on = std::env::var("LEPTOS_HASH_FILES").is_ok_and(|v| v.trim() == "true");
    if !on {
        return None;
    }
    let name = std::env::var("LEPTOS_HASH_FILE_NAME").unwrap_or_else(|_| "hash.txt".into());
    let path = std::env::current_exe().ok()?.parent()?.join(name);
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) => {
            tracing::error!(path = %path.display(), error = %e, "hashed file names are on but the hash file cannot be read");
            return None;
        }
    };
    parse_hash_line(&text, kind)
}

/// `kind: hash` lines, as cargo-leptos writes them.
#[cfg(feature = "ssr")]
fn parse_hash_line(text: &str, kind: &str) -> Option<String> {
    text.lines().find_map(|line| {
        let (k, v) = line.split_once(':')?;
        (k.trim() == kind && !v.trim().is_empty()).then(|| v.trim().to_string())
    })
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::parse_hash_line;

    #[test]
    fn reads_cargo_leptos_hash_file() {
        let text = "js: AAA\nwasm: BBB\ncss: CCC\nmanifest: DDD\nsplit: EEE\n";
        assert_eq!(parse_hash_line(text, "css").as_deref(), Some("CCC"));
        assert_eq!(parse_hash_line(text, "manifest").as_deref(), Some("DDD"));
        assert_eq!(parse_hash_line(text, "nope"), None);
    }
}
