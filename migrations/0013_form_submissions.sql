-- 0013: contact form submissions from visitor sites (seed 004 `website_form_submissions`,
-- adapted: UUID keys, tenant_id for RLS like every other tenant table, and the form is a
-- contact_form component of a page rather than a separate forms table).
--
-- Visitors write through the request's tenant transaction (the site's tenant is known from
-- its live deployment), so the same RLS policy covers visitor inserts and the owners' inbox.

CREATE TABLE form_submissions (
    id                      UUID        PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id               UUID        NOT NULL,
    website_id              UUID        NOT NULL,
    -- The page and contact_form component the visitor used. No foreign keys: a submission
    -- outlives the block or page being deleted later; the names below keep it readable.
    page_id                 UUID,
    component_id            UUID        NOT NULL,
    page_slug               TEXT        NOT NULL,
    page_title              TEXT        NOT NULL DEFAULT '',
    form_name               TEXT        NOT NULL DEFAULT '',
    -- [{ "name": "email", "label": "Email", "value": "..." }, ...] in the form's field order,
    -- only the fields the block defines.
    data                    JSONB       NOT NULL CHECK (jsonb_typeof(data) = 'array'),
    ip_address              INET,
    user_agent              TEXT,
    status                  TEXT        NOT NULL DEFAULT 'new'
                            CHECK (status IN ('new', 'processed', 'converted', 'archived')),
    processed_at            TIMESTAMPTZ,
    processed_by            UUID,
    created_at              TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at              TIMESTAMPTZ NOT NULL DEFAULT now(),

    CONSTRAINT form_submissions_website_fkey FOREIGN KEY (tenant_id, website_id)
        REFERENCES websites (tenant_id, id) ON DELETE CASCADE,
    CONSTRAINT form_submissions_processed_by_fkey FOREIGN KEY (tenant_id, processed_by)
        REFERENCES users (tenant_id, id) ON DELETE SET NULL (processed_by)
);

-- The inbox: a tenant's submissions, newest first, optionally only the unprocessed ones.
CREATE INDEX idx_form_submissions_inbox ON form_submissions (tenant_id, created_at DESC);
CREATE INDEX idx_form_submissions_website ON form_submissions (website_id, created_at DESC);
CREATE INDEX idx_form_submissions_status ON form_submissions (tenant_id, status);

CREATE TRIGGER set_updated_at_form_submissions BEFORE UPDATE ON form_submissions
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();

ALTER TABLE form_submissions ENABLE ROW LEVEL SECURITY;
ALTER TABLE form_submissions FORCE ROW LEVEL SECURITY;
CREATE POLICY form_submissions_tenant_isolation ON form_submissions FOR ALL
    USING (tenant_id = (SELECT app_current_tenant()))
    WITH CHECK (tenant_id = (SELECT app_current_tenant()));

-- Submissions are kept as sent: the app inserts them and changes only their status.
GRANT SELECT, INSERT ON form_submissions TO sitepilot_app;
GRANT UPDATE (status, processed_at, processed_by) ON form_submissions TO sitepilot_app;
