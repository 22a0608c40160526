-- Storefront pages in the visitor cache stay fresh: any change to what a storefront block
-- shows (a product, a variant's price or stock, a category or its members) sends
-- pg_notify('sitepilot_deployments', 'catalogue:<website_id>') from the same transaction.
-- NOTIFY is delivered at commit, to every server instance (their listener evicts that
-- website's cached storefront pages, server/src/visitor/cache.rs), and never for a rolled-back
-- change. Identical notifications within one transaction are folded into one by PostgreSQL,
-- so a checkout reserving ten variants sends one.
--
-- SECURITY DEFINER: the membership table has no website_id, so the function reads the
-- product's; as the owner it finds the row whatever tenant (or job) made the change.

CREATE FUNCTION notify_catalogue_change() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    website UUID;
BEGIN
    IF TG_TABLE_NAME = 'website_product_categories' THEN
        SELECT p.website_id INTO website FROM website_products p
         WHERE p.id = CASE WHEN TG_OP = 'DELETE' THEN OLD.product_id ELSE NEW.product_id END;
    ELSIF TG_OP = 'DELETE' THEN
        website := OLD.website_id;
    ELSE
        website := NEW.website_id;
    END IF;
    IF website IS NOT NULL THEN
        PERFORM pg_notify('sitepilot_deployments', 'catalogue:' || website::text);
    END IF;
    -- A product or category moved to another website (not possible today) refreshes both.
    -- Nested: PL/pgSQL does not short-circuit AND, and the membership rows have no website_id.
    IF TG_OP = 'UPDATE' AND TG_TABLE_NAME <> 'website_product_categories' THEN
        IF OLD.website_id IS DISTINCT FROM NEW.website_id THEN
            PERFORM pg_notify('sitepilot_deployments', 'catalogue:' || OLD.website_id::text);
        END IF;
    END IF;
    RETURN NULL;
END;
$$;
REVOKE ALL ON FUNCTION notify_catalogue_change() FROM PUBLIC;

CREATE TRIGGER website_products_notify_catalogue
    AFTER INSERT OR DELETE OR UPDATE ON website_products
    FOR EACH ROW EXECUTE FUNCTION notify_catalogue_change();

CREATE TRIGGER website_product_variants_notify_catalogue
    AFTER INSERT OR DELETE OR UPDATE ON website_product_variants
    FOR EACH ROW EXECUTE FUNCTION notify_catalogue_change();

CREATE TRIGGER website_categories_notify_catalogue
    AFTER INSERT OR DELETE OR UPDATE ON website_categories
    FOR EACH ROW EXECUTE FUNCTION notify_catalogue_change();

CREATE TRIGGER website_product_categories_notify_catalogue
    AFTER INSERT OR DELETE OR UPDATE ON website_product_categories
    FOR EACH ROW EXECUTE FUNCTION notify_catalogue_change();

-- A plan change can start or stop a shop selling (plans.commerce_enabled): the tenant's
-- cached pages go, as when its status changes (migration 0017's function and payload).
CREATE TRIGGER tenants_notify_plan_change
    AFTER UPDATE OF plan_id ON tenants
    FOR EACH ROW
    WHEN (OLD.plan_id IS DISTINCT FROM NEW.plan_id)
    EXECUTE FUNCTION notify_site_change();
