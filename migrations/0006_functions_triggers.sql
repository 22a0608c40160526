-- 0006: triggers and helper functions (seed §22). All SECURITY INVOKER: they run
-- with the caller's rights, so RLS applies and they can only see/touch the
-- current tenant's rows. search_path is pinned so a temp table of the same name
-- cannot be substituted for a real one.

-- ── updated_at maintenance ─────────────────────────────────────────────────
CREATE FUNCTION update_updated_at_column() RETURNS trigger
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
BEGIN
    NEW.updated_at = now();
    RETURN NEW;
END
$$;

-- Every table that has an updated_at column.
CREATE TRIGGER set_updated_at_plans BEFORE UPDATE ON plans
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();
CREATE TRIGGER set_updated_at_tenants BEFORE UPDATE ON tenants
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();
CREATE TRIGGER set_updated_at_users BEFORE UPDATE ON users
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();
CREATE TRIGGER set_updated_at_subscriptions BEFORE UPDATE ON subscriptions
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();
CREATE TRIGGER set_updated_at_websites BEFORE UPDATE ON websites
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();
CREATE TRIGGER set_updated_at_pages BEFORE UPDATE ON pages
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();
CREATE TRIGGER set_updated_at_components BEFORE UPDATE ON components
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();
CREATE TRIGGER set_updated_at_domain_verifications BEFORE UPDATE ON domain_verifications
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();

-- ── deployments: immutable except for the live flag ────────────────────────
-- Rendered visitor pages are cached per deployment, so a deployment's content
-- must never change after insert. Allowed changes: is_live (publish/rollback), and
-- deployed_by -> NULL, which is what ON DELETE SET NULL (deployed_by) does when
-- the publishing user is deleted. Comparing to_jsonb() minus those keys also
-- covers columns added later.
CREATE FUNCTION deployments_immutable() RETURNS trigger
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
BEGIN
    IF (to_jsonb(NEW) - 'is_live' - 'deployed_by') IS DISTINCT FROM (to_jsonb(OLD) - 'is_live' - 'deployed_by')
       OR (NEW.deployed_by IS DISTINCT FROM OLD.deployed_by AND NEW.deployed_by IS NOT NULL) THEN
        RAISE EXCEPTION 'deployments are immutable: only is_live may change (deployment %)', OLD.id
            USING ERRCODE = 'integrity_constraint_violation', CONSTRAINT = 'deployments_immutable';
    END IF;
    RETURN NEW;
END
$$;

-- Trigger names sort before deployments_single_live, so this check runs first.
CREATE TRIGGER deployments_immutable BEFORE UPDATE ON deployments
    FOR EACH ROW EXECUTE FUNCTION deployments_immutable();

-- ── deployments: single live deployment per website ────────────────────────
-- BEFORE (not AFTER as in the seed): the previous live row must be cleared before
-- the new row is checked against the partial unique index idx_deployments_live.
-- The inner UPDATE re-fires this trigger with is_live = false, which the IF skips,
-- so there is no recursion. Set is_live = true on one row per statement.
CREATE FUNCTION enforce_single_live_deployment() RETURNS trigger
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
BEGIN
    IF NEW.is_live THEN
        UPDATE deployments
           SET is_live = FALSE
         WHERE tenant_id = NEW.tenant_id
           AND website_id = NEW.website_id
           AND id <> NEW.id
           AND is_live;
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER deployments_single_live BEFORE INSERT OR UPDATE OF is_live ON deployments
    FOR EACH ROW EXECUTE FUNCTION enforce_single_live_deployment();

-- ── pages: single home page per website ────────────────────────────────────
-- Same BEFORE pattern as above, guarded by IF NEW.is_home against recursion.
-- Note: pages_home_slug_check ties is_home to slug '/', so clearing an old home
-- page that still has slug '/' fails that check; the app moves "home" by renaming
-- the old home page first. This trigger is the backstop, idx_pages_home_page the rule.
CREATE FUNCTION enforce_single_home_page() RETURNS trigger
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
BEGIN
    IF NEW.is_home THEN
        UPDATE pages
           SET is_home = FALSE
         WHERE tenant_id = NEW.tenant_id
           AND website_id = NEW.website_id
           AND id <> NEW.id
           AND is_home;
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER pages_single_home BEFORE INSERT OR UPDATE OF is_home ON pages
    FOR EACH ROW EXECUTE FUNCTION enforce_single_home_page();

