-- 0004: remaining tenant-owned tables (media, usage, analytics, invitations, audit).

-- ── assets ─────────────────────────────────────────────────────────────────
CREATE TABLE assets (
    id                      UUID        PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id               UUID        NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    original_filename       TEXT        NOT NULL,
    display_name            TEXT,
    -- Column names kept from the seed; they hold the object-store key / URLs.
    -- The seed's idx_assets_cloudinary_id duplicates this constraint: omitted.
    cloudinary_public_id    TEXT        NOT NULL CONSTRAINT assets_cloudinary_public_id_key UNIQUE,
    cloudinary_url          TEXT        NOT NULL,
    secure_url              TEXT        NOT NULL,
    asset_type              TEXT        NOT NULL DEFAULT 'image'
                            CONSTRAINT assets_asset_type_check
                            CHECK (asset_type IN ('image', 'video', 'raw', 'audio')),
    format                  TEXT,
    size_bytes              BIGINT      NOT NULL DEFAULT 0,
    width                   INT,
    height                  INT,
    uploaded_by             UUID,
    -- NOT NULL (seed leaves it nullable): a NULL source has no meaning.
    upload_source           TEXT        NOT NULL DEFAULT 'manual'
                            CONSTRAINT assets_upload_source_check
                            CHECK (upload_source IN ('manual', 'ai_generated', 'import')),
    tags                    TEXT[]      NOT NULL DEFAULT '{}',
    used_in_websites        UUID[]      NOT NULL DEFAULT '{}',
    created_at              TIMESTAMPTZ NOT NULL DEFAULT now(),

    CONSTRAINT assets_uploaded_by_fkey FOREIGN KEY (tenant_id, uploaded_by)
        REFERENCES users (tenant_id, id) ON DELETE SET NULL (uploaded_by)
);

-- ── ai_usage_log ───────────────────────────────────────────────────────────
CREATE TABLE ai_usage_log (
    id                      UUID        PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id               UUID        NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    user_id                 UUID,
    action_type             TEXT        NOT NULL
                            CONSTRAINT ai_usage_log_action_type_check
                            CHECK (action_type IN ('generate_layout', 'suggest_copy', 'seo_optimize',
                                                   'regenerate_section', 'suggest_color_palette',
                                                   'generate_page')),
    website_id              UUID,
    page_id                 UUID,
    prompt_tokens           INT         NOT NULL DEFAULT 0,
    completion_tokens       INT         NOT NULL DEFAULT 0,
    total_tokens            INT         GENERATED ALWAYS AS (prompt_tokens + completion_tokens) STORED,
    estimated_cost_usd      NUMERIC(8,6) NOT NULL DEFAULT 0,
    status                  TEXT        NOT NULL DEFAULT 'success'
                            CONSTRAINT ai_usage_log_status_check
                            CHECK (status IN ('success', 'failed', 'rate_limited')),
    error_message           TEXT,
    created_at              TIMESTAMPTZ NOT NULL DEFAULT now(),

    -- Usage rows outlive the things they mention (quota history): deleting a user,
    -- website or page only nulls that column, never tenant_id.
    CONSTRAINT ai_usage_log_user_fkey FOREIGN KEY (tenant_id, user_id)
        REFERENCES users (tenant_id, id) ON DELETE SET NULL (user_id),
    CONSTRAINT ai_usage_log_website_fkey FOREIGN KEY (tenant_id, website_id)
        REFERENCES websites (tenant_id, id) ON DELETE SET NULL (website_id),
    CONSTRAINT ai_usage_log_page_fkey FOREIGN KEY (tenant_id, page_id)
        REFERENCES pages (tenant_id, id) ON DELETE SET NULL (page_id)
);

