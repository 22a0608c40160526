-- The visitor path resolves hosts with visit_by_subdomain / visit_by_domain (migration 0017),
-- which also report suspended and unpublished sites. The older live-only lookups of migration
-- 0008 have no caller left; dropping them removes two cross-tenant SECURITY DEFINER entry points.
DROP FUNCTION IF EXISTS site_live_by_subdomain(text);
DROP FUNCTION IF EXISTS site_live_by_domain(text);
