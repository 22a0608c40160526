-- 0011: a concurrency token for page settings (title, slug, status, navigation, SEO,
-- layout, password, home). `pages.revision` stays the token of the page's *content*
-- (its blocks): the builder compares-and-sets it on every block edit. Settings get their
-- own counter so renaming a page in the Pages panel does not make the open editor's next
-- block edit fail as "changed in another tab", while two tabs editing the same page's
-- settings still get a conflict instead of silent last-write-wins.
ALTER TABLE pages ADD COLUMN settings_revision BIGINT NOT NULL DEFAULT 0;
