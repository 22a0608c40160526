//! The safe markup of a text block's body: paragraphs (blank line), `## ` / `### ` headings,
//! `- ` and `1. ` lists, `**bold**`, `*italic*` and `[text](url)` links. Nothing else: the
//! source is never HTML, and renderers output the AST as elements and escaped text only.
//!
//! Links must pass [`check_url`]. A link with any other address is shown as its text without
//! a link, and [`check_rich_text`] refuses it, so it cannot be saved in the first place.

use super::check_url;
use crate::error::AppError;

/// An inline run of text.
#[derive(Debug, Clone, PartialEq)]
pub enum Span {
    Text(String),
    Strong(Vec<Span>),
    Em(Vec<Span>),
    /// `href` has passed `check_url`; the text holds no further links.
    Link {
        href: String,
        children: Vec<Span>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HeadingLevel {
    /// `## `
    Section,
    /// `### `
    Subsection,
}

/// One block-level element.
#[derive(Debug, Clone, PartialEq)]
pub enum RichBlock {
    Paragraph(Vec<Span>),
    Heading(HeadingLevel, Vec<Span>),
    Bullets(Vec<Vec<Span>>),
    Numbered(Vec<Vec<Span>>),
}

/// Parses a body. Never fails: anything that is not markup is text.
pub fn parse_rich_text(src: &str) -> Vec<RichBlock> {
    Parser::default().blocks(src)
}

/// Refuses a body holding a link whose address is not allowed (field `field`).
pub fn check_rich_text(field: &str, src: &str) -> Result<(), AppError> {
    let mut p = Parser::default();
    p.blocks(src);
    match p.refused.first() {
        None => Ok(()),
        Some(label) => Err(AppError::invalid(
            field,
            format!(
                "The link “{label}” needs an address like /about, https://…, mailto: or tel:. \
                 Write links as [text](address)."
            ),
        )),
    }
}

/// Which line-level construct a block of lines is being collected into.
enum Open {
    None,
    Paragraph(Vec<String>),
    Bullets(Vec<String>),
    Numbered(Vec<String>),
}

#[derive(Default)]
struct Parser {
    /// Link texts whose address was refused, in order.
    refused: Vec<String>,
}

/// The rest of a `1. ` list line after its marker.
fn numbered_item(line: &str) -> Option<&str> {
    let digits = line.find(|c: char| !c.is_ascii_digit())?;
    (1..=9).contains(&digits).then_some(())?;
    line[digits..].strip_prefix(". ")
}

impl Parser {
    fn blocks(&mut self, src: &str) -> Vec<RichBlock> {
        let mut out = Vec::new();
        let mut open = Open::None;
        for raw in src.lines() {
            let line = raw.trim();
            let heading = line
                .strip_prefix("### ")
                .map(|t| (HeadingLevel::Subsection, t))
                .or_else(|| line.strip_prefix("## ").map(|t| (HeadingLevel::Section, t)));
            if line.is_empty() {
                self.close(&mut open, &mut out);
            } else if let Some((level, text)) = heading {
                self.close(&mut open, &mut out);
                out.push(RichBlock::Heading(level, self.inline(text.trim(), true)));
            } else if let Some(item) = line.strip_prefix("- ") {
                if !matches!(open, Open::Bullets(_)) {
                    self.close(&mut open, &mut out);
                    open = Open::Bullets(Vec::new());
                }
                if let Open::Bullets(items) = &mut open {
                    items.push(item.trim().to_string());
                }
            } else if let Some(item) = numbered_item(line) {
                if !matches!(open, Open::Numbered(_)) {
                    self.close(&mut open, &mut out);
                    open = Open::Numbered(Vec::new());
                }
                if let Open::Numbered(items) = &mut open {
                    items.push(item.trim().to_string());
                }
            } else {
                match &mut open {
                    Open::Paragraph(lines) => lines.push(line.to_string()),
                    // A wrapped line continues the list item above it.
                    Open::Bullets(items) | Open::Numbered(items) => {
                        if let Some(last) = items.last_mut() {
                            last.push('\n');
                            last.push_str(line);
                        }
                    }
                    Open::None => open = Open::Paragraph(vec![line.to_string()]),
                }
            }
        }
        self.close(&mut open, &mut out);
        out
    }

    fn close(&mut self, open: &mut Open, out: &mut Vec<RichBlock>) {
        match std::mem::replace(open, Open::None) {
            Open::None => {}
            Open::Paragraph(lines) => {
                out.push(RichBlock::Paragraph(self.inline(&lines.join("\n"), true)))
            }
            Open::Bullets(items) => out.push(RichBlock::Bullets(self.items(items))),
            Open::Numbered(items) => out.push(RichBlock::Numbered(self.items(items))),
        }
    }

    fn items(&mut self, items: Vec<String>) -> Vec<Vec<Span>> {
        items.iter().map(|i| self.inline(i, true)).collect()
    }

    /// Inline markup. Each kind of span may not contain itself, which also bounds the nesting
    /// depth at three.
    fn inline(&mut self, s: &str, links: bool) -> Vec<Span> {
        self.spans(
            s,
            Allow {
                strong: true,
                em: true,
                links,
            },
        )
    }

    fn spans(&mut self, s: &str, allow: Allow) -> Vec<Span> {
        let mut out = Vec::new();
        let mut text = String::new();
        let mut i = 0;
        while i < s.len() {
            let rest = &s[i..];
            if let Some((spans, used)) = self.span_at(rest, allow) {
                if !text.is_empty() {
                    out.push(Span::Text(std::mem::take(&mut text)));
                }
                out.extend(spans);
                i += used;
                continue;
            }
            let Some(c) = rest.chars().next() else { break };
            text.push(c);
            i += c.len_utf8();
        }
        if !text.is_empty() {
            out.push(Span::Text(text));
        }
        out
    }

    /// The spans of the markup starting at the beginning of `rest`, if it opens there and is
    /// closed, with the number of bytes it used.
    fn span_at(&mut self, rest: &str, allow: Allow) -> Option<(Vec<Span>, usize)> {
        if allow.strong && rest.starts_with("**") {
            let inner = delimited(&rest[2..], "**")?;
            let children = self.spans(
                inner,
                Allow {
                    strong: false,
                    ..allow
                },
            );
            return Some((vec![Span::Strong(children)], inner.len() + 4));
        }
        if allow.em && rest.starts_with('*') && !rest.starts_with("**") {
            let inner = delimited_single_star(&rest[1..])?;
            let children = self.spans(inner, Allow { em: false, ..allow });
            return Some((vec![Span::Em(children)], inner.len() + 2));
        }
        if allow.links && rest.starts_with('[') {
            return self.link(rest, allow);
        }
        None
    }

    fn link(&mut self, rest: &str, allow: Allow) -> Option<(Vec<Span>, usize)> {
        let close = rest.find(']')?;
        let label = &rest[1..close];
        let after = rest[close + 1..].strip_prefix('(')?;
        let end = after.find(')')?;
        let href = after[..end].trim();
        let used = close + 2 + end + 1;
        if label.is_empty() || label.contains('[') {
            return None;
        }
        let children = self.spans(
            label,
            Allow {
                links: false,
                ..allow
            },
        );
        if href.is_empty() || check_url("", href).is_err() {
            // Shown as its text, never as a link; validation refuses it before it is saved.
            self.refused.push(label.to_string());
            return Some((children, used));
        }
        Some((
            vec![Span::Link {
                href: href.to_string(),
                children,
            }],
            used,
        ))
    }
}

#[derive(Clone, Copy)]
struct Allow {
    strong: bool,
    em: bool,
    links: bool,
}

/// The text before the closing `marker`, if the content is non-empty and does not start or end
/// with whitespace (so `5 ** 2` stays text).
fn delimited<'a>(s: &'a str, marker: &str) -> Option<&'a str> {
    let end = s.find(marker)?;
    let inner = &s[..end];
    flanked(inner).then_some(inner)
}

/// Like [`delimited`] for a single `*`, skipping `**` pairs inside (bold within italics).
fn delimited_single_star(s: &str) -> Option<&str> {
    let bytes = s.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'*' {
            if bytes.get(i + 1) == Some(&b'*') {
                i += 2;
                continue;
            }
            let inner = &s[..i];
            return flanked(inner).then_some(inner);
        }
        i += 1;
    }
    None
}

fn flanked(inner: &str) -> bool {
    !inner.is_empty()
        && !inner.starts_with(char::is_whitespace)
        && !inner.ends_with(char::is_whitespace)
}

#[cfg(test)]
#[path = "rich_text_tests.rs"]
mod tests;
