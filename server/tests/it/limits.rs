//! Plan limits: every enforced limit refuses at the limit and one past it, on every
//! plan, with `LimitReached` naming the limit and the plan that lifts it. Through the server
//! functions where a feature exists; through `app::db::limits` (the functions other features
//! call) for the counts that would take thousands of rows to reach.

use crate::common::*;
use app::db::limits;
use app::error::AppError;
use serde_json::json;
use sqlx::PgPool;
use uuid::Uuid;

/// (plan id, plan name, the plan that lifts a numeric limit)
const PLANS: [(Uuid, &str, Option<&str>); 3] = [
    (STARTER, "Starter", Some("Growth")),
    (GROWTH, "Growth", Some("Pro")),
    (PRO, "Pro", None),
];

fn assert_limit(err: &AppError, limit: &str, max: i64, upgrade_to: Option<&str>) {
    let AppError::LimitReached {
        limit: l,
        max: m,
        upgrade_to: u,
        ..
    } = err
    else {
        panic!("expected {limit}, got {err:?}")
    };
    assert_eq!(
        (l.as_str(), *m, u.as_deref()),
        (limit, max, upgrade_to),
        "{err}"
    );
    if let Some(plan) = upgrade_to {
        let names = if max > 0 {
            format!("Upgrade to {plan}")
        } else {
            format!("available on the {plan} plan")
        };
        assert!(err.to_string().contains(&names), "{err}");
    }
}

async fn with_tx<T>(pool: &PgPool, tenant: Uuid, f: impl AsyncFnOnce(&mut app::db::Tx) -> T) -> T {
    let mut tx = app::db::tenant_tx(pool, tenant).await.expect("tx");
    let out = f(&mut tx).await;
    tx.rollback().await.expect("rollback");
    out
}

async fn create_site(router: &axum::Router, cookie: &str, name: &str, sub: &str) -> Reply {
    call_json(
        router,
        "/api/websites/create",
        Some(cookie),
        json!({ "name": name, "subdomain": sub }),
    )
    .await
}

async fn active_sites(pool: &PgPool, tenant: Uuid) -> i64 {
    with_tx(pool, tenant, async |tx| {
        sqlx::query_scalar::<_, i64>("SELECT count(*) FROM websites WHERE status <> 'archived'")
            .fetch_one(&mut **tx)
            .await
            .expect("count")
    })
    .await
}

#[tokio::test]
async fn max_websites_through_the_server_function_on_starter_and_growth() {
    let pool = pool().await;
    let router = router(pool.clone());
    let a = account(&pool, "Sites Ltd").await;
    let owner = cookie_for(&a);
    // Starter: the sign-up website is the one allowed; at the limit and one past it, refused.
    for attempt in 0..2 {
        let err = create_site(&router, &owner, "Second", &unique("second-"))
            .await
            .error();
        assert_limit(&err, "max_websites", 1, Some("Growth"));
        assert!(
            err.to_string()
                .contains("1 website on the Starter plan; the Growth plan allows 3"),
            "{err} ({attempt})"
        );
    }
    assert_eq!(
        active_sites(&pool, a.tenant_id).await,
        1,
        "nothing half-created"
    );

    // Growth: up to 3, then refused (Pro lifts it). No restart, no new session.
    set_plan(&pool, a.tenant_id, GROWTH).await;
    for n in 2..=3 {
        let r = create_site(&router, &owner, &format!("Site {n}"), &unique("site-")).await;
        assert!(r.status.is_success(), "{}", r.text());
    }
    for _ in 0..2 {
        assert_limit(
            &create_site(&router, &owner, "Fourth", &unique("fourth-"))
                .await
                .error(),
            "max_websites",
            3,
            Some("Pro"),
        );
    }
    // Archived websites do not count.
    let mut tx = app::db::tenant_tx(&pool, a.tenant_id).await.expect("tx");
    sqlx::query("UPDATE websites SET status = 'archived' WHERE id = $1")
        .bind(a.website_id)
        .execute(&mut *tx)
        .await
        .expect("archive");
    tx.commit().await.expect("commit");
    let r = create_site(&router, &owner, "Fourth", &unique("fourth-")).await;
    assert!(r.status.is_success(), "{}", r.text());
    assert_eq!(active_sites(&pool, a.tenant_id).await, 3);
}

