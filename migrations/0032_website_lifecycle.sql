-- 0032: the website lifecycle (issue 23 part 1): unpublish, soft delete with a 30-day purge,
-- and subdomain changes whose old address redirects for 30 days before it is released.
--
-- a. `websites.unpublished_at` records when a member took the site offline (status back to
--    'draft'; its deployments stay, so publishing again brings it back), `deleted_at` when it
--    was deleted: offline at once, hidden from the dashboard, purged 30 days later by the
--    `websites.lifecycle` job.
-- b. `website_subdomain_redirects`: an old subdomain of a website, served as a permanent
--    redirect to the website's current subdomain until `release_at`, when the same job deletes
--    the row and the address is free again. While the row exists no other website may take
--    the subdomain (trigger below, which sees every tenant's redirects; both sides take one
--    advisory lock per subdomain so concurrent claims are ordered).
-- c. The visitor host lookups (0017) also answer for a redirected subdomain and report a
--    deleted website, so visitors get a redirect, a "not available" page or 410.
-- d. `website_lifecycle_due`: the job's cross-tenant work list (ids only); the deletes run in
--    each tenant's own transaction under RLS.
-- e. Change notifications (0017 channel `sitepilot_deployments`) also fire for `deleted_at`
--    and for redirects added or released, so every instance's visitor cache forgets them.

ALTER TABLE websites
    ADD COLUMN unpublished_at TIMESTAMPTZ,
    ADD COLUMN deleted_at     TIMESTAMPTZ;
CREATE INDEX idx_websites_deleted_at ON websites (deleted_at) WHERE deleted_at IS NOT NULL;

