//! Checks on the database itself rather than on tenant data: the health probe and the
//! startup check that the request role cannot bypass row-level security.

use sqlx::PgPool;

use crate::error::AppError;

/// Whether the database answers a trivial query.
pub async fn ping(pool: &PgPool) -> Result<(), AppError> {
    sqlx::query_scalar::<_, i32>("SELECT 1")
        .fetch_one(pool)
        .await?;
    Ok(())
}

/// What the pool's role may do that a request role must not.
pub struct RolePowers {
    pub superuser: bool,
    pub bypass_rls: bool,
    /// Tables in `public` this role owns (an owner is not subject to RLS unless forced).
    pub owned_tables: i64,
}

impl RolePowers {
    /// Safe for requests: not superuser, no BYPASSRLS, owns no tables.
    pub fn is_restricted(&self) -> bool {
        !self.superuser && !self.bypass_rls && self.owned_tables == 0
    }
}

/// The powers of the role the pool connects as.
pub async fn role_powers(pool: &PgPool) -> Result<RolePowers, AppError> {
    let (superuser, bypass_rls, owned_tables): (bool, bool, i64) = sqlx::query_as(
        r#"SELECT r.rolsuper, r.rolbypassrls,
                  (SELECT count(*) FROM pg_tables t WHERE t.schemaname = 'public' AND t.tableowner = current_user)
           FROM pg_roles r WHERE r.rolname = current_user"#,
    )
    .fetch_one(pool)
    .await?;
    Ok(RolePowers {
        superuser,
        bypass_rls,
        owned_tables,
    })
}
