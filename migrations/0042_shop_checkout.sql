-- 0042: the shop's checkout (issue 22 part 3). Checkout takes the stock of a pending order at
-- once (website_orders.reserved_until, 0036); a job gives it back when the order is still
-- unpaid at that time. This is the job's cross-tenant work list: the orders whose
-- reservation has ended, ids only. Each release then runs in its tenant's own transaction
-- under RLS (app::db::shop::release).
CREATE FUNCTION shop_reservations_due(p_now timestamptz, p_tenant uuid, p_limit integer)
RETURNS TABLE (tenant_id uuid, order_id uuid)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT o.tenant_id, o.id
      FROM website_orders o
     WHERE o.status = 'pending' AND o.reserved_until <= p_now
       AND (p_tenant IS NULL OR o.tenant_id = p_tenant)
     ORDER BY o.reserved_until
     LIMIT p_limit;
$$;
COMMENT ON FUNCTION shop_reservations_due(timestamptz, uuid, integer) IS
    'Cross-tenant by nature: the reservation job learns which orders to release. Returns ids only.';
REVOKE ALL ON FUNCTION shop_reservations_due(timestamptz, uuid, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION shop_reservations_due(timestamptz, uuid, integer) TO sitepilot_app;
