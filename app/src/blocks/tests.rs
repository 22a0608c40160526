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
        if kind != ComponentKind::CustomHtml {
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
