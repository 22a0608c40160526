-- 0001: preconditions (roles) and extensions.
--
-- Roles are cluster-wide and need CREATEROLE/superuser, so they are created by the
-- setup scripts, not here. This migration only checks they are safe to build on:
-- every later migration grants to sitepilot_app and relies on RLS holding for it.

DO $$
DECLARE
    app    pg_roles%ROWTYPE;
    me     pg_roles%ROWTYPE;
BEGIN
    SELECT * INTO app FROM pg_roles WHERE rolname = 'sitepilot_app';
    IF NOT FOUND THEN
        RAISE EXCEPTION 'role sitepilot_app does not exist: create the login role sitepilot_app first, see README';
    END IF;

    -- RLS is the tenant boundary. A superuser or BYPASSRLS app role would silently
    -- see every tenant, so refuse to continue rather than ship a leaky setup.
    IF app.rolsuper OR app.rolbypassrls THEN
        RAISE EXCEPTION 'role sitepilot_app must be NOSUPERUSER NOBYPASSRLS (RLS would not apply to it), see README';
    END IF;
    IF app.rolname = current_user THEN
        RAISE EXCEPTION 'migrations must not run as sitepilot_app: the app role must not own the tables, see README';
    END IF;

    -- The migrating role owns the tables and the SECURITY DEFINER lookups (0008).
    -- FORCE ROW LEVEL SECURITY applies to table owners unless they have BYPASSRLS,
    -- so without it those lookups would silently find nothing (login would fail).
    SELECT * INTO me FROM pg_roles WHERE rolname = current_user;
    IF NOT (me.rolsuper OR me.rolbypassrls) THEN
        RAISE EXCEPTION 'the migrating role % needs BYPASSRLS (tables use FORCE ROW LEVEL SECURITY), see README', current_user;
    END IF;
END
$$;

-- gen_random_bytes() for invitation tokens. gen_random_uuid() is core since PG13.
-- pgcrypto is a trusted extension (PG13+), so the database owner may create it.
CREATE EXTENSION IF NOT EXISTS pgcrypto;
