-- 0033: outgoing webhooks and API keys (issue 21 parts 4 and 1).
--
-- a. website_webhooks / website_webhook_deliveries (Website Module seed 004), adapted to this
--    schema: UUID ids, the tenant column with composite foreign keys and RLS like every tenant
--    table. One endpoint subscribes to several events (`events`, checked against the app's list
--    `app::model::WEBHOOK_EVENTS`; the database checks only their shape, so a new event such as
--    `order.created` needs no migration). The secret signs every delivery (HMAC-SHA256), so it
--    is kept as is and shown to the owner and admins. An endpoint that keeps failing is disabled
--    (`is_active = false`, with when and why).
--
--    A delivery row is written in the same transaction as the event it reports (an outbox), with
--    the exact body that will be signed and sent; its `webhooks.deliver` job is queued in that
--    transaction too, so a crash between the event and the send loses nothing. The row records
--    each attempt: status, HTTP code, duration and the start of the answer (the deliveries log).
--
-- b. api_keys (Aether seed 001), adapted: keys belong to the tenant and to the member who
--    created them (deleting the member deletes the keys), carry scopes instead of the seed's
--    permission object, and record the last use (time and address). Only the SHA-256 of the key
--    (a 256-bit random secret, so no slow hash is needed) and a short visible prefix are stored.
--    A bearer key is what identifies the tenant of an API request, so the lookup by hash is a
--    SECURITY DEFINER function like the session lookup; everything after it runs in the tenant's
--    transaction under RLS.
--
-- c. email_outbox gains the kind `webhook_notice` (an endpoint was disabled).

-- a. -------------------------------------------------------------------------------------
CREATE TABLE website_webhooks (
    id                    UUID        PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id             UUID        NOT NULL,
    website_id            UUID        NOT NULL,
    url                   TEXT        NOT NULL CONSTRAINT website_webhooks_url_check
                                      CHECK (length(url) <= 2048 AND url ~ '^https?://'),
    events                TEXT[]      NOT NULL CONSTRAINT website_webhooks_events_check
                                      CHECK (cardinality(events) BETWEEN 1 AND 32
                                             AND array_to_string(events, ',') ~ '^[a-z_]+\.[a-z_]+(,[a-z_]+\.[a-z_]+)*$'),
    secret                TEXT        NOT NULL CONSTRAINT website_webhooks_secret_check
                                      CHECK (secret ~ '^whsec_[0-9a-f]{64}$'),
    is_active             BOOLEAN     NOT NULL DEFAULT true,
    disabled_at           TIMESTAMPTZ,
    disabled_reason       TEXT,
    -- Failed attempts in a row (any delivery); a success resets it.
    consecutive_failures  INTEGER     NOT NULL DEFAULT 0,
    created_by            UUID,
    created_at            TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at            TIMESTAMPTZ NOT NULL DEFAULT now(),

    CONSTRAINT website_webhooks_tenant_id_key UNIQUE (tenant_id, id),
    CONSTRAINT website_webhooks_website_fkey FOREIGN KEY (tenant_id, website_id)
        REFERENCES websites (tenant_id, id) ON DELETE CASCADE,
    CONSTRAINT website_webhooks_created_by_fkey FOREIGN KEY (tenant_id, created_by)
        REFERENCES users (tenant_id, id) ON DELETE SET NULL (created_by)
);
CREATE INDEX idx_website_webhooks_website ON website_webhooks (website_id) WHERE is_active;