-- ── usage_metrics (daily aggregates per website) ───────────────────────────
CREATE TABLE usage_metrics (
    id                      UUID        PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id               UUID        NOT NULL,
    website_id              UUID        NOT NULL,
    date                    DATE        NOT NULL,
    page_views              INT         NOT NULL DEFAULT 0,
    unique_visitors         INT         NOT NULL DEFAULT 0,
    sessions                INT         NOT NULL DEFAULT 0,
    bandwidth_mb            NUMERIC(10,3) NOT NULL DEFAULT 0,
    avg_load_time_ms        INT,
    bounce_rate             NUMERIC(5,2),
    avg_session_duration_s  INT,
    referrer_breakdown      JSONB       NOT NULL DEFAULT '{}'::jsonb,
    top_pages               JSONB       NOT NULL DEFAULT '[]'::jsonb,
    country_breakdown       JSONB       NOT NULL DEFAULT '{}'::jsonb,
    device_breakdown        JSONB       NOT NULL DEFAULT '{}'::jsonb,

    -- UPSERT target. The seed's idx_metrics_website_date duplicates it: omitted.
    CONSTRAINT usage_metrics_website_id_date_key UNIQUE (website_id, date),
    CONSTRAINT usage_metrics_website_fkey FOREIGN KEY (tenant_id, website_id)
        REFERENCES websites (tenant_id, id) ON DELETE CASCADE
);

-- ── raw_page_events (high-volume beacon events, purged after 7 days) ────────
-- A plain table for now. Future work: PARTITION BY RANGE (created_at), one
-- partition per day, so the 7-day purge becomes DROP PARTITION instead of DELETE.
CREATE TABLE raw_page_events (
    id                      BIGSERIAL   PRIMARY KEY,
    tenant_id               UUID        NOT NULL,
    website_id              UUID        NOT NULL,
    page_slug               TEXT        NOT NULL,
    visitor_id              TEXT,
    referrer                TEXT,
    country                 TEXT,
    device                  TEXT,
    user_agent              TEXT,
    created_at              TIMESTAMPTZ NOT NULL DEFAULT now(),

    CONSTRAINT raw_page_events_website_fkey FOREIGN KEY (tenant_id, website_id)
        REFERENCES websites (tenant_id, id) ON DELETE CASCADE
);

-- ── team_invitations ───────────────────────────────────────────────────────
CREATE TABLE team_invitations (
    id                      UUID        PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id               UUID        NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    invited_by              UUID        NOT NULL,
    email                   TEXT        NOT NULL,
    -- 'owner' cannot be invited: ownership is transferred, not shared.
    role                    TEXT        NOT NULL DEFAULT 'editor'
                            CONSTRAINT team_invitations_role_check
                            CHECK (role IN ('admin', 'editor', 'developer', 'viewer')),
    -- Unique index on token also serves the link lookup; the seed's partial
    -- idx_invitations_token (token WHERE pending) would be a redundant second copy.
    token                   TEXT        NOT NULL CONSTRAINT team_invitations_token_key UNIQUE
                            DEFAULT encode(gen_random_bytes(32), 'hex'),
    status                  TEXT        NOT NULL DEFAULT 'pending'
                            CONSTRAINT team_invitations_status_check
                            CHECK (status IN ('pending', 'accepted', 'expired', 'revoked')),
    expires_at              TIMESTAMPTZ NOT NULL DEFAULT now() + INTERVAL '7 days',
    accepted_at             TIMESTAMPTZ,
    created_at              TIMESTAMPTZ NOT NULL DEFAULT now(),

    CONSTRAINT team_invitations_tenant_id_email_key UNIQUE (tenant_id, email),
    -- Seed: an invitation dies with its inviter (CASCADE), kept tenant-consistent.
    CONSTRAINT team_invitations_invited_by_fkey FOREIGN KEY (tenant_id, invited_by)
        REFERENCES users (tenant_id, id) ON DELETE CASCADE
);

-- ── audit_logs (append-only, see 0006 and 0009) ────────────────────────────
CREATE TABLE audit_logs (
    id                      UUID        PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id               UUID        NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    performed_by            UUID,
    action                  TEXT        NOT NULL,
    resource_type           TEXT,
    resource_id             UUID,
    metadata                JSONB       NOT NULL DEFAULT '{}'::jsonb,
    ip_address              INET,
    user_agent              TEXT,
    created_at              TIMESTAMPTZ NOT NULL DEFAULT now(),

    -- NULL = system action, or the user was deleted later (only this column is nulled).
    CONSTRAINT audit_logs_performed_by_fkey FOREIGN KEY (tenant_id, performed_by)
        REFERENCES users (tenant_id, id) ON DELETE SET NULL (performed_by)
);
