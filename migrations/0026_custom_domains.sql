-- 0026: custom domains (schema reference §7 websites.custom_domain / domain_verified, §15
-- domain_verifications). The seed's columns record what a check found; verifying also needs a
-- proof of control (a TXT token), re-check bookkeeping, one holder per domain, and two
-- cross-tenant doors: the TLS "ask" endpoint (a hostname is its only key) and the daily
-- re-check, which lists verified domains of every tenant.

-- a. What verifying needs beyond the seed.
ALTER TABLE domain_verifications
    -- The value of the TXT record `_sitepilot-verify.<domain>`: only someone who controls the
    -- domain's DNS can publish it, so nobody claims a domain they do not own. It is public once
    -- published, so it needs to be unpredictable, not secret.
    ADD COLUMN verification_token TEXT NOT NULL
        DEFAULT replace(gen_random_uuid()::text, '-', ''),
    -- Since when the re-checks of a verified domain have failed. Cleared by a passing check;
    -- past the grace period (server configuration) the domain is unverified.
    ADD COLUMN failing_since TIMESTAMPTZ,
    -- The last "Check now" a member asked for: manual checks are rate-limited per domain, in
    -- the database, so every server instance applies the same limit.
    ADD COLUMN manual_check_at TIMESTAMPTZ,
    -- Domains are stored normalised (lower case, punycode, no trailing dot).
    ADD CONSTRAINT domain_verifications_domain_format_check
        CHECK (domain = lower(domain) AND domain !~ '[^a-z0-9.-]' AND length(domain) <= 253);

-- b. One holder per domain among pending claims too (websites_custom_domain_key in 0005 covers
--    the websites side; both are written together).
CREATE UNIQUE INDEX domain_verifications_domain_key ON domain_verifications (lower(domain));

-- c. Caddy's on-demand TLS asks whether it may get a certificate for a hostname: yes only for
--    a verified custom domain. The first yes records ssl_provisioned(_at); later asks change
--    nothing (the UPDATE matches no row), so Caddy may ask as often as it likes.
CREATE FUNCTION domain_tls_ask(p_domain text) RETURNS boolean
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    v_website uuid;
    v_tenant  uuid;
BEGIN
    SELECT w.id, w.tenant_id INTO v_website, v_tenant
      FROM websites w
     WHERE lower(w.custom_domain) = lower(p_domain)
       AND w.domain_verified;
    IF v_website IS NULL THEN
        RETURN false;
    END IF;
    UPDATE domain_verifications
       SET ssl_provisioned = true, ssl_provisioned_at = now()
     WHERE tenant_id = v_tenant AND website_id = v_website AND verified AND NOT ssl_provisioned;
    RETURN true;
END;
$$;
COMMENT ON FUNCTION domain_tls_ask(text) IS
    'Cross-tenant by necessity: the TLS handshake names a hostname, nothing else.';

-- d. Verified domains last checked before p_before (oldest first): the daily re-check enqueues
--    one verification job per row, in the row's tenant.
CREATE FUNCTION domains_due_for_recheck(p_before timestamptz, p_limit int)
RETURNS TABLE (verification_id uuid, tenant_id uuid)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT d.id, d.tenant_id
      FROM domain_verifications d
     WHERE d.verified
       AND (d.last_checked_at IS NULL OR d.last_checked_at < p_before)
     ORDER BY d.last_checked_at NULLS FIRST
     LIMIT p_limit;
$$;
COMMENT ON FUNCTION domains_due_for_recheck(timestamptz, int) IS
    'Cross-tenant by necessity: the re-check job runs for every tenant.';

CREATE INDEX domain_verifications_recheck_idx
    ON domain_verifications (last_checked_at) WHERE verified;

REVOKE ALL ON FUNCTION domain_tls_ask(text) FROM PUBLIC;
REVOKE ALL ON FUNCTION domains_due_for_recheck(timestamptz, int) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION domain_tls_ask(text) TO sitepilot_app;
GRANT EXECUTE ON FUNCTION domains_due_for_recheck(timestamptz, int) TO sitepilot_app;