CREATE TABLE website_webhook_deliveries (
    -- The delivery id the receiver sees (`SitePilot-Delivery`): unique per attempt series.
    id                UUID        PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id         UUID        NOT NULL,
    website_id        UUID        NOT NULL,
    webhook_id        UUID        NOT NULL,
    event             TEXT        NOT NULL CONSTRAINT website_webhook_deliveries_event_check
                                  CHECK (event ~ '^[a-z_]+\.[a-z_]+$'),
    -- The event's id (the body's `id`): shared by the deliveries of one event to several
    -- endpoints and by a resend, so receivers can de-duplicate.
    event_id          UUID        NOT NULL,
    -- What the event is about (a page for `page.updated`): quick edits of one page fold into
    -- the one delivery still waiting to be sent.
    subject_id        UUID,
    -- The exact bytes signed and sent.
    payload           TEXT        NOT NULL,
    status            TEXT        NOT NULL DEFAULT 'pending'
                      CONSTRAINT website_webhook_deliveries_status_check
                      CHECK (status IN ('pending', 'succeeded', 'failed', 'cancelled')),
    attempts          INTEGER     NOT NULL DEFAULT 0,
    response_status   INTEGER,
    response_excerpt  TEXT        CONSTRAINT website_webhook_deliveries_excerpt_check
                                  CHECK (length(response_excerpt) <= 1024),
    duration_ms       INTEGER,
    error             TEXT,
    created_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
    last_attempt_at   TIMESTAMPTZ,
    next_attempt_at   TIMESTAMPTZ,
    delivered_at      TIMESTAMPTZ,

    CONSTRAINT website_webhook_deliveries_webhook_fkey FOREIGN KEY (tenant_id, webhook_id)
        REFERENCES website_webhooks (tenant_id, id) ON DELETE CASCADE,
    CONSTRAINT website_webhook_deliveries_website_fkey FOREIGN KEY (tenant_id, website_id)
        REFERENCES websites (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX idx_webhook_deliveries_website ON website_webhook_deliveries (website_id, created_at DESC);
CREATE INDEX idx_webhook_deliveries_unsent ON website_webhook_deliveries (webhook_id, event, subject_id)
    WHERE status = 'pending' AND last_attempt_at IS NULL;

ALTER TABLE website_webhooks ENABLE ROW LEVEL SECURITY;
ALTER TABLE website_webhooks FORCE ROW LEVEL SECURITY;
CREATE POLICY website_webhooks_tenant_isolation ON website_webhooks FOR ALL
    USING (tenant_id = (SELECT app_current_tenant()))
    WITH CHECK (tenant_id = (SELECT app_current_tenant()));
ALTER TABLE website_webhook_deliveries ENABLE ROW LEVEL SECURITY;
ALTER TABLE website_webhook_deliveries FORCE ROW LEVEL SECURITY;
CREATE POLICY website_webhook_deliveries_tenant_isolation ON website_webhook_deliveries FOR ALL
    USING (tenant_id = (SELECT app_current_tenant()))
    WITH CHECK (tenant_id = (SELECT app_current_tenant()));
GRANT SELECT, INSERT, UPDATE, DELETE ON website_webhooks TO sitepilot_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON website_webhook_deliveries TO sitepilot_app;

-- b. -------------------------------------------------------------------------------------
CREATE TABLE api_keys (
    id            UUID        PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id     UUID        NOT NULL,
    created_by    UUID        NOT NULL,
    name          TEXT        NOT NULL CONSTRAINT api_keys_name_check
                              CHECK (length(btrim(name)) BETWEEN 1 AND 100),
    key_hash      TEXT        NOT NULL CONSTRAINT api_keys_hash_check CHECK (key_hash ~ '^[0-9a-f]{64}$'),
    -- `sp_live_` and the first characters of the secret: enough to recognise a key.
    key_prefix    TEXT        NOT NULL CONSTRAINT api_keys_prefix_check CHECK (length(key_prefix) <= 20),
    scopes        TEXT[]      NOT NULL CONSTRAINT api_keys_scopes_check
                              CHECK (cardinality(scopes) BETWEEN 1 AND 16
                                     AND array_to_string(scopes, ',') ~ '^[a-z_]+(,[a-z_]+)*$'),
    expires_at    TIMESTAMPTZ,
    last_used_at  TIMESTAMPTZ,
    last_used_ip  INET,
    revoked_at    TIMESTAMPTZ,
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now(),

    CONSTRAINT api_keys_hash_key UNIQUE (key_hash),
    CONSTRAINT api_keys_created_by_fkey FOREIGN KEY (tenant_id, created_by)
        REFERENCES users (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX idx_api_keys_tenant ON api_keys (tenant_id, created_at DESC);

ALTER TABLE api_keys ENABLE ROW LEVEL SECURITY;
ALTER TABLE api_keys FORCE ROW LEVEL SECURITY;
CREATE POLICY api_keys_tenant_isolation ON api_keys FOR ALL
    USING (tenant_id = (SELECT app_current_tenant()))
    WITH CHECK (tenant_id = (SELECT app_current_tenant()));
-- Keys are revoked, never edited otherwise; the hash never changes.
GRANT SELECT, INSERT, DELETE ON api_keys TO sitepilot_app;
GRANT UPDATE (last_used_at, last_used_ip, revoked_at) ON api_keys TO sitepilot_app;

-- The key in the Authorization header is all an API request carries: its hash names the
-- tenant. Returns the key's tenant and state with its creator's current role, so the app can
-- refuse revoked, expired and orphaned keys and cap the scopes at the creator's role.
CREATE FUNCTION api_key_lookup(p_hash text)
RETURNS TABLE (key_id uuid, tenant_id uuid, created_by uuid, scopes text[], expires_at timestamptz,
               revoked_at timestamptz, creator_role text, creator_active boolean, tenant_status text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT k.id, k.tenant_id, k.created_by, k.scopes, k.expires_at, k.revoked_at,
           u.role, u.is_active, t.status
      FROM api_keys k
      JOIN users u   ON u.tenant_id = k.tenant_id AND u.id = k.created_by
      JOIN tenants t ON t.id = k.tenant_id
     WHERE k.key_hash = p_hash;
$$;
COMMENT ON FUNCTION api_key_lookup(text) IS
    'Cross-tenant by necessity: the bearer key is what identifies the tenant of an API request.';
REVOKE ALL ON FUNCTION api_key_lookup(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api_key_lookup(text) TO sitepilot_app;

-- c. -------------------------------------------------------------------------------------
ALTER TABLE email_outbox DROP CONSTRAINT email_outbox_kind_check;
ALTER TABLE email_outbox ADD CONSTRAINT email_outbox_kind_check CHECK (kind IN (
    'invitation', 'password_reset', 'email_verification', 'form_submission',
    'billing_notice', 'domain_notice', 'webhook_notice'));
