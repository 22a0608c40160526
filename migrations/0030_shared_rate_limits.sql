-- 0030: the visitor-side limits share their counters across server instances (issue 15).
-- Page-password attempts and contact-form submissions count through auth_throttle_hit (0021),
-- one row per address and page or website. Beacon events are too many for a round trip each:
-- every instance counts them in memory and adds its counts here in one statement a second
-- (throttle_add), learning the totals of all instances back. Windows older than a day are
-- purged by the `throttle.purge` job (0023's queue) as well as by each log-in hit.

-- Adds p_counts[i] hits to p_keys[i] (keys unique, sorted by the caller so that concurrent
-- batches lock rows in the same order) and returns every key's hits in its current window.
CREATE FUNCTION throttle_add(p_keys text[], p_counts integer[], p_window_secs integer)
RETURNS TABLE (key text, hits integer)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    w interval := make_interval(secs => p_window_secs);
BEGIN
    RETURN QUERY
    INSERT INTO auth_throttle AS t (key, window_start, hits)
    SELECT u.k, clock_timestamp(), u.c
      FROM unnest(p_keys, p_counts) WITH ORDINALITY AS u(k, c, n)
     ORDER BY u.n
    ON CONFLICT ON CONSTRAINT auth_throttle_pkey DO UPDATE SET
        hits = CASE WHEN t.window_start + w <= clock_timestamp() THEN EXCLUDED.hits
                    ELSE t.hits + EXCLUDED.hits END,
        window_start = CASE WHEN t.window_start + w <= clock_timestamp()
                            THEN clock_timestamp() ELSE t.window_start END
    RETURNING t.key, t.hits;
END;
$$;

CREATE FUNCTION throttle_purge() RETURNS integer
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    WITH gone AS (
        DELETE FROM auth_throttle WHERE window_start < clock_timestamp() - interval '1 day' RETURNING 1)
    SELECT count(*)::integer FROM gone;
$$;

COMMENT ON FUNCTION throttle_add(text[], integer[], integer) IS
    'Cross-tenant by nature: counts visitor events per client address or site before any tenant is known.';
REVOKE ALL ON FUNCTION throttle_add(text[], integer[], integer) FROM PUBLIC;
REVOKE ALL ON FUNCTION throttle_purge() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION throttle_add(text[], integer[], integer) TO sitepilot_app;
GRANT EXECUTE ON FUNCTION throttle_purge() TO sitepilot_app;
