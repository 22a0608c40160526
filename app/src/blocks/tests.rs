//! Server-rendered markup of every kind's starter: the semantic elements each kind promises,
//! and the embeds built only from checked parts.

use leptos::prelude::*;
use leptos::tachys::view::RenderHtml;

use super::BlockView;
use crate::model::{BlockProps, ComponentKind, CustomHtmlProps, RichTextProps, VideoEmbedProps};

fn html(block: BlockProps) -> String {
    Owner::new().with(|| view! { <BlockView block=block/> }.to_html())
}

fn starter(kind: ComponentKind) -> String {
    html(BlockProps::starter(kind))
}

#[test]
fn every_kind_renders_a_classed_block() {
    for kind in ComponentKind::ALL {
        let out = starter(kind);
        let class = format!("sp-{}", kind.as_str().replace('_', "-"));
        assert!(out.contains(&class), "{kind:?} has class {class}: {out}");
        let first = BlockProps::starter(kind).text_fields().remove(0).value;
        // Shop blocks without a catalogue (this test's) show their placeholder instead.
        if kind != ComponentKind::CustomHtml && !kind.is_shop() || kind == ComponentKind::Cart {
            assert!(out.contains(&first), "{kind:?} shows its heading");
        }
    }
}

#[test]
fn sections_use_semantic_markup() {
    use ComponentKind::*;
    let expect = [
        (
            Testimonials,
            vec![
                "<blockquote>",
                "<figure",
                "<figcaption>",
                "aria-label=\"5 out of 5 stars\"",
                "<time datetime=\"2024-11-15\">15 Nov 2024</time>",
            ],
        ),
        (
            Pricing,
            vec![
                "<ul class=\"sp-plans\">",
                "<h3>Standard</h3>",
                "sp-plan-highlighted",
            ],
        ),
        (
            Team,
            vec![
                "<ul class=\"sp-members\">",
                "<h3>Alex Morgan</h3>",
                "/starter/avatar-1.svg",
            ],
        ),
        (
            Faq,
            vec![
                "<details>",
                "<summary>How do I book an appointment?</summary>",
            ],
        ),
        (
            Stats,
            vec![
                "<dl",
                "<dt>Happy customers</dt>",
                "<dd>1,500+</dd>",
                "<dd>4.9/5</dd>",
            ],
        ),
        (
            BlogGrid,
            vec![
                "<article>",
                "--sp-columns:3;",
                "aria-label=\"Read more: A day in the workshop\"",
            ],
        ),
        (
            ImageText,
            vec![
                "<figure class=\"sp-image-text-media\">",
                "/starter/gallery-2.svg",
            ],
        ),
        (
            VideoEmbed,
            vec!["Paste a YouTube or Vimeo link", "<figcaption>"],
        ),
    ];
    for (kind, parts) in expect {
        let out = starter(kind);
        for part in parts {
            assert!(out.contains(part), "{kind:?} lacks {part}: {out}");
        }
    }
}

#[test]
fn the_contact_form_is_a_real_labelled_form() {
    let out = starter(ComponentKind::ContactForm);
    assert!(
        out.contains("<form method=\"post\" action=\"#\" data-block=\"contact_form\""),
        "{out}"
    );
    assert!(
        out.contains("<input type=\"email\" name=\"email\" required"),
        "{out}"
    );
    assert!(
        out.contains("<textarea name=\"message\" rows=\"5\" required"),
        "{out}"
    );
    assert!(
        out.contains("<label><span>Your name"),
        "inputs sit inside their labels: {out}"
    );
    assert!(out.contains("href=\"tel:+15550100123\""), "{out}");
    assert!(out.contains("<button type=\"submit\" class=\"sp-button\">Send message</button>"));
}

#[test]
fn embeds_are_built_from_checked_parts() {
    let video = |url: &str| {
        html(BlockProps::VideoEmbed(VideoEmbedProps {
            url: url.into(),
            ..VideoEmbedProps::default()
        }))
    };
    let yt = video("https://youtu.be/dQw4w9WgXcQ");
    assert!(
        yt.contains("src=\"https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ\""),
        "{yt}"
    );
    assert!(
        yt.contains("title=\"See us in action\"") && yt.contains("loading=\"lazy\""),
        "{yt}"
    );
    assert!(!yt.contains("Paste a YouTube"));
    assert!(video("https://vimeo.com/76979871")
        .contains("src=\"https://player.vimeo.com/video/76979871\""));

    let map = starter(ComponentKind::Map);
    assert!(
        map.contains("src=\"https://www.openstreetmap.org/export/embed.html?bbox="),
        "{map}"
    );
    assert!(
        map.contains("&amp;layer=mapnik&amp;marker=51.50809%2C-0.12804"),
        "{map}"
    );
    assert!(
        map.contains("title=\"Map of Trafalgar Square, London WC2N 5DN\""),
        "{map}"
    );
    assert!(map.contains(">Open in OpenStreetMap</a>"), "{map}");
}

