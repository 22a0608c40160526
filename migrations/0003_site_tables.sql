-- 0003: websites and everything hanging off them. All rows carry tenant_id and
-- reference their parent through (tenant_id, parent_id), which both isolates
-- tenants at the constraint level and lets RLS be a single indexed comparison.

-- ── websites ───────────────────────────────────────────────────────────────
CREATE TABLE websites (
    id                      UUID        PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id               UUID        NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    name                    TEXT        NOT NULL,
    description             TEXT,
    -- The seed's partial unique index idx_websites_subdomain would duplicate this
    -- constraint (NULLs never collide in a unique index anyway), so it is omitted.
    subdomain               TEXT        CONSTRAINT websites_subdomain_key UNIQUE,
    -- Unique case-insensitively via the index websites_custom_domain_key on
    -- lower(custom_domain) (0005); it replaces the seed's UNIQUE and
    -- idx_websites_custom_domain and serves the host lookup in 0008.
    custom_domain           TEXT,
    domain_verified         BOOLEAN     NOT NULL DEFAULT FALSE,
    status                  TEXT        NOT NULL DEFAULT 'draft'
                            CONSTRAINT websites_status_check
                            CHECK (status IN ('draft', 'published', 'archived', 'suspended')),
    branding_config         JSONB       NOT NULL DEFAULT '{}'::jsonb,
    seo_defaults            JSONB       NOT NULL DEFAULT '{}'::jsonb,
    analytics_enabled       BOOLEAN     NOT NULL DEFAULT TRUE,
    template_id             TEXT,
    ai_generated            BOOLEAN     NOT NULL DEFAULT FALSE,
    favicon_url             TEXT,
    created_at              TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at              TIMESTAMPTZ NOT NULL DEFAULT now(),
    published_at            TIMESTAMPTZ,
    last_deployed_at        TIMESTAMPTZ,

    CONSTRAINT websites_tenant_id_id_key UNIQUE (tenant_id, id),
    -- A subdomain is one DNS label (max 63 chars): lowercase words and single hyphens.
    CONSTRAINT websites_subdomain_format_check
        CHECK (subdomain IS NULL
               OR (subdomain ~ '^[a-z0-9]+(-[a-z0-9]+)*$' AND length(subdomain) BETWEEN 3 AND 63))
);

-- ── pages ──────────────────────────────────────────────────────────────────
CREATE TABLE pages (
    id                      UUID        PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id               UUID        NOT NULL,
    website_id              UUID        NOT NULL,
    title                   TEXT        NOT NULL,
    slug                    TEXT        NOT NULL,
    status                  TEXT        NOT NULL DEFAULT 'draft'
                            CONSTRAINT pages_status_check
                            CHECK (status IN ('draft', 'published', 'hidden')),
    is_home                 BOOLEAN     NOT NULL DEFAULT FALSE,
    show_in_nav             BOOLEAN     NOT NULL DEFAULT TRUE,
    nav_order               INT         NOT NULL DEFAULT 0,
    nav_label               TEXT,
    seo_meta                JSONB       NOT NULL DEFAULT '{}'::jsonb,
    page_config             JSONB       NOT NULL DEFAULT '{}'::jsonb,
    password_protected      BOOLEAN     NOT NULL DEFAULT FALSE,
    password_hash           TEXT,
    -- Optimistic concurrency. Every edit of the page or of its components runs,
    -- in the same transaction, a compare-and-set
    --   UPDATE pages SET revision = revision + 1 WHERE id = $1 AND revision = $expected
    -- and 0 rows updated means "stale, someone else edited": the UI shows a conflict
    -- instead of last-write-wins.
    revision                BIGINT      NOT NULL DEFAULT 0,
    created_at              TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at              TIMESTAMPTZ NOT NULL DEFAULT now(),

    CONSTRAINT pages_tenant_id_id_key UNIQUE (tenant_id, id),
    -- The seed also has unique index idx_pages_website_slug on the same columns: omitted.
    CONSTRAINT pages_website_id_slug_key UNIQUE (website_id, slug),
    CONSTRAINT pages_website_fkey FOREIGN KEY (tenant_id, website_id)
        REFERENCES websites (tenant_id, id) ON DELETE CASCADE,
    CONSTRAINT pages_slug_check CHECK (slug ~ '^/' AND length(slug) <= 200),
    -- The home page is exactly the page at '/'. Together with pages_website_id_slug_key
    -- this already allows only one home page per website: to move "home", first give
    -- the old home page another slug (and is_home = false), then set the new one.
    CONSTRAINT pages_home_slug_check
        CHECK ((is_home AND slug = '/') OR (NOT is_home AND slug <> '/')),
    CONSTRAINT pages_password_check CHECK (NOT password_protected OR password_hash IS NOT NULL)
);

