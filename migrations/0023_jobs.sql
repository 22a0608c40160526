-- 0023: the one durable job queue (issue 18 part 0). Every piece of background work (analytics
-- roll-up, email delivery, DNS checks, image variants, and what later issues add) is a row here,
-- claimed by whichever server instance gets to it first (`FOR UPDATE SKIP LOCKED`), under a
-- lease: a worker that dies mid-job loses its lease and another instance takes the job again.
--
-- Not tenant data in the RLS sense: a worker claims jobs of every tenant before it knows which
-- one a job belongs to. So, like `auth_throttle` (0021), the app role has no privilege on the
-- table; it goes through the SECURITY DEFINER functions below, called only from
-- app/src/db/jobs.rs. A handler that touches tenant rows opens the tenant transaction itself,
-- from the tenant id in the job's payload.
--
-- States: queued -> running -> done | queued (retry, with a later run_at) | dead (gave up:
-- the dead-letter state, listed by `server jobs` for operators, kept 30 days).
CREATE TABLE jobs (
    id              BIGSERIAL   PRIMARY KEY,
    kind            TEXT        NOT NULL CONSTRAINT jobs_kind_check CHECK (kind ~ '^[a-z][a-z0-9_.]{0,63}$'),
    payload         JSONB       NOT NULL DEFAULT '{}'::jsonb,
    -- For operators only (which tenant a dead job concerns); handlers read the payload.
    tenant_id       UUID,
    status          TEXT        NOT NULL DEFAULT 'queued'
                                CONSTRAINT jobs_status_check CHECK (status IN ('queued', 'running', 'done', 'dead')),
    run_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    attempts        INTEGER     NOT NULL DEFAULT 0,
    max_attempts    INTEGER     NOT NULL DEFAULT 8 CONSTRAINT jobs_max_attempts_check CHECK (max_attempts BETWEEN 1 AND 100),
    locked_until    TIMESTAMPTZ,
    locked_by       TEXT,
    -- At most one live (queued or running) job per key: recurring jobs use their kind, "check
    -- this domain" its domain, so double clicks and several instances enqueue once.
    dedupe_key      TEXT        CONSTRAINT jobs_dedupe_key_check CHECK (length(dedupe_key) <= 200),
    last_error      TEXT,
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    finished_at     TIMESTAMPTZ
);
CREATE UNIQUE INDEX jobs_live_dedupe ON jobs (dedupe_key)
    WHERE dedupe_key IS NOT NULL AND status IN ('queued', 'running');
CREATE INDEX jobs_queued_due ON jobs (run_at) WHERE status = 'queued';
CREATE INDEX jobs_running_lease ON jobs (locked_until) WHERE status = 'running';
CREATE INDEX jobs_finished ON jobs (finished_at) WHERE status IN ('done', 'dead');
ALTER TABLE jobs ENABLE ROW LEVEL SECURITY;
ALTER TABLE jobs FORCE ROW LEVEL SECURITY;
REVOKE ALL ON jobs FROM PUBLIC;

-- Queues a job; NULL when a live job with the same dedupe key exists. Runs in the caller's
-- transaction, so a job queued by a tenant write commits (or rolls back) with it. Wakes the
-- workers of every instance (NOTIFY is delivered at commit).
CREATE FUNCTION job_enqueue(p_kind text, p_payload jsonb, p_run_at timestamptz, p_dedupe_key text,
                            p_max_attempts integer, p_tenant_id uuid)
RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    new_id bigint;
BEGIN
    INSERT INTO jobs (kind, payload, run_at, dedupe_key, max_attempts, tenant_id)
    VALUES (p_kind, coalesce(p_payload, '{}'::jsonb), coalesce(p_run_at, now()), p_dedupe_key,
            coalesce(p_max_attempts, 8), p_tenant_id)
    ON CONFLICT (dedupe_key) WHERE dedupe_key IS NOT NULL AND status IN ('queued', 'running')
    DO NOTHING
    RETURNING id INTO new_id;
    IF new_id IS NOT NULL THEN
        PERFORM pg_notify('sitepilot_jobs', p_kind);
    END IF;
    RETURN new_id;
END;
$$;

