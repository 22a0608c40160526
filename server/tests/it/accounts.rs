//! Sign-up (schema reference Flow 1), log-in, log-out and the messages for bad input.

use crate::common::*;
use app::db::accounts::{self, SignupInput};
use app::db::tenant_tx;
use app::error::AppError;

fn input(email: &str, password: &str) -> SignupInput {
    SignupInput {
        full_name: "Ann Owner".into(),
        org_name: "Pizza Palace".into(),
        email: email.into(),
        password: password.into(),
    }
}

#[tokio::test]
async fn signup_creates_the_whole_tenant_in_one_transaction() {
    let pool = pool().await;
    let a = account(&pool, "Pizza Palace").await;
    let mut tx = tenant_tx(&pool, a.tenant_id).await.expect("tx");
    let (slug, plan): (String, String) = sqlx::query_as(
        "SELECT t.slug, p.slug FROM tenants t JOIN plans p ON p.id = t.plan_id WHERE t.id = $1",
    )
    .bind(a.tenant_id)
    .fetch_one(&mut *tx)
    .await
    .expect("tenant");
    assert!(slug.starts_with("pizza-palace"), "{slug}");
    assert_eq!(plan, "starter");
    assert_eq!(a.subdomain, slug);
    let role: String = sqlx::query_scalar("SELECT role FROM users WHERE id = $1")
        .bind(a.user_id)
        .fetch_one(&mut *tx)
        .await
        .expect("user");
    assert_eq!(role, "owner");
    let (home_slug, is_home): (String, bool) =
        sqlx::query_as("SELECT slug, is_home FROM pages WHERE id = $1")
            .bind(a.home_page_id)
            .fetch_one(&mut *tx)
            .await
            .expect("page");
    assert_eq!((home_slug.as_str(), is_home), ("/", true));
    let kinds: Vec<String> =
        sqlx::query_scalar("SELECT type FROM components WHERE page_id = $1 ORDER BY order_key")
            .bind(a.home_page_id)
            .fetch_all(&mut *tx)
            .await
            .expect("components");
    assert_eq!(kinds, ["navbar", "hero", "features", "gallery", "footer"]);
    let heading: String = sqlx::query_scalar(
        "SELECT props->>'heading' FROM components WHERE page_id = $1 AND type = 'hero'",
    )
    .bind(a.home_page_id)
    .fetch_one(&mut *tx)
    .await
    .expect("hero");
    assert_eq!(heading, "Welcome to Pizza Palace");
    let sub: (String, String) =
        sqlx::query_as("SELECT status, billing_cycle FROM subscriptions WHERE tenant_id = $1")
            .bind(a.tenant_id)
            .fetch_one(&mut *tx)
            .await
            .expect("subscription");
    assert_eq!(sub, ("active".to_string(), "none".to_string()));
    let hash: String = sqlx::query_scalar("SELECT password_hash FROM users WHERE id = $1")
        .bind(a.user_id)
        .fetch_one(&mut *tx)
        .await
        .expect("hash");
    assert!(
        hash.starts_with("$argon2id$"),
        "password stored as argon2id PHC string"
    );

    // A second organisation with the same name gets its own slug.
    let b = account(&pool, "Pizza Palace").await;
    assert_ne!(a.subdomain, b.subdomain);
}

