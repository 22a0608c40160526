-- 0002: global plans and the tenant core (tenants, users, sessions, subscriptions).
--
-- Conventions used by every tenant table (see ARCHITECTURE.md, tenant isolation):
--  * every tenant-owned row carries tenant_id, so one RLS comparison isolates it;
--  * parents expose UNIQUE (tenant_id, id) and children use composite foreign keys,
--    so a child can never point at another tenant's parent row;
--  * constraint names are stable: the Rust code maps them to field errors.

-- ── plans (global, no RLS, read-only for the app) ──────────────────────────
CREATE TABLE plans (
    id                      UUID        PRIMARY KEY DEFAULT gen_random_uuid(),
    name                    TEXT        NOT NULL CONSTRAINT plans_name_key UNIQUE,
    slug                    TEXT        NOT NULL CONSTRAINT plans_slug_key UNIQUE,
    description             TEXT,
    is_active               BOOLEAN     NOT NULL DEFAULT TRUE,
    max_websites            INT         NOT NULL DEFAULT 1,
    max_pages_per_site      INT         NOT NULL DEFAULT 5,
    storage_limit_mb        INT         NOT NULL DEFAULT 100,
    ai_credits_per_month    INT         NOT NULL DEFAULT 10,
    custom_domain_allowed   BOOLEAN     NOT NULL DEFAULT FALSE,
    version_history_limit   INT         NOT NULL DEFAULT 5,
    collaboration_enabled   BOOLEAN     NOT NULL DEFAULT FALSE,
    max_collaborators       INT         NOT NULL DEFAULT 1,
    analytics_enabled       BOOLEAN     NOT NULL DEFAULT FALSE,
    priority_support        BOOLEAN     NOT NULL DEFAULT FALSE,
    price_monthly_cents     INT         NOT NULL DEFAULT 0,
    price_yearly_cents      INT         NOT NULL DEFAULT 0,
    stripe_monthly_price_id TEXT,
    stripe_yearly_price_id  TEXT,
    display_order           INT         NOT NULL DEFAULT 0,
    badge_text              TEXT,
    created_at              TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at              TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- ── tenants ────────────────────────────────────────────────────────────────
CREATE TABLE tenants (
    id                      UUID        PRIMARY KEY DEFAULT gen_random_uuid(),
    name                    TEXT        NOT NULL,
    -- The seed also lists a unique index idx_tenants_slug on the same column;
    -- this constraint already creates that index, so only this one exists.
    slug                    TEXT        NOT NULL CONSTRAINT tenants_slug_key UNIQUE,
    plan_id                 UUID        NOT NULL REFERENCES plans (id),
    status                  TEXT        NOT NULL DEFAULT 'active'
                            CONSTRAINT tenants_status_check
                            CHECK (status IN ('active', 'suspended', 'offboarded', 'pending')),
    -- Likewise idx_tenants_stripe_customer (seed) would duplicate this unique index.
    stripe_customer_id      TEXT        CONSTRAINT tenants_stripe_customer_id_key UNIQUE,
    logo_url                TEXT,
    timezone                TEXT        NOT NULL DEFAULT 'UTC',
    locale                  TEXT        NOT NULL DEFAULT 'en',
    onboarding_completed    BOOLEAN     NOT NULL DEFAULT FALSE,
    offboard_scheduled_at   TIMESTAMPTZ,
    last_active_at          TIMESTAMPTZ,
    created_at              TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at              TIMESTAMPTZ NOT NULL DEFAULT now(),

    -- Slug doubles as a DNS label: lowercase words joined by single hyphens.
    CONSTRAINT tenants_slug_format_check
        CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$' AND length(slug) BETWEEN 3 AND 40)
);

-- ── users ──────────────────────────────────────────────────────────────────
-- Auth is our own (argon2 password hashes + server-side sessions), so the seed's
-- supabase_auth_id / firebase_uid columns do not exist.
CREATE TABLE users (
    id                      UUID        PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id               UUID        NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    email                   TEXT        NOT NULL,
    -- argon2 PHC string ($argon2id$v=19$...); never leaves the server.
    password_hash           TEXT        NOT NULL,
    full_name               TEXT,
    avatar_url              TEXT,
    role                    TEXT        NOT NULL DEFAULT 'editor'
                            CONSTRAINT users_role_check
                            CHECK (role IN ('owner', 'admin', 'editor', 'developer', 'viewer')),
    invited_by              UUID,
    invitation_accepted_at  TIMESTAMPTZ,
    is_active               BOOLEAN     NOT NULL DEFAULT TRUE,
    preferences             JSONB       NOT NULL DEFAULT '{}'::jsonb,
    last_login_at           TIMESTAMPTZ,
    created_at              TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at              TIMESTAMPTZ NOT NULL DEFAULT now(),

    -- Target of every composite user reference below and in later migrations.
    CONSTRAINT users_tenant_id_id_key UNIQUE (tenant_id, id),
    -- 254 = longest valid address (RFC 5321 path limit). Real validation is in Rust.
    CONSTRAINT users_email_check CHECK (strpos(email, '@') > 0 AND length(email) <= 254),
    -- Inviter must be in the same tenant; deleting them only nulls invited_by
    -- (PG15 column list), not tenant_id.
    CONSTRAINT users_invited_by_fkey FOREIGN KEY (tenant_id, invited_by)
        REFERENCES users (tenant_id, id) ON DELETE SET NULL (invited_by)
);
-- Case-insensitive email uniqueness (users_email_lower_key) and one owner per
-- tenant (users_one_owner_per_tenant) are unique indexes, see 0005.

-- ── sessions ───────────────────────────────────────────────────────────────
-- Server-side sessions (stateless app servers, see ARCHITECTURE.md). The id is
-- the hex SHA-256 of the cookie token, so a leaked table cannot be replayed as cookies.
CREATE TABLE sessions (
    id                      TEXT        PRIMARY KEY,
    tenant_id               UUID        NOT NULL,
    user_id                 UUID        NOT NULL,
    created_at              TIMESTAMPTZ NOT NULL DEFAULT now(),
    expires_at              TIMESTAMPTZ NOT NULL,
    last_seen_at            TIMESTAMPTZ NOT NULL DEFAULT now(),
    user_agent              TEXT,
    ip_address              INET,

    -- Guard against storing the raw token by mistake: only a lowercase sha256 hex fits.
    CONSTRAINT sessions_id_check CHECK (id ~ '^[0-9a-f]{64}$'),
    CONSTRAINT sessions_user_fkey FOREIGN KEY (tenant_id, user_id)
        REFERENCES users (tenant_id, id) ON DELETE CASCADE
);

-- ── subscriptions ──────────────────────────────────────────────────────────
CREATE TABLE subscriptions (
    id                      UUID        PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id               UUID        NOT NULL CONSTRAINT subscriptions_tenant_id_key UNIQUE
                            REFERENCES tenants (id) ON DELETE CASCADE,
    stripe_subscription_id  TEXT        CONSTRAINT subscriptions_stripe_subscription_id_key UNIQUE,
    stripe_customer_id      TEXT        NOT NULL,
    stripe_price_id         TEXT,
    status                  TEXT        NOT NULL DEFAULT 'active'
                            CONSTRAINT subscriptions_status_check
                            CHECK (status IN ('active', 'trialing', 'past_due', 'cancelled',
                                              'unpaid', 'incomplete', 'paused')),
    -- NOT NULL (seed leaves it nullable): 'none' already means "no billing cycle".
    billing_cycle           TEXT        NOT NULL DEFAULT 'monthly'
                            CONSTRAINT subscriptions_billing_cycle_check
                            CHECK (billing_cycle IN ('monthly', 'yearly', 'none')),
    current_period_start    TIMESTAMPTZ,
    current_period_end      TIMESTAMPTZ,
    trial_end               TIMESTAMPTZ,
    cancel_at_period_end    BOOLEAN     NOT NULL DEFAULT FALSE,
    cancelled_at            TIMESTAMPTZ,
    created_at              TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at              TIMESTAMPTZ NOT NULL DEFAULT now()
);
