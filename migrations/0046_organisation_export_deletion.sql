-- 0046: the organisation's data export and its deletion (issue 23 part 5).
--
-- a. `organisation_exports`: one row per export the owner asked for. A background job
--    (`organisation.export`) builds the zip, writing its progress (phase, percent) here as it
--    goes, and stores the finished file in the object store under `storage_key`
--    (`exports/{tenant}/{id}.zip`, beside the tenant's media). The row says when the file
--    expires; the `organisation.lifecycle` job then deletes the file and marks the row
--    'expired'. At most one export per tenant is queued or running (partial unique index), so
--    a second request while one runs gets the running one.
-- b. Deleting the organisation uses the schema reference's own columns (§4): `status` becomes
--    'offboarded' and `offboard_scheduled_at` records when; the data is purged 90 days later.
--    Visitor lookups already serve no snapshot for such a tenant (0032), and the status change
--    notifies every instance's visitor cache (0017).
-- c. Cross-tenant work lists for the lifecycle job (ids only), and the one function that
--    deletes a tenant: it refuses unless the tenant was offboarded at least 90 days before
--    `p_now`, so no other caller can use it to delete a live organisation.
-- d. The owner's email telling them the purge date.

-- a. -------------------------------------------------------------------------------------
CREATE TABLE organisation_exports (
    id            UUID        PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id     UUID        NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    requested_by  UUID,
    status        TEXT        NOT NULL DEFAULT 'queued'
                  CONSTRAINT organisation_exports_status_check
                  CHECK (status IN ('queued', 'running', 'ready', 'failed', 'expired')),
    phase         TEXT        NOT NULL DEFAULT 'Waiting to start'
                  CONSTRAINT organisation_exports_phase_check CHECK (length(phase) <= 200),
    percent       INTEGER     NOT NULL DEFAULT 0
                  CONSTRAINT organisation_exports_percent_check CHECK (percent BETWEEN 0 AND 100),
    storage_key   TEXT,
    size_bytes    BIGINT,
    error         TEXT        CONSTRAINT organisation_exports_error_check CHECK (length(error) <= 500),
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    finished_at   TIMESTAMPTZ,
    expires_at    TIMESTAMPTZ,

    CONSTRAINT organisation_exports_requested_by_fkey FOREIGN KEY (tenant_id, requested_by)
        REFERENCES users (tenant_id, id) ON DELETE SET NULL (requested_by)
);
CREATE UNIQUE INDEX organisation_exports_one_live ON organisation_exports (tenant_id)
    WHERE status IN ('queued', 'running');
CREATE INDEX idx_organisation_exports_tenant ON organisation_exports (tenant_id, created_at DESC);
CREATE INDEX idx_organisation_exports_expires ON organisation_exports (expires_at)
    WHERE status = 'ready';

ALTER TABLE organisation_exports ENABLE ROW LEVEL SECURITY;
ALTER TABLE organisation_exports FORCE ROW LEVEL SECURITY;
CREATE POLICY organisation_exports_tenant_isolation ON organisation_exports FOR ALL
    USING (tenant_id = (SELECT app_current_tenant()))
    WITH CHECK (tenant_id = (SELECT app_current_tenant()));
GRANT SELECT, INSERT, UPDATE ON organisation_exports TO sitepilot_app;

-- c. -------------------------------------------------------------------------------------
-- Ready exports whose download expired by p_now: the lifecycle job deletes their files.
CREATE FUNCTION organisation_exports_expired(p_now timestamptz, p_tenant uuid, p_limit integer)
RETURNS TABLE (tenant_id uuid, export_id uuid)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT e.tenant_id, e.id
      FROM organisation_exports e
     WHERE e.status = 'ready' AND e.expires_at <= p_now
       AND (p_tenant IS NULL OR e.tenant_id = p_tenant)
     ORDER BY e.expires_at
     LIMIT p_limit;
$$;
COMMENT ON FUNCTION organisation_exports_expired(timestamptz, uuid, integer) IS
    'Cross-tenant by nature: the lifecycle job learns which export files to delete. Returns ids only.';
REVOKE ALL ON FUNCTION organisation_exports_expired(timestamptz, uuid, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION organisation_exports_expired(timestamptz, uuid, integer) TO sitepilot_app;

-- Organisations deleted (offboarded) at least 90 days before p_now: the lifecycle job purges them.
CREATE FUNCTION organisations_due_purge(p_now timestamptz, p_tenant uuid, p_limit integer)
RETURNS TABLE (tenant_id uuid)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT t.id
      FROM tenants t
     WHERE t.status = 'offboarded'
       AND t.offboard_scheduled_at <= p_now - interval '90 days'
       AND (p_tenant IS NULL OR t.id = p_tenant)
     ORDER BY t.offboard_scheduled_at
     LIMIT p_limit;
$$;
COMMENT ON FUNCTION organisations_due_purge(timestamptz, uuid, integer) IS
    'Cross-tenant by nature: the lifecycle job learns which deleted organisations to purge. Returns ids only.';
REVOKE ALL ON FUNCTION organisations_due_purge(timestamptz, uuid, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION organisations_due_purge(timestamptz, uuid, integer) TO sitepilot_app;

-- Deletes the tenant row and, through the foreign keys' cascades, everything it owns
-- (audit rows included: 0006 lets cascades through). Only a tenant offboarded 90 days before
-- p_now; anything else is left alone and false is returned. The caller deletes the tenant's
-- stored files first.
CREATE FUNCTION organisation_purge(p_tenant uuid, p_now timestamptz) RETURNS boolean
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    n integer;
BEGIN
    DELETE FROM tenants t
     WHERE t.id = p_tenant
       AND t.status = 'offboarded'
       AND t.offboard_scheduled_at <= p_now - interval '90 days';
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n > 0;
END;
$$;
COMMENT ON FUNCTION organisation_purge(uuid, timestamptz) IS
    'Deletes one organisation whose 90-day retention after deletion is over, nothing else.';
REVOKE ALL ON FUNCTION organisation_purge(uuid, timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION organisation_purge(uuid, timestamptz) TO sitepilot_app;

-- d. -------------------------------------------------------------------------------------
ALTER TABLE email_outbox DROP CONSTRAINT email_outbox_kind_check;
ALTER TABLE email_outbox ADD CONSTRAINT email_outbox_kind_check CHECK (kind IN (
    'invitation', 'password_reset', 'email_verification', 'form_submission',
    'billing_notice', 'domain_notice', 'webhook_notice', 'ownership_transfer',
    'order_confirmation', 'order_notice', 'organisation_deletion'));
