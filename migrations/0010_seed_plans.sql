-- 0010: the three plans (seed §24). Fixed UUIDs so code, tests and Stripe
-- configuration can refer to them; Stripe price ids are filled in per environment.
INSERT INTO plans (
    id, name, slug, description,
    max_websites, max_pages_per_site, storage_limit_mb, ai_credits_per_month,
    custom_domain_allowed, version_history_limit, collaboration_enabled,
    max_collaborators, analytics_enabled, priority_support,
    price_monthly_cents, price_yearly_cents,
    display_order, badge_text
) VALUES
(
    '00000000-0000-0000-0000-000000000001',
    'Starter', 'starter', 'Perfect for getting started — completely free.',
    1, 5, 100, 10,
    false, 5, false,
    1, false, false,
    0, 0,
    1, NULL
),
(
    '00000000-0000-0000-0000-000000000002',
    'Growth', 'growth', 'For growing businesses that need more power.',
    3, 20, 500, 50,
    true, 20, true,
    5, true, false,
    1900, 19000,
    2, 'Most Popular'
),
(
    '00000000-0000-0000-0000-000000000003',
    'Pro', 'pro', 'Maximum power for professional teams.',
    10, 100, 2000, 200,
    true, 50, true,
    20, true, true,
    4900, 49000,
    3, 'Best Value'
);
