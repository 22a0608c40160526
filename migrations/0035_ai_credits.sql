-- 0035: the AI credit ledger (issue 19; the tenant/ledger seed's `CreditTransaction`), and what
-- `ai_usage_log` needs to tie a call to its credits and model.
--
-- The balance is the sum of a tenant's rows; nothing is ever updated or deleted (the app role may
-- only read and insert). Kinds:
--   monthly_grant  +plans.ai_credits_per_month, once per billing period (`period_start`, unique);
--   top_up         +n, bought credits (Stripe test-mode top-ups);
--   usage          -cost of one AI action, written when the action starts (the reservation);
--   refund         +cost of a usage row whose action failed (at most one per usage row).
-- A reservation locks the tenant row, tops up the period's grant if missing, sums and inserts
-- in one transaction, so concurrent actions can never spend the same credit twice.

CREATE TABLE credit_transactions (
    id              UUID        PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id       UUID        NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    kind            TEXT        NOT NULL
                    CONSTRAINT credit_transactions_kind_check
                    CHECK (kind IN ('monthly_grant', 'top_up', 'usage', 'refund')),
    amount          INTEGER     NOT NULL,
    action          TEXT
                    CONSTRAINT credit_transactions_action_check
                    CHECK (action IN ('generate_layout', 'suggest_copy', 'seo_optimize',
                                      'regenerate_section', 'suggest_color_palette', 'generate_page')),
    user_id         UUID,
    -- For a refund: the usage row it reverses.
    usage_id        UUID        REFERENCES credit_transactions (id),
    -- For a monthly grant: the start of the billing period it belongs to.
    period_start    TIMESTAMPTZ,
    note            TEXT        CONSTRAINT credit_transactions_note_check CHECK (length(note) <= 200),
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),

    -- Credits in are positive, credits out negative; a row of zero means nothing.
    CONSTRAINT credit_transactions_sign_check CHECK (
        CASE kind WHEN 'usage' THEN amount < 0 ELSE amount > 0 END),
    CONSTRAINT credit_transactions_grant_period_check CHECK (
        (kind = 'monthly_grant') = (period_start IS NOT NULL)),
    CONSTRAINT credit_transactions_refund_usage_check CHECK (
        (kind = 'refund') = (usage_id IS NOT NULL)),
    CONSTRAINT credit_transactions_usage_action_check CHECK (
        kind NOT IN ('usage', 'refund') OR action IS NOT NULL),
    CONSTRAINT credit_transactions_user_fkey FOREIGN KEY (tenant_id, user_id)
        REFERENCES users (tenant_id, id) ON DELETE SET NULL (user_id)
);

-- One grant per billing period, one refund per usage row: retries and races cannot double them.
CREATE UNIQUE INDEX credit_transactions_grant_once
    ON credit_transactions (tenant_id, period_start) WHERE kind = 'monthly_grant';
CREATE UNIQUE INDEX credit_transactions_refund_once
    ON credit_transactions (usage_id) WHERE kind = 'refund';
CREATE INDEX idx_credit_transactions_tenant ON credit_transactions (tenant_id, created_at DESC);

ALTER TABLE credit_transactions ENABLE ROW LEVEL SECURITY;
ALTER TABLE credit_transactions FORCE ROW LEVEL SECURITY;
CREATE POLICY credit_transactions_tenant_isolation ON credit_transactions FOR ALL
    USING (tenant_id = (SELECT app_current_tenant()))
    WITH CHECK (tenant_id = (SELECT app_current_tenant()));

-- Append-only for the app.
GRANT SELECT, INSERT ON credit_transactions TO sitepilot_app;

-- Which model answered and how many credits the call cost.
ALTER TABLE ai_usage_log
    ADD COLUMN model   TEXT    CONSTRAINT ai_usage_log_model_check CHECK (length(model) <= 100),
    ADD COLUMN credits INTEGER NOT NULL DEFAULT 0;
