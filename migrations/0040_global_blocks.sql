-- 0040: global blocks (issue 20 §2). A tenant can save a block as a named global block and use
-- it on any page of any of its websites; editing the global block updates every use.
--
-- A use is an ordinary `components` row that names its global block in `global_block_id` and
-- carries a copy of the global block's props. The copy is what keeps the existing paths
-- simple: the builder, the validators, versions and the visitor renderer read the row's props
-- as for any block, and publishing freezes the props into the snapshot like any other block,
-- so a live site changes only when it is published again. Editing the global block rewrites
-- the props of every use in the same transaction (and bumps each page's revision). Detaching a
-- use clears `global_block_id` and leaves a plain copy.
--
-- Deleting a global block that is in use is refused by the application with the list of uses;
-- the foreign key's RESTRICT is the backstop.

CREATE TABLE global_blocks (
    id              UUID        PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id       UUID        NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    name            TEXT        NOT NULL
                    CONSTRAINT global_blocks_name_check CHECK (length(name) BETWEEN 2 AND 80),
    component_type  TEXT        NOT NULL
                    CONSTRAINT global_blocks_type_check
                    CHECK (component_type IN ('navbar', 'hero', 'features', 'gallery', 'testimonials',
                                              'pricing', 'cta', 'contact_form', 'team', 'faq', 'stats',
                                              'blog_grid', 'video_embed', 'map', 'rich_text',
                                              'image_text', 'footer', 'custom_html')),
    props           JSONB       NOT NULL DEFAULT '{}'::jsonb,
    -- Optimistic concurrency, as for pages: every edit names the revision it was based on.
    revision        BIGINT      NOT NULL DEFAULT 1,
    created_by      UUID,
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at      TIMESTAMPTZ NOT NULL DEFAULT now(),

    CONSTRAINT global_blocks_tenant_id_id_key UNIQUE (tenant_id, id),
    CONSTRAINT global_blocks_tenant_name_key UNIQUE (tenant_id, name),
    CONSTRAINT global_blocks_created_by_fkey FOREIGN KEY (tenant_id, created_by)
        REFERENCES users (tenant_id, id) ON DELETE SET NULL (created_by)
);

CREATE TRIGGER set_updated_at_global_blocks BEFORE UPDATE ON global_blocks
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();

ALTER TABLE global_blocks ENABLE ROW LEVEL SECURITY;
ALTER TABLE global_blocks FORCE ROW LEVEL SECURITY;
CREATE POLICY global_blocks_tenant_isolation ON global_blocks FOR ALL
    USING (tenant_id = (SELECT app_current_tenant()))
    WITH CHECK (tenant_id = (SELECT app_current_tenant()));
GRANT SELECT, INSERT, UPDATE, DELETE ON global_blocks TO sitepilot_app;

-- The use's link. Same tenant by construction (composite key).
ALTER TABLE components ADD COLUMN global_block_id UUID;
ALTER TABLE components ADD CONSTRAINT components_global_block_fkey
    FOREIGN KEY (tenant_id, global_block_id) REFERENCES global_blocks (tenant_id, id)
    ON DELETE RESTRICT;
CREATE INDEX idx_components_global_block ON components (global_block_id)
    WHERE global_block_id IS NOT NULL;
