-- 0047: invoice history on the billing page (issue 23 part 6). Every invoice event Stripe sends
-- (`invoice.payment_succeeded`, `invoice.payment_failed`) is kept here, one row per Stripe
-- invoice, updated when a later event about the same invoice arrives. With Stripe keys the
-- billing page lists invoices from the Stripe API itself (it also knows invoices from before the
-- webhook was set up); in local test mode, where the events are simulated, this table is the list.

CREATE TABLE billing_invoices (
    id                  UUID        PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id           UUID        NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    stripe_invoice_id   TEXT        NOT NULL CONSTRAINT billing_invoices_stripe_id_check
                                    CHECK (stripe_invoice_id ~ '^in_[A-Za-z0-9_]{1,250}$'),
    -- Stripe's human number (e.g. "A1B2C3-0001"); drafts have none.
    number              TEXT        CONSTRAINT billing_invoices_number_check CHECK (length(number) <= 100),
    status              TEXT        NOT NULL CONSTRAINT billing_invoices_status_check
                                    CHECK (status IN ('draft', 'open', 'paid', 'uncollectible', 'void')),
    -- Minor units of `currency`.
    amount_due_cents    BIGINT      NOT NULL CONSTRAINT billing_invoices_due_check CHECK (amount_due_cents >= 0),
    amount_paid_cents   BIGINT      NOT NULL CONSTRAINT billing_invoices_paid_check CHECK (amount_paid_cents >= 0),
    currency            TEXT        NOT NULL CONSTRAINT billing_invoices_currency_check CHECK (currency ~ '^[A-Z]{3}$'),
    hosted_invoice_url  TEXT        CONSTRAINT billing_invoices_hosted_check
                                    CHECK (hosted_invoice_url ~ '^https://' AND length(hosted_invoice_url) <= 2000),
    invoice_pdf_url     TEXT        CONSTRAINT billing_invoices_pdf_check
                                    CHECK (invoice_pdf_url ~ '^https://' AND length(invoice_pdf_url) <= 2000),
    period_start        TIMESTAMPTZ,
    period_end          TIMESTAMPTZ,
    -- When Stripe created the invoice; the list's order.
    issued_at           TIMESTAMPTZ NOT NULL,
    updated_at          TIMESTAMPTZ NOT NULL DEFAULT now(),

    CONSTRAINT billing_invoices_stripe_key UNIQUE (tenant_id, stripe_invoice_id)
);
CREATE INDEX idx_billing_invoices_tenant ON billing_invoices (tenant_id, issued_at DESC);

ALTER TABLE billing_invoices ENABLE ROW LEVEL SECURITY;
ALTER TABLE billing_invoices FORCE ROW LEVEL SECURITY;
CREATE POLICY billing_invoices_tenant_isolation ON billing_invoices FOR ALL
    USING (tenant_id = (SELECT app_current_tenant()))
    WITH CHECK (tenant_id = (SELECT app_current_tenant()));
GRANT SELECT, INSERT, UPDATE ON billing_invoices TO sitepilot_app;
