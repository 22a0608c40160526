-- 0048: the shop on the analytics page (issue 22 part 6): revenue and paid orders per day come
-- straight from `website_orders`; conversion needs product page views, which the daily rollup
-- now keeps per website and day. Product pages (`/products/{slug}`) carry the beacon and are
-- counted as page views too; this column counts them apart.

ALTER TABLE usage_metrics ADD COLUMN product_views INTEGER NOT NULL DEFAULT 0
    CONSTRAINT usage_metrics_product_views_check CHECK (product_views >= 0);

-- Runs after analytics_rollup(p_day) for the same day (which created the rows): as the invoker
-- inside a tenant transaction it sees only that tenant's events, like analytics_rollup.
CREATE FUNCTION analytics_product_rollup(p_day date) RETURNS integer
LANGUAGE sql VOLATILE SECURITY INVOKER SET search_path = public, pg_temp AS $$
    WITH counts AS (
        SELECT e.website_id, count(*) AS views
          FROM raw_page_events e
          JOIN tenants t ON t.id = e.tenant_id
         WHERE e.created_at >= ((p_day - 1)::timestamp AT TIME ZONE 'UTC')
           AND e.created_at <  ((p_day + 2)::timestamp AT TIME ZONE 'UTC')
           AND (e.created_at AT TIME ZONE t.timezone)::date = p_day
           AND e.page_slug LIKE '/products/%'
         GROUP BY e.website_id
    ),
    updated AS (
        UPDATE usage_metrics m SET product_views = c.views
          FROM counts c
         WHERE m.website_id = c.website_id AND m.date = p_day
        RETURNING 1
    )
    SELECT count(*)::integer FROM updated;
$$;

-- The daily job: every tenant's day, product views included, then the raw events' purge.
CREATE OR REPLACE FUNCTION analytics_rollup_all(p_day date) RETURNS integer
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    n integer;
BEGIN
    n := analytics_rollup(p_day);
    PERFORM analytics_product_rollup(p_day);
    DELETE FROM raw_page_events WHERE created_at < now() - interval '7 days';
    RETURN n;
END
$$;

REVOKE ALL ON FUNCTION analytics_product_rollup(date) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION analytics_product_rollup(date) TO sitepilot_app;
