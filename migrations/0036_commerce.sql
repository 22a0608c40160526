-- 0036: commerce (issue 22): the Website Module seed's (004) e-commerce and marketing tables,
-- adapted to this schema's conventions, and the plan columns that gate them.
--
-- Adaptations, for every table:
--   * UUID ids, `tenant_id` on every row, composite foreign keys (tenant_id, …) so a row can only
--     point at rows of its own tenant, RLS enabled and forced with the tenant-isolation policy
--     every tenant table has, grants to the app role only for what the app does;
--   * `site_id` is `website_id`; the seed's ERP columns (erp_*, sync_status, last_synced_at) and
--     `partners` references are left out (there is no ERP or partner table here);
--   * money is an integer number of minor units (`*_cents`, e.g. 1999 = 19.99 EUR) with the
--     ISO 4217 currency beside it, never DECIMAL or float; amounts are checked non-negative and
--     the totals of carts and orders are checked to add up;
--   * timestamps are TIMESTAMPTZ.
--
-- Products (`website_products`) carry what a product page shows (title, slug, the safe rich
-- text description, image URLs, SEO fields, status draft/active/archived) and the names of up to
-- three options (Size, Colour, …). What is sold is always a variant
-- (`website_product_variants`): a product without options has exactly one. A variant holds its
-- option values (aligned with the product's option names), SKU (unique per website when set),
-- price, compare-at price, stock and whether stock is tracked. The seed's product-level price,
-- cost, sku and weight therefore live on the variants.
--
-- Carts, orders and promotions are created here so the later slices of issue 22 (checkout with
-- stock reserved at checkout creation, order history, discount codes) need no new tables:
--   * `website_carts` are visitor carts (the visitor holds a signed cookie naming the cart);
--   * `website_orders` record the checkout with `reserved_until` (stock reserved at checkout
--     creation, released on expiry/cancel) and the status list of the issue
--     (pending → paid → fulfilled → shipped → delivered, or cancelled/refunded);
--   * `website_promotions` count their uses in `times_used`, bumped in the order's transaction
--     under a row lock, and `website_promotion_usage` records each use.
--
-- Plans: `commerce_enabled` (Growth and Pro) and `max_products` (per tenant: 0, 100, 1000).

-- ── plans ────────────────────────────────────────────────────────────────────────────────
ALTER TABLE plans
    ADD COLUMN commerce_enabled BOOLEAN NOT NULL DEFAULT false,
    ADD COLUMN max_products     INT     NOT NULL DEFAULT 0
               CONSTRAINT plans_max_products_check CHECK (max_products >= 0);
UPDATE plans SET commerce_enabled = true, max_products = 100  WHERE slug = 'growth';
UPDATE plans SET commerce_enabled = true, max_products = 1000 WHERE slug = 'pro';

-- ── catalogue ────────────────────────────────────────────────────────────────────────────
CREATE TABLE website_products (
    id                UUID        PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id         UUID        NOT NULL,
    website_id        UUID        NOT NULL,
    title             TEXT        NOT NULL CONSTRAINT website_products_title_check
                                  CHECK (length(btrim(title)) BETWEEN 1 AND 200),
    slug              TEXT        NOT NULL CONSTRAINT website_products_slug_check
                                  CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$' AND length(slug) <= 100),
    -- The builder's safe rich text (app::model::check_rich_text), checked by the app.
    description       TEXT        NOT NULL DEFAULT ''
                                  CONSTRAINT website_products_description_check
                                  CHECK (length(description) <= 20000),
    status            TEXT        NOT NULL DEFAULT 'draft'
                                  CONSTRAINT website_products_status_check
                                  CHECK (status IN ('draft', 'active', 'archived')),
    currency          TEXT        NOT NULL DEFAULT 'EUR'
                                  CONSTRAINT website_products_currency_check CHECK (currency ~ '^[A-Z]{3}$'),
    -- Names of the options the variants differ by, in order ("Size", "Colour").
    option_names      TEXT[]      NOT NULL DEFAULT '{}'
                                  CONSTRAINT website_products_option_names_check
                                  CHECK (cardinality(option_names) <= 3),
    -- Image URLs (the media library's, or any https address until it lands), first = main.
    images            TEXT[]      NOT NULL DEFAULT '{}'
                                  CONSTRAINT website_products_images_check
                                  CHECK (cardinality(images) <= 20),
    is_featured       BOOLEAN     NOT NULL DEFAULT false,
    seo_title         TEXT        CONSTRAINT website_products_seo_title_check
                                  CHECK (length(seo_title) <= 200),
    seo_description   TEXT        CONSTRAINT website_products_seo_description_check
                                  CHECK (length(seo_description) <= 500),
    created_by        UUID,
    created_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at        TIMESTAMPTZ NOT NULL DEFAULT now(),

    CONSTRAINT website_products_tenant_id_id_key UNIQUE (tenant_id, id),
    CONSTRAINT website_products_tenant_website_id_key UNIQUE (tenant_id, website_id, id),
    CONSTRAINT website_products_slug_key UNIQUE (website_id, slug),
    CONSTRAINT website_products_website_fkey FOREIGN KEY (tenant_id, website_id)
        REFERENCES websites (tenant_id, id) ON DELETE CASCADE,
    CONSTRAINT website_products_created_by_fkey FOREIGN KEY (tenant_id, created_by)
        REFERENCES users (tenant_id, id) ON DELETE SET NULL (created_by)
);
CREATE INDEX idx_website_products_website ON website_products (website_id, status, updated_at DESC);
CREATE INDEX idx_website_products_tenant ON website_products (tenant_id);

CREATE TABLE website_product_variants (
    id                     UUID        PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id              UUID        NOT NULL,
    website_id             UUID        NOT NULL,
    product_id             UUID        NOT NULL,
    -- Aligned with the product's option_names ("M", "Red").
    option_values          TEXT[]      NOT NULL DEFAULT '{}'
                                       CONSTRAINT website_product_variants_option_values_check
                                       CHECK (cardinality(option_values) <= 3),
    sku                    TEXT        CONSTRAINT website_product_variants_sku_check
                                       CHECK (sku ~ '^[A-Za-z0-9._/-]{1,64}$'),
    price_cents            BIGINT      NOT NULL CONSTRAINT website_product_variants_price_check
                                       CHECK (price_cents >= 0),
    compare_at_price_cents BIGINT      CONSTRAINT website_product_variants_compare_at_check
                                       CHECK (compare_at_price_cents >= 0),
    stock                  INTEGER     NOT NULL DEFAULT 0
                                       CONSTRAINT website_product_variants_stock_check CHECK (stock >= 0),
    -- Off: always available, `stock` is ignored (the seed's inventory_policy 'continue').
    track_inventory        BOOLEAN     NOT NULL DEFAULT true,
    position               INTEGER     NOT NULL DEFAULT 0,
    created_at             TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at             TIMESTAMPTZ NOT NULL DEFAULT now(),

    CONSTRAINT website_product_variants_tenant_id_id_key UNIQUE (tenant_id, id),
    CONSTRAINT website_product_variants_sku_key UNIQUE (website_id, sku),
    CONSTRAINT website_product_variants_product_fkey FOREIGN KEY (tenant_id, website_id, product_id)
        REFERENCES website_products (tenant_id, website_id, id) ON DELETE CASCADE
);
CREATE INDEX idx_website_product_variants_product ON website_product_variants (product_id, position);

CREATE TABLE website_categories (
    id               UUID        PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id        UUID        NOT NULL,
    website_id       UUID        NOT NULL,
    name             TEXT        NOT NULL CONSTRAINT website_categories_name_check
                                 CHECK (length(btrim(name)) BETWEEN 1 AND 120),
    slug             TEXT        NOT NULL CONSTRAINT website_categories_slug_check
                                 CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$' AND length(slug) <= 100),
    description      TEXT        CONSTRAINT website_categories_description_check
                                 CHECK (length(description) <= 5000),
    parent_id        UUID,
    image_url        TEXT        CONSTRAINT website_categories_image_check CHECK (length(image_url) <= 2048),
    seo_title        TEXT        CONSTRAINT website_categories_seo_title_check CHECK (length(seo_title) <= 200),
    seo_description  TEXT        CONSTRAINT website_categories_seo_description_check
                                 CHECK (length(seo_description) <= 500),
    sort_order       INTEGER     NOT NULL DEFAULT 0,
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at       TIMESTAMPTZ NOT NULL DEFAULT now(),

    CONSTRAINT website_categories_tenant_id_id_key UNIQUE (tenant_id, id),
    CONSTRAINT website_categories_slug_key UNIQUE (website_id, slug),
    CONSTRAINT website_categories_not_own_parent CHECK (parent_id <> id),
    CONSTRAINT website_categories_website_fkey FOREIGN KEY (tenant_id, website_id)
        REFERENCES websites (tenant_id, id) ON DELETE CASCADE,
    CONSTRAINT website_categories_parent_fkey FOREIGN KEY (tenant_id, parent_id)
        REFERENCES website_categories (tenant_id, id) ON DELETE SET NULL (parent_id)
);
CREATE INDEX idx_website_categories_tree ON website_categories (website_id, parent_id, sort_order);

CREATE TABLE website_product_categories (
    tenant_id    UUID        NOT NULL,
    product_id   UUID        NOT NULL,
    category_id  UUID        NOT NULL,
    is_primary   BOOLEAN     NOT NULL DEFAULT false,
    position     INTEGER     NOT NULL DEFAULT 0,
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),

    PRIMARY KEY (product_id, category_id),
    CONSTRAINT website_product_categories_product_fkey FOREIGN KEY (tenant_id, product_id)
        REFERENCES website_products (tenant_id, id) ON DELETE CASCADE,
    CONSTRAINT website_product_categories_category_fkey FOREIGN KEY (tenant_id, category_id)
        REFERENCES website_categories (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX idx_website_product_categories_category ON website_product_categories (category_id, position);
CREATE UNIQUE INDEX website_product_categories_one_primary
    ON website_product_categories (product_id) WHERE is_primary;

-- ── carts ────────────────────────────────────────────────────────────────────────────────
CREATE TABLE website_carts (
    id               UUID        PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id        UUID        NOT NULL,
    website_id       UUID        NOT NULL,
    status           TEXT        NOT NULL DEFAULT 'open'
                                 CONSTRAINT website_carts_status_check
                                 CHECK (status IN ('open', 'checking_out', 'converted', 'abandoned')),
    currency         TEXT        NOT NULL CONSTRAINT website_carts_currency_check CHECK (currency ~ '^[A-Z]{3}$'),
    customer_email   TEXT        CONSTRAINT website_carts_email_check CHECK (length(customer_email) <= 254),
    promotion_code   TEXT        CONSTRAINT website_carts_promotion_code_check CHECK (length(promotion_code) <= 50),
    expires_at       TIMESTAMPTZ NOT NULL DEFAULT now() + interval '30 days',
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at       TIMESTAMPTZ NOT NULL DEFAULT now(),

    CONSTRAINT website_carts_tenant_id_id_key UNIQUE (tenant_id, id),
    CONSTRAINT website_carts_website_fkey FOREIGN KEY (tenant_id, website_id)
        REFERENCES websites (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX idx_website_carts_website ON website_carts (website_id);
CREATE INDEX idx_website_carts_expires ON website_carts (expires_at) WHERE status = 'open';

CREATE TABLE website_cart_items (
    id               UUID        PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id        UUID        NOT NULL,
    cart_id          UUID        NOT NULL,
    product_id       UUID        NOT NULL,
    variant_id       UUID        NOT NULL,
    quantity         INTEGER     NOT NULL CONSTRAINT website_cart_items_quantity_check
                                 CHECK (quantity BETWEEN 1 AND 999),
    -- The price shown when it was added; checkout re-reads the live price.
    unit_price_cents BIGINT      NOT NULL CONSTRAINT website_cart_items_price_check CHECK (unit_price_cents >= 0),
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at       TIMESTAMPTZ NOT NULL DEFAULT now(),

    CONSTRAINT website_cart_items_variant_key UNIQUE (cart_id, variant_id),
    CONSTRAINT website_cart_items_cart_fkey FOREIGN KEY (tenant_id, cart_id)
        REFERENCES website_carts (tenant_id, id) ON DELETE CASCADE,
    CONSTRAINT website_cart_items_product_fkey FOREIGN KEY (tenant_id, product_id)
        REFERENCES website_products (tenant_id, id) ON DELETE CASCADE,
    CONSTRAINT website_cart_items_variant_fkey FOREIGN KEY (tenant_id, variant_id)
        REFERENCES website_product_variants (tenant_id, id) ON DELETE CASCADE
);

-- ── promotions ───────────────────────────────────────────────────────────────────────────
CREATE TABLE website_promotions (
    id                        UUID        PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id                 UUID        NOT NULL,
    website_id                UUID        NOT NULL,
    -- Stored upper case; visitors' codes are compared upper-cased.
    code                      TEXT        NOT NULL CONSTRAINT website_promotions_code_check
                                          CHECK (code ~ '^[A-Z0-9_-]{2,50}$'),
    name                      TEXT        NOT NULL CONSTRAINT website_promotions_name_check
                                          CHECK (length(btrim(name)) BETWEEN 1 AND 200),
    description               TEXT        CONSTRAINT website_promotions_description_check
                                          CHECK (length(description) <= 2000),
    discount_type             TEXT        NOT NULL CONSTRAINT website_promotions_type_check
                                          CHECK (discount_type IN ('percentage', 'fixed')),
    -- percentage: basis points (1250 = 12.5 %, at most 10000); fixed: minor units of `currency`.
    discount_value            BIGINT      NOT NULL,
    currency                  TEXT        CONSTRAINT website_promotions_currency_check CHECK (currency ~ '^[A-Z]{3}$'),
    minimum_order_cents       BIGINT      CONSTRAINT website_promotions_minimum_check CHECK (minimum_order_cents >= 0),
    maximum_discount_cents    BIGINT      CONSTRAINT website_promotions_maximum_check CHECK (maximum_discount_cents >= 0),
    valid_from                TIMESTAMPTZ NOT NULL DEFAULT now(),
    valid_until               TIMESTAMPTZ,
    usage_limit               INTEGER     CONSTRAINT website_promotions_usage_limit_check CHECK (usage_limit > 0),
    usage_limit_per_customer  INTEGER     CONSTRAINT website_promotions_per_customer_check
                                          CHECK (usage_limit_per_customer > 0),
    -- Uses so far, bumped in the order's transaction under the row lock.
    times_used                INTEGER     NOT NULL DEFAULT 0
                                          CONSTRAINT website_promotions_times_used_check CHECK (times_used >= 0),
    -- Empty: the whole order. Otherwise only these products / categories are discounted.
    product_ids               UUID[]      NOT NULL DEFAULT '{}',
    category_ids              UUID[]      NOT NULL DEFAULT '{}',
    is_active                 BOOLEAN     NOT NULL DEFAULT true,
    created_at                TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at                TIMESTAMPTZ NOT NULL DEFAULT now(),

    CONSTRAINT website_promotions_tenant_id_id_key UNIQUE (tenant_id, id),
    CONSTRAINT website_promotions_code_key UNIQUE (website_id, code),
    CONSTRAINT website_promotions_value_check CHECK (CASE discount_type
        WHEN 'percentage' THEN discount_value BETWEEN 1 AND 10000
        ELSE discount_value > 0 AND currency IS NOT NULL END),
    CONSTRAINT website_promotions_dates_check CHECK (valid_until IS NULL OR valid_until > valid_from),
    CONSTRAINT website_promotions_limit_check CHECK (usage_limit IS NULL OR times_used <= usage_limit),
    CONSTRAINT website_promotions_website_fkey FOREIGN KEY (tenant_id, website_id)
        REFERENCES websites (tenant_id, id) ON DELETE CASCADE
);

-- ── orders ───────────────────────────────────────────────────────────────────────────────
CREATE TABLE website_orders (
    id                          UUID        PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id                   UUID        NOT NULL,
    website_id                  UUID        NOT NULL,
    -- What the customer and the team see (e.g. "1042"), unique per website.
    order_number                TEXT        NOT NULL CONSTRAINT website_orders_number_check
                                            CHECK (length(order_number) BETWEEN 1 AND 40),
    cart_id                     UUID,
    customer_email              TEXT        NOT NULL CONSTRAINT website_orders_email_check
                                            CHECK (length(customer_email) BETWEEN 3 AND 254),
    customer_name               TEXT        CONSTRAINT website_orders_name_check CHECK (length(customer_name) <= 200),
    status                      TEXT        NOT NULL DEFAULT 'pending'
                                            CONSTRAINT website_orders_status_check
                                            CHECK (status IN ('pending', 'paid', 'fulfilled', 'shipped',
                                                              'delivered', 'cancelled', 'refunded')),
    payment_status              TEXT        NOT NULL DEFAULT 'pending'
                                            CONSTRAINT website_orders_payment_status_check
                                            CHECK (payment_status IN ('pending', 'paid', 'failed',
                                                                      'refunded', 'partially_refunded')),
    currency                    TEXT        NOT NULL CONSTRAINT website_orders_currency_check CHECK (currency ~ '^[A-Z]{3}$'),
    subtotal_cents              BIGINT      NOT NULL CONSTRAINT website_orders_subtotal_check CHECK (subtotal_cents >= 0),
    discount_cents              BIGINT      NOT NULL DEFAULT 0
                                            CONSTRAINT website_orders_discount_check
                                            CHECK (discount_cents >= 0 AND discount_cents <= subtotal_cents),
    shipping_cents              BIGINT      NOT NULL DEFAULT 0 CONSTRAINT website_orders_shipping_check CHECK (shipping_cents >= 0),
    tax_cents                   BIGINT      NOT NULL DEFAULT 0 CONSTRAINT website_orders_tax_check CHECK (tax_cents >= 0),
    total_cents                 BIGINT      NOT NULL,
    refunded_cents              BIGINT      NOT NULL DEFAULT 0
                                            CONSTRAINT website_orders_refunded_check
                                            CHECK (refunded_cents >= 0 AND refunded_cents <= total_cents),
    promotion_id                UUID,
    promotion_code              TEXT        CONSTRAINT website_orders_promotion_code_check CHECK (length(promotion_code) <= 50),
    shipping_address            JSONB,
    billing_address             JSONB,
    shipping_method             TEXT        CONSTRAINT website_orders_shipping_method_check CHECK (length(shipping_method) <= 100),
    -- Stripe Checkout session and payment intent (or the test mode's stand-ins).
    stripe_checkout_session_id  TEXT        CONSTRAINT website_orders_checkout_session_key UNIQUE,
    payment_reference           TEXT        CONSTRAINT website_orders_payment_reference_check CHECK (length(payment_reference) <= 255),
    tracking_number             TEXT        CONSTRAINT website_orders_tracking_check CHECK (length(tracking_number) <= 255),
    notes                       TEXT        CONSTRAINT website_orders_notes_check CHECK (length(notes) <= 5000),
    -- Stock was taken at checkout creation; a pending order past this time gives it back.
    reserved_until              TIMESTAMPTZ,
    paid_at                     TIMESTAMPTZ,
    created_at                  TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at                  TIMESTAMPTZ NOT NULL DEFAULT now(),

    CONSTRAINT website_orders_tenant_id_id_key UNIQUE (tenant_id, id),
    CONSTRAINT website_orders_number_key UNIQUE (website_id, order_number),
    CONSTRAINT website_orders_total_adds_up
        CHECK (total_cents = subtotal_cents - discount_cents + shipping_cents + tax_cents),
    CONSTRAINT website_orders_website_fkey FOREIGN KEY (tenant_id, website_id)
        REFERENCES websites (tenant_id, id) ON DELETE CASCADE,
    CONSTRAINT website_orders_cart_fkey FOREIGN KEY (tenant_id, cart_id)
        REFERENCES website_carts (tenant_id, id) ON DELETE SET NULL (cart_id),
    CONSTRAINT website_orders_promotion_fkey FOREIGN KEY (tenant_id, promotion_id)
        REFERENCES website_promotions (tenant_id, id) ON DELETE SET NULL (promotion_id)
);
CREATE INDEX idx_website_orders_website ON website_orders (website_id, created_at DESC);
CREATE INDEX idx_website_orders_email ON website_orders (website_id, lower(customer_email));
CREATE INDEX idx_website_orders_reserved ON website_orders (reserved_until) WHERE status = 'pending';

CREATE TABLE website_order_items (
    id                 UUID        PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id          UUID        NOT NULL,
    order_id           UUID        NOT NULL,
    -- Kept when the product is deleted later: the snapshot columns still say what was sold.
    product_id         UUID,
    variant_id         UUID,
    sku                TEXT,
    title              TEXT        NOT NULL CONSTRAINT website_order_items_title_check CHECK (length(title) <= 400),
    option_values      TEXT[]      NOT NULL DEFAULT '{}',
    quantity           INTEGER     NOT NULL CONSTRAINT website_order_items_quantity_check CHECK (quantity > 0),
    unit_price_cents   BIGINT      NOT NULL CONSTRAINT website_order_items_price_check CHECK (unit_price_cents >= 0),
    subtotal_cents     BIGINT      NOT NULL,
    discount_cents     BIGINT      NOT NULL DEFAULT 0,
    tax_cents          BIGINT      NOT NULL DEFAULT 0 CONSTRAINT website_order_items_tax_check CHECK (tax_cents >= 0),
    total_cents        BIGINT      NOT NULL,
    product_snapshot   JSONB,
    created_at         TIMESTAMPTZ NOT NULL DEFAULT now(),

    CONSTRAINT website_order_items_subtotal_check CHECK (subtotal_cents = unit_price_cents * quantity),
    CONSTRAINT website_order_items_discount_check CHECK (discount_cents BETWEEN 0 AND subtotal_cents),
    CONSTRAINT website_order_items_total_check CHECK (total_cents = subtotal_cents - discount_cents + tax_cents),
    CONSTRAINT website_order_items_order_fkey FOREIGN KEY (tenant_id, order_id)
        REFERENCES website_orders (tenant_id, id) ON DELETE CASCADE,
    CONSTRAINT website_order_items_product_fkey FOREIGN KEY (tenant_id, product_id)
        REFERENCES website_products (tenant_id, id) ON DELETE SET NULL (product_id),
    CONSTRAINT website_order_items_variant_fkey FOREIGN KEY (tenant_id, variant_id)
        REFERENCES website_product_variants (tenant_id, id) ON DELETE SET NULL (variant_id)
);
CREATE INDEX idx_website_order_items_order ON website_order_items (order_id);

CREATE TABLE website_order_status_history (
    id              UUID        PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id       UUID        NOT NULL,
    order_id        UUID        NOT NULL,
    status          TEXT        NOT NULL CONSTRAINT website_order_status_history_status_check
                                CHECK (status IN ('pending', 'paid', 'fulfilled', 'shipped',
                                                  'delivered', 'cancelled', 'refunded')),
    payment_status  TEXT,
    notes           TEXT        CONSTRAINT website_order_status_history_notes_check CHECK (length(notes) <= 2000),
    -- NULL: the system (a webhook, an expiry), not a member.
    changed_by      UUID,
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),

    CONSTRAINT website_order_status_history_order_fkey FOREIGN KEY (tenant_id, order_id)
        REFERENCES website_orders (tenant_id, id) ON DELETE CASCADE,
    CONSTRAINT website_order_status_history_user_fkey FOREIGN KEY (tenant_id, changed_by)
        REFERENCES users (tenant_id, id) ON DELETE SET NULL (changed_by)
);
CREATE INDEX idx_website_order_status_history_order ON website_order_status_history (order_id, created_at);

CREATE TABLE website_promotion_usage (
    id               UUID        PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id        UUID        NOT NULL,
    promotion_id     UUID        NOT NULL,
    order_id         UUID        NOT NULL,
    customer_email   TEXT        NOT NULL CONSTRAINT website_promotion_usage_email_check CHECK (length(customer_email) <= 254),
    discount_cents   BIGINT      NOT NULL CONSTRAINT website_promotion_usage_discount_check CHECK (discount_cents >= 0),
    used_at          TIMESTAMPTZ NOT NULL DEFAULT now(),

    CONSTRAINT website_promotion_usage_order_key UNIQUE (promotion_id, order_id),
    CONSTRAINT website_promotion_usage_promotion_fkey FOREIGN KEY (tenant_id, promotion_id)
        REFERENCES website_promotions (tenant_id, id) ON DELETE CASCADE,
    CONSTRAINT website_promotion_usage_order_fkey FOREIGN KEY (tenant_id, order_id)
        REFERENCES website_orders (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX idx_website_promotion_usage_customer ON website_promotion_usage (promotion_id, lower(customer_email));

-- ── RLS and grants ───────────────────────────────────────────────────────────────────────
DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['website_products', 'website_product_variants', 'website_categories',
                             'website_product_categories', 'website_carts', 'website_cart_items',
                             'website_promotions', 'website_orders', 'website_order_items',
                             'website_order_status_history', 'website_promotion_usage']
    LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY %I ON %I FOR ALL
                            USING (tenant_id = (SELECT app_current_tenant()))
                            WITH CHECK (tenant_id = (SELECT app_current_tenant()))',
                       t || '_tenant_isolation', t);
    END LOOP;
END $$;

GRANT SELECT, INSERT, UPDATE, DELETE ON
    website_products, website_product_variants, website_categories, website_product_categories,
    website_carts, website_cart_items, website_promotions, website_orders
    TO sitepilot_app;
-- An order's lines are written once at checkout (and go with the order).
GRANT SELECT, INSERT, DELETE ON website_order_items TO sitepilot_app;
-- The history and the promotion uses are append-only for the app.
GRANT SELECT, INSERT ON website_order_status_history, website_promotion_usage TO sitepilot_app;
