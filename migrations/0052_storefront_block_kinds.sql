-- Storefront blocks: four new component kinds that show the website's shop (product grid,
-- product detail, cart link, buy button). Their props name catalogue rows by id; prices and
-- stock are read live when a page is rendered (app::db::storefront), never stored in props.
-- Widens the two kind lists (components, global blocks); the names match
-- app::model::ComponentKind::as_str.

ALTER TABLE components DROP CONSTRAINT components_type_check;
ALTER TABLE components ADD CONSTRAINT components_type_check
    CHECK (type IN ('navbar', 'hero', 'features', 'gallery', 'testimonials',
                    'pricing', 'cta', 'contact_form', 'team', 'faq', 'stats',
                    'blog_grid', 'video_embed', 'map', 'rich_text',
                    'image_text', 'footer', 'custom_html',
                    'product_grid', 'product_detail', 'cart', 'buy_button'));

ALTER TABLE global_blocks DROP CONSTRAINT global_blocks_type_check;
ALTER TABLE global_blocks ADD CONSTRAINT global_blocks_type_check
    CHECK (component_type IN ('navbar', 'hero', 'features', 'gallery', 'testimonials',
                              'pricing', 'cta', 'contact_form', 'team', 'faq', 'stats',
                              'blog_grid', 'video_embed', 'map', 'rich_text',
                              'image_text', 'footer', 'custom_html',
                              'product_grid', 'product_detail', 'cart', 'buy_button'));
