-- 0014: owners' billing (issue 5).
--
-- a. Test-mode Stripe price ids. Local test mode (no STRIPE_SECRET_KEY, never in production)
--    builds Stripe-shaped events with these prices and sends them through the real webhook
--    handler, which maps price -> plan through these columns like any other price. A real
--    deployment overwrites them with its live price ids; only NULL columns are filled here.
UPDATE plans SET stripe_monthly_price_id = 'price_test_' || slug || '_monthly'
 WHERE stripe_monthly_price_id IS NULL AND price_monthly_cents > 0;
UPDATE plans SET stripe_yearly_price_id = 'price_test_' || slug || '_yearly'
 WHERE stripe_yearly_price_id IS NULL AND price_yearly_cents > 0;

-- b. The websites the owner chose to keep when a downgrade lowers max_websites. Stored before
--    the plan change (the owner picks on the billing page) and applied, then cleared, when the
--    subscription webhook lands; websites not chosen are archived, never deleted.
ALTER TABLE tenants ADD COLUMN billing_keep_website_ids UUID[] NOT NULL DEFAULT '{}';
