-- 0009: privileges of the app role. Least privilege on top of RLS: RLS decides
-- WHICH rows, grants decide WHAT may be done at all. Tables are listed one by
-- one (no "ALL TABLES IN SCHEMA") so nothing is granted by accident, in
-- particular not sqlx's _sqlx_migrations bookkeeping table.

-- PG15 already denies CREATE on schema public to PUBLIC; repeat it for clusters
-- upgraded from older versions, where the app could otherwise create objects
-- that shadow ours.
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO sitepilot_app;

-- Global catalogue: read-only.
GRANT SELECT ON plans TO sitepilot_app;

-- Tenants are created (signup) and edited, never deleted by the app:
-- offboarding is a status change; deletion is a privileged background job.
GRANT SELECT, INSERT, UPDATE ON tenants TO sitepilot_app;

-- Ordinary tenant data.
GRANT SELECT, INSERT, UPDATE, DELETE ON
    users, sessions, subscriptions, websites, pages, components, page_versions,
    domain_verifications, assets, ai_usage_log, usage_metrics, raw_page_events,
    team_invitations
TO sitepilot_app;

-- BIGSERIAL id of raw_page_events.
GRANT USAGE ON SEQUENCE raw_page_events_id_seq TO sitepilot_app;

-- Append-only.
GRANT SELECT, INSERT ON audit_logs TO sitepilot_app;

-- Immutable snapshots: insert, and flip the live flag (publish / rollback).
-- No DELETE: history is removed only with its website. The trigger in 0006
-- additionally refuses content changes from any role.
GRANT SELECT, INSERT ON deployments TO sitepilot_app;
GRANT UPDATE (is_live) ON deployments TO sitepilot_app;

-- Helpers (EXECUTE is PUBLIC by default for these; stated explicitly here).
GRANT EXECUTE ON FUNCTION app_current_tenant()                     TO sitepilot_app;
GRANT EXECUTE ON FUNCTION get_tenant_storage_mb(uuid)              TO sitepilot_app;
GRANT EXECUTE ON FUNCTION get_monthly_ai_credits(uuid)             TO sitepilot_app;
GRANT EXECUTE ON FUNCTION get_total_page_views(uuid, timestamptz)  TO sitepilot_app;
GRANT EXECUTE ON FUNCTION prune_page_versions(uuid, int)           TO sitepilot_app;
