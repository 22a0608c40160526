-- 0031: stored website backups (issue 20 §4; Aether seed 001 `site_backups`), adapted to this
-- schema: the tenant column with composite foreign keys and RLS like every tenant table, the
-- document in the export format (`app::model::SiteBackup`, its version in `version`), and an
-- expiry set from the plan's retention when the backup is taken. `backup_type` keeps the
-- seed's `manual`/`auto` and adds `pre_restore` (the site as it was before a restore); the
-- seed's `pre_deploy` is not used here (deployments are snapshots of their own).
--
-- `plans.backup_retention_days` makes retention data: how long automatic daily backups of a
-- plan's websites are kept (Starter 7, Growth 30, Pro 90 days).
--
-- The daily job must find websites across tenants that are due a backup: one SECURITY DEFINER
-- function returns (tenant, website) pairs, and everything else runs in each tenant's own
-- transaction under RLS.

ALTER TABLE plans ADD COLUMN backup_retention_days INTEGER NOT NULL DEFAULT 7
    CONSTRAINT plans_backup_retention_days_check CHECK (backup_retention_days BETWEEN 1 AND 3650);
UPDATE plans SET backup_retention_days = CASE slug WHEN 'growth' THEN 30 WHEN 'pro' THEN 90 ELSE 7 END;

CREATE TABLE site_backups (
    id              UUID        PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id       UUID        NOT NULL,
    website_id      UUID        NOT NULL,
    created_by      UUID,
    backup_type     TEXT        NOT NULL DEFAULT 'manual'
                    CONSTRAINT site_backups_type_check CHECK (backup_type IN ('manual', 'auto', 'pre_restore')),
    backup_data     JSONB       NOT NULL,
    version         INTEGER     NOT NULL,
    description     TEXT        CONSTRAINT site_backups_description_check CHECK (length(description) <= 200),
    size_bytes      INTEGER     NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    expires_at      TIMESTAMPTZ NOT NULL,

    CONSTRAINT site_backups_website_fkey FOREIGN KEY (tenant_id, website_id)
        REFERENCES websites (tenant_id, id) ON DELETE CASCADE,
    CONSTRAINT site_backups_created_by_fkey FOREIGN KEY (tenant_id, created_by)
        REFERENCES users (tenant_id, id) ON DELETE SET NULL (created_by)
);

CREATE INDEX idx_site_backups_website ON site_backups (website_id, created_at DESC);
CREATE INDEX idx_site_backups_expires_at ON site_backups (expires_at);

ALTER TABLE site_backups ENABLE ROW LEVEL SECURITY;
ALTER TABLE site_backups FORCE ROW LEVEL SECURITY;
CREATE POLICY site_backups_tenant_isolation ON site_backups FOR ALL
    USING (tenant_id = (SELECT app_current_tenant()))
    WITH CHECK (tenant_id = (SELECT app_current_tenant()));

-- Backups are written once and deleted when they expire; never changed.
GRANT SELECT, INSERT, DELETE ON site_backups TO sitepilot_app;

-- Websites (not archived, not suspended) with no automatic backup in the last 23 hours, oldest
-- first, at most p_limit: the daily job's work list.
CREATE FUNCTION site_backups_due(p_limit integer)
RETURNS TABLE (tenant_id uuid, website_id uuid)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT w.tenant_id, w.id
      FROM websites w
     WHERE w.status IN ('draft', 'published')
       AND NOT EXISTS (SELECT 1 FROM site_backups b
                        WHERE b.website_id = w.id AND b.backup_type = 'auto'
                          AND b.created_at > now() - interval '23 hours')
     ORDER BY w.created_at, w.id
     LIMIT p_limit;
$$;

COMMENT ON FUNCTION site_backups_due(integer) IS
    'Cross-tenant by nature: the daily backup job learns which tenants to enter. Returns ids only.';
REVOKE ALL ON FUNCTION site_backups_due(integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION site_backups_due(integer) TO sitepilot_app;