#[tokio::test]
async fn max_websites_on_every_plan_at_the_limit_and_one_past_it() {
    let pool = pool().await;
    let a = account(&pool, "Every Plan").await;
    for (plan, _, next) in PLANS {
        set_plan(&pool, a.tenant_id, plan).await;
        let max: i64 = with_tx(&pool, a.tenant_id, async |tx| {
            sqlx::query_scalar::<_, i32>(
                "SELECT p.max_websites FROM plans p JOIN tenants t ON t.plan_id = p.id",
            )
            .fetch_one(&mut **tx)
            .await
            .expect("max")
        })
        .await
        .into();
        for total in [max - 1, max, max + 1] {
            if total < 1 {
                continue; // the sign-up website always exists
            }
            // `total` websites (the sign-up one + inserted ones) inside a rolled-back transaction.
            let result = with_tx(&pool, a.tenant_id, async |tx| {
                for n in 1..total {
                    sqlx::query("INSERT INTO websites (tenant_id, name) VALUES ($1, $2)")
                        .bind(a.tenant_id)
                        .bind(format!("W{n}"))
                        .execute(&mut **tx)
                        .await
                        .expect("insert");
                }
                limits::check_websites(tx, a.tenant_id).await
            })
            .await;
            if total < max {
                assert_eq!(result, Ok(()), "{total} of {max}");
            } else {
                assert_limit(&result.expect_err("refused"), "max_websites", max, next);
            }
        }
    }
}

#[tokio::test]
async fn websites_create_validates_and_checks_roles_and_tenants() {
    let pool = pool().await;
    let router = router(pool.clone());
    let a = account(&pool, "Valid Sites").await;
    let b = account(&pool, "Other Tenant").await;
    set_plan(&pool, a.tenant_id, GROWTH).await;
    let owner = cookie_for(&a);
    let err = create_site(&router, &owner, "X", "good-one").await.error();
    assert_eq!(err.field(), Some("name"));
    for bad in ["ab", "has space", "-lead", "UPPER_case"] {
        assert_eq!(
            create_site(&router, &owner, "Good name", bad)
                .await
                .error()
                .field(),
            Some("subdomain"),
            "{bad}"
        );
    }
    // Another tenant's subdomain is taken, without revealing anything else about it.
    let err = create_site(&router, &owner, "Copycat", &b.subdomain)
        .await
        .error();
    assert_eq!(err.field(), Some("subdomain"));
    assert_eq!(active_sites(&pool, a.tenant_id).await, 1);
    assert_eq!(
        active_sites(&pool, b.tenant_id).await,
        1,
        "the other tenant is untouched"
    );

    let viewer = member_cookie(&pool, &a, "viewer").await;
    assert!(matches!(
        create_site(&router, &viewer, "Nope", &unique("nope-"))
            .await
            .error(),
        AppError::Forbidden(_)
    ));
    for role in ["admin", "editor", "developer"] {
        let c = member_cookie(&pool, &a, role).await;
        if role == "developer" {
            // Growth allows 3: the admin and editor took the two free slots.
            assert_limit(
                &create_site(&router, &c, "Full", &unique("full-"))
                    .await
                    .error(),
                "max_websites",
                3,
                Some("Pro"),
            );
        } else {
            let r = create_site(&router, &c, &format!("By {role}"), &unique("by-")).await;
            assert!(r.status.is_success(), "{role}: {}", r.text());
        }
    }
    // The new website is the creator's tenant's, with a home page; the other tenant cannot see it.
    let sites: Vec<app::model::WebsiteSummary> =
        call_form(&router, "/api/websites", Some(&cookie_for(&b)), &[])
            .await
            .json();
    assert_eq!(sites.len(), 1);
    let mine: Vec<app::model::WebsiteSummary> =
        call_form(&router, "/api/websites", Some(&owner), &[])
            .await
            .json();
    assert_eq!(mine.len(), 3);
    assert!(mine.iter().all(|s| s.pages.iter().any(|p| p.is_home)));
}