-- Claims up to p_limit due jobs of the given kinds (and of tenant p_tenant_id only, when it is
-- not NULL: tests run their own tenant's jobs) for p_worker, for p_lease_secs. A running job
-- whose lease ran out (its worker died) is due again; one that had used its last attempt is
-- declared dead instead.
CREATE FUNCTION job_claim(p_kinds text[], p_limit integer, p_lease_secs integer, p_worker text,
                          p_tenant_id uuid)
RETURNS TABLE (id bigint, kind text, payload jsonb, tenant_id uuid, attempts integer, max_attempts integer)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    UPDATE jobs j
       SET status = 'dead', finished_at = now(), updated_at = now(), locked_until = NULL,
           last_error = coalesce(j.last_error || ' / ', '') || 'the worker stopped during the last attempt'
     WHERE j.status = 'running' AND j.locked_until < now() AND j.attempts >= j.max_attempts
       AND j.kind = ANY (p_kinds);
    RETURN QUERY
    WITH due AS (
        SELECT d.id FROM jobs d
         WHERE d.kind = ANY (p_kinds)
           AND (p_tenant_id IS NULL OR d.tenant_id = p_tenant_id)
           AND ((d.status = 'queued' AND d.run_at <= now())
             OR (d.status = 'running' AND d.locked_until < now()))
         ORDER BY d.run_at, d.id
         LIMIT p_limit
         FOR UPDATE SKIP LOCKED
    )
    UPDATE jobs j
       SET status = 'running', attempts = j.attempts + 1, locked_by = p_worker,
           locked_until = clock_timestamp() + make_interval(secs => p_lease_secs), updated_at = now()
      FROM due
     WHERE j.id = due.id
    RETURNING j.id, j.kind, j.payload, j.tenant_id, j.attempts, j.max_attempts;
END;
$$;

-- Ends a claimed job: done (p_error NULL), queued again at p_retry_at, or dead (an error and no
-- retry time). Only the worker holding the lease may end it (FALSE otherwise: the lease was
-- lost and another worker owns the job now). When the job leaves the live states and
-- p_next_run_at is given, the next run of a recurring job is queued in the same transaction.
CREATE FUNCTION job_end(p_id bigint, p_worker text, p_error text, p_retry_at timestamptz,
                        p_next_run_at timestamptz)
RETURNS boolean
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    ended jobs%ROWTYPE;
BEGIN
    UPDATE jobs j
       SET status = CASE WHEN p_error IS NULL THEN 'done'
                         WHEN p_retry_at IS NOT NULL AND j.attempts < j.max_attempts THEN 'queued'
                         ELSE 'dead' END,
           run_at = CASE WHEN p_error IS NOT NULL AND p_retry_at IS NOT NULL AND j.attempts < j.max_attempts
                         THEN p_retry_at ELSE j.run_at END,
           last_error = coalesce(left(p_error, 2000), j.last_error),
           locked_until = NULL, updated_at = now(),
           finished_at = CASE WHEN p_error IS NULL OR p_retry_at IS NULL OR j.attempts >= j.max_attempts
                              THEN now() END
     WHERE j.id = p_id AND j.status = 'running' AND j.locked_by = p_worker
    RETURNING j.* INTO ended;
    IF NOT FOUND THEN
        RETURN false;
    END IF;
    IF ended.status IN ('done', 'dead') AND p_next_run_at IS NOT NULL THEN
        PERFORM job_enqueue(ended.kind, ended.payload, p_next_run_at, ended.dedupe_key,
                            ended.max_attempts, ended.tenant_id);
    END IF;
    RETURN true;
END;
$$;

-- Forgets finished jobs: done ones after 7 days, dead ones after 30 (run by the `jobs.purge`
-- recurring job).
CREATE FUNCTION job_purge() RETURNS integer
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    WITH gone AS (
        DELETE FROM jobs
         WHERE (status = 'done' AND finished_at < now() - interval '7 days')
            OR (status = 'dead' AND finished_at < now() - interval '30 days')
        RETURNING 1)
    SELECT count(*)::integer FROM gone;
$$;

-- For operators (`server jobs`): counts per kind and state, and the dead letters.
CREATE FUNCTION job_overview()
RETURNS TABLE (kind text, status text, jobs bigint, oldest_run_at timestamptz)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT j.kind, j.status, count(*), min(j.run_at) FROM jobs j GROUP BY j.kind, j.status ORDER BY 1, 2;
$$;

CREATE FUNCTION job_dead(p_limit integer)
RETURNS TABLE (id bigint, kind text, tenant_id uuid, attempts integer, last_error text, finished_at timestamptz)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT j.id, j.kind, j.tenant_id, j.attempts, j.last_error, j.finished_at
      FROM jobs j WHERE j.status = 'dead' ORDER BY j.finished_at DESC, j.id DESC LIMIT p_limit;
$$;

-- An operator queues a dead job again, with a fresh set of attempts.
CREATE FUNCTION job_retry(p_id bigint) RETURNS boolean
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    UPDATE jobs SET status = 'queued', attempts = 0, run_at = now(), finished_at = NULL, updated_at = now()
     WHERE id = p_id AND status = 'dead';
    IF FOUND THEN
        PERFORM pg_notify('sitepilot_jobs', 'retry');
    END IF;
    RETURN FOUND;
END;
$$;

COMMENT ON FUNCTION job_claim(text[], integer, integer, text, uuid) IS
    'Cross-tenant by nature: a worker claims the jobs of every tenant before it knows whose they are.';
REVOKE ALL ON FUNCTION job_enqueue(text, jsonb, timestamptz, text, integer, uuid) FROM PUBLIC;
REVOKE ALL ON FUNCTION job_claim(text[], integer, integer, text, uuid) FROM PUBLIC;
REVOKE ALL ON FUNCTION job_end(bigint, text, text, timestamptz, timestamptz) FROM PUBLIC;
REVOKE ALL ON FUNCTION job_purge() FROM PUBLIC;
REVOKE ALL ON FUNCTION job_overview() FROM PUBLIC;
REVOKE ALL ON FUNCTION job_dead(integer) FROM PUBLIC;
REVOKE ALL ON FUNCTION job_retry(bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION job_enqueue(text, jsonb, timestamptz, text, integer, uuid) TO sitepilot_app;
GRANT EXECUTE ON FUNCTION job_claim(text[], integer, integer, text, uuid) TO sitepilot_app;
GRANT EXECUTE ON FUNCTION job_end(bigint, text, text, timestamptz, timestamptz) TO sitepilot_app;
GRANT EXECUTE ON FUNCTION job_purge() TO sitepilot_app;
GRANT EXECUTE ON FUNCTION job_overview() TO sitepilot_app;
GRANT EXECUTE ON FUNCTION job_dead(integer) TO sitepilot_app;
GRANT EXECUTE ON FUNCTION job_retry(bigint) TO sitepilot_app;
