//! Props of all 22 kinds: starters are valid and round-trip, text edits land, and unsafe or
//! out-of-range values are refused with the field they belong to.

use serde_json::{json, Value};

use super::*;
use crate::error::AppError;

/// Parses `kind` with one value of its starter props replaced (`pointer` is a JSON pointer).
fn with_value(kind: ComponentKind, pointer: &str, value: Value) -> Result<BlockProps, AppError> {
    let mut props = BlockProps::starter(kind).props_json();
    *props
        .pointer_mut(pointer)
        .unwrap_or_else(|| panic!("{kind:?} has no {pointer}")) = value;
    BlockProps::from_parts(kind.as_str(), props)
}

fn refused_field(r: Result<BlockProps, AppError>) -> String {
    match r {
        Err(AppError::Invalid { field, .. }) => field,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[test]
fn every_kind_is_placeable_in_seed_order() {
    assert_eq!(BlockProps::PLACEABLE, ComponentKind::ALL);
    for kind in ComponentKind::ALL {
        assert_eq!(BlockProps::starter(kind).kind(), kind);
    }
}

#[test]
fn every_starter_validates_round_trips_and_takes_a_heading_edit() {
    for kind in ComponentKind::ALL {
        let starter = BlockProps::starter(kind);
        starter
            .validate()
            .unwrap_or_else(|e| panic!("{kind:?} starter is invalid: {e}"));
        let parsed = BlockProps::from_parts(kind.as_str(), starter.props_json())
            .unwrap_or_else(|e| panic!("{kind:?} starter does not parse: {e}"));
        assert_eq!(parsed, starter, "{kind:?} round-trips");

        let (key, label) = match kind {
            ComponentKind::CustomHtml => ("html", "HTML"),
            // Shop blocks that show a product lead with their product picker, then the button.
            ComponentKind::ProductDetail => ("button_label", "Button label"),
            ComponentKind::BuyButton => ("label", "Button label"),
            _ => ("heading", "Heading"),
        };
        let first = starter
            .text_fields()
            .into_iter()
            .next()
            .unwrap_or_else(|| panic!("{kind:?} has no text fields"));
        assert_eq!(
            (first.key, first.label),
            (key, label),
            "{kind:?} leads with its {label}"
        );
        let mut edited = starter.clone();
        assert!(
            edited.set_text(key, "Edited by a person".into()),
            "{kind:?} takes {key}"
        );
        assert_eq!(edited.text_fields()[0].value, "Edited by a person");
        assert_eq!(
            BlockProps::from_parts(kind.as_str(), edited.props_json()).ok(),
            Some(edited)
        );
        assert!(!starter.clone().set_text("no_such_prop", String::new()));
    }
}

#[test]
fn script_and_data_urls_are_refused_wherever_a_kind_takes_a_link() {
    use ComponentKind::*;
    let cases = [
        (Navbar, "/cta_href", "cta_href"),
        (Navbar, "/links/0/href", "links.href"),
        (Hero, "/background_image", "background_image"),
        (Gallery, "/images/0/url", "images.url"),
        (Testimonials, "/reviews/0/avatar_url", "reviews.avatar_url"),
        (Pricing, "/plans/0/cta_href", "plans.cta_href"),
        (Cta, "/button_href", "button_href"),
        (Team, "/members/0/photo_url", "members.photo_url"),
        (BlogGrid, "/posts/0/image_url", "posts.image_url"),
        (BlogGrid, "/posts/0/href", "posts.href"),
        (VideoEmbed, "/url", "url"),
        (ImageText, "/image_url", "image_url"),
        (ImageText, "/button_href", "button_href"),
        (Footer, "/columns/0/links/0/href", "columns.links.href"),
    ];
    for (kind, pointer, field) in cases {
        for bad in [
            "javascript:alert(1)",
            "data:text/html,<script>alert(1)</script>",
            " JaVaScRiPt:x",
        ] {
            assert_eq!(
                refused_field(with_value(kind, pointer, json!(bad))),
                field,
                "{kind:?} {pointer} {bad}"
            );
        }
    }
    // The contact form has no links, but its recipient must be an email address.
    assert_eq!(
        refused_field(with_value(
            ContactForm,
            "/recipient_email",
            json!("javascript:x")
        )),
        "recipient_email"
    );
    assert!(with_value(ContactForm, "/recipient_email", json!("hello@example.com")).is_ok());
}

#[test]
fn only_youtube_and_vimeo_links_are_accepted_for_video() {
    let ok = [
        (
            "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
            "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ",
        ),
        (
            "https://youtube.com/watch?feature=share&v=dQw4w9WgXcQ&t=42",
            "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ",
        ),
        (
            "https://youtu.be/dQw4w9WgXcQ?si=abc",
            "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ",
        ),
        (
            "https://vimeo.com/76979871",
            "https://player.vimeo.com/video/76979871",
        ),
        (
            "http://www.vimeo.com/76979871/",
            "https://player.vimeo.com/video/76979871",
        ),
    ];
    for (url, embed) in ok {
        assert!(
            with_value(ComponentKind::VideoEmbed, "/url", json!(url)).is_ok(),
            "{url}"
        );
        assert_eq!(
            VideoSource::parse(url).map(|s| s.embed_url()).as_deref(),
            Some(embed),
            "{url}"
        );
    }
    for bad in [
        "https://example.com/watch?v=dQw4w9WgXcQ",
        "https://youtube.com.evil.test/watch?v=dQw4w9WgXcQ",
        "https://youtube.com@evil.test/watch?v=dQw4w9WgXcQ",
        "https://www.youtube.com/watch?v=short",
        "https://www.youtube.com/watch?v=dQw4w9WgXc\"Q",
        "https://www.youtube.com/playlist?list=PL123",
        "https://vimeo.com/channels/staffpicks",
        "https://dailymotion.com/video/x7",
        "/videos/intro.mp4",
    ] {
        assert_eq!(
            refused_field(with_value(ComponentKind::VideoEmbed, "/url", json!(bad))),
            "url",
            "{bad}"
        );
    }
    // No link yet is fine: the block shows a placeholder.
    assert!(with_value(ComponentKind::VideoEmbed, "/url", json!("")).is_ok());
}

#[test]
fn map_coordinates_and_zoom_must_be_in_range() {
    let map = ComponentKind::Map;
    for (pointer, value, field) in [
        ("/latitude", json!(90.5), "latitude"),
        ("/latitude", json!(-91), "latitude"),
        ("/longitude", json!(180.01), "longitude"),
        ("/longitude", json!(-200), "longitude"),
        ("/zoom", json!(0), "zoom"),
        ("/zoom", json!(20), "zoom"),
    ] {
        assert_eq!(refused_field(with_value(map, pointer, value)), field);
    }
    assert!(with_value(map, "/latitude", json!(-90)).is_ok());
    assert!(with_value(map, "/longitude", json!(180)).is_ok());

    let MapProps {
        latitude,
        longitude,
        ..
    } = MapProps::default();
    let url = MapProps::default().embed_url();
    assert!(
        url.starts_with("https://www.openstreetmap.org/export/embed.html?bbox="),
        "{url}"
    );
    assert!(
        url.ends_with(&format!(
            "&layer=mapnik&marker={latitude:.5}%2C{longitude:.5}"
        )),
        "{url}"
    );
    // The box is centred on the marker and shrinks as the zoom level grows.
    let bbox = |zoom: u8| -> Vec<f64> {
        let url = MapProps {
            zoom,
            ..MapProps::default()
        }
        .embed_url();
        let rest = url
            .split("bbox=")
            .nth(1)
            .and_then(|r| r.split('&').next())
            .unwrap_or_default()
            .to_string();
        rest.split("%2C")
            .map(|n| n.parse().unwrap_or(f64::NAN))
            .collect()
    };
    let (near, far) = (bbox(15), bbox(5));
    assert!(
        near[0] < longitude && longitude < near[2] && near[1] < latitude && latitude < near[3],
        "{near:?}"
    );
    assert!(
        far[2] - far[0] > near[2] - near[0],
        "{far:?} is wider than {near:?}"
    );
}

#[test]
fn custom_html_is_capped_at_twenty_thousand_characters() {
    let html = ComponentKind::CustomHtml;
    assert!(with_value(html, "/html", json!("a".repeat(CUSTOM_HTML_MAX))).is_ok());
    assert_eq!(
        refused_field(with_value(
            html,
            "/html",
            json!("a".repeat(CUSTOM_HTML_MAX + 1))
        )),
        "html"
    );
    assert_eq!(
        refused_field(with_value(html, "/height", json!(10))),
        "height"
    );
}

#[test]
fn lists_numbers_and_form_fields_are_checked() {
    use ComponentKind::*;
    let many = |n: usize, item: Value| Value::Array(vec![item; n]);
    let r = with_value(
        Faq,
        "/items",
        many(41, json!({ "question": "Q?", "answer": "A." })),
    );
    assert_eq!(
        r.err().map(|e| e.to_string()).as_deref(),
        Some("A FAQ holds at most 40 questions.")
    );
    assert_eq!(
        refused_field(with_value(Stats, "/items", many(9, json!({ "value": 1 })))),
        "items"
    );
    assert_eq!(
        refused_field(with_value(Stats, "/items/0/value", json!(1e16))),
        "items.value"
    );
    assert_eq!(
        refused_field(with_value(Stats, "/items/0/decimals", json!(3))),
        "items.decimals"
    );
    assert_eq!(
        refused_field(with_value(Testimonials, "/reviews/0/rating", json!(6))),
        "reviews.rating"
    );
    assert_eq!(
        refused_field(with_value(
            Testimonials,
            "/reviews/0/date",
            json!("15/11/2024")
        )),
        "reviews.date"
    );
    assert_eq!(
        refused_field(with_value(BlogGrid, "/columns", json!(5))),
        "columns"
    );
    assert_eq!(
        refused_field(with_value(
            Pricing,
            "/plans",
            many(7, json!({ "name": "X" }))
        )),
        "plans"
    );
    assert_eq!(
        refused_field(with_value(ImageText, "/image_position", json!("middle"))),
        "image_position"
    );
    assert_eq!(
        refused_field(with_value(ContactForm, "/fields/1/name", json!("name"))),
        "fields.name"
    );
    assert_eq!(
        refused_field(with_value(ContactForm, "/fields/0/type", json!("password"))),
        "fields.type"
    );
    assert_eq!(
        refused_field(with_value(ContactForm, "/fields", json!([]))),
        "fields"
    );
}

#[test]
fn stat_values_are_shown_with_grouped_digits() {
    let stat = |value: f64, decimals: u8, prefix: &str, suffix: &str| {
        StatItem {
            value,
            decimals,
            prefix: prefix.into(),
            suffix: suffix.into(),
            label: String::new(),
        }
        .display()
    };
    assert_eq!(stat(1500.0, 0, "", "+"), "1,500+");
    assert_eq!(stat(4.9, 1, "", "/5"), "4.9/5");
    assert_eq!(stat(-1234567.25, 2, "$", ""), "-$1,234,567.25");
    assert_eq!(stat(999.0, 0, "", ""), "999");
    assert_eq!(stat(-0.001, 0, "", ""), "0");
}

#[test]
fn contact_form_props_follow_the_seed_shape() {
    // Schema reference §18 uses "type" for a field's input type.
    let p = ContactFormProps::default();
    let v = BlockProps::ContactForm(p).props_json();
    assert_eq!(
        v["fields"][1],
        json!({ "name": "email", "label": "Email", "type": "email", "required": true })
    );
    for key in [
        "recipient_email",
        "submit_label",
        "success_message",
        "show_address",
        "show_phone",
        "business_hours",
    ] {
        assert!(v.get(key).is_some(), "{key}");
    }
}

/// The tagged wire form (`{"type", "props"}`) of every kind reads back, from text and from a
/// `Value`, whichever key comes first; unknown kinds and missing props are refused.
#[test]
fn the_tagged_form_of_every_kind_round_trips_in_any_key_order() {
    for kind in ComponentKind::ALL {
        let starter = BlockProps::starter(kind);
        let text = serde_json::to_string(&starter).expect("serialise");
        assert_eq!(
            serde_json::from_str::<BlockProps>(&text).expect("text"),
            starter,
            "{kind:?}"
        );
        let value = serde_json::to_value(&starter).expect("to value");
        assert_eq!(value["type"], kind.as_str());
        assert_eq!(
            serde_json::from_value::<BlockProps>(value).expect("value"),
            starter,
            "{kind:?}"
        );
        let props_first = format!(
            r#"{{"props":{},"type":"{}"}}"#,
            starter.props_json(),
            kind.as_str()
        );
        assert_eq!(
            serde_json::from_str::<BlockProps>(&props_first).expect("props first"),
            starter,
            "{kind:?}"
        );
    }
    let err = |json: &str| {
        serde_json::from_str::<BlockProps>(json)
            .expect_err("refused")
            .to_string()
    };
    assert!(err(r#"{"type":"marquee","props":{}}"#).contains("unknown variant `marquee`"));
    assert!(err(r#"{"type":"hero"}"#).contains("missing field `props`"));
    assert!(err(r#"{"type":"hero","props":{"heading":["x"]}}"#).contains("invalid type"));
}

#[test]
fn shop_blocks_take_only_ids_from_the_lists_and_bounded_grids() {
    use ComponentKind::*;
    let id = "0b5f3c1e-8a7d-4f7e-9a51-2d6f1c3b4a59";
    // Unset (empty) is fine everywhere: the builder shows a placeholder, visitors nothing.
    for kind in ComponentKind::SHOP {
        BlockProps::starter(kind).validate().expect("starter");
    }
    assert!(with_value(ProductDetail, "/product_id", json!(id)).is_ok());
    assert_eq!(
        refused_field(with_value(ProductDetail, "/product_id", json!("mug"))),
        "product_id"
    );
    assert_eq!(
        refused_field(with_value(BuyButton, "/product_id", json!("'; drop"))),
        "product_id"
    );
    // A variant needs its product.
    assert_eq!(
        refused_field(with_value(BuyButton, "/variant_id", json!(id))),
        "variant_id"
    );
    assert_eq!(
        refused_field(with_value(ProductGrid, "/category_id", json!("shoes"))),
        "category_id"
    );
    assert_eq!(
        refused_field(with_value(ProductGrid, "/product_ids", json!([id, "x"]))),
        "product_ids"
    );
    let too_many: Vec<String> = (0..49).map(|_| id.to_string()).collect();
    assert_eq!(
        refused_field(with_value(ProductGrid, "/product_ids", json!(too_many))),
        "product_ids"
    );
    assert_eq!(
        refused_field(with_value(ProductGrid, "/columns", json!(6))),
        "columns"
    );
    assert_eq!(
        refused_field(with_value(ProductGrid, "/limit", json!(49))),
        "limit"
    );
    assert_eq!(
        refused_field(with_value(ProductGrid, "/source", json!("random"))),
        "source"
    );
    let grid = with_value(ProductGrid, "/product_ids", json!([id, id])).expect("grid");
    let BlockProps::ProductGrid(g) = grid else {
        unreachable!()
    };
    assert_eq!(g.picked().len(), 1, "a product picked twice shows once");
}
