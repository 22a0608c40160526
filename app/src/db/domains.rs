//! A website's custom domain (schema reference §7 `custom_domain` / `domain_verified`, §15
//! `domain_verifications`, migration 0026): adding and removing it, what the settings page
//! shows, and recording what a DNS check found. `websites.custom_domain` and the verification
//! row are always written together, so the host lookup (0017) and the checks agree.
//!
//! Visitors reach a domain only while `websites.domain_verified` is true; every change of it
//! (or of the domain) fires the `sitepilot_deployments` notification (0017), so every server
//! instance forgets the host at once.

use chrono::{DateTime, Utc};
use sqlx::FromRow;
use uuid::Uuid;

use super::{audit, limits, Tx};
use crate::error::AppError;
use crate::model::{
    verify_record_name, DnsRecordToCreate, DomainName, DomainSettings, DomainStatus,
};

/// What a DNS check needs to know about one domain.
#[derive(Debug, Clone, FromRow)]
pub struct CheckTarget {
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub website_id: Uuid,
    pub domain: String,
    pub cname_target: String,
    pub verification_token: String,
    pub verified: bool,
}

impl CheckTarget {
    pub fn is_apex(&self) -> bool {
        self.domain.matches('.').count() == 1
    }
}

#[derive(FromRow)]
struct Row {
    domain: String,
    cname_target: String,
    verified: bool,
    verification_attempts: i32,
    last_checked_at: Option<DateTime<Utc>>,
    first_verified_at: Option<DateTime<Utc>>,
    last_error: Option<String>,
    ssl_provisioned: bool,
    failing_since: Option<DateTime<Utc>>,
    verification_token: String,
}

const ROW_COLUMNS: &str =
    "domain, cname_target, verified, verification_attempts, last_checked_at, \
     first_verified_at, last_error, ssl_provisioned, failing_since, verification_token";

/// The records the customer creates: a CNAME to the site's address (for an apex domain, A and
/// AAAA records to the edge's addresses instead), and the TXT record with the token.
pub fn records_for(
    domain: &str,
    cname_target: &str,
    token: &str,
    apex_ips: &[std::net::IpAddr],
) -> Vec<DnsRecordToCreate> {
    let apex = domain.matches('.').count() == 1;
    let mut out = Vec::new();
    if !apex || apex_ips.is_empty() {
        out.push(DnsRecordToCreate {
            kind: "CNAME".into(),
            name: domain.to_string(),
            value: cname_target.to_string(),
            alternative: false,
        });
    }
    for ip in apex_ips {
        out.push(DnsRecordToCreate {
            kind: if ip.is_ipv4() { "A" } else { "AAAA" }.into(),
            name: domain.to_string(),
            value: ip.to_string(),
            alternative: !apex,
        });
    }
    out.push(DnsRecordToCreate {
        kind: "TXT".into(),
        name: verify_record_name(domain),
        value: token.to_string(),
        alternative: false,
    });
    out
}

/// The domain settings of `website_id` (NotFound for another tenant's website).
pub async fn settings(
    tx: &mut Tx,
    website_id: Uuid,
    sites_domain: &str,
    apex_ips: &[std::net::IpAddr],
    can_manage: bool,
) -> Result<DomainSettings, AppError> {
    let (name, subdomain): (String, Option<String>) =
        sqlx::query_as("SELECT name, subdomain FROM websites WHERE id = $1")
            .bind(website_id)
            .fetch_optional(&mut **tx)
            .await?
            .ok_or_else(|| AppError::NotFound("Website".into()))?;
    let sql = format!("SELECT {ROW_COLUMNS} FROM domain_verifications WHERE website_id = $1");
    let row: Option<Row> = sqlx::query_as(&sql)
        .bind(website_id)
        .fetch_optional(&mut **tx)
        .await?;
    let domain = row.map(|r| DomainStatus {
        records: records_for(&r.domain, &r.cname_target, &r.verification_token, apex_ips),
        domain: r.domain,
        verified: r.verified,
        cname_target: r.cname_target,
        verification_attempts: r.verification_attempts,
        last_checked_at: r.last_checked_at,
        first_verified_at: r.first_verified_at,
        last_error: r.last_error,
        ssl_provisioned: r.ssl_provisioned,
        failing_since: r.failing_since,
    });
    Ok(DomainSettings {
        website_id,
        website_name: name,
        site_address: subdomain.map(|s| format!("{s}.{sites_domain}")),
        domain,
        can_manage,
    })
}