#[test]
fn custom_html_only_ever_lands_in_a_sandboxed_srcdoc() {
    let raw = "<script>parent.document.title='pwned'</script><p class=\"x\">Hi & bye</p>";
    let out = html(BlockProps::CustomHtml(CustomHtmlProps {
        html: raw.into(),
        height: 300,
    }));
    assert!(out.contains("sandbox=\"allow-scripts\""), "{out}");
    assert!(!out.contains("allow-same-origin"));
    assert!(out.contains("title=\"Custom HTML\""));
    assert!(
        out.contains("srcdoc=\"&lt;script&gt;parent.document.title=&#x27;pwned&#x27;&lt;/script&gt;&lt;p class=&quot;x&quot;&gt;Hi &amp; bye&lt;/p&gt;\"")
            || out.contains("srcdoc=\"&lt;script&gt;parent.document.title='pwned'&lt;/script&gt;&lt;p class=&quot;x&quot;&gt;Hi &amp; bye&lt;/p&gt;\""),
        "{out}"
    );
    assert!(
        !out.contains("<script>") && !out.contains("<p class=\"x\">"),
        "{out}"
    );
}

#[test]
fn rich_text_renders_its_markup_as_elements_and_everything_else_as_text() {
    // `<!>` are the renderer's hydration markers, not content.
    let rich = |heading: &str, body: &str| {
        html(BlockProps::RichText(RichTextProps {
            heading: heading.into(),
            body: body.into(),
        }))
        .replace("<!>", "")
    };
    // The starter's plain paragraphs render as before.
    let plain = starter(ComponentKind::RichText).replace("<!>", "");
    assert!(
        plain.contains("<p>Write a few paragraphs about who you are.</p><p>Leave a blank line"),
        "{plain}"
    );

    let out = rich("About", "## Hours\n### Weekdays\nWe are **open** *daily*. [Book](/book) or [call](tel:+1555)\n\n- Tea\n- Cake\n\n1. Order\n2. Eat");
    for part in [
        "<h3>Hours</h3>",
        "<h4>Weekdays</h4>",
        "<strong>open</strong>",
        "<em>daily</em>",
        "<a href=\"/book\">Book</a>",
        "<a href=\"tel:+1555\">call</a>",
        "<ul><li>Tea</li><li>Cake</li></ul>",
        "<ol><li>Order</li><li>Eat</li></ol>",
    ] {
        assert!(out.contains(part), "lacks {part}: {out}");
    }
    // Without a block heading, `## ` is the section's own h2.
    assert!(rich("", "## Hours").contains("<h2>Hours</h2>"));

    let out = rich("", "<script>alert(1)</script> **<img src=x onerror=alert(1)>** [x](javascript:alert(1)) [y](JaVaScRiPt:alert(1))");
    assert!(
        out.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "{out}"
    );
    assert!(
        out.contains("<strong>&lt;img src=x onerror=alert(1)&gt;</strong>"),
        "{out}"
    );
    assert!(
        !out.contains("<script") && !out.contains("<img") && !out.contains("<a "),
        "{out}"
    );
    assert!(
        !out.to_ascii_lowercase().contains("javascript:"),
        "the address is dropped: {out}"
    );
}

mod shop {
    use std::sync::Arc;

    use leptos::prelude::*;
    use leptos::tachys::view::RenderHtml;
    use uuid::Uuid;

    use crate::blocks::BlockView;
    use crate::model::{
        BlockProps, BuyButtonProps, ProductDetailProps, ProductGridProps, Shelf, ShelfCategory,
        ShelfProduct, StorefrontProduct, StorefrontVariant,
    };

    fn variant(price: i64, stock: Option<i32>, values: &[&str]) -> StorefrontVariant {
        StorefrontVariant {
            id: Uuid::new_v4(),
            option_values: values.iter().map(|s| s.to_string()).collect(),
            sku: None,
            price_cents: price,
            compare_at_price_cents: None,
            stock,
            available: stock.is_none_or(|n| n > 0),
        }
    }

    fn product(title: &str, slug: &str, variants: Vec<StorefrontVariant>) -> ShelfProduct {
        ShelfProduct {
            status: "active".into(),
            product: StorefrontProduct {
                id: Uuid::new_v4(),
                slug: slug.into(),
                title: title.into(),
                description: "Made of **clay**.".into(),
                currency: "EUR".into(),
                option_names: vec!["Size".into()],
                images: vec![],
                seo_title: None,
                seo_description: None,
                variants,
            },
        }
    }

