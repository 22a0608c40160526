-- 0039: "Build my site from a prompt" (issue 19): one row per generation, the state the progress
-- page shows and the `ai.generate_site` job works through.
--
-- The job (queued in the same transaction as this row and its credit reservation) moves the row
-- from queued to running, appends each step it reaches to `steps` (planning pages, writing each
-- page, choosing the palette, saving) and ends it succeeded (with the new website), failed (with
-- the error, credits refunded) or cancelled (by a member, credits refunded). Every change sends a
-- realtime NOTIFY in its transaction, so the progress page's stream sees it when it commits.

CREATE TABLE ai_generations (
    id           UUID        PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id    UUID        NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    created_by   UUID,
    status       TEXT        NOT NULL DEFAULT 'queued'
                 CONSTRAINT ai_generations_status_check
                 CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
    -- The questionnaire, the website's name and address (checked when it was submitted).
    brief        JSONB       NOT NULL,
    -- The steps reached so far, in order: [{"label": "Planning pages"}, …].
    steps        JSONB       NOT NULL DEFAULT '[]'::jsonb,
    -- The credit reservation (a `usage` row) to refund if the generation does not succeed.
    usage_id     UUID        NOT NULL REFERENCES credit_transactions (id),
    website_id   UUID,
    error        TEXT        CONSTRAINT ai_generations_error_check CHECK (length(error) <= 500),
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at   TIMESTAMPTZ NOT NULL DEFAULT now(),

    CONSTRAINT ai_generations_user_fkey FOREIGN KEY (tenant_id, created_by)
        REFERENCES users (tenant_id, id) ON DELETE SET NULL (created_by),
    CONSTRAINT ai_generations_website_fkey FOREIGN KEY (tenant_id, website_id)
        REFERENCES websites (tenant_id, id) ON DELETE SET NULL (website_id),
    CONSTRAINT ai_generations_done_check CHECK (status <> 'succeeded' OR website_id IS NOT NULL)
);

CREATE INDEX idx_ai_generations_tenant ON ai_generations (tenant_id, created_at DESC);

ALTER TABLE ai_generations ENABLE ROW LEVEL SECURITY;
ALTER TABLE ai_generations FORCE ROW LEVEL SECURITY;
CREATE POLICY ai_generations_tenant_isolation ON ai_generations FOR ALL
    USING (tenant_id = (SELECT app_current_tenant()))
    WITH CHECK (tenant_id = (SELECT app_current_tenant()));

GRANT SELECT, INSERT, UPDATE ON ai_generations TO sitepilot_app;