/// Connects `domain` to `website_id`, replacing the domain it had (which stops serving at
/// once). Refused on a plan without custom domains (`LimitReached`), and when another website
/// holds the domain (the unique indexes `websites_custom_domain_key` and
/// `domain_verifications_domain_key`: a clear `Invalid` on `domain`). Returns the new
/// verification's id, for the first check.
pub async fn add(
    tx: &mut Tx,
    tenant: Uuid,
    user: Uuid,
    website_id: Uuid,
    domain: &DomainName,
    sites_domain: &str,
) -> Result<Uuid, AppError> {
    let subdomain: Option<String> =
        sqlx::query_scalar("SELECT subdomain FROM websites WHERE id = $1 FOR UPDATE")
            .bind(website_id)
            .fetch_optional(&mut **tx)
            .await?
            .ok_or_else(|| AppError::NotFound("Website".into()))?;
    limits::check_custom_domain(tx, tenant).await?;
    let Some(subdomain) = subdomain else {
        return Err(AppError::invalid(
            "domain",
            "This website has no address yet, so there is nothing to point the domain to.",
        ));
    };
    let cname_target = format!("{subdomain}.{sites_domain}");
    let previous: Option<String> = sqlx::query_scalar(
        "DELETE FROM domain_verifications WHERE website_id = $1 RETURNING domain",
    )
    .bind(website_id)
    .fetch_optional(&mut **tx)
    .await?;
    // Another website holding the domain (in any tenant, which RLS hides from this query) is
    // refused by the unique indexes: `AppError::from` maps them to a clear message on `domain`.
    sqlx::query("UPDATE websites SET custom_domain = $2, domain_verified = false WHERE id = $1")
        .bind(website_id)
        .bind(domain.as_str())
        .execute(&mut **tx)
        .await?;
    let id: Uuid = sqlx::query_scalar(
        "INSERT INTO domain_verifications (tenant_id, website_id, domain, cname_target)
         VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(tenant)
    .bind(website_id)
    .bind(domain.as_str())
    .bind(&cname_target)
    .fetch_one(&mut **tx)
    .await?;
    if let Some(old) = previous.filter(|old| old != domain.as_str()) {
        audit(
            tx,
            tenant,
            Some(user),
            "domain.removed",
            ("website", website_id),
            serde_json::json!({ "domain": old }),
        )
        .await?;
    }
    audit(
        tx,
        tenant,
        Some(user),
        "domain.added",
        ("website", website_id),
        serde_json::json!({ "domain": domain.as_str() }),
    )
    .await?;
    Ok(id)
}

/// Disconnects the website's domain: it stops serving at once (the websites trigger notifies
/// every instance). NotFound when the website has none.
pub async fn remove(
    tx: &mut Tx,
    tenant: Uuid,
    user: Uuid,
    website_id: Uuid,
) -> Result<(), AppError> {
    let domain: Option<String> =
        sqlx::query_scalar("SELECT custom_domain FROM websites WHERE id = $1 FOR UPDATE")
            .bind(website_id)
            .fetch_optional(&mut **tx)
            .await?
            .flatten();
    let Some(domain) = domain else {
        return Err(AppError::NotFound("Custom domain".into()));
    };
    sqlx::query("UPDATE websites SET custom_domain = NULL, domain_verified = false WHERE id = $1")
        .bind(website_id)
        .execute(&mut **tx)
        .await?;
    sqlx::query("DELETE FROM domain_verifications WHERE website_id = $1")
        .bind(website_id)
        .execute(&mut **tx)
        .await?;
    audit(
        tx,
        tenant,
        Some(user),
        "domain.removed",
        ("website", website_id),
        serde_json::json!({ "domain": domain }),
    )
    .await
}

/// The verification of `website_id`, for a check a member asked for ("Check now"). Refused
/// with `TooManyRequests` within `min_gap` of the previous one, so the button cannot be used
/// to make the server query DNS in a loop.
pub async fn claim_manual_check(
    tx: &mut Tx,
    website_id: Uuid,
    min_gap: std::time::Duration,
) -> Result<CheckTarget, AppError> {
    let row: Option<(Uuid, Option<f64>)> = sqlx::query_as(
        "SELECT id, extract(epoch FROM now() - manual_check_at)::float8
           FROM domain_verifications WHERE website_id = $1 FOR UPDATE",
    )
    .bind(website_id)
    .fetch_optional(&mut **tx)
    .await?;
    let Some((id, since)) = row else {
        return Err(AppError::NotFound("Custom domain".into()));
    };
    let gap = min_gap.as_secs_f64();
    if let Some(since) = since.filter(|s| *s < gap) {
        return Err(AppError::TooManyRequests {
            retry_after_secs: (gap - since).ceil().max(1.0) as u64,
        });
    }
    sqlx::query("UPDATE domain_verifications SET manual_check_at = now() WHERE id = $1")
        .bind(id)
        .execute(&mut **tx)
        .await?;
    target(tx, id)
        .await?
        .ok_or_else(|| AppError::NotFound("Custom domain".into()))
}

/// The verification `id` (in the transaction's tenant), if it still exists.
pub async fn target(tx: &mut Tx, id: Uuid) -> Result<Option<CheckTarget>, AppError> {
    Ok(sqlx::query_as(
        "SELECT id, tenant_id, website_id, domain, cname_target, verification_token, verified
           FROM domain_verifications WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(&mut **tx)
    .await?)
}

/// What recording a check changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transition {
    /// The verification is gone (the domain was removed or replaced meanwhile): nothing done.
    Gone,
    /// Passed for the first time (or again after it was lost): the domain now serves.
    Verified,
    /// Passed, and was already verified.
    StillVerified,
    /// Failed, and the domain is not verified yet.
    Pending,
    /// Failed on a verified domain, still within the grace period: it keeps serving.
    Failing,
    /// Failed past the grace period: unverified, it stops serving.
    Lost,
}

/// Records a check of verification `id` that found `outcome` (an error in people's words):
/// attempts, time, error, and the verified flags on both tables. A verified domain whose checks
/// fail keeps serving until they have failed for `grace`.
pub async fn record_check(
    tx: &mut Tx,
    id: Uuid,
    outcome: &Result<(), String>,
    grace: std::time::Duration,
) -> Result<Transition, AppError> {
    let row: Option<(Uuid, Uuid, String, bool, Option<f64>)> = sqlx::query_as(
        "SELECT tenant_id, website_id, domain, verified, extract(epoch FROM now() - failing_since)::float8
           FROM domain_verifications WHERE id = $1 FOR UPDATE",
    )
    .bind(id)
    .fetch_optional(&mut **tx)
    .await?;
    let Some((tenant, website, domain, was_verified, failing_for)) = row else {
        return Ok(Transition::Gone);
    };
    let transition = match (outcome, was_verified) {
        (Ok(()), false) => Transition::Verified,
        (Ok(()), true) => Transition::StillVerified,
        (Err(_), false) => Transition::Pending,
        // Failing since this check when it is the first failure: with no grace at all, the
        // first failed check unverifies.
        (Err(_), true) if failing_for.unwrap_or(0.0) >= grace.as_secs_f64() => Transition::Lost,
        (Err(_), true) => Transition::Failing,
    };
    let verified_now = matches!(
        transition,
        Transition::Verified | Transition::StillVerified | Transition::Failing
    );
    sqlx::query(
        "UPDATE domain_verifications
            SET verification_attempts = verification_attempts + 1,
                last_checked_at = now(),
                last_error = $2,
                verified = $3,
                first_verified_at = CASE WHEN $3 THEN coalesce(first_verified_at, now()) ELSE first_verified_at END,
                failing_since = CASE WHEN $2 IS NULL OR NOT $3 THEN NULL ELSE coalesce(failing_since, now()) END
          WHERE id = $1",
    )
    .bind(id)
    .bind(outcome.as_ref().err())
    .bind(verified_now)
    .execute(&mut **tx)
    .await?;
    if verified_now != was_verified {
        sqlx::query(
            "UPDATE websites SET domain_verified = $2 WHERE id = $1 AND lower(custom_domain) = $3",
        )
        .bind(website)
        .bind(verified_now)
        .bind(&domain)
        .execute(&mut **tx)
        .await?;
        let action = if verified_now {
            "domain.verified"
        } else {
            "domain.lost"
        };
        audit(
            tx,
            tenant,
            None,
            action,
            ("website", website),
            serde_json::json!({ "domain": domain }),
        )
        .await?;
    }
    Ok(transition)
}

/// The verification job's kind (handler: `server::domains::jobs::verify`).
pub const VERIFY_JOB: &str = "domains.verify";
/// The owner's notice that a domain started or stopped serving (handled by the email worker).
pub const NOTICE_JOB: &str = "email.domain_notice";
/// Checks of a pending domain before the job gives up (1, 5 and 30 minutes, then hourly: about
/// three days). "Check now" still works after that.
pub const VERIFY_ATTEMPTS: i32 = 75;

/// Queues a check of verification `id` now (job [`VERIFY_JOB`], at most one live per
/// verification). Called in the caller's transaction, so it commits with the domain.
pub async fn queue_check(tx: &mut Tx, tenant: Uuid, id: Uuid) -> Result<(), AppError> {
    super::jobs::enqueue(&mut **tx, verify_job(tenant, id)).await?;
    Ok(())
}

/// The verification job for `id` of `tenant`.
pub fn verify_job(tenant: Uuid, id: Uuid) -> super::jobs::NewJob<'static> {
    super::jobs::NewJob::new(
        VERIFY_JOB,
        serde_json::json!({ "verification_id": id, "tenant_id": tenant }),
    )
    .dedupe(format!("{VERIFY_JOB}:{id}"))
    .max_attempts(VERIFY_ATTEMPTS)
    .tenant(tenant)
}

/// Records a check's `outcome` for `target` ([`record_check`]) and, when the domain started or
/// stopped serving, queues the owner's notice (job [`NOTICE_JOB`]) in the same transaction.
pub async fn apply_check(
    tx: &mut Tx,
    target: &CheckTarget,
    outcome: &Result<(), String>,
    grace: std::time::Duration,
) -> Result<Transition, AppError> {
    let transition = record_check(tx, target.id, outcome, grace).await?;
    let event = match transition {
        Transition::Verified => "verified",
        Transition::Lost => "lost",
        _ => return Ok(transition),
    };
    let notice = super::jobs::NewJob::new(
        NOTICE_JOB,
        serde_json::json!({
            "tenant_id": target.tenant_id,
            "website_id": target.website_id,
            "domain": target.domain,
            "event": event,
        }),
    )
    .tenant(target.tenant_id);
    super::jobs::enqueue(&mut **tx, notice).await?;
    Ok(transition)
}
