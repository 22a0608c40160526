-- 0005: indexes from seed §21 plus the ones this design needs.
--
-- Seed indexes NOT created because a UNIQUE constraint (0002-0004) already builds
-- an index on exactly the same columns — a second copy only costs writes:
--   idx_tenants_slug            -> tenants_slug_key
--   idx_tenants_stripe_customer -> tenants_stripe_customer_id_key
--   idx_websites_subdomain      -> websites_subdomain_key
--   idx_pages_website_slug      -> pages_website_id_slug_key
--   idx_components_page_id_order-> components_page_id_order_key_key
--   idx_assets_cloudinary_id    -> assets_cloudinary_public_id_key
--   idx_metrics_website_date    -> usage_metrics_website_id_date_key
--   idx_invitations_token       -> team_invitations_token_key
-- Replaced: idx_users_firebase_uid (column removed), idx_users_email (by
-- users_email_lower_key), idx_websites_custom_domain (by websites_custom_domain_key).

-- ── tenants ────────────────────────────────────────────────────────────────
-- Admin queries for suspended/offboarded tenants.
CREATE INDEX idx_tenants_status ON tenants (status) WHERE status <> 'active';

-- ── users ──────────────────────────────────────────────────────────────────
-- Login is by email across all tenants, case-insensitively; this is both the
-- uniqueness rule (one account per address) and the index auth_login_lookup uses.
CREATE UNIQUE INDEX users_email_lower_key ON users (lower(email));
-- At most one owner per tenant (the app guarantees one at signup).
CREATE UNIQUE INDEX users_one_owner_per_tenant ON users (tenant_id) WHERE role = 'owner';
CREATE INDEX idx_users_tenant_id ON users (tenant_id);

-- ── sessions ───────────────────────────────────────────────────────────────
CREATE INDEX idx_sessions_user_id ON sessions (user_id);      -- "log out everywhere"
CREATE INDEX idx_sessions_expires_at ON sessions (expires_at); -- expiry sweeper

-- ── websites ───────────────────────────────────────────────────────────────
-- Case-insensitive uniqueness of custom domains; serves site_live_by_domain().
CREATE UNIQUE INDEX websites_custom_domain_key ON websites (lower(custom_domain));
CREATE INDEX idx_websites_tenant_id ON websites (tenant_id);
CREATE INDEX idx_websites_status ON websites (tenant_id, status);

-- ── pages ──────────────────────────────────────────────────────────────────
CREATE INDEX idx_pages_website_id ON pages (website_id);
-- One home page per website (see also pages_home_slug_check and trigger in 0006).
CREATE UNIQUE INDEX idx_pages_home_page ON pages (website_id) WHERE is_home;

-- ── components ─────────────────────────────────────────────────────────────
CREATE INDEX idx_components_type ON components (page_id, type);

-- ── deployments ────────────────────────────────────────────────────────────
CREATE INDEX idx_deployments_website_id ON deployments (website_id, deployed_at DESC);
-- One live deployment per website (the trigger in 0006 clears the old one first).
CREATE UNIQUE INDEX idx_deployments_live ON deployments (website_id) WHERE is_live;

-- ── page_versions ──────────────────────────────────────────────────────────
-- id added as tie-breaker so history listing and pruning order is deterministic
-- and index-only ordered (prune_page_versions sorts by saved_at DESC, id DESC).
CREATE INDEX idx_page_versions_page_id_date ON page_versions (page_id, saved_at DESC, id DESC);

-- ── assets ─────────────────────────────────────────────────────────────────
CREATE INDEX idx_assets_tenant_id ON assets (tenant_id, created_at DESC);

-- ── ai_usage_log ───────────────────────────────────────────────────────────
CREATE INDEX idx_ai_usage_tenant_month ON ai_usage_log (tenant_id, created_at DESC);

-- ── usage_metrics ──────────────────────────────────────────────────────────
CREATE INDEX idx_metrics_date ON usage_metrics (date DESC);

-- ── raw_page_events ────────────────────────────────────────────────────────
-- Daily aggregation per website and the 7-day purge.
CREATE INDEX idx_raw_page_events_website_created ON raw_page_events (website_id, created_at);

-- ── audit_logs ─────────────────────────────────────────────────────────────
-- Not in the seed: the audit list view, and without it the ON DELETE CASCADE from
-- tenants would scan the whole (ever-growing) table on every tenant deletion.
CREATE INDEX idx_audit_logs_tenant_created ON audit_logs (tenant_id, created_at DESC);
