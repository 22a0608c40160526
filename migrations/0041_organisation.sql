-- 0041: organisation settings (issue 23 part 2 and 4).
-- a. Analytics days follow the tenant's timezone (`tenants.timezone`, an IANA name checked
--    against pg_timezone_names by the app): an event belongs to the day of its local time in
--    the tenant's zone. The first filter (a day either side in UTC) keeps the created_at index
--    usable; the second picks the local day. Same function otherwise (0022); CREATE OR REPLACE
--    keeps its grants. Analytics older than the raw events' seven days keep the bucketing they
--    were rolled up with.
-- b. Ownership transfer: a token purpose for the emailed confirmation link, and who asked
--    (the transfer only goes through while that member is still the owner). One owner per
--    tenant stays the unique index users_one_owner_per_tenant (0005).

-- a. -------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION analytics_rollup(p_day date) RETURNS integer
LANGUAGE sql VOLATILE SECURITY INVOKER SET search_path = public, pg_temp AS $$
    WITH ev AS (
        SELECT e.tenant_id, e.website_id, e.page_slug, e.visitor_id, e.referrer, e.device, e.created_at,
               CASE WHEN lag(e.created_at) OVER w IS NULL
                      OR e.created_at - lag(e.created_at) OVER w > interval '30 minutes'
                    THEN 1 ELSE 0 END AS starts_session
          FROM raw_page_events e
          JOIN tenants t ON t.id = e.tenant_id
         WHERE e.created_at >= ((p_day - 1)::timestamp AT TIME ZONE 'UTC')
           AND e.created_at <  ((p_day + 2)::timestamp AT TIME ZONE 'UTC')
           AND (e.created_at AT TIME ZONE t.timezone)::date = p_day
        WINDOW w AS (PARTITION BY e.website_id, e.visitor_id ORDER BY e.created_at)
    ),
    numbered AS (
        SELECT ev.*, sum(starts_session) OVER (PARTITION BY website_id, visitor_id ORDER BY created_at) AS session_no
          FROM ev
    ),
    sessions AS (
        SELECT website_id, count(*) AS views FROM numbered GROUP BY website_id, visitor_id, session_no
    ),
    session_stats AS (
        SELECT website_id, count(*) AS sessions,
               round(100.0 * count(*) FILTER (WHERE views = 1) / count(*), 2) AS bounce_rate
          FROM sessions GROUP BY website_id
    ),
    totals AS (
        SELECT tenant_id, website_id, count(*) AS page_views, count(DISTINCT visitor_id) AS unique_visitors
          FROM ev GROUP BY tenant_id, website_id
    ),
    pages AS (
        SELECT website_id, jsonb_agg(jsonb_build_object('slug', page_slug, 'views', views) ORDER BY views DESC, page_slug) AS top_pages
          FROM (SELECT website_id, page_slug, count(*) AS views,
                       row_number() OVER (PARTITION BY website_id ORDER BY count(*) DESC, page_slug) AS rank
                  FROM ev GROUP BY website_id, page_slug) p
         WHERE rank <= 20
         GROUP BY website_id
    ),
    referrer_counts AS (
        SELECT website_id, COALESCE(NULLIF(referrer, ''), 'direct') AS source, count(*) AS views,
               row_number() OVER (PARTITION BY website_id
                                  ORDER BY count(*) DESC, COALESCE(NULLIF(referrer, ''), 'direct')) AS rank
          FROM ev GROUP BY 1, 2
    ),
    referrers AS (
        SELECT website_id, jsonb_object_agg(source, views) AS breakdown
          FROM (SELECT website_id, CASE WHEN rank <= 20 THEN source ELSE 'other' END AS source,
                       sum(views)::bigint AS views
                  FROM referrer_counts GROUP BY 1, 2) r
         GROUP BY website_id
    ),
    devices AS (
        SELECT website_id, jsonb_object_agg(kind, views) AS breakdown
          FROM (SELECT website_id, COALESCE(device, 'desktop') AS kind, count(*) AS views FROM ev GROUP BY 1, 2) d
         GROUP BY website_id
    ),
    upserted AS (
        INSERT INTO usage_metrics (tenant_id, website_id, date, page_views, unique_visitors, sessions,
                                   bounce_rate, top_pages, referrer_breakdown, device_breakdown)
        SELECT t.tenant_id, t.website_id, p_day, t.page_views, t.unique_visitors, s.sessions,
               s.bounce_rate, COALESCE(p.top_pages, '[]'), COALESCE(r.breakdown, '{}'), COALESCE(d.breakdown, '{}')
          FROM totals t
          JOIN session_stats s ON s.website_id = t.website_id
          LEFT JOIN pages p ON p.website_id = t.website_id
          LEFT JOIN referrers r ON r.website_id = t.website_id
          LEFT JOIN devices d ON d.website_id = t.website_id
        ON CONFLICT (website_id, date) DO UPDATE SET
            page_views = EXCLUDED.page_views,
            unique_visitors = EXCLUDED.unique_visitors,
            sessions = EXCLUDED.sessions,
            bounce_rate = EXCLUDED.bounce_rate,
            top_pages = EXCLUDED.top_pages,
            referrer_breakdown = EXCLUDED.referrer_breakdown,
            device_breakdown = EXCLUDED.device_breakdown
        RETURNING 1
    )
    SELECT count(*)::integer FROM upserted;
$$;

-- b. -------------------------------------------------------------------------------------
ALTER TABLE user_tokens DROP CONSTRAINT user_tokens_purpose_check;
ALTER TABLE user_tokens ADD CONSTRAINT user_tokens_purpose_check
    CHECK (purpose IN ('password_reset', 'email_verification', 'ownership_transfer'));
ALTER TABLE user_tokens ADD COLUMN issued_by UUID;
ALTER TABLE email_outbox DROP CONSTRAINT email_outbox_kind_check;
ALTER TABLE email_outbox ADD CONSTRAINT email_outbox_kind_check CHECK (kind IN (
    'invitation', 'password_reset', 'email_verification', 'form_submission',
    'billing_notice', 'domain_notice', 'webhook_notice', 'ownership_transfer'));
