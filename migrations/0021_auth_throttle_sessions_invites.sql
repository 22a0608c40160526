-- 0021: log-in / sign-up throttling, idle session expiry, hashed invitation tokens (issue 15).

-- a. Throttle counters. Fixed windows keyed by what is limited ('login:acct:<sha256 of the
--    email>', 'login:ip:<address>', 'signup:ip:<address>'). Cross-tenant by nature (an
--    attacker's address or an email is not a tenant), so the app role has no privilege on the
--    table at all: it goes through the SECURITY DEFINER functions below, called only from
--    app/src/db/system.rs. RLS is forced with no policy, so nothing else can read it either.
--    Bounded: every write purges windows older than a day.
CREATE TABLE auth_throttle (
    key             TEXT        PRIMARY KEY CONSTRAINT auth_throttle_key_check CHECK (length(key) <= 200),
    window_start    TIMESTAMPTZ NOT NULL,
    hits            INTEGER     NOT NULL
);
CREATE INDEX idx_auth_throttle_window_start ON auth_throttle (window_start);
ALTER TABLE auth_throttle ENABLE ROW LEVEL SECURITY;
ALTER TABLE auth_throttle FORCE ROW LEVEL SECURITY;
REVOKE ALL ON auth_throttle FROM PUBLIC;

-- Counts one hit for `p_key`. Returns the hits in the current window (1 = the window just
-- started), the hits of the window that just ended (when this hit started a new one) and the
-- seconds left in the current window.
CREATE FUNCTION auth_throttle_hit(p_key text, p_window_secs integer,
                                  OUT hits integer, OUT previous_hits integer, OUT window_left_secs integer)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    w        interval := make_interval(secs => p_window_secs);
    old_hits integer;
    old_start timestamptz;
    started  timestamptz;
BEGIN
    DELETE FROM auth_throttle WHERE window_start < clock_timestamp() - interval '1 day';
    SELECT t.hits, t.window_start INTO old_hits, old_start
      FROM auth_throttle t WHERE t.key = p_key FOR UPDATE;
    INSERT INTO auth_throttle AS t (key, window_start, hits)
    VALUES (p_key, clock_timestamp(), 1)
    ON CONFLICT (key) DO UPDATE SET
        hits = CASE WHEN t.window_start + w <= clock_timestamp() THEN 1 ELSE t.hits + 1 END,
        window_start = CASE WHEN t.window_start + w <= clock_timestamp()
                            THEN clock_timestamp() ELSE t.window_start END
    RETURNING t.hits, t.window_start INTO hits, started;
    previous_hits := CASE WHEN hits = 1 AND old_start IS NOT NULL AND old_start <> started
                          THEN old_hits END;
    window_left_secs := greatest(1, ceil(extract(epoch FROM started + w - clock_timestamp())))::integer;
END;
$$;

-- Forgets `p_key` (a successful log-in resets the account's counter).
CREATE FUNCTION auth_throttle_reset(p_key text) RETURNS void
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    DELETE FROM auth_throttle WHERE key = p_key;
$$;

-- Takes back one hit of `p_key` (attempts are counted before the password is checked, so a
-- success gives its hit back: only failures count against an address).
CREATE FUNCTION auth_throttle_undo(p_key text) RETURNS void
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    UPDATE auth_throttle SET hits = greatest(hits - 1, 0) WHERE key = p_key;
$$;

COMMENT ON FUNCTION auth_throttle_hit(text, integer) IS
    'Cross-tenant by nature: throttles log-in and sign-up attempts before any tenant is known.';
REVOKE ALL ON FUNCTION auth_throttle_hit(text, integer) FROM PUBLIC;
REVOKE ALL ON FUNCTION auth_throttle_reset(text) FROM PUBLIC;
REVOKE ALL ON FUNCTION auth_throttle_undo(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION auth_throttle_hit(text, integer) TO sitepilot_app;
GRANT EXECUTE ON FUNCTION auth_throttle_reset(text) TO sitepilot_app;
GRANT EXECUTE ON FUNCTION auth_throttle_undo(text) TO sitepilot_app;

-- b. Sessions also end after 7 idle days (on top of the absolute 30). `last_seen_at` is moved
--    forward by the app at most once an hour (app/src/db/accounts.rs), so the lookup reports it.
DROP FUNCTION auth_session_lookup(text);
CREATE FUNCTION auth_session_lookup(p_session_id text)
RETURNS TABLE (session_id text, user_id uuid, tenant_id uuid, role text, email text,
               full_name text, tenant_name text, tenant_status text, expires_at timestamptz,
               last_seen_at timestamptz)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT s.id, u.id, u.tenant_id, u.role, u.email,
           u.full_name, t.name, t.status, s.expires_at, s.last_seen_at
      FROM sessions s
      JOIN users u   ON u.tenant_id = s.tenant_id AND u.id = s.user_id
      JOIN tenants t ON t.id = s.tenant_id
     WHERE s.id = p_session_id
       AND s.expires_at > now()
       AND s.last_seen_at > now() - interval '7 days'
       AND u.is_active;
$$;
COMMENT ON FUNCTION auth_session_lookup(text) IS
    'Cross-tenant by necessity: the session cookie is what identifies the tenant of a request.';
REVOKE ALL ON FUNCTION auth_session_lookup(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION auth_session_lookup(text) TO sitepilot_app;

-- c. Invitation tokens are stored as the hex SHA-256 of the token, like session ids; the clear
--    token exists only in the link that is sent. invitation_by_token() now takes that hash.
UPDATE team_invitations SET token = encode(sha256(convert_to(token, 'UTF8')), 'hex');
ALTER TABLE team_invitations ADD CONSTRAINT team_invitations_token_hash_check
    CHECK (token ~ '^[0-9a-f]{64}$');
COMMENT ON COLUMN team_invitations.token IS 'hex SHA-256 of the token in the invite link';
