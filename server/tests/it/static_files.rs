//! Files under the site root (the WASM loader, chunks, stylesheet) are served whole and with
//! status 200 even while "not found" pages render next to them; other paths get the app's
//! "Page not found" page.
use axum::http::StatusCode;
use leptos::config::LeptosOptions;
use tokio::task::JoinSet;

use crate::common::{build, get, pool, unique};

const LOADER: &str = "export function load() { return 'chunk'; }\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn files_are_served_as_they_are_while_not_found_pages_render() {
    let root = std::env::temp_dir().join(unique("sitepilot-site-"));
    std::fs::create_dir_all(root.join("pkg")).expect("site root");
    std::fs::write(root.join("pkg/loader.js"), LOADER).expect("file");
    let options = LeptosOptions::builder()
        .output_name("sitepilot")
        .site_root(root.to_str().expect("utf-8 path"))
        .build();
    let config = server::ServerConfig {
        leptos: options,
        ..server::ServerConfig::for_tests()
    };
    let router = build(&config, pool().await);

    // A browser loading the builder asks for its scripts and, at the same time, for files that
    // do not exist (/favicon.ico). Before the fix some scripts came back with status 404.
    let mut requests = JoinSet::new();
    for i in 0..300 {
        let router = router.clone();
        requests.spawn(async move {
            let path = if i % 2 == 0 {
                "/pkg/loader.js"
            } else {
                "/favicon.ico"
            };
            (path, get(&router, "127.0.0.1", path).await)
        });
    }
    let (mut files, mut missing) = (0, 0);
    while let Some(done) = requests.join_next().await {
        let (path, reply) = done.expect("request task");
        if path == "/pkg/loader.js" {
            assert_eq!(
                reply.status,
                StatusCode::OK,
                "{path} answered {}",
                reply.status
            );
            assert_eq!(reply.text(), LOADER);
            files += 1;
        } else {
            assert_eq!(
                reply.status,
                StatusCode::NOT_FOUND,
                "{path} answered {}",
                reply.status
            );
            assert!(
                reply.text().contains("Page not found"),
                "{path}: {}",
                reply.text()
            );
            missing += 1;
        }
    }
    assert_eq!((files, missing), (150, 150));

    // A form posted to a path that does not exist is "not found" too, not "method not allowed".
    let req = axum::http::Request::post("/no-such-page")
        .header(axum::http::header::HOST, "127.0.0.1")
        .body(axum::body::Body::empty())
        .expect("request");
    let res = tower::ServiceExt::oneshot(router.clone(), req)
        .await
        .expect("response");
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    std::fs::remove_dir_all(&root).ok();
}
