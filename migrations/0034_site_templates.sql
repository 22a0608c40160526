-- 0034: a tenant's private website templates (issue 20 §1: "a tenant can save one of its own
-- websites as a private template for its team"). A template is the website's export document
-- (`app::model::SiteBackup`, the same format as `site_backups.backup_data`), so creating a
-- website from it goes through the backup validators and the one import transaction. Templates
-- outlive the website they were made from (no foreign key to `websites`): deleting the site
-- keeps the template. Per tenant under RLS like every tenant table; the built-in templates are
-- files in the repository, not rows.

CREATE TABLE site_templates (
    id              UUID        PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id       UUID        NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    name            TEXT        NOT NULL
                    CONSTRAINT site_templates_name_check CHECK (length(name) BETWEEN 2 AND 80),
    document        JSONB       NOT NULL,
    version         INTEGER     NOT NULL,
    size_bytes      INTEGER     NOT NULL,
    created_by      UUID,
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),

    CONSTRAINT site_templates_created_by_fkey FOREIGN KEY (tenant_id, created_by)
        REFERENCES users (tenant_id, id) ON DELETE SET NULL (created_by)
);

CREATE INDEX idx_site_templates_tenant ON site_templates (tenant_id, created_at DESC);

ALTER TABLE site_templates ENABLE ROW LEVEL SECURITY;
ALTER TABLE site_templates FORCE ROW LEVEL SECURITY;
CREATE POLICY site_templates_tenant_isolation ON site_templates FOR ALL
    USING (tenant_id = (SELECT app_current_tenant()))
    WITH CHECK (tenant_id = (SELECT app_current_tenant()));

-- Saved once, deleted when no longer wanted; never changed.
GRANT SELECT, INSERT, DELETE ON site_templates TO sitepilot_app;