    fn shelf(editing: bool) -> Shelf {
        let mug = product(
            "Blue Mug",
            "blue-mug",
            vec![
                variant(1250, Some(4), &["M"]),
                variant(1400, Some(0), &["L"]),
            ],
        );
        let cap = product("Cap", "cap", vec![variant(900, Some(0), &[])]);
        Shelf {
            all: vec![mug.product.id, cap.product.id],
            categories: vec![ShelfCategory {
                id: Uuid::new_v4(),
                name: "Hats".into(),
                product_ids: vec![cap.product.id],
            }],
            products: vec![mug, cap],
            editing,
            prefix: "/sites/demo".into(),
            base: "https://demo.example".into(),
        }
    }

    fn html(block: BlockProps, shelf: Option<Shelf>) -> String {
        let shelf = shelf.map(Arc::new);
        Owner::new().with(|| view! { <BlockView block=block shelf=shelf/> }.to_html())
    }

    #[test]
    fn a_grid_links_its_products_with_live_prices_in_its_sources_order() {
        let s = shelf(false);
        let all = html(
            BlockProps::ProductGrid(ProductGridProps::default()),
            Some(s.clone()),
        );
        assert!(
            all.contains("href=\"/sites/demo/products/blue-mug\""),
            "{all}"
        );
        assert!(all.contains("From €12.50"), "{all}");
        assert!(
            all.contains("<h3>Cap</h3>") && all.contains("Sold out"),
            "{all}"
        );
        assert!(all.find("Blue Mug") < all.find("Cap"));
        assert!(all.contains("--sp-columns:3"));

        let hats = ProductGridProps {
            source: "category".into(),
            category_id: s.categories[0].id.to_string(),
            ..ProductGridProps::default()
        };
        let out = html(BlockProps::ProductGrid(hats), Some(s.clone()));
        assert!(out.contains("Cap") && !out.contains("Blue Mug"), "{out}");

        let picked = ProductGridProps {
            source: "products".into(),
            product_ids: vec![s.all[1].to_string(), Uuid::new_v4().to_string()],
            limit: 1,
            ..ProductGridProps::default()
        };
        let out = html(BlockProps::ProductGrid(picked), Some(s));
        assert!(out.contains("Cap") && !out.contains("Blue Mug"), "{out}");
    }

    #[test]
    fn unset_blocks_show_a_placeholder_in_the_builder_and_nothing_to_visitors() {
        let unset = BlockProps::ProductDetail(ProductDetailProps::default());
        let builder = html(unset.clone(), Some(shelf(true)));
        assert!(
            builder.contains("Choose a product in the inspector."),
            "{builder}"
        );
        let visitor = html(unset, Some(shelf(false)));
        assert!(
            !visitor.contains("sp-product-detail") && !visitor.contains("Choose"),
            "{visitor}"
        );
        let empty_grid = BlockProps::ProductGrid(ProductGridProps::default());
        let visitor = html(empty_grid, Some(Shelf::default()));
        assert!(!visitor.contains("<li"), "no made-up products: {visitor}");
    }

    #[test]
    fn product_detail_posts_each_variant_to_the_cart_with_json_ld() {
        let s = shelf(false);
        let mug = &s.products[0].product;
        let block = BlockProps::ProductDetail(ProductDetailProps {
            product_id: mug.id.to_string(),
            ..ProductDetailProps::default()
        });
        let out = html(block, Some(s.clone()));
        assert!(out.contains("action=\"/sites/demo/cart\""), "{out}");
        assert!(out.contains(&format!("value=\"{}\"", mug.variants[0].id)));
        // L is sold out: no form for it.
        assert!(!out.contains(&format!("value=\"{}\"", mug.variants[1].id)));
        assert!(
            out.contains("Only 4 left") && out.contains("<strong>clay"),
            "{out}"
        );
        assert!(
            out.contains("application/ld+json") && out.contains("\"price\":\"12.50\""),
            "{out}"
        );
    }

    #[test]
    fn a_buy_button_posts_its_variant_without_javascript() {
        let s = shelf(false);
        let mug = &s.products[0].product;
        let one = BlockProps::BuyButton(BuyButtonProps {
            product_id: mug.id.to_string(),
            variant_id: mug.variants[0].id.to_string(),
            ..BuyButtonProps::default()
        });
        let out = html(one, Some(s.clone()));
        assert!(
            out.contains("method=\"post\"") && out.contains("name=\"variant_id\""),
            "{out}"
        );
        assert!(out.contains("€12.50") && out.contains("Buy now"), "{out}");
        let cap = &s.products[1].product;
        let sold_out = BlockProps::BuyButton(BuyButtonProps {
            product_id: cap.id.to_string(),
            ..BuyButtonProps::default()
        });
        let out = html(sold_out, Some(s));
        assert!(
            out.contains("disabled") && out.contains("Sold out") && !out.contains("<form"),
            "{out}"
        );
    }
}
