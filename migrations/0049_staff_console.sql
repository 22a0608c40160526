-- 0049: the operator console (platform staff, outside every tenant).
--
-- a. Staff accounts, their sessions and their own audit log. None of these is a tenant table
--    and the app role has NO privilege on any of them: it reaches them only through the
--    SECURITY DEFINER functions below. Accounts are created by `server staff create`, which
--    connects as the owner role (DATABASE_URL) like `server migrate`: the app role cannot
--    create a staff account at all, and sign-up never does.
-- b. A session starts after the password (`verified_at` NULL) and becomes usable only after the
--    TOTP second factor (`verified_at` set). Every console function takes the session's hash
--    and checks inside the database that it is live AND verified (`staff_require`), so a
--    session without the second factor can call nothing, whatever the Rust code does.
--    `staff_accounts.last_totp_step` refuses a code's time step used before (no replay).
-- c. Staff suspension: `tenants.staff_suspended_at` / `staff_suspension_reason`. The tenant's
--    status becomes 'suspended' as for an unpaid subscription, so sessions, the app and the
--    visitor sites react exactly as they already do (the status change notifies every
--    instance's visitor cache, 0017). Billing lifting its own suspension leaves a staff
--    suspension in place (`billing::sync_suspension` checks the column).
-- d. The narrow console functions: search, one tenant's plan/usage/status, suspend, unsuspend,
--    extend a trial, start and end a read-only impersonation. Each writes `staff_audit_log`;
--    the ones aimed at a tenant also write the tenant's own audit log (performed_by NULL,
--    the staff email in the metadata).

