-- 0037: the REST API's idempotency keys and the per-plan rate limits (issue 21 parts 2 and 3).
--
-- a. api_idempotency_keys: a POST sent with `Idempotency-Key` stores its answer here in the same
--    transaction as the write it made, so a retry (from any instance) gets the stored answer and
--    the write happens once. The primary key is the claim: a concurrent retry waits on the
--    first one's row and then reads its answer. A retry whose body differs (another request
--    hash) is refused with 422. Rows older than a day are purged by the `throttle.purge` job.
-- b. per-plan request rates for the API and for expensive actions (publish, AI, export),
--    counted per tenant in auth_throttle (0021) through auth_throttle_hit, shared by every
--    instance: one fixed window of a minute and one of an hour.

CREATE TABLE api_idempotency_keys (
    tenant_id        UUID        NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    api_key_id       UUID        NOT NULL REFERENCES api_keys (id) ON DELETE CASCADE,
    idempotency_key  TEXT        NOT NULL
                     CONSTRAINT api_idempotency_keys_key_check CHECK (length(idempotency_key) BETWEEN 1 AND 255),
    request_hash     TEXT        NOT NULL CONSTRAINT api_idempotency_keys_hash_check CHECK (request_hash ~ '^[0-9a-f]{64}$'),
    response_status  SMALLINT    NOT NULL DEFAULT 0,
    response_body    JSONB       NOT NULL DEFAULT 'null',
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, api_key_id, idempotency_key)
);
CREATE INDEX idx_api_idempotency_keys_created ON api_idempotency_keys (created_at);

ALTER TABLE api_idempotency_keys ENABLE ROW LEVEL SECURITY;
ALTER TABLE api_idempotency_keys FORCE ROW LEVEL SECURITY;
CREATE POLICY api_idempotency_keys_tenant_isolation ON api_idempotency_keys FOR ALL
    USING (tenant_id = (SELECT app_current_tenant()))
    WITH CHECK (tenant_id = (SELECT app_current_tenant()));
GRANT SELECT, INSERT, DELETE ON api_idempotency_keys TO sitepilot_app;
GRANT UPDATE (response_status, response_body) ON api_idempotency_keys TO sitepilot_app;

-- Day-old answers are forgotten by the hourly throttle.purge job, across tenants.
CREATE FUNCTION api_idempotency_purge() RETURNS integer
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    WITH gone AS (
        DELETE FROM api_idempotency_keys WHERE created_at < clock_timestamp() - interval '1 day' RETURNING 1)
    SELECT count(*)::integer FROM gone;
$$;
REVOKE ALL ON FUNCTION api_idempotency_purge() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api_idempotency_purge() TO sitepilot_app;

-- b. ------------------------------------------------------------------------------------
ALTER TABLE plans
    ADD COLUMN api_requests_per_minute  INT NOT NULL DEFAULT 60
        CONSTRAINT plans_api_requests_per_minute_check CHECK (api_requests_per_minute > 0),
    ADD COLUMN api_requests_per_hour    INT NOT NULL DEFAULT 1000
        CONSTRAINT plans_api_requests_per_hour_check CHECK (api_requests_per_hour > 0),
    ADD COLUMN heavy_actions_per_minute INT NOT NULL DEFAULT 20
        CONSTRAINT plans_heavy_actions_per_minute_check CHECK (heavy_actions_per_minute > 0),
    ADD COLUMN heavy_actions_per_hour   INT NOT NULL DEFAULT 200
        CONSTRAINT plans_heavy_actions_per_hour_check CHECK (heavy_actions_per_hour > 0);

UPDATE plans SET api_requests_per_minute = 60,  api_requests_per_hour = 1000,
                 heavy_actions_per_minute = 20, heavy_actions_per_hour = 200
 WHERE id = '00000000-0000-0000-0000-000000000001';
UPDATE plans SET api_requests_per_minute = 300, api_requests_per_hour = 10000,
                 heavy_actions_per_minute = 60, heavy_actions_per_hour = 1000
 WHERE id = '00000000-0000-0000-0000-000000000002';
UPDATE plans SET api_requests_per_minute = 1200, api_requests_per_hour = 50000,
                 heavy_actions_per_minute = 120, heavy_actions_per_hour = 5000
 WHERE id = '00000000-0000-0000-0000-000000000003';