-- ── audit_logs: append-only ────────────────────────────────────────────────
-- The app role has no UPDATE/DELETE grant (0009); this also stops the owner role.
-- Exceptions are foreign-key actions, which run as nested triggers (depth > 1):
-- deleting a tenant cascades to its audit rows, and deleting a user nulls
-- performed_by (and nothing else). Retention purges must disable this trigger
-- explicitly in a maintenance migration.
CREATE FUNCTION audit_logs_append_only() RETURNS trigger
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
BEGIN
    IF pg_trigger_depth() > 1 THEN
        IF TG_OP = 'DELETE' THEN
            RETURN OLD;
        END IF;
        IF NEW.performed_by IS NULL
           AND (to_jsonb(NEW) - 'performed_by') = (to_jsonb(OLD) - 'performed_by') THEN
            RETURN NEW;
        END IF;
    END IF;
    RAISE EXCEPTION 'audit_logs is append-only (% refused)', TG_OP
        USING ERRCODE = 'integrity_constraint_violation', CONSTRAINT = 'audit_logs_append_only';
END
$$;

CREATE TRIGGER audit_logs_append_only BEFORE UPDATE OR DELETE ON audit_logs
    FOR EACH ROW EXECUTE FUNCTION audit_logs_append_only();

-- ── quota / analytics helpers ──────────────────────────────────────────────
-- The tid argument is kept for the seed's call signature; RLS still limits the
-- result to the current tenant, so another tenant's id yields 0.

CREATE FUNCTION get_tenant_storage_mb(tid uuid) RETURNS numeric
LANGUAGE sql STABLE SECURITY INVOKER SET search_path = public, pg_temp AS $$
    SELECT COALESCE(SUM(a.size_bytes), 0) / 1048576.0
      FROM assets a
     WHERE a.tenant_id = tid;
$$;

CREATE FUNCTION get_monthly_ai_credits(tid uuid) RETURNS int
LANGUAGE sql STABLE SECURITY INVOKER SET search_path = public, pg_temp AS $$
    SELECT COUNT(*)::int
      FROM ai_usage_log l
     WHERE l.tenant_id = tid
       AND l.status = 'success'
       AND l.created_at >= date_trunc('month', now());
$$;

-- usage_metrics carries tenant_id, so no join through websites is needed.
CREATE FUNCTION get_total_page_views(tid uuid, since timestamptz) RETURNS bigint
LANGUAGE sql STABLE SECURITY INVOKER SET search_path = public, pg_temp AS $$
    SELECT COALESCE(SUM(m.page_views), 0)::bigint
      FROM usage_metrics m
     WHERE m.tenant_id = tid
       AND m.date >= since::date;
$$;

-- Keep the newest max_versions versions of a page, delete the rest.
-- id breaks ties between versions saved in the same transaction (same now()).
CREATE FUNCTION prune_page_versions(p_page_id uuid, max_versions int) RETURNS void
LANGUAGE plpgsql SECURITY INVOKER SET search_path = public, pg_temp AS $$
BEGIN
    -- A NULL limit would mean OFFSET NULL = "delete everything": refuse it.
    IF max_versions IS NULL OR max_versions < 0 THEN
        RAISE EXCEPTION 'prune_page_versions: max_versions must be >= 0, got %', max_versions;
    END IF;

    DELETE FROM page_versions
     WHERE id IN (SELECT v.id
                    FROM page_versions v
                   WHERE v.page_id = p_page_id
                   ORDER BY v.saved_at DESC, v.id DESC
                  OFFSET max_versions);
END
$$;
