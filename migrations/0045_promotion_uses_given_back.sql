-- 0045: discount codes (issue 22 part 5). A use of a code is recorded in
-- website_promotion_usage in the order's transaction (0036). When an unpaid order is
-- cancelled (its reservation ended, or the visitor or the team cancelled it) the use is given
-- back: its usage row is deleted and times_used drops by one, in the release's transaction, so
-- a code limited to N uses is never used up by checkouts that were never paid.
-- 0036 made the usage rows append-only for the app; the release needs to delete them.
GRANT DELETE ON website_promotion_usage TO sitepilot_app;