#[tokio::test]
async fn max_pages_per_site_on_every_plan() {
    let pool = pool().await;
    let a = account(&pool, "Pages Plan").await;
    for (plan, _, next) in PLANS {
        set_plan(&pool, a.tenant_id, plan).await;
        let max = [(STARTER, 5), (GROWTH, 20), (PRO, 100)]
            .iter()
            .find(|(p, _)| *p == plan)
            .map(|(_, m)| *m)
            .unwrap_or(0);
        let at = |n: i64| {
            with_tx(&pool, a.tenant_id, async move |tx| {
                limits::check_pages(tx, a.tenant_id, n).await
            })
        };
        assert_eq!(at(max - 1).await, Ok(()));
        assert_limit(
            &at(max).await.expect_err("at the limit"),
            "max_pages_per_site",
            max,
            next,
        );
        assert_limit(
            &at(max + 1).await.expect_err("past the limit"),
            "max_pages_per_site",
            max,
            next,
        );
    }
    // Through pages/create (the server function), Starter: the 6th page is refused twice.
    let router = router(pool.clone());
    set_plan(&pool, a.tenant_id, STARTER).await;
    let owner = cookie_for(&a);
    for n in 2..=5 {
        let r = call_json(&router, "/api/pages/create", Some(&owner),
            json!({ "website_id": a.website_id, "title": format!("P{n}"), "slug": format!("/p-{n}") })).await;
        assert!(r.status.is_success(), "{}", r.text());
    }
    for n in 6..=7 {
        let r = call_json(&router, "/api/pages/create", Some(&owner),
            json!({ "website_id": a.website_id, "title": format!("P{n}"), "slug": format!("/p-{n}") })).await;
        assert_limit(&r.error(), "max_pages_per_site", 5, Some("Growth"));
    }
}

#[tokio::test]
async fn version_history_limit_keeps_the_newest_versions_on_every_plan() {
    let pool = pool().await;
    let router = router(pool.clone());
    let a = account(&pool, "Versions Plan").await;
    let owner = cookie_for(&a);
    for (plan, limit) in [(STARTER, 5usize), (GROWTH, 20), (PRO, 50)] {
        set_plan(&pool, a.tenant_id, plan).await;
        assert_eq!(
            with_tx(&pool, a.tenant_id, async |tx| {
                limits::version_history_limit(tx, a.tenant_id).await
            })
            .await,
            Ok(limit as i64)
        );
        // At the limit all are kept; one past it, the oldest goes.
        for n in 0..=limit {
            let r = call_json(
                &router,
                "/api/versions/save",
                Some(&owner),
                json!({ "page_id": a.home_page_id, "label": format!("v{n}") }),
            )
            .await;
            assert!(r.status.is_success(), "{}", r.text());
            let list: Vec<app::model::VersionSummary> = call_json(
                &router,
                "/api/versions/list",
                Some(&owner),
                json!({ "page_id": a.home_page_id }),
            )
            .await
            .json();
            assert!(
                list.len() <= limit,
                "{} kept on a limit of {limit}",
                list.len()
            );
            if n + 1 >= limit {
                assert_eq!(list.len(), limit);
            }
        }
    }
}

#[tokio::test]
async fn custom_html_is_pro_only_on_every_plan() {
    let pool = pool().await;
    let a = account(&pool, "Html Plan").await;
    for (plan, name, _) in PLANS {
        set_plan(&pool, a.tenant_id, plan).await;
        let r = with_tx(&pool, a.tenant_id, async |tx| {
            limits::check_custom_html(tx, a.tenant_id).await
        })
        .await;
        if name == "Pro" {
            assert_eq!(r, Ok(()));
        } else {
            let err = r.expect_err("refused");
            assert_limit(&err, "custom_html", 0, Some("Pro"));
            assert_eq!(
                err.to_string(),
                "Custom HTML blocks are available on the Pro plan. Upgrade to use them."
            );
        }
    }
}