#[tokio::test]
async fn bad_signups_get_a_clear_message_and_leave_nothing_behind() {
    let pool = pool().await;
    let email = format!("{}@example.com", unique("dup-"));
    accounts::signup(&pool, input(&email, "correct-horse-7"))
        .await
        .expect("first signup");

    let cases = [
        (
            input(&email.to_uppercase(), "correct-horse-7"),
            "email",
            "already exists",
        ),
        (
            input("not-an-email", "correct-horse-7"),
            "email",
            "like name@example.com",
        ),
        (
            input(&format!("{}@example.com", unique("w-")), "short1!"),
            "password",
            "at least 10",
        ),
        (
            input(&format!("{}@example.com", unique("w-")), "onlyletterslong"),
            "password",
            "Mix letters",
        ),
        (
            SignupInput {
                org_name: " ".into(),
                ..input(&format!("{}@example.com", unique("o-")), "correct-horse-7")
            },
            "org_name",
            "organisation",
        ),
    ];
    for (case, field, needle) in cases {
        let email = case.email.clone();
        let Err(AppError::Invalid { field: f, message }) = accounts::signup(&pool, case).await
        else {
            panic!("signup with {email} should fail on {field}");
        };
        assert_eq!(f, field);
        assert!(message.contains(needle), "{message}");
    }
    // Only the first sign-up's tenant exists for that email; nothing half-made.
    let n: i64 = sqlx::query_scalar("SELECT count(*) FROM auth_login_lookup($1)")
        .bind(&email)
        .fetch_one(&pool)
        .await
        .expect("count");
    assert_eq!(n, 1);
}

#[tokio::test]
async fn login_answers_unknown_email_and_wrong_password_alike_and_logout_ends_the_session() {
    let pool = pool().await;
    let router = router(pool.clone());
    let email = format!("{}@example.com", unique("login-"));
    accounts::signup(&pool, input(&email, "correct-horse-7"))
        .await
        .expect("signup");

    let r = call_form(
        &router,
        "/api/login",
        None,
        &[
            ("email", "nobody@example.com"),
            ("password", "whatever-123"),
        ],
    )
    .await;
    let unknown = r.error();
    assert!(
        matches!(&unknown, AppError::Invalid { field, message } if field == "password" && message == accounts::BAD_CREDENTIALS),
        "{unknown:?}"
    );
    let r = call_form(
        &router,
        "/api/login",
        None,
        &[("email", &email), ("password", "wrong-horse-7")],
    )
    .await;
    assert!(
        r.error() == unknown,
        "an unknown email and a wrong password get the same answer"
    );

    let r = call_form(
        &router,
        "/api/login",
        None,
        &[
            ("email", &email.to_uppercase()),
            ("password", "correct-horse-7"),
        ],
    )
    .await;
    assert!(
        r.status.is_success() || r.status.is_redirection(),
        "{}",
        r.status
    );
    let cookie = r
        .set_cookie
        .iter()
        .find(|c| c.starts_with("sp_session="))
        .expect("session cookie")
        .clone();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    assert!(
        !cookie.contains("Secure"),
        "no Secure flag on plain http in dev"
    );
    let session = cookie.split(';').next().expect("pair").to_string();

    let sites = call_form(&router, "/api/websites", Some(&session), &[]).await;
    assert!(sites.status.is_success());

    let out = call_form(&router, "/api/logout", Some(&session), &[]).await;
    assert!(out
        .set_cookie
        .iter()
        .any(|c| c.starts_with("sp_session=;") && c.contains("Max-Age=0")));
    let after = call_form(&router, "/api/websites", Some(&session), &[]).await;
    assert_eq!(after.error(), AppError::Unauthorized);
}

#[tokio::test]
async fn signup_through_the_endpoint_sets_the_session_cookie() {
    let pool = pool().await;
    let router = router(pool.clone());
    let email = format!("{}@example.com", unique("web-"));
    let r = call_form(
        &router,
        "/api/signup",
        None,
        &[
            ("full_name", "Web User"),
            ("org_name", "Web Shop"),
            ("email", &email),
            ("password", "correct-horse-7"),
        ],
    )
    .await;
    assert!(
        r.status.is_success() || r.status.is_redirection(),
        "{} {}",
        r.status,
        r.text()
    );
    assert!(r
        .set_cookie
        .iter()
        .any(|c| c.starts_with("sp_session=") && c.contains("HttpOnly")));

    let r = call_form(
        &router,
        "/api/signup",
        None,
        &[
            ("full_name", "x"),
            ("org_name", "Web Shop"),
            ("email", &email),
            ("password", "correct-horse-7"),
        ],
    )
    .await;
    assert!(matches!(r.error(), AppError::Invalid { field, .. } if field == "email"));
}
