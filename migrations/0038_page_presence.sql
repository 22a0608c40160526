-- 0038: realtime presence in the builder (issue 21 part 5). Who has a page open, in which tab,
-- and which block each has selected. One row per open builder tab, refreshed by a heartbeat
-- (the `builder/presence` server function) and trusted only until `expires_at`: a tab that
-- vanishes without saying goodbye (a crashed browser, a killed server instance) drops out
-- once its row expires. Every instance reads the same rows, so presence is correct with
-- several server instances; the rows are the truth, NOTIFY only tells instances to look.
CREATE TABLE page_presence (
    tenant_id   UUID        NOT NULL,
    page_id     UUID        NOT NULL,
    -- A random id per open builder tab (one person may have the page open twice).
    tab_id      UUID        NOT NULL,
    user_id     UUID        NOT NULL,
    -- The block this tab has selected, if any (no foreign key: a block deleted meanwhile is
    -- simply not found on the canvas).
    selected    UUID,
    -- The event stream (`GET /events`) the tab last reported listening on: when that stream
    -- ends, the row goes, unless the tab has reconnected on another stream (maybe another
    -- instance) meanwhile.
    stream_id   UUID,
    expires_at  TIMESTAMPTZ NOT NULL,
    CONSTRAINT page_presence_pkey PRIMARY KEY (page_id, tab_id),
    CONSTRAINT page_presence_page_fkey FOREIGN KEY (tenant_id, page_id)
        REFERENCES pages (tenant_id, id) ON DELETE CASCADE,
    CONSTRAINT page_presence_user_fkey FOREIGN KEY (tenant_id, user_id)
        REFERENCES users (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX idx_page_presence_expiry ON page_presence (expires_at);

ALTER TABLE page_presence ENABLE ROW LEVEL SECURITY;
ALTER TABLE page_presence FORCE ROW LEVEL SECURITY;
CREATE POLICY page_presence_tenant_isolation ON page_presence FOR ALL
    USING (tenant_id = (SELECT app_current_tenant()))
    WITH CHECK (tenant_id = (SELECT app_current_tenant()));
GRANT SELECT, INSERT, UPDATE, DELETE ON page_presence TO sitepilot_app;
