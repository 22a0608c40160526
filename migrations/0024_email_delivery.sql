-- 0024: email that is actually delivered (issue 18 Part B).
--
-- a. The outbox (0015) becomes a delivery queue: each row is sent over SMTP by an
--    "email.send" job enqueued in the same transaction as the row. A delivery keeps its
--    attempt count and the last SMTP error, and ends `sent` or `failed`. Rows also carry
--    the HTML part and the unsubscribe/preferences link of notifications. Messages that
--    carry a one-time secret (password reset, email verification) are `secret`: the team
--    page never shows their body or link, and their bodies are blanked once delivered or
--    given up on, so the database holds a usable link only while it waits to be sent.
-- b. One-time user tokens (password reset, email verification), stored as SHA-256 hashes
--    like sessions and invitation tokens (0021); looked up cross-tenant through one
--    SECURITY DEFINER function because the person following the link has no session.
-- c. users.email_verified_at: publishing needs a verified email. Accounts that exist
--    before this migration count as verified (they were created before verification
--    existed and nobody can be asked retroactively).
-- d. websites.notify_form_submissions: the owner's per-website switch for contact-form
--    notification emails (on by default).

-- a. -------------------------------------------------------------------------------------
ALTER TABLE email_outbox DROP CONSTRAINT email_outbox_kind_check;
ALTER TABLE email_outbox ADD CONSTRAINT email_outbox_kind_check CHECK (kind IN (
    'invitation', 'password_reset', 'email_verification', 'form_submission',
    'billing_notice', 'domain_notice'));
ALTER TABLE email_outbox
    ADD COLUMN body_html        TEXT,
    ADD COLUMN unsubscribe_url  TEXT,
    ADD COLUMN secret           BOOLEAN     NOT NULL DEFAULT false,
    ADD COLUMN attempts         INTEGER     NOT NULL DEFAULT 0,
    ADD COLUMN last_error       TEXT,
    ADD COLUMN last_attempt_at  TIMESTAMPTZ;

-- b. -------------------------------------------------------------------------------------
CREATE TABLE user_tokens (
    token_hash  TEXT        PRIMARY KEY CONSTRAINT user_tokens_hash_check CHECK (token_hash ~ '^[0-9a-f]{64}$'),
    tenant_id   UUID        NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    user_id     UUID        NOT NULL,
    purpose     TEXT        NOT NULL CONSTRAINT user_tokens_purpose_check
                            CHECK (purpose IN ('password_reset', 'email_verification')),
    -- The address the token was sent to: a verification proves this address only.
    email       TEXT        NOT NULL,
    expires_at  TIMESTAMPTZ NOT NULL,
    used_at     TIMESTAMPTZ,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT user_tokens_user_fkey FOREIGN KEY (tenant_id, user_id)
        REFERENCES users (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX idx_user_tokens_user ON user_tokens (tenant_id, user_id, purpose);

ALTER TABLE user_tokens ENABLE ROW LEVEL SECURITY;
ALTER TABLE user_tokens FORCE ROW LEVEL SECURITY;
CREATE POLICY user_tokens_tenant_isolation ON user_tokens FOR ALL
    USING (tenant_id = (SELECT app_current_tenant()))
    WITH CHECK (tenant_id = (SELECT app_current_tenant()));
GRANT SELECT, INSERT, UPDATE, DELETE ON user_tokens TO sitepilot_app;

-- The link is the only key its holder has. Returns the tenant to enter and the token's
-- state; the app then uses it inside that tenant's transaction.
CREATE FUNCTION user_token_lookup(p_hash text, p_purpose text)
RETURNS TABLE (tenant_id uuid, user_id uuid, email text, expires_at timestamptz, used_at timestamptz)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT t.tenant_id, t.user_id, t.email, t.expires_at, t.used_at
      FROM user_tokens t
     WHERE t.token_hash = p_hash AND t.purpose = p_purpose;
$$;
COMMENT ON FUNCTION user_token_lookup(text, text) IS
    'Cross-tenant by necessity: a reset or verification link is the only key its holder has.';
REVOKE ALL ON FUNCTION user_token_lookup(text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION user_token_lookup(text, text) TO sitepilot_app;

-- c. -------------------------------------------------------------------------------------
ALTER TABLE users ADD COLUMN email_verified_at TIMESTAMPTZ;
UPDATE users SET email_verified_at = created_at;

-- d. -------------------------------------------------------------------------------------
ALTER TABLE websites ADD COLUMN notify_form_submissions BOOLEAN NOT NULL DEFAULT true;
