-- 0055: the shop's payment account (Stripe Connect Express, issue 22 "Deliver 3"). A tenant's shop
-- sells through one connected account; Checkout sessions are created on the platform as
-- destination charges to it. The row of `tenants` (RLS: the tenant itself) keeps the account
-- and what Stripe last said about it, so checkout can tell without calling Stripe whether the
-- account can take payments.

ALTER TABLE tenants
    ADD COLUMN stripe_connect_account_id TEXT
        CONSTRAINT tenants_stripe_connect_account_id_check
        CHECK (stripe_connect_account_id ~ '^acct_[A-Za-z0-9]{1,250}$'),
    -- Stripe's `charges_enabled` and `details_submitted` of the account.
    ADD COLUMN stripe_connect_charges_enabled BOOLEAN NOT NULL DEFAULT false,
    ADD COLUMN stripe_connect_details_submitted BOOLEAN NOT NULL DEFAULT false,
    -- Stripe's clock (unix seconds) of the state stored: an older `account.updated` delivered
    -- late does not overwrite a newer state.
    ADD COLUMN stripe_connect_synced_at BIGINT;

CREATE UNIQUE INDEX tenants_stripe_connect_account_id_key ON tenants (stripe_connect_account_id)
    WHERE stripe_connect_account_id IS NOT NULL;
