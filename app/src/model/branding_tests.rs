use super::*;
use crate::model::{color_input_value, contrast_ratio, ContrastCheck};

fn field_of(b: &Branding) -> Option<String> {
    b.validate().err().and_then(|e| e.field().map(String::from))
}

#[test]
fn defaults_are_valid_and_match_the_stylesheet() {
    let b = Branding::default();
    assert_eq!(b.validate(), Ok(()));
    let css = b.css_vars();
    assert!(css.contains("--sp-primary:#4F46E5;"));
    assert!(css.contains("--sp-heading-font:\"Georgia\";--sp-body-font:system-ui;"));
    assert!(css.contains("--sp-section-padding:72px;--sp-container-max:1120px;"));
    assert!(css.contains("--sp-logo:none;--sp-logo-display:none;"));
}

#[test]
fn the_seed_shape_parses_and_old_rows_get_defaults() {
    let seed = serde_json::json!({
        "colors": { "primary": "#FF6B35", "danger": "#D63031", "success": "#00B894" },
        "typography": { "heading_font": "Playfair Display", "body_font": "Inter", "base_font_size": 16, "line_height": 1.6, "heading_weight": 700 },
        "logo": { "url": "https://res.cloudinary.com/demo/logo.png", "alt": "Pizza Palace", "width": 160, "height": 50 },
        "spacing": { "section_padding_y": "80px", "container_max_width": "1280px" },
        "border_radius": { "button": "8px", "card": "12px", "input": "6px" }
    });
    let b: Branding = serde_json::from_value(seed).expect("seed shape");
    assert_eq!(
        b.colors.secondary, "#1E293B",
        "missing colours take the default"
    );
    assert_eq!(b.validate(), Ok(()));
    let css = b.css_vars();
    assert!(css.contains("--sp-logo:url(\"https://res.cloudinary.com/demo/logo.png\");--sp-logo-display:inline-block;"));
    assert!(css.contains("--sp-heading-font:\"Playfair Display\";"));

    // A row from before logo/spacing existed.
    let old: Branding =
        serde_json::from_value(serde_json::json!({ "colors": { "primary": "#123456" } }))
            .expect("old");
    assert_eq!(old.spacing, Spacing::default());
    assert_eq!(old.logo, BrandLogo::default());
}

#[test]
fn every_malformed_field_is_named() {
    type Breaker = Box<dyn Fn(&mut Branding)>;
    let cases: Vec<(&str, Breaker)> = vec![
        (
            "colors.primary",
            Box::new(|b| b.colors.primary = "red;}body{display:none".into()),
        ),
        (
            "colors.success",
            Box::new(|b| b.colors.success = "#12345".into()),
        ),
        (
            "colors.text",
            Box::new(|b| b.colors.text = "rgb(0,0,0)".into()),
        ),
        (
            "typography.heading_font",
            Box::new(|b| b.typography.heading_font = "x;}".into()),
        ),
        (
            "typography.body_font",
            Box::new(|b| b.typography.body_font = "Comic Sans MS".into()),
        ),
        (
            "typography.base_font_size",
            Box::new(|b| b.typography.base_font_size = 40),
        ),
        (
            "typography.line_height",
            Box::new(|b| b.typography.line_height = 0.5),
        ),
        (
            "typography.heading_weight",
            Box::new(|b| b.typography.heading_weight = 650),
        ),
        (
            "logo.url",
            Box::new(|b| b.logo.url = "javascript:alert(1)".into()),
        ),
        (
            "logo.url",
            Box::new(|b| b.logo.url = "https://x.test/a.png\");}body{display:none".into()),
        ),
        (
            "logo.url",
            Box::new(|b| b.logo.url = "mailto:a@b.test".into()),
        ),
        ("logo.alt", Box::new(|b| b.logo.alt = "a".repeat(201))),
        ("logo.width", Box::new(|b| b.logo.width = 5000)),
        ("logo.height", Box::new(|b| b.logo.height = 0)),
        (
            "spacing.section_padding_y",
            Box::new(|b| b.spacing.section_padding_y = "72px;color:red".into()),
        ),
        (
            "spacing.section_padding_y",
            Box::new(|b| b.spacing.section_padding_y = "9000px".into()),
        ),
        (
            "spacing.container_max_width",
            Box::new(|b| b.spacing.container_max_width = "0".into()),
        ),
        (
            "border_radius.button",
            Box::new(|b| b.border_radius.button = "1.2.3px".into()),
        ),
        (
            "border_radius.card",
            Box::new(|b| b.border_radius.card = "1px;background:url(x)".into()),
        ),
        (
            "border_radius.input",
            Box::new(|b| b.border_radius.input = "8".into()),
        ),
    ];
    for (field, break_it) in cases {
        let mut b = Branding::default();
        break_it(&mut b);
        assert_eq!(field_of(&b).as_deref(), Some(field), "{b:?}");
    }
}

#[test]
fn accepted_lengths_and_colours() {
    let mut b = Branding::default();
    b.colors.primary = "#abc".into();
    b.border_radius.button = "999px".into();
    b.border_radius.card = "0".into();
    b.border_radius.input = "0.5rem".into();
    b.spacing.section_padding_y = "4rem".into();
    b.spacing.container_max_width = "90%".into();
    b.logo.url = "/starter/logo.svg".into();
    assert_eq!(b.validate(), Ok(()));
    assert!(b.css_vars().contains("--sp-container-max:90%;"));
}

#[test]
fn malformed_branding_cannot_inject_css() {
    let mut b = Branding::default();
    b.colors.primary = "red;} body{display:none".into();
    b.typography.heading_font = "x;}".into();
    b.typography.line_height = f32::NAN;
    b.border_radius.card = "1px;background:url(x)".into();
    b.spacing.container_max_width = "1px}*{color:red".into();
    b.logo.url = "https://x.test/a.png\");}body{display:none".into();
    let css = b.css_vars();
    assert!(css.contains("--sp-primary:#4F46E5;"));
    assert!(css.contains("--sp-line-height:1.6;"));
    assert!(css.contains("--sp-logo:none;"));
    assert!(!css.contains('}'));
    assert!(!css.contains("url(x"));
    assert!(!css.contains("body{"));
}

#[test]
fn colour_inputs_get_the_long_lower_case_form() {
    assert_eq!(color_input_value("#ABC"), "#aabbcc");
    assert_eq!(color_input_value("#4F46E5"), "#4f46e5");
    assert_eq!(color_input_value("red"), "#000000");
}

#[test]
fn contrast_follows_wcag_and_the_default_palette_passes() {
    let r = |a, b| (contrast_ratio(a, b).expect("hex") * 100.0).round() / 100.0;
    assert_eq!(r("#000", "#fff"), 21.0);
    assert_eq!(r("#fff", "#fff"), 1.0);
    // Order does not matter; #767676 on white is the well-known 4.54.
    assert_eq!(r("#FFFFFF", "#767676"), 4.54);
    assert_eq!(r("#767676", "#FFFFFF"), 4.54);
    assert_eq!(contrast_ratio("red", "#fff"), None);
    let checks = crate::model::BrandColors::default().contrast_checks();
    assert_eq!(checks.len(), 7);
    assert!(checks.iter().all(ContrastCheck::passes), "{checks:?}");
    let pale = crate::model::BrandColors {
        primary: "#A5B4FC".into(),
        ..Default::default()
    };
    let button = pale
        .contrast_checks()
        .into_iter()
        .find(|c| c.pair == "Button label on primary")
        .expect("pair");
    assert!(!button.passes(), "{button:?}");
}
