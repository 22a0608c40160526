-- 0008: the ONLY cross-tenant read paths (ARCHITECTURE.md, tenant isolation).
--
-- These are SECURITY DEFINER: they run as their owner, the migrating role. The
-- setup scripts create that role with BYPASSRLS (0001 refuses to run otherwise),
-- so FORCE ROW LEVEL SECURITY does not apply inside them, while sitepilot_app
-- itself stays confined to one tenant everywhere else. Each function answers
-- one narrow question and returns only the columns its caller needs.
-- Hardening: search_path pinned (pg_temp last) so callers cannot shadow tables
-- or functions; EXECUTE revoked from PUBLIC and granted to sitepilot_app only.

-- a. Login. Runs before any tenant is known: the email is the only key, and it
--    is globally unique (users_email_lower_key). Returns inactive users/tenants
--    too, so the app can answer "account disabled/suspended" after verifying the
--    password hash itself.
CREATE FUNCTION auth_login_lookup(p_email text)
RETURNS TABLE (user_id uuid, tenant_id uuid, password_hash text, role text,
               user_active boolean, tenant_status text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT u.id, u.tenant_id, u.password_hash, u.role, u.is_active, t.status
      FROM users u
      JOIN tenants t ON t.id = u.tenant_id
     WHERE lower(u.email) = lower(p_email);
$$;
COMMENT ON FUNCTION auth_login_lookup(text) IS
    'Cross-tenant by necessity: at login the tenant is unknown until the email is resolved.';

-- b. Session cookie -> user + tenant. Runs at the start of every app request,
--    before app.current_tenant_id can be set (this is what tells us the tenant).
--    p_session_id is the hex SHA-256 of the cookie token.
CREATE FUNCTION auth_session_lookup(p_session_id text)
RETURNS TABLE (session_id text, user_id uuid, tenant_id uuid, role text, email text,
               full_name text, tenant_name text, tenant_status text, expires_at timestamptz)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT s.id, u.id, u.tenant_id, u.role, u.email,
           u.full_name, t.name, t.status, s.expires_at
      FROM sessions s
      JOIN users u   ON u.tenant_id = s.tenant_id AND u.id = s.user_id
      JOIN tenants t ON t.id = s.tenant_id
     WHERE s.id = p_session_id
       AND s.expires_at > now()
       AND u.is_active;
$$;
COMMENT ON FUNCTION auth_session_lookup(text) IS
    'Cross-tenant by necessity: the session cookie is what identifies the tenant of a request.';

-- c. Visitor request on <subdomain>.<sites domain> -> live snapshot. Visitors have
--    no session/tenant; only published websites and their live deployment are
--    exposed (never pages/components). Subdomains are stored lowercase (CHECK).
CREATE FUNCTION site_live_by_subdomain(p_subdomain text)
RETURNS TABLE (website_id uuid, tenant_id uuid, deployment_id uuid,
               snapshot_json jsonb, deployed_at timestamptz)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT w.id, w.tenant_id, d.id, d.snapshot_json, d.deployed_at
      FROM websites w
      JOIN deployments d ON d.tenant_id = w.tenant_id AND d.website_id = w.id AND d.is_live
     WHERE w.subdomain = lower(p_subdomain)
       AND w.status = 'published';
$$;
COMMENT ON FUNCTION site_live_by_subdomain(text) IS
    'Cross-tenant by necessity: the Host header of a visitor request is the only key to the tenant.';

-- d. Visitor request on a verified custom domain -> live snapshot (same shape).
--    Uses the unique index websites_custom_domain_key on lower(custom_domain).
CREATE FUNCTION site_live_by_domain(p_domain text)
RETURNS TABLE (website_id uuid, tenant_id uuid, deployment_id uuid,
               snapshot_json jsonb, deployed_at timestamptz)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT w.id, w.tenant_id, d.id, d.snapshot_json, d.deployed_at
      FROM websites w
      JOIN deployments d ON d.tenant_id = w.tenant_id AND d.website_id = w.id AND d.is_live
     WHERE lower(w.custom_domain) = lower(p_domain)
       AND w.domain_verified
       AND w.status = 'published';
$$;
COMMENT ON FUNCTION site_live_by_domain(text) IS
    'Cross-tenant by necessity: the Host header of a visitor request is the only key to the tenant.';

-- Functions are executable by PUBLIC by default; these must not be.
REVOKE ALL ON FUNCTION auth_login_lookup(text)      FROM PUBLIC;
REVOKE ALL ON FUNCTION auth_session_lookup(text)    FROM PUBLIC;
REVOKE ALL ON FUNCTION site_live_by_subdomain(text) FROM PUBLIC;
REVOKE ALL ON FUNCTION site_live_by_domain(text)    FROM PUBLIC;

GRANT EXECUTE ON FUNCTION auth_login_lookup(text)      TO sitepilot_app;
GRANT EXECUTE ON FUNCTION auth_session_lookup(text)    TO sitepilot_app;
GRANT EXECUTE ON FUNCTION site_live_by_subdomain(text) TO sitepilot_app;
GRANT EXECUTE ON FUNCTION site_live_by_domain(text)    TO sitepilot_app;
