//! What the server checks about its own database role at startup, before serving a request.

use sqlx::PgPool;

use crate::error::AppError;

/// Roles the current role is a member of (directly or through other roles, `pg_has_role`
/// MEMBER, so `SET ROLE` would reach them) that are superuser, bypass row-level security or own
/// a table in `public`. Any one of them lets a request escape RLS, so the server refuses to run
/// as a role that has one.
pub async fn privileged_memberships(pool: &PgPool) -> Result<Vec<String>, AppError> {
    Ok(sqlx::query_scalar::<_, String>(
        r#"SELECT r.rolname::text
           FROM pg_roles r
           WHERE r.rolname <> current_user
             AND (r.rolsuper OR r.rolbypassrls
                  OR EXISTS (SELECT 1 FROM pg_tables t
                             WHERE t.schemaname = 'public' AND t.tableowner = r.rolname))
             AND pg_has_role(current_user, r.oid, 'MEMBER')
           ORDER BY r.rolname"#,
    )
    .fetch_all(pool)
    .await?)
}