-- ── components ─────────────────────────────────────────────────────────────
CREATE TABLE components (
    id                      UUID        PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id               UUID        NOT NULL,
    page_id                 UUID        NOT NULL,
    type                    TEXT        NOT NULL
                            CONSTRAINT components_type_check
                            CHECK (type IN ('navbar', 'hero', 'features', 'gallery', 'testimonials',
                                            'pricing', 'cta', 'contact_form', 'team', 'faq', 'stats',
                                            'blog_grid', 'video_embed', 'map', 'rich_text',
                                            'image_text', 'footer', 'custom_html')),
    -- Bytes of a Rust `fractional_index::FractionalIndex`. bytea compares byte-wise
    -- regardless of collation, which is the order fractional indexes are defined in
    -- (a TEXT column under a locale collation would mis-sort keys).
    order_key               BYTEA       NOT NULL,
    is_visible              BOOLEAN     NOT NULL DEFAULT TRUE,
    is_locked               BOOLEAN     NOT NULL DEFAULT FALSE,
    props                   JSONB       NOT NULL DEFAULT '{}'::jsonb,
    ai_generated            BOOLEAN     NOT NULL DEFAULT FALSE,
    required_plan           TEXT        DEFAULT NULL,
    created_at              TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at              TIMESTAMPTZ NOT NULL DEFAULT now(),

    -- Also serves "components of a page in order"; the seed's idx_components_page_id_order
    -- on the same columns would be a duplicate and is omitted.
    CONSTRAINT components_page_id_order_key_key UNIQUE (page_id, order_key),
    CONSTRAINT components_page_fkey FOREIGN KEY (tenant_id, page_id)
        REFERENCES pages (tenant_id, id) ON DELETE CASCADE,
    -- Keys grow slowly with repeated inserts at one spot; 512 bytes is a generous cap
    -- that still stops runaway keys from bloating the index.
    CONSTRAINT components_order_key_check CHECK (octet_length(order_key) BETWEEN 1 AND 512)
);

-- ── deployments (immutable snapshots, see 0006) ─────────────────────────────
CREATE TABLE deployments (
    id                      UUID        PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id               UUID        NOT NULL,
    website_id              UUID        NOT NULL,
    deployed_by             UUID,
    snapshot_json           JSONB       NOT NULL,
    is_live                 BOOLEAN     NOT NULL DEFAULT FALSE,
    deployed_at             TIMESTAMPTZ NOT NULL DEFAULT now(),
    notes                   TEXT,

    CONSTRAINT deployments_website_fkey FOREIGN KEY (tenant_id, website_id)
        REFERENCES websites (tenant_id, id) ON DELETE CASCADE,
    -- Only the user column is nulled when the user goes; tenant_id must stay.
    CONSTRAINT deployments_deployed_by_fkey FOREIGN KEY (tenant_id, deployed_by)
        REFERENCES users (tenant_id, id) ON DELETE SET NULL (deployed_by)
);

-- ── page_versions ──────────────────────────────────────────────────────────
CREATE TABLE page_versions (
    id                      UUID        PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id               UUID        NOT NULL,
    page_id                 UUID        NOT NULL,
    saved_by                UUID,
    content_snapshot        JSONB       NOT NULL,
    label                   TEXT,
    trigger                 TEXT        NOT NULL DEFAULT 'auto'
                            CONSTRAINT page_versions_trigger_check
                            CHECK (trigger IN ('auto', 'manual', 'pre_ai', 'pre_restore', 'pre_publish')),
    saved_at                TIMESTAMPTZ NOT NULL DEFAULT now(),

    CONSTRAINT page_versions_page_fkey FOREIGN KEY (tenant_id, page_id)
        REFERENCES pages (tenant_id, id) ON DELETE CASCADE,
    CONSTRAINT page_versions_saved_by_fkey FOREIGN KEY (tenant_id, saved_by)
        REFERENCES users (tenant_id, id) ON DELETE SET NULL (saved_by)
);

-- ── domain_verifications ───────────────────────────────────────────────────
CREATE TABLE domain_verifications (
    id                      UUID        PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id               UUID        NOT NULL,
    website_id              UUID        NOT NULL CONSTRAINT domain_verifications_website_id_key UNIQUE,
    domain                  TEXT        NOT NULL,
    cname_target            TEXT        NOT NULL,
    verified                BOOLEAN     NOT NULL DEFAULT FALSE,
    verification_attempts   INT         NOT NULL DEFAULT 0,
    last_checked_at         TIMESTAMPTZ,
    first_verified_at       TIMESTAMPTZ,
    ssl_provisioned         BOOLEAN     NOT NULL DEFAULT FALSE,
    ssl_provisioned_at      TIMESTAMPTZ,
    last_error              TEXT,
    created_at              TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at              TIMESTAMPTZ NOT NULL DEFAULT now(),

    CONSTRAINT domain_verifications_website_fkey FOREIGN KEY (tenant_id, website_id)
        REFERENCES websites (tenant_id, id) ON DELETE CASCADE
);
