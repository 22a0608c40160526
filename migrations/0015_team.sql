-- 0015: team invitations, the email outbox and the invite-link lookup (issue 6).

-- a. One PENDING invitation per (tenant, email). The seed's UNIQUE (tenant_id, email)
--    also blocked inviting someone again after a revoked or expired invitation; a
--    partial unique index keeps the rule the seed states ("cannot send two pending
--    invitations") without that side effect. lower(): emails compare case-insensitively.
ALTER TABLE team_invitations DROP CONSTRAINT team_invitations_tenant_id_email_key;
CREATE UNIQUE INDEX team_invitations_pending_email_key
    ON team_invitations (tenant_id, lower(email)) WHERE status = 'pending';
CREATE INDEX idx_team_invitations_tenant ON team_invitations (tenant_id, created_at DESC);

-- b. Outgoing email. There is no SMTP relay configured, so every email the app would
--    send is stored here instead of being dropped; owners and admins read it on the
--    team page. A future sender marks rows `sent`.
CREATE TABLE email_outbox (
    id              UUID        PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id       UUID        NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    to_email        TEXT        NOT NULL CONSTRAINT email_outbox_to_check CHECK (strpos(to_email, '@') > 0),
    subject         TEXT        NOT NULL,
    body_text       TEXT        NOT NULL,
    -- The link the email carries (invite link), shown separately so it can be copied.
    link            TEXT,
    kind            TEXT        NOT NULL CONSTRAINT email_outbox_kind_check CHECK (kind IN ('invitation')),
    invitation_id   UUID,
    status          TEXT        NOT NULL DEFAULT 'queued'
                                CONSTRAINT email_outbox_status_check CHECK (status IN ('queued', 'sent', 'failed')),
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    sent_at         TIMESTAMPTZ
);
CREATE INDEX idx_email_outbox_tenant_created ON email_outbox (tenant_id, created_at DESC);

ALTER TABLE email_outbox ENABLE ROW LEVEL SECURITY;
ALTER TABLE email_outbox FORCE ROW LEVEL SECURITY;
CREATE POLICY email_outbox_tenant_isolation ON email_outbox FOR ALL
    USING (tenant_id = (SELECT app_current_tenant()))
    WITH CHECK (tenant_id = (SELECT app_current_tenant()));
-- No DELETE: an email is never silently dropped.
GRANT SELECT, INSERT, UPDATE ON email_outbox TO sitepilot_app;

-- c. Invite link -> invitation. The person opening the link has no session and no
--    tenant yet; the 64-hex-character token is the only key. Returns only what the
--    accept page shows and needs.
CREATE FUNCTION invitation_by_token(p_token text)
RETURNS TABLE (invitation_id uuid, tenant_id uuid, email text, role text, status text,
               expires_at timestamptz, tenant_name text, tenant_status text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT i.id, i.tenant_id, i.email, i.role, i.status, i.expires_at, t.name, t.status
      FROM team_invitations i
      JOIN tenants t ON t.id = i.tenant_id
     WHERE i.token = p_token;
$$;
COMMENT ON FUNCTION invitation_by_token(text) IS
    'Cross-tenant by necessity: the invite link is the only key an invited person has.';
REVOKE ALL ON FUNCTION invitation_by_token(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION invitation_by_token(text) TO sitepilot_app;