CREATE TABLE website_subdomain_redirects (
    subdomain   TEXT        PRIMARY KEY
                CONSTRAINT website_subdomain_redirects_format_check
                CHECK (subdomain ~ '^[a-z0-9]+(-[a-z0-9]+)*$' AND length(subdomain) BETWEEN 3 AND 63),
    tenant_id   UUID        NOT NULL,
    website_id  UUID        NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    release_at  TIMESTAMPTZ NOT NULL,

    CONSTRAINT website_subdomain_redirects_website_fkey FOREIGN KEY (tenant_id, website_id)
        REFERENCES websites (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX idx_website_subdomain_redirects_website ON website_subdomain_redirects (website_id);
CREATE INDEX idx_website_subdomain_redirects_release ON website_subdomain_redirects (release_at);

ALTER TABLE website_subdomain_redirects ENABLE ROW LEVEL SECURITY;
ALTER TABLE website_subdomain_redirects FORCE ROW LEVEL SECURITY;
CREATE POLICY website_subdomain_redirects_tenant_isolation ON website_subdomain_redirects FOR ALL
    USING (tenant_id = (SELECT app_current_tenant()))
    WITH CHECK (tenant_id = (SELECT app_current_tenant()));
GRANT SELECT, INSERT, DELETE ON website_subdomain_redirects TO sitepilot_app;

-- b. One address, one holder: a website may not take a subdomain another website's redirect
--    holds, and a redirect may not be added for an address a website holds.
CREATE FUNCTION subdomain_claim_check() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    IF NEW.subdomain IS NULL THEN
        RETURN NEW;
    END IF;
    PERFORM pg_advisory_xact_lock(hashtext('sitepilot.subdomain:' || NEW.subdomain));
    IF TG_TABLE_NAME = 'websites' THEN
        IF EXISTS (SELECT 1 FROM website_subdomain_redirects r
                    WHERE r.subdomain = NEW.subdomain AND r.website_id <> NEW.id) THEN
            RAISE EXCEPTION 'subdomain % is reserved by a redirect', NEW.subdomain
                USING ERRCODE = 'unique_violation', CONSTRAINT = 'website_subdomain_redirect_held';
        END IF;
    ELSIF EXISTS (SELECT 1 FROM websites w WHERE w.subdomain = NEW.subdomain) THEN
        RAISE EXCEPTION 'subdomain % is in use', NEW.subdomain
            USING ERRCODE = 'unique_violation', CONSTRAINT = 'websites_subdomain_key';
    END IF;
    RETURN NEW;
END;
$$;
REVOKE ALL ON FUNCTION subdomain_claim_check() FROM PUBLIC;

CREATE TRIGGER websites_subdomain_claim BEFORE INSERT OR UPDATE OF subdomain ON websites
    FOR EACH ROW EXECUTE FUNCTION subdomain_claim_check();
CREATE TRIGGER website_subdomain_redirects_claim BEFORE INSERT ON website_subdomain_redirects
    FOR EACH ROW EXECUTE FUNCTION subdomain_claim_check();

-- c. Host lookups, now with redirects and deletion. Same columns as 0017 plus `deleted` and
--    `redirect_subdomain` (the website's current subdomain, for an old one).
DROP FUNCTION site_visit_by_subdomain(text);
DROP FUNCTION site_visit_by_domain(text);

CREATE FUNCTION site_visit_by_subdomain(p_subdomain text)
RETURNS TABLE (website_id uuid, tenant_id uuid, website_status text, tenant_status text,
               deployment_id uuid, snapshot_json jsonb, deployed_at timestamptz,
               deleted boolean, redirect_subdomain text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT w.id, w.tenant_id, w.status, t.status,
           d.id,
           CASE WHEN w.status = 'published' AND w.deleted_at IS NULL
                     AND t.status IN ('active', 'pending') THEN d.snapshot_json END,
           d.deployed_at,
           w.deleted_at IS NOT NULL,
           NULL::text
      FROM websites w
      JOIN tenants t ON t.id = w.tenant_id
      LEFT JOIN deployments d ON d.tenant_id = w.tenant_id AND d.website_id = w.id AND d.is_live
     WHERE w.subdomain = lower(p_subdomain)
    UNION ALL
    SELECT w.id, w.tenant_id, w.status, t.status, NULL, NULL, NULL,
           w.deleted_at IS NOT NULL, w.subdomain
      FROM website_subdomain_redirects r
      JOIN websites w ON w.tenant_id = r.tenant_id AND w.id = r.website_id
      JOIN tenants t ON t.id = w.tenant_id
     WHERE r.subdomain = lower(p_subdomain)
       AND w.subdomain IS NOT NULL
       AND NOT EXISTS (SELECT 1 FROM websites x WHERE x.subdomain = lower(p_subdomain))
     LIMIT 1;
$$;
COMMENT ON FUNCTION site_visit_by_subdomain(text) IS
    'Cross-tenant by necessity: the Host header of a visitor request is the only key to the tenant.';

CREATE FUNCTION site_visit_by_domain(p_domain text)
RETURNS TABLE (website_id uuid, tenant_id uuid, website_status text, tenant_status text,
               deployment_id uuid, snapshot_json jsonb, deployed_at timestamptz,
               deleted boolean, redirect_subdomain text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT w.id, w.tenant_id, w.status, t.status,
           d.id,
           CASE WHEN w.status = 'published' AND w.deleted_at IS NULL
                     AND t.status IN ('active', 'pending') THEN d.snapshot_json END,
           d.deployed_at,
           w.deleted_at IS NOT NULL,
           NULL::text
      FROM websites w
      JOIN tenants t ON t.id = w.tenant_id
      LEFT JOIN deployments d ON d.tenant_id = w.tenant_id AND d.website_id = w.id AND d.is_live
     WHERE lower(w.custom_domain) = lower(p_domain)
       AND w.domain_verified;
$$;
COMMENT ON FUNCTION site_visit_by_domain(text) IS
    'Cross-tenant by necessity: the Host header of a visitor request is the only key to the tenant.';

REVOKE ALL ON FUNCTION site_visit_by_subdomain(text) FROM PUBLIC;
REVOKE ALL ON FUNCTION site_visit_by_domain(text)    FROM PUBLIC;
GRANT EXECUTE ON FUNCTION site_visit_by_subdomain(text) TO sitepilot_app;
GRANT EXECUTE ON FUNCTION site_visit_by_domain(text)    TO sitepilot_app;
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'sitepilot_visitor') THEN
        GRANT EXECUTE ON FUNCTION site_visit_by_subdomain(text) TO sitepilot_visitor;
        GRANT EXECUTE ON FUNCTION site_visit_by_domain(text)    TO sitepilot_visitor;
    END IF;
END
$$;

-- d. What the lifecycle job must do as of p_now: websites deleted 30 days before it (purge)
--    and redirects whose release time has come (release). p_tenant limits it to one tenant
--    (tests); NULL for all. Ids only.
CREATE FUNCTION website_lifecycle_due(p_now timestamptz, p_tenant uuid, p_limit integer)
RETURNS TABLE (tenant_id uuid, website_id uuid, subdomain text, action text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    (SELECT w.tenant_id, w.id, NULL::text, 'purge'
       FROM websites w
      WHERE w.deleted_at IS NOT NULL AND w.deleted_at <= p_now - interval '30 days'
        AND (p_tenant IS NULL OR w.tenant_id = p_tenant)
      ORDER BY w.deleted_at
      LIMIT p_limit)
    UNION ALL
    (SELECT r.tenant_id, r.website_id, r.subdomain, 'release'
       FROM website_subdomain_redirects r
      WHERE r.release_at <= p_now
        AND (p_tenant IS NULL OR r.tenant_id = p_tenant)
      ORDER BY r.release_at
      LIMIT p_limit);
$$;
COMMENT ON FUNCTION website_lifecycle_due(timestamptz, uuid, integer) IS
    'Cross-tenant by nature: the lifecycle job learns which tenants to enter. Returns ids only.';
REVOKE ALL ON FUNCTION website_lifecycle_due(timestamptz, uuid, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION website_lifecycle_due(timestamptz, uuid, integer) TO sitepilot_app;

-- Deleted websites get no more automatic backups.
CREATE OR REPLACE FUNCTION site_backups_due(p_limit integer)
RETURNS TABLE (tenant_id uuid, website_id uuid)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT w.tenant_id, w.id
      FROM websites w
     WHERE w.status IN ('draft', 'published')
       AND w.deleted_at IS NULL
       AND NOT EXISTS (SELECT 1 FROM site_backups b
                        WHERE b.website_id = w.id AND b.backup_type = 'auto'
                          AND b.created_at > now() - interval '23 hours')
     ORDER BY w.created_at, w.id
     LIMIT p_limit;
$$;

-- e. Notifications: deletion, and redirects added or released.
DROP TRIGGER websites_notify_site_change ON websites;
CREATE TRIGGER websites_notify_site_change
    AFTER UPDATE OF status, subdomain, custom_domain, domain_verified, deleted_at ON websites
    FOR EACH ROW
    WHEN (OLD.status IS DISTINCT FROM NEW.status
          OR OLD.subdomain IS DISTINCT FROM NEW.subdomain
          OR OLD.custom_domain IS DISTINCT FROM NEW.custom_domain
          OR OLD.domain_verified IS DISTINCT FROM NEW.domain_verified
          OR OLD.deleted_at IS DISTINCT FROM NEW.deleted_at)
    EXECUTE FUNCTION notify_site_change();

CREATE FUNCTION notify_redirect_change() RETURNS trigger
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
BEGIN
    PERFORM pg_notify('sitepilot_deployments', COALESCE(NEW.website_id, OLD.website_id)::text);
    RETURN NULL;
END;
$$;
CREATE TRIGGER website_subdomain_redirects_notify
    AFTER INSERT OR DELETE ON website_subdomain_redirects
    FOR EACH ROW EXECUTE FUNCTION notify_redirect_change();
