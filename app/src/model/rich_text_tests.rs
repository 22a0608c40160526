use super::*;
use RichBlock::*;
use Span::*;

fn t(s: &str) -> Span {
    Text(s.into())
}

/// Every link's href anywhere in `blocks`.
fn hrefs(blocks: &[RichBlock]) -> Vec<String> {
    fn walk(spans: &[Span], out: &mut Vec<String>) {
        for s in spans {
            match s {
                Text(_) => {}
                Strong(c) | Em(c) => walk(c, out),
                Link { href, children } => {
                    out.push(href.clone());
                    walk(children, out);
                }
            }
        }
    }
    let mut out = Vec::new();
    for b in blocks {
        match b {
            Paragraph(s) | Heading(_, s) => walk(s, &mut out),
            Bullets(items) | Numbered(items) => items.iter().for_each(|i| walk(i, &mut out)),
        }
    }
    out
}

#[test]
fn plain_text_is_paragraphs_as_before() {
    let body =
        "Write a few paragraphs about who you are.\n\nLeave a blank line to start a new paragraph.";
    assert_eq!(
        parse_rich_text(body),
        vec![
            Paragraph(vec![t("Write a few paragraphs about who you are.")]),
            Paragraph(vec![t("Leave a blank line to start a new paragraph.")]),
        ]
    );
    assert_eq!(
        parse_rich_text("one\ntwo\r\n\r\n\n\nthree"),
        vec![Paragraph(vec![t("one\ntwo")]), Paragraph(vec![t("three")])]
    );
    assert_eq!(parse_rich_text("  \n\n "), vec![]);
    assert_eq!(check_rich_text("body", body), Ok(()));
}

#[test]
fn headings_and_lists() {
    let body =
        "## Menu\n### Starters\n- Soup\n- **Bread**\nwith butter\n\n1. Order\n2. Eat\n10. Pay";
    assert_eq!(
        parse_rich_text(body),
        vec![
            Heading(HeadingLevel::Section, vec![t("Menu")]),
            Heading(HeadingLevel::Subsection, vec![t("Starters")]),
            Bullets(vec![
                vec![t("Soup")],
                vec![Strong(vec![t("Bread")]), t("\nwith butter")]
            ]),
            Numbered(vec![vec![t("Order")], vec![t("Eat")], vec![t("Pay")]]),
        ]
    );
    // Markers need their space; `#` alone and `####` are text.
    assert_eq!(
        parse_rich_text("#1 fan"),
        vec![Paragraph(vec![t("#1 fan")])]
    );
    assert_eq!(
        parse_rich_text("#### Deep"),
        vec![Paragraph(vec![t("#### Deep")])]
    );
    assert_eq!(
        parse_rich_text("-not a list\n2024.Year"),
        vec![Paragraph(vec![t("-not a list\n2024.Year")])]
    );
    // A list right after a paragraph line starts a list.
    assert_eq!(
        parse_rich_text("We offer:\n- Tea"),
        vec![
            Paragraph(vec![t("We offer:")]),
            Bullets(vec![vec![t("Tea")]])
        ]
    );
}

#[test]
fn bold_italic_and_links() {
    assert_eq!(
        parse_rich_text("A **bold** and *soft* [call us](tel:+15550100) or [read](/about)."),
        vec![Paragraph(vec![
            t("A "),
            Strong(vec![t("bold")]),
            t(" and "),
            Em(vec![t("soft")]),
            t(" "),
            Link {
                href: "tel:+15550100".into(),
                children: vec![t("call us")]
            },
            t(" or "),
            Link {
                href: "/about".into(),
                children: vec![t("read")]
            },
            t("."),
        ])]
    );
    assert_eq!(
        parse_rich_text("*italic with **bold** inside*"),
        vec![Paragraph(vec![Em(vec![
            t("italic with "),
            Strong(vec![t("bold")]),
            t(" inside")
        ])])]
    );
    assert_eq!(
        parse_rich_text("**[Menu](https://example.com/menu) and *today*!**"),
        vec![Paragraph(vec![Strong(vec![
            Link {
                href: "https://example.com/menu".into(),
                children: vec![t("Menu")]
            },
            t(" and "),
            Em(vec![t("today")]),
            t("!"),
        ])])]
    );
}

#[test]
fn unbalanced_and_stray_markers_stay_text() {
    for src in [
        "**not closed",
        "*not closed",
        "5 * 3 * 2",
        "a ** b ** c",
        "****",
        "[no link]",
        "[x](",
        "[](/a)",
        "](",
    ] {
        assert_eq!(parse_rich_text(src), vec![Paragraph(vec![t(src)])], "{src}");
    }
    // Nested brackets: the inner one is the link, the outer ones are text.
    assert_eq!(
        parse_rich_text("[a [b](/c)]"),
        vec![Paragraph(vec![
            t("[a "),
            Link {
                href: "/c".into(),
                children: vec![t("b")]
            },
            t("]")
        ])]
    );
    // A link's text cannot hold another link.
    let blocks = parse_rich_text("[x [y](/z)](/w)");
    assert_eq!(hrefs(&blocks), vec!["/z".to_string()]);
}

#[test]
fn html_is_only_ever_text() {
    let src = "<script>alert(1)</script>\n\n<img src=x onerror=alert(1)> **<b>hi</b>**";
    assert_eq!(
        parse_rich_text(src),
        vec![
            Paragraph(vec![t("<script>alert(1)</script>")]),
            Paragraph(vec![
                t("<img src=x onerror=alert(1)> "),
                Strong(vec![t("<b>hi</b>")])
            ]),
        ]
    );
    assert_eq!(check_rich_text("body", src), Ok(()));
}

#[test]
fn unsafe_links_render_as_text_and_are_refused() {
    let attacks = [
        "[x](javascript:alert(1))",
        "[x](JaVaScRiPt:alert(1))",
        "[x]( javascript:alert(1))",
        "[x](data:text/html,<script>alert(1)</script>)",
        "[x](vbscript:msgbox)",
        "[x](//evil.example)",
        "[x](java\tscript:alert(1))",
        "[x]()",
        "**[x](javascript:alert(1))**",
        "- *[x](javascript:alert(1))*",
        "## [x](javascript:alert(1))",
    ];
    for src in attacks {
        let blocks = parse_rich_text(src);
        assert_eq!(hrefs(&blocks), Vec::<String>::new(), "{src}: {blocks:?}");
        let err = check_rich_text("body", src).expect_err(src);
        assert_eq!(err.field(), Some("body"), "{src}");
    }
    // The text stays; the address is dropped.
    assert_eq!(
        parse_rich_text("[x](javascript:alert(1))"),
        vec![Paragraph(vec![t("x"), t(")")])]
    );
    // One bad link among good ones is enough to refuse the body.
    assert!(check_rich_text("body", "[ok](/a) [bad](javascript:1)").is_err());
}

#[test]
fn long_and_nested_input_is_bounded() {
    let deep = "*".repeat(5_000);
    assert_eq!(parse_rich_text(&deep), vec![Paragraph(vec![t(&deep)])]);
    let nested = "**a *b [c](/d) e* f**".repeat(200);
    assert_eq!(hrefs(&parse_rich_text(&nested)).len(), 200);
    let brackets = "[".repeat(3_000) + &"](/x)".repeat(3);
    assert!(check_rich_text("body", &brackets).is_ok());
}
