-- 0012: Stripe webhooks (seed §6, Flow 5). Webhooks are not tenant requests: the tenant
-- is only known once the event's Stripe customer is resolved, and the idempotency log is
-- global. The app role therefore gets three narrow SECURITY DEFINER functions (same
-- hardening as 0008) and NO direct access to stripe_events; once the tenant is known the
-- handler sets app.current_tenant_id and changes tenants/subscriptions under RLS as usual.

-- One row per Stripe event id ever received. Written in the same transaction as the
-- event's side effects, so "recorded" and "applied" cannot diverge; a replay finds the row
-- and changes nothing.
CREATE TABLE stripe_events (
    id                      TEXT        PRIMARY KEY,
    type                    TEXT        NOT NULL,
    -- The event's own `created` (Stripe clock), not our receipt time.
    stripe_created_at       TIMESTAMPTZ NOT NULL,
    tenant_id               UUID        REFERENCES tenants (id) ON DELETE SET NULL,
    -- applied | stale | ignored_type | no_tenant | other_subscription | no_subscription
    outcome                 TEXT,
    received_at             TIMESTAMPTZ NOT NULL DEFAULT now(),
    processed_at            TIMESTAMPTZ
);

-- Fail closed: no policy, no grant. Only the functions below touch it.
ALTER TABLE stripe_events ENABLE ROW LEVEL SECURITY;
ALTER TABLE stripe_events FORCE ROW LEVEL SECURITY;

-- Out-of-order delivery: `created` of the last Stripe event applied to this row. An event
-- older than this is recorded but not applied.
ALTER TABLE subscriptions ADD COLUMN stripe_event_at TIMESTAMPTZ;

-- a. Claims an event id. TRUE = first time seen (the caller applies it in this same
--    transaction); FALSE = already recorded. A concurrent second delivery blocks on the
--    primary key until the first transaction ends, then sees FALSE (or TRUE if the first
--    rolled back), so an event is applied at most once.
CREATE FUNCTION stripe_event_claim(p_id text, p_type text, p_created timestamptz)
RETURNS boolean
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    INSERT INTO stripe_events (id, type, stripe_created_at)
    VALUES (p_id, p_type, p_created)
    ON CONFLICT (id) DO NOTHING;
    RETURN FOUND;
END
$$;
COMMENT ON FUNCTION stripe_event_claim(text, text, timestamptz) IS
    'Global by nature: Stripe event ids are not scoped to a tenant.';

-- b. Records how a claimed event was handled.
CREATE FUNCTION stripe_event_finish(p_id text, p_tenant uuid, p_outcome text)
RETURNS void
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    UPDATE stripe_events
       SET tenant_id = p_tenant, outcome = p_outcome, processed_at = now()
     WHERE id = p_id AND processed_at IS NULL;
$$;
COMMENT ON FUNCTION stripe_event_finish(text, uuid, text) IS
    'Global by nature: Stripe event ids are not scoped to a tenant.';

-- c. Stripe customer -> tenant. The customer id is the key (tenants.stripe_customer_id,
--    seed §21). A tenant not linked yet may be named by the subscription's
--    metadata.tenant_id, which only our own checkout sets (the event is Stripe-signed).
CREATE FUNCTION billing_tenant_for_customer(p_customer text, p_tenant uuid)
RETURNS uuid
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT coalesce(
        (SELECT id FROM tenants WHERE stripe_customer_id = p_customer),
        (SELECT id FROM tenants WHERE id = p_tenant AND stripe_customer_id IS NULL)
    );
$$;
COMMENT ON FUNCTION billing_tenant_for_customer(text, uuid) IS
    'Cross-tenant by necessity: a Stripe webhook names a customer, not a tenant.';

REVOKE ALL ON FUNCTION stripe_event_claim(text, text, timestamptz)  FROM PUBLIC;
REVOKE ALL ON FUNCTION stripe_event_finish(text, uuid, text)        FROM PUBLIC;
REVOKE ALL ON FUNCTION billing_tenant_for_customer(text, uuid)      FROM PUBLIC;
GRANT EXECUTE ON FUNCTION stripe_event_claim(text, text, timestamptz) TO sitepilot_app;
GRANT EXECUTE ON FUNCTION stripe_event_finish(text, uuid, text)       TO sitepilot_app;
GRANT EXECUTE ON FUNCTION billing_tenant_for_customer(text, uuid)     TO sitepilot_app;
