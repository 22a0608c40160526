-- 0050: a member deletes their own user account (issue 23 part 5; not the owner).
--
-- a. Deleting a user nulled `audit_logs.performed_by` through its foreign key (0004), so the
--    audit view could no longer tell a deleted member's actions from the system's, and it was
--    the one UPDATE the append-only trigger (0006) had to let through. Without the foreign key
--    the audit rows are never touched: `performed_by` keeps the id, and the audit view shows a
--    performer whose user row is gone as "deleted user". Server code alone writes audit rows,
--    always with the acting member of the same tenant (or NULL for the system).
-- b. The app role may delete users rows (RLS keeps it to the tenant): the member's sessions,
--    tokens, API keys and presence go with them (ON DELETE CASCADE); their content stays, its
--    `created_by`-style columns become NULL (ON DELETE SET NULL, 0004 onwards).

-- a. -------------------------------------------------------------------------------------
ALTER TABLE audit_logs DROP CONSTRAINT audit_logs_performed_by_fkey;

-- b. -------------------------------------------------------------------------------------
GRANT DELETE ON users TO sitepilot_app;
