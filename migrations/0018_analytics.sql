-- 0018: cookieless visitor analytics (issue 4, seed §14).
--
-- Visitor ids are sha256(daily salt, site, IP, user agent), computed by the server. The salt is
-- random per UTC day and deleted after two days, so yesterday's ids cannot be linked to today's
-- and nobody (us included) can recompute an id from an IP later. No cookie is ever set.
--
-- raw_page_events (tenant-scoped, RLS) are rolled up per website and UTC day into usage_metrics
-- by analytics_rollup (UPSERT, so re-running a day is harmless) and purged after 7 days.

CREATE TABLE analytics_salts (
    day   DATE  PRIMARY KEY,
    salt  BYTEA NOT NULL DEFAULT gen_random_bytes(32)
);
-- Global and secret: the app role gets no privileges; it reads the salt through the function below.
ALTER TABLE analytics_salts ENABLE ROW LEVEL SECURITY;
ALTER TABLE analytics_salts FORCE ROW LEVEL SECURITY;

-- Today's salt (UTC), created on first use; older than yesterday is forgotten.
CREATE FUNCTION analytics_daily_salt() RETURNS bytea
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    today date := (now() AT TIME ZONE 'UTC')::date;
    result bytea;
BEGIN
    DELETE FROM analytics_salts WHERE day < today - 1;
    INSERT INTO analytics_salts (day) VALUES (today) ON CONFLICT (day) DO NOTHING;
    SELECT salt INTO result FROM analytics_salts WHERE day = today;
    RETURN result;
END
$$;
COMMENT ON FUNCTION analytics_daily_salt() IS
    'Global by necessity: one salt per day for every site; the salt itself never leaves the server.';

-- Aggregates one UTC day of raw events into usage_metrics. SECURITY INVOKER: called by the app
-- role inside a tenant transaction it sees (and writes) only that tenant's rows, through RLS;
-- called from analytics_rollup_all it runs as the owner and covers every tenant.
-- Sessions: a visitor's views with gaps under 30 minutes. Bounce rate: single-view sessions.
CREATE FUNCTION analytics_rollup(p_day date) RETURNS integer
LANGUAGE sql VOLATILE SECURITY INVOKER SET search_path = public, pg_temp AS $$
    WITH ev AS (
        SELECT e.tenant_id, e.website_id, e.page_slug, e.visitor_id, e.referrer, e.device, e.created_at,
               CASE WHEN lag(e.created_at) OVER w IS NULL
                      OR e.created_at - lag(e.created_at) OVER w > interval '30 minutes'
                    THEN 1 ELSE 0 END AS starts_session
          FROM raw_page_events e
         WHERE e.created_at >= (p_day::timestamp AT TIME ZONE 'UTC')
           AND e.created_at <  ((p_day + 1)::timestamp AT TIME ZONE 'UTC')
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
    referrers AS (
        SELECT website_id, jsonb_object_agg(source, views) AS breakdown
          FROM (SELECT website_id, COALESCE(NULLIF(referrer, ''), 'direct') AS source, count(*) AS views
                  FROM ev GROUP BY 1, 2) r
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

-- The background job: roll up a day for every tenant, then purge raw events older than 7 days.
CREATE FUNCTION analytics_rollup_all(p_day date) RETURNS integer
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    n integer;
BEGIN
    n := analytics_rollup(p_day);
    DELETE FROM raw_page_events WHERE created_at < now() - interval '7 days';
    RETURN n;
END
$$;
COMMENT ON FUNCTION analytics_rollup_all(date) IS
    'Cross-tenant by necessity: the daily aggregation job runs for every site at once.';

CREATE INDEX idx_raw_page_events_created ON raw_page_events (created_at);

REVOKE ALL ON FUNCTION analytics_daily_salt()       FROM PUBLIC;
REVOKE ALL ON FUNCTION analytics_rollup(date)       FROM PUBLIC;
REVOKE ALL ON FUNCTION analytics_rollup_all(date)   FROM PUBLIC;
GRANT EXECUTE ON FUNCTION analytics_daily_salt()     TO sitepilot_app;
GRANT EXECUTE ON FUNCTION analytics_rollup(date)     TO sitepilot_app;
GRANT EXECUTE ON FUNCTION analytics_rollup_all(date) TO sitepilot_app;