-- a. -------------------------------------------------------------------------------------
CREATE TABLE staff_accounts (
    id              UUID        PRIMARY KEY DEFAULT gen_random_uuid(),
    email           TEXT        NOT NULL
                    CONSTRAINT staff_accounts_email_check CHECK (strpos(email, '@') > 0 AND length(email) <= 254),
    -- argon2 PHC string, never leaves the server.
    password_hash   TEXT        NOT NULL,
    -- base32 TOTP secret (RFC 6238, SHA-1, 6 digits, 30 s).
    totp_secret     TEXT        NOT NULL,
    last_totp_step  BIGINT      NOT NULL DEFAULT 0,
    disabled_at     TIMESTAMPTZ,
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX staff_accounts_email_lower_key ON staff_accounts (lower(email));

CREATE TABLE staff_sessions (
    -- sha256 hex of the cookie's token, as for member sessions.
    id                       TEXT        PRIMARY KEY CONSTRAINT staff_sessions_id_check CHECK (id ~ '^[0-9a-f]{64}$'),
    staff_id                 UUID        NOT NULL REFERENCES staff_accounts (id) ON DELETE CASCADE,
    created_at               TIMESTAMPTZ NOT NULL DEFAULT now(),
    expires_at               TIMESTAMPTZ NOT NULL,
    verified_at              TIMESTAMPTZ,
    impersonating_tenant_id  UUID        REFERENCES tenants (id) ON DELETE SET NULL
);
CREATE INDEX idx_staff_sessions_staff ON staff_sessions (staff_id);

CREATE TABLE staff_audit_log (
    id          UUID        PRIMARY KEY DEFAULT gen_random_uuid(),
    staff_id    UUID        REFERENCES staff_accounts (id) ON DELETE SET NULL,
    staff_email TEXT        NOT NULL,
    action      TEXT        NOT NULL,
    tenant_id   UUID,
    metadata    JSONB       NOT NULL DEFAULT '{}'::jsonb,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX idx_staff_audit_log_created ON staff_audit_log (created_at DESC);

REVOKE ALL ON staff_accounts, staff_sessions, staff_audit_log FROM PUBLIC;

-- c. -------------------------------------------------------------------------------------
ALTER TABLE tenants
    ADD COLUMN staff_suspended_at      TIMESTAMPTZ,
    ADD COLUMN staff_suspension_reason TEXT
        CONSTRAINT tenants_staff_suspension_reason_check CHECK (length(staff_suspension_reason) <= 500);

-- b. -------------------------------------------------------------------------------------
-- Not granted to the app role: the check every console function starts with. Returns the
-- staff account of a live session that passed the second factor, or raises SPS01.
CREATE FUNCTION staff_require(p_session text) RETURNS staff_accounts
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    acc staff_accounts;
BEGIN
    SELECT a.* INTO acc
      FROM staff_sessions s JOIN staff_accounts a ON a.id = s.staff_id
     WHERE s.id = p_session AND s.expires_at > now() AND s.verified_at IS NOT NULL
       AND a.disabled_at IS NULL;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'staff session with a second factor required' USING ERRCODE = 'SPS01';
    END IF;
    RETURN acc;
END;
$$;
REVOKE ALL ON FUNCTION staff_require(text) FROM PUBLIC;

-- Writes the staff audit row and, for an action on a tenant, the tenant's own audit row.
CREATE FUNCTION staff_audit(acc staff_accounts, p_action text, p_tenant uuid, p_meta jsonb)
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    INSERT INTO staff_audit_log (staff_id, staff_email, action, tenant_id, metadata)
    VALUES (acc.id, acc.email, p_action, p_tenant, p_meta);
    IF p_tenant IS NOT NULL THEN
        INSERT INTO audit_logs (tenant_id, performed_by, action, resource_type, resource_id, metadata)
        VALUES (p_tenant, NULL, p_action, 'tenant', p_tenant,
                p_meta || jsonb_build_object('staff', acc.email));
    END IF;
END;
$$;
REVOKE ALL ON FUNCTION staff_audit(staff_accounts, text, uuid, jsonb) FROM PUBLIC;

-- Log-in, step 1: the password hash of an enabled account (checked in Rust with argon2).
CREATE FUNCTION staff_login_lookup(p_email text)
RETURNS TABLE (staff_id uuid, password_hash text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT a.id, a.password_hash FROM staff_accounts a
     WHERE lower(a.email) = lower(p_email) AND a.disabled_at IS NULL;
$$;

-- Log-in, step 1 passed: a session that can do nothing until the second factor.
CREATE FUNCTION staff_session_start(p_staff uuid, p_session text, p_expires timestamptz)
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    DELETE FROM staff_sessions WHERE expires_at <= now();
    INSERT INTO staff_sessions (id, staff_id, expires_at) VALUES (p_session, p_staff, p_expires);
END;
$$;

-- Log-in, step 2: the secret to check the code against, for a live session still waiting for it.
CREATE FUNCTION staff_second_factor(p_session text)
RETURNS TABLE (staff_id uuid, totp_secret text, last_totp_step bigint)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT a.id, a.totp_secret, a.last_totp_step
      FROM staff_sessions s JOIN staff_accounts a ON a.id = s.staff_id
     WHERE s.id = p_session AND s.expires_at > now() AND s.verified_at IS NULL
       AND a.disabled_at IS NULL;
$$;

-- Log-in, step 2 passed (the code matched time step p_step): the session becomes usable, unless
-- that step (or a later one) was already used. Audited `staff.logged_in`.
CREATE FUNCTION staff_session_verify(p_session text, p_step bigint) RETURNS boolean
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    acc staff_accounts;
BEGIN
    UPDATE staff_accounts a SET last_totp_step = p_step
      FROM staff_sessions s
     WHERE s.id = p_session AND s.staff_id = a.id AND s.verified_at IS NULL
       AND s.expires_at > now() AND a.last_totp_step < p_step
    RETURNING a.* INTO acc;
    IF NOT FOUND THEN
        RETURN false;
    END IF;
    UPDATE staff_sessions SET verified_at = now() WHERE id = p_session;
    PERFORM staff_audit(acc, 'staff.logged_in', NULL, '{}'::jsonb);
    RETURN true;
END;
$$;

-- The signed-in staff member: email, whether the second factor passed, and the tenant being
-- impersonated (NULL: none).
CREATE FUNCTION staff_session_lookup(p_session text)
RETURNS TABLE (staff_id uuid, email text, verified boolean, impersonating uuid)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT a.id, a.email, s.verified_at IS NOT NULL, s.impersonating_tenant_id
      FROM staff_sessions s JOIN staff_accounts a ON a.id = s.staff_id
     WHERE s.id = p_session AND s.expires_at > now() AND a.disabled_at IS NULL;
$$;

CREATE FUNCTION staff_session_end(p_session text) RETURNS void
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    DELETE FROM staff_sessions WHERE id = p_session;
$$;

-- d. -------------------------------------------------------------------------------------
-- Tenants whose name, slug, any member's email, any website's subdomain or custom domain, or
-- Stripe customer id contains p_query (case-insensitive); at most 50. Audited `staff.searched`.
CREATE FUNCTION staff_tenant_search(p_session text, p_query text)
RETURNS TABLE (tenant_id uuid, name text, slug text, status text, plan text,
               owner_email text, stripe_customer_id text, created_at timestamptz)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    acc staff_accounts := staff_require(p_session);
    pat text := '%' || replace(replace(replace(lower(p_query), '\', '\\'), '%', '\%'), '_', '\_') || '%';
BEGIN
    PERFORM staff_audit(acc, 'staff.searched', NULL, jsonb_build_object('query', p_query));
    RETURN QUERY
    SELECT t.id, t.name, t.slug, t.status, p.name,
           (SELECT u.email FROM users u WHERE u.tenant_id = t.id AND u.role = 'owner' LIMIT 1),
           t.stripe_customer_id, t.created_at
      FROM tenants t JOIN plans p ON p.id = t.plan_id
     WHERE lower(t.name) LIKE pat OR lower(t.slug) LIKE pat
        OR lower(coalesce(t.stripe_customer_id, '')) LIKE pat
        OR EXISTS (SELECT 1 FROM users u WHERE u.tenant_id = t.id AND lower(u.email) LIKE pat)
        OR EXISTS (SELECT 1 FROM websites w WHERE w.tenant_id = t.id
                    AND (lower(w.subdomain) LIKE pat OR lower(coalesce(w.custom_domain, '')) LIKE pat))
        OR EXISTS (SELECT 1 FROM subscriptions s WHERE s.tenant_id = t.id
                    AND lower(s.stripe_customer_id) LIKE pat)
     ORDER BY t.name, t.id
     LIMIT 50;
END;
$$;

-- One tenant: plan, usage and status. Audited `staff.viewed_tenant`.
CREATE FUNCTION staff_tenant_detail(p_session text, p_tenant uuid)
RETURNS TABLE (tenant_id uuid, name text, slug text, status text, plan text,
               max_websites integer, storage_limit_mb integer,
               websites bigint, members bigint, storage_bytes bigint,
               subscription_status text, trial_end timestamptz,
               staff_suspended_at timestamptz, staff_suspension_reason text,
               owner_email text, stripe_customer_id text,
               created_at timestamptz, last_active_at timestamptz)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    acc staff_accounts := staff_require(p_session);
BEGIN
    IF NOT EXISTS (SELECT 1 FROM tenants t WHERE t.id = p_tenant) THEN
        RAISE EXCEPTION 'no such organisation' USING ERRCODE = 'SPS02';
    END IF;
    PERFORM staff_audit(acc, 'staff.viewed_tenant', NULL, jsonb_build_object('tenant', p_tenant));
    RETURN QUERY
    SELECT t.id, t.name, t.slug, t.status, p.name, p.max_websites, p.storage_limit_mb,
           (SELECT count(*) FROM websites w WHERE w.tenant_id = t.id AND w.deleted_at IS NULL),
           (SELECT count(*) FROM users u WHERE u.tenant_id = t.id),
           (SELECT coalesce(sum(a.size_bytes), 0)::bigint FROM assets a WHERE a.tenant_id = t.id),
           s.status, s.trial_end, t.staff_suspended_at, t.staff_suspension_reason,
           (SELECT u.email FROM users u WHERE u.tenant_id = t.id AND u.role = 'owner' LIMIT 1),
           t.stripe_customer_id, t.created_at, t.last_active_at
      FROM tenants t JOIN plans p ON p.id = t.plan_id
      LEFT JOIN subscriptions s ON s.tenant_id = t.id
     WHERE t.id = p_tenant;
END;
$$;

-- Suspends an active (or billing-suspended) tenant with a reason. Audited `staff.suspended`.
CREATE FUNCTION staff_suspend(p_session text, p_tenant uuid, p_reason text) RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    acc staff_accounts := staff_require(p_session);
    st text;
BEGIN
    SELECT t.status INTO st FROM tenants t WHERE t.id = p_tenant FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no such organisation' USING ERRCODE = 'SPS02';
    END IF;
    IF st NOT IN ('active', 'suspended') THEN
        RAISE EXCEPTION 'Only an active organisation can be suspended.' USING ERRCODE = 'SPS03';
    END IF;
    IF EXISTS (SELECT 1 FROM tenants t WHERE t.id = p_tenant AND t.staff_suspended_at IS NOT NULL) THEN
        RAISE EXCEPTION 'The organisation is already suspended by staff.' USING ERRCODE = 'SPS03';
    END IF;
    UPDATE tenants SET status = 'suspended', staff_suspended_at = now(),
                       staff_suspension_reason = p_reason
     WHERE id = p_tenant;
    PERFORM staff_audit(acc, 'staff.suspended', p_tenant, jsonb_build_object('reason', p_reason));
END;
$$;

-- Lifts a staff suspension. The tenant stays suspended when its subscription is unpaid or
-- paused (billing's own suspension). Audited `staff.unsuspended`.
CREATE FUNCTION staff_unsuspend(p_session text, p_tenant uuid, p_reason text) RETURNS text
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    acc staff_accounts := staff_require(p_session);
    billing_hold boolean;
    new_status text;
BEGIN
    PERFORM 1 FROM tenants t WHERE t.id = p_tenant AND t.staff_suspended_at IS NOT NULL FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'The organisation is not suspended by staff.' USING ERRCODE = 'SPS03';
    END IF;
    billing_hold := EXISTS (SELECT 1 FROM subscriptions s WHERE s.tenant_id = p_tenant
                             AND s.status IN ('unpaid', 'paused'));
    new_status := CASE WHEN billing_hold THEN 'suspended' ELSE 'active' END;
    UPDATE tenants SET status = new_status, staff_suspended_at = NULL, staff_suspension_reason = NULL
     WHERE id = p_tenant;
    PERFORM staff_audit(acc, 'staff.unsuspended', p_tenant,
                        jsonb_build_object('reason', p_reason, 'status', new_status));
    RETURN new_status;
END;
$$;

-- Moves a trialing subscription's end p_days (1–90) later. Audited `staff.trial_extended`.
CREATE FUNCTION staff_extend_trial(p_session text, p_tenant uuid, p_days integer)
RETURNS timestamptz
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    acc staff_accounts := staff_require(p_session);
    old_end timestamptz;
    new_end timestamptz;
BEGIN
    IF p_days IS NULL OR p_days < 1 OR p_days > 90 THEN
        RAISE EXCEPTION 'Extend a trial by 1 to 90 days.' USING ERRCODE = 'SPS03';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM tenants t WHERE t.id = p_tenant) THEN
        RAISE EXCEPTION 'no such organisation' USING ERRCODE = 'SPS02';
    END IF;
    SELECT s.trial_end INTO old_end FROM subscriptions s
     WHERE s.tenant_id = p_tenant AND s.status = 'trialing' FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'The organisation has no trial to extend.' USING ERRCODE = 'SPS03';
    END IF;
    new_end := greatest(coalesce(old_end, now()), now()) + make_interval(days => p_days);
    UPDATE subscriptions SET trial_end = new_end, updated_at = now() WHERE tenant_id = p_tenant;
    PERFORM staff_audit(acc, 'staff.trial_extended', p_tenant,
                        jsonb_build_object('days', p_days, 'from', old_end, 'to', new_end));
    RETURN new_end;
END;
$$;

-- Starts a read-only impersonation of p_tenant in this staff session. Audited
-- `staff.impersonation_started` (in the tenant's log too).
CREATE FUNCTION staff_impersonate(p_session text, p_tenant uuid) RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    acc staff_accounts := staff_require(p_session);
BEGIN
    IF NOT EXISTS (SELECT 1 FROM tenants t JOIN users u ON u.tenant_id = t.id AND u.role = 'owner'
                    WHERE t.id = p_tenant) THEN
        RAISE EXCEPTION 'no such organisation' USING ERRCODE = 'SPS02';
    END IF;
    UPDATE staff_sessions SET impersonating_tenant_id = p_tenant WHERE id = p_session;
    PERFORM staff_audit(acc, 'staff.impersonation_started', p_tenant, '{}'::jsonb);
END;
$$;

CREATE FUNCTION staff_impersonate_end(p_session text) RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    acc staff_accounts := staff_require(p_session);
    t uuid;
BEGIN
    SELECT s.impersonating_tenant_id INTO t FROM staff_sessions s WHERE s.id = p_session;
    IF t IS NULL THEN
        RETURN;
    END IF;
    UPDATE staff_sessions SET impersonating_tenant_id = NULL WHERE id = p_session;
    PERFORM staff_audit(acc, 'staff.impersonation_ended', t, '{}'::jsonb);
END;
$$;

-- Who a verified staff session impersonates: the tenant's owner (whose view staff get,
-- read-only) and the organisation's name. No row when not impersonating.
CREATE FUNCTION staff_impersonation(p_session text)
RETURNS TABLE (staff_email text, tenant_id uuid, user_id uuid, email text, full_name text,
               tenant_name text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT a.email, t.id, u.id, u.email, u.full_name, t.name
      FROM staff_sessions s
      JOIN staff_accounts a ON a.id = s.staff_id
      JOIN tenants t ON t.id = s.impersonating_tenant_id
      JOIN users u ON u.tenant_id = t.id AND u.role = 'owner'
     WHERE s.id = p_session AND s.expires_at > now() AND s.verified_at IS NOT NULL
       AND a.disabled_at IS NULL;
$$;

DO $$
DECLARE
    f text;
BEGIN
    FOREACH f IN ARRAY ARRAY[
        'staff_login_lookup(text)',
        'staff_session_start(uuid, text, timestamptz)',
        'staff_second_factor(text)',
        'staff_session_verify(text, bigint)',
        'staff_session_lookup(text)',
        'staff_session_end(text)',
        'staff_tenant_search(text, text)',
        'staff_tenant_detail(text, uuid)',
        'staff_suspend(text, uuid, text)',
        'staff_unsuspend(text, uuid, text)',
        'staff_extend_trial(text, uuid, integer)',
        'staff_impersonate(text, uuid)',
        'staff_impersonate_end(text)',
        'staff_impersonation(text)'
    ] LOOP
        EXECUTE format('REVOKE ALL ON FUNCTION %s FROM PUBLIC', f);
        EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO sitepilot_app', f);
    END LOOP;
END
$$;
