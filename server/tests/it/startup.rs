//! What the server refuses at startup about its database role (configuration refusals are unit
//! tests in `server/src/config.rs`).

/// `scripts/db.sh` creates `sitepilot_escalated_test`: no privileges of its own, but a member of
/// the owner role, so `SET ROLE sitepilot_owner` would bypass row-level security.
fn escalated_url() -> String {
    if let Ok(url) = std::env::var("SITEPILOT_TEST_ESCALATED_URL") {
        return url;
    }
    let app = std::env::var("APP_DATABASE_URL").expect("APP_DATABASE_URL");
    let (_, host_and_db) = app.split_once('@').expect("user@host in APP_DATABASE_URL");
    format!("postgres://sitepilot_escalated_test:sitepilot_escalated_dev@{host_and_db}")
}

#[tokio::test]
async fn an_app_role_that_is_a_member_of_the_owner_role_is_refused() {
    // Migrated first, so the owner role owns the tables.
    let _ = crate::common::pool().await;
    let err = server::connect_app_pool(&escalated_url())
        .await
        .expect_err("refused")
        .to_string();
    assert!(
        err.contains("member of") && err.contains("sitepilot_owner"),
        "{err}"
    );
}

#[tokio::test]
async fn the_real_app_role_is_accepted_and_the_owner_refused() {
    let _ = crate::common::pool().await;
    let owner = std::env::var("DATABASE_URL").expect("DATABASE_URL");
    assert!(server::connect_app_pool(&owner).await.is_err());
}
