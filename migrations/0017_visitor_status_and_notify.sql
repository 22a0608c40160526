-- 0017: visitor sites tell "not found" (draft, archived, unknown) from "suspended"
-- (website or tenant), and every server instance hears when what a host serves
-- changes, so it can keep host -> live site and rendered pages in memory.

-- a. Host -> site state, for visitors. Like site_live_by_* (0008) but also
--    returns rows for websites that are not live, with their statuses, so the
--    visitor can answer 403 for a suspension and 404 otherwise. The snapshot is
--    returned only when the site is actually served (published website, tenant
--    neither suspended nor offboarded); a suspended site's content never leaves
--    the database.
CREATE FUNCTION site_visit_by_subdomain(p_subdomain text)
RETURNS TABLE (website_id uuid, tenant_id uuid, website_status text, tenant_status text,
               deployment_id uuid, snapshot_json jsonb, deployed_at timestamptz)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT w.id, w.tenant_id, w.status, t.status,
           d.id,
           CASE WHEN w.status = 'published' AND t.status IN ('active', 'pending') THEN d.snapshot_json END,
           d.deployed_at
      FROM websites w
      JOIN tenants t ON t.id = w.tenant_id
      LEFT JOIN deployments d ON d.tenant_id = w.tenant_id AND d.website_id = w.id AND d.is_live
     WHERE w.subdomain = lower(p_subdomain);
$$;
COMMENT ON FUNCTION site_visit_by_subdomain(text) IS
    'Cross-tenant by necessity: the Host header of a visitor request is the only key to the tenant.';

-- b. The same for a verified custom domain.
CREATE FUNCTION site_visit_by_domain(p_domain text)
RETURNS TABLE (website_id uuid, tenant_id uuid, website_status text, tenant_status text,
               deployment_id uuid, snapshot_json jsonb, deployed_at timestamptz)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT w.id, w.tenant_id, w.status, t.status,
           d.id,
           CASE WHEN w.status = 'published' AND t.status IN ('active', 'pending') THEN d.snapshot_json END,
           d.deployed_at
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

-- c. Change notifications on channel 'sitepilot_deployments'. Payload: a
--    website id (publish, rollback, website status/address change) or
--    'tenant:<id>' (tenant suspended or restored). Notifications are sent at
--    commit, so a listener that evicts and then re-reads sees the new state.
CREATE FUNCTION notify_site_change() RETURNS trigger
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
BEGIN
    IF TG_TABLE_NAME = 'tenants' THEN
        PERFORM pg_notify('sitepilot_deployments', 'tenant:' || NEW.id::text);
    ELSIF TG_TABLE_NAME = 'websites' THEN
        PERFORM pg_notify('sitepilot_deployments', COALESCE(NEW.id, OLD.id)::text);
    ELSE
        PERFORM pg_notify('sitepilot_deployments', NEW.website_id::text);
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER deployments_notify_site_change
    AFTER INSERT OR UPDATE OF is_live ON deployments
    FOR EACH ROW EXECUTE FUNCTION notify_site_change();

CREATE TRIGGER websites_notify_site_change
    AFTER UPDATE OF status, subdomain, custom_domain, domain_verified ON websites
    FOR EACH ROW
    WHEN (OLD.status IS DISTINCT FROM NEW.status
          OR OLD.subdomain IS DISTINCT FROM NEW.subdomain
          OR OLD.custom_domain IS DISTINCT FROM NEW.custom_domain
          OR OLD.domain_verified IS DISTINCT FROM NEW.domain_verified)
    EXECUTE FUNCTION notify_site_change();

CREATE TRIGGER websites_notify_site_delete
    AFTER DELETE ON websites
    FOR EACH ROW EXECUTE FUNCTION notify_site_change();

CREATE TRIGGER tenants_notify_site_change
    AFTER UPDATE OF status ON tenants
    FOR EACH ROW
    WHEN (OLD.status IS DISTINCT FROM NEW.status)
    EXECUTE FUNCTION notify_site_change();

-- d. Optional least-privilege role for visitor-only servers: it may call the two
--    host lookups above and nothing else (no table privileges at all). scripts/db.sh
--    creates it; on clusters without it this step does nothing. The visitor test
--    suite serves sites through it to prove visitors never read pages/components.
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'sitepilot_visitor') THEN
        GRANT USAGE ON SCHEMA public TO sitepilot_visitor;
        GRANT EXECUTE ON FUNCTION site_visit_by_subdomain(text) TO sitepilot_visitor;
        GRANT EXECUTE ON FUNCTION site_visit_by_domain(text)    TO sitepilot_visitor;
    END IF;
END
$$;