#[tokio::test]
async fn flags_storage_and_ai_credits_on_every_plan() {
    let pool = pool().await;
    let a = account(&pool, "Flags Plan").await;
    for (plan, name, next) in PLANS {
        set_plan(&pool, a.tenant_id, plan).await;
        let t = a.tenant_id;
        let domain = with_tx(&pool, t, async |tx| {
            limits::check_custom_domain(tx, t).await
        })
        .await;
        let analytics = with_tx(&pool, t, async |tx| limits::check_analytics(tx, t).await).await;
        if name == "Starter" {
            assert_limit(
                &domain.expect_err("domain"),
                "custom_domain_allowed",
                0,
                Some("Growth"),
            );
            assert_limit(
                &analytics.expect_err("analytics"),
                "analytics_enabled",
                0,
                Some("Growth"),
            );
        } else {
            assert_eq!((domain, analytics), (Ok(()), Ok(())));
        }
        let mb: i64 = [(STARTER, 100), (GROWTH, 500), (PRO, 2000)]
            .iter()
            .find(|(p, _)| *p == plan)
            .map(|(_, m)| *m)
            .unwrap_or(0);
        let bytes = mb * 1_048_576;
        assert_eq!(
            with_tx(&pool, t, async |tx| limits::check_storage(tx, t, bytes)
                .await)
            .await,
            Ok(()),
            "exactly the quota fits"
        );
        for over in [1, 1_048_576] {
            let err = with_tx(&pool, t, async |tx| {
                limits::check_storage(tx, t, bytes + over).await
            })
            .await
            .expect_err("over");
            assert_limit(&err, "storage_limit_mb", mb, next);
        }
        let credits: i64 = [(STARTER, 10), (GROWTH, 50), (PRO, 200)]
            .iter()
            .find(|(p, _)| *p == plan)
            .map(|(_, m)| *m)
            .unwrap_or(0);
        for (used, ok) in [(credits - 1, true), (credits, false), (credits + 1, false)] {
            let r = with_tx(&pool, t, async |tx| {
                sqlx::query("INSERT INTO ai_usage_log (tenant_id, action_type) SELECT $1, 'suggest_copy' FROM generate_series(1, $2)")
                    .bind(t).bind(used as i32).execute(&mut **tx).await.expect("usage");
                // Failed calls do not use credits.
                sqlx::query("INSERT INTO ai_usage_log (tenant_id, action_type, status) VALUES ($1, 'suggest_copy', 'failed')")
                    .bind(t).execute(&mut **tx).await.expect("failed usage");
                limits::check_ai_credits(tx, t).await
            })
            .await;
            if ok {
                assert_eq!(r, Ok(()))
            } else {
                assert_limit(
                    &r.expect_err("credits"),
                    "ai_credits_per_month",
                    credits,
                    next,
                )
            }
        }
    }
}

#[tokio::test]
async fn collaborators_count_active_users_and_pending_invitations_on_every_plan() {
    let pool = pool().await;
    let a = account(&pool, "Seats Plan").await;
    let t = a.tenant_id;
    for (plan, _, next) in PLANS {
        set_plan(&pool, t, plan).await;
        let max: i64 = [(STARTER, 1), (GROWTH, 5), (PRO, 20)]
            .iter()
            .find(|(p, _)| *p == plan)
            .map(|(_, m)| *m)
            .unwrap_or(0);
        // The owner holds one seat; `others` more are taken by half users, half invitations.
        for others in [max - 2, max - 1, max] {
            if others < 0 {
                continue;
            }
            let r = with_tx(&pool, t, async |tx| {
                for n in 0..others {
                    let email = format!("{}@example.com", unique("seat-"));
                    if n % 2 == 0 {
                        sqlx::query("INSERT INTO users (tenant_id, email, password_hash, role) VALUES ($1, $2, 'x', 'editor')")
                            .bind(t).bind(email).execute(&mut **tx).await.expect("user");
                    } else {
                        sqlx::query("INSERT INTO team_invitations (tenant_id, invited_by, email) VALUES ($1, $2, $3)")
                            .bind(t).bind(a.user_id).bind(email).execute(&mut **tx).await.expect("invitation");
                    }
                }
                // Inactive users and expired or revoked invitations hold no seat.
                sqlx::query("INSERT INTO users (tenant_id, email, password_hash, role, is_active) VALUES ($1, $2, 'x', 'viewer', false)")
                    .bind(t).bind(format!("{}@example.com", unique("gone-"))).execute(&mut **tx).await.expect("inactive");
                sqlx::query("INSERT INTO team_invitations (tenant_id, invited_by, email, status) VALUES ($1, $2, $3, 'revoked')")
                    .bind(t).bind(a.user_id).bind(format!("{}@example.com", unique("rev-"))).execute(&mut **tx).await.expect("revoked");
                limits::check_collaborators(tx, t).await
            })
            .await;
            if others + 1 < max {
                assert_eq!(r, Ok(()), "{} of {max}", others + 1);
            } else {
                assert_limit(&r.expect_err("seats"), "max_collaborators", max, next);
            }
        }
    }
}
