-- 0007: row level security — the tenant boundary, enforced by the database.
--
-- Each request runs in one transaction that first does
--   SELECT set_config('app.current_tenant_id', $tenant, true);
-- Without it the setting is NULL/'' and every policy matches nothing (fail closed).
-- FORCE makes the policies apply to the table owner too; the owner/migrating role
-- has BYPASSRLS (checked in 0001), the app role sitepilot_app does not.
-- plans is global and read-only for the app, so it has no RLS.

-- The current tenant, or NULL. nullif: after a transaction that used
-- set_config(..., true) the setting reverts to '' (not NULL).
-- PARALLEL SAFE like current_setting() itself, so RLS does not disable parallel plans.
CREATE FUNCTION app_current_tenant() RETURNS uuid
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT nullif(current_setting('app.current_tenant_id', true), '')::uuid
$$;

-- Policies use "(SELECT app_current_tenant())" so the value is computed once per
-- query (an InitPlan) and compared against an indexed tenant_id column, instead
-- of the seed's joins through websites/pages.
-- No public-read policy on deployments (the seed's deployments_public_read would
-- let any session read every tenant's live snapshots); visitors go through the
-- SECURITY DEFINER functions in 0008.

ALTER TABLE tenants ENABLE ROW LEVEL SECURITY;
ALTER TABLE tenants FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_self_access ON tenants FOR ALL
    USING (id = (SELECT app_current_tenant()))
    WITH CHECK (id = (SELECT app_current_tenant()));

ALTER TABLE users ENABLE ROW LEVEL SECURITY;
ALTER TABLE users FORCE ROW LEVEL SECURITY;
CREATE POLICY users_tenant_isolation ON users FOR ALL
    USING (tenant_id = (SELECT app_current_tenant()))
    WITH CHECK (tenant_id = (SELECT app_current_tenant()));

ALTER TABLE sessions ENABLE ROW LEVEL SECURITY;
ALTER TABLE sessions FORCE ROW LEVEL SECURITY;
CREATE POLICY sessions_tenant_isolation ON sessions FOR ALL
    USING (tenant_id = (SELECT app_current_tenant()))
    WITH CHECK (tenant_id = (SELECT app_current_tenant()));

ALTER TABLE subscriptions ENABLE ROW LEVEL SECURITY;
ALTER TABLE subscriptions FORCE ROW LEVEL SECURITY;
CREATE POLICY subscriptions_tenant_isolation ON subscriptions FOR ALL
    USING (tenant_id = (SELECT app_current_tenant()))
    WITH CHECK (tenant_id = (SELECT app_current_tenant()));

ALTER TABLE websites ENABLE ROW LEVEL SECURITY;
ALTER TABLE websites FORCE ROW LEVEL SECURITY;
CREATE POLICY websites_tenant_isolation ON websites FOR ALL
    USING (tenant_id = (SELECT app_current_tenant()))
    WITH CHECK (tenant_id = (SELECT app_current_tenant()));

ALTER TABLE pages ENABLE ROW LEVEL SECURITY;
ALTER TABLE pages FORCE ROW LEVEL SECURITY;
CREATE POLICY pages_tenant_isolation ON pages FOR ALL
    USING (tenant_id = (SELECT app_current_tenant()))
    WITH CHECK (tenant_id = (SELECT app_current_tenant()));

ALTER TABLE components ENABLE ROW LEVEL SECURITY;
ALTER TABLE components FORCE ROW LEVEL SECURITY;
CREATE POLICY components_tenant_isolation ON components FOR ALL
    USING (tenant_id = (SELECT app_current_tenant()))
    WITH CHECK (tenant_id = (SELECT app_current_tenant()));

ALTER TABLE deployments ENABLE ROW LEVEL SECURITY;
ALTER TABLE deployments FORCE ROW LEVEL SECURITY;
CREATE POLICY deployments_tenant_isolation ON deployments FOR ALL
    USING (tenant_id = (SELECT app_current_tenant()))
    WITH CHECK (tenant_id = (SELECT app_current_tenant()));

ALTER TABLE page_versions ENABLE ROW LEVEL SECURITY;
ALTER TABLE page_versions FORCE ROW LEVEL SECURITY;
CREATE POLICY page_versions_tenant_isolation ON page_versions FOR ALL
    USING (tenant_id = (SELECT app_current_tenant()))
    WITH CHECK (tenant_id = (SELECT app_current_tenant()));

ALTER TABLE domain_verifications ENABLE ROW LEVEL SECURITY;
ALTER TABLE domain_verifications FORCE ROW LEVEL SECURITY;
CREATE POLICY domain_verifications_tenant_isolation ON domain_verifications FOR ALL
    USING (tenant_id = (SELECT app_current_tenant()))
    WITH CHECK (tenant_id = (SELECT app_current_tenant()));

ALTER TABLE assets ENABLE ROW LEVEL SECURITY;
ALTER TABLE assets FORCE ROW LEVEL SECURITY;
CREATE POLICY assets_tenant_isolation ON assets FOR ALL
    USING (tenant_id = (SELECT app_current_tenant()))
    WITH CHECK (tenant_id = (SELECT app_current_tenant()));

ALTER TABLE ai_usage_log ENABLE ROW LEVEL SECURITY;
ALTER TABLE ai_usage_log FORCE ROW LEVEL SECURITY;
CREATE POLICY ai_log_tenant_isolation ON ai_usage_log FOR ALL
    USING (tenant_id = (SELECT app_current_tenant()))
    WITH CHECK (tenant_id = (SELECT app_current_tenant()));

ALTER TABLE usage_metrics ENABLE ROW LEVEL SECURITY;
ALTER TABLE usage_metrics FORCE ROW LEVEL SECURITY;
CREATE POLICY usage_metrics_tenant_isolation ON usage_metrics FOR ALL
    USING (tenant_id = (SELECT app_current_tenant()))
    WITH CHECK (tenant_id = (SELECT app_current_tenant()));

ALTER TABLE raw_page_events ENABLE ROW LEVEL SECURITY;
ALTER TABLE raw_page_events FORCE ROW LEVEL SECURITY;
CREATE POLICY raw_page_events_tenant_isolation ON raw_page_events FOR ALL
    USING (tenant_id = (SELECT app_current_tenant()))
    WITH CHECK (tenant_id = (SELECT app_current_tenant()));

ALTER TABLE team_invitations ENABLE ROW LEVEL SECURITY;
ALTER TABLE team_invitations FORCE ROW LEVEL SECURITY;
CREATE POLICY team_invitations_tenant_isolation ON team_invitations FOR ALL
    USING (tenant_id = (SELECT app_current_tenant()))
    WITH CHECK (tenant_id = (SELECT app_current_tenant()));

ALTER TABLE audit_logs ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_logs FORCE ROW LEVEL SECURITY;
CREATE POLICY audit_logs_tenant_isolation ON audit_logs FOR ALL
    USING (tenant_id = (SELECT app_current_tenant()))
    WITH CHECK (tenant_id = (SELECT app_current_tenant()));
