-- 0028: uploaded assets (issue 17). Files live in an object store (local disk or
-- S3-compatible) under immutable keys `tenants/{tenant}/{asset}/…`; `assets` keeps
-- the metadata (0004: `cloudinary_public_id` holds the original's key, the two URL
-- columns its app path). This adds what the library and the visitor pages need:
--   a. the content type and the responsive widths already produced;
--   b. which deployments reference which asset, so a published page keeps showing
--      an image after it left the library, and so anonymous visitors may fetch a
--      file only when a live tenant published it;
--   c. the one cross-tenant read for that check (SECURITY DEFINER);
--   d. indexes for the library's filters;
--   e. the largest single file each plan accepts.

-- a. Metadata.
ALTER TABLE assets
    ADD COLUMN content_type TEXT NOT NULL DEFAULT 'application/octet-stream',
    -- Widths (px) of the WebP variants stored next to the original, ascending.
    ADD COLUMN variant_widths INT[] NOT NULL DEFAULT '{}',
    ADD CONSTRAINT assets_display_name_len CHECK (char_length(display_name) <= 200),
    ADD CONSTRAINT assets_tags_count CHECK (cardinality(tags) <= 20);

-- b. Publications. No foreign key to assets: the row outlives the library entry
--    (deleting an asset keeps its files while a deployment references them).
CREATE TABLE asset_publications (
    tenant_id       UUID        NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    asset_id        UUID        NOT NULL,
    deployment_id   UUID        NOT NULL REFERENCES deployments (id) ON DELETE CASCADE,
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (asset_id, deployment_id)
);
CREATE INDEX idx_asset_publications_tenant ON asset_publications (tenant_id, asset_id);

ALTER TABLE asset_publications ENABLE ROW LEVEL SECURITY;
ALTER TABLE asset_publications FORCE ROW LEVEL SECURITY;
CREATE POLICY asset_publications_tenant_isolation ON asset_publications FOR ALL
    USING (tenant_id = (SELECT app_current_tenant()))
    WITH CHECK (tenant_id = (SELECT app_current_tenant()));
-- Append-only from the app: rows go away with their deployment or tenant.
GRANT SELECT, INSERT ON asset_publications TO sitepilot_app;

-- c. May an anonymous visitor fetch this asset's files? Only when a deployment of a
--    tenant that is served (active or pending) references it.
CREATE FUNCTION asset_is_published(p_tenant uuid, p_asset uuid) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT EXISTS (
        SELECT 1
          FROM asset_publications ap
          JOIN tenants t ON t.id = ap.tenant_id
         WHERE ap.tenant_id = p_tenant
           AND ap.asset_id = p_asset
           AND t.status IN ('active', 'pending')
    );
$$;
COMMENT ON FUNCTION asset_is_published(uuid, uuid) IS
    'Cross-tenant by necessity: a visitor fetching /media/{tenant}/{asset}/… has no session.';
REVOKE ALL ON FUNCTION asset_is_published(uuid, uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION asset_is_published(uuid, uuid) TO sitepilot_app;

-- d. Library filters (the created_at listing index exists since 0005).
CREATE INDEX idx_assets_tags ON assets USING gin (tags);
CREATE INDEX idx_assets_used_in ON assets USING gin (used_in_websites);

-- e. Per-file upload cap by plan (MB). Starter 10, Growth 50, Pro 200.
ALTER TABLE plans ADD COLUMN max_upload_mb INT NOT NULL DEFAULT 10
    CONSTRAINT plans_max_upload_mb_positive CHECK (max_upload_mb > 0);
UPDATE plans SET max_upload_mb = 50  WHERE slug = 'growth';
UPDATE plans SET max_upload_mb = 200 WHERE slug = 'pro';
