//! How a page's `PageConfig` becomes CSS, shared by the visitor renderer and the builder
//! canvas. Only values that pass `PageConfig::parse` reach a `style` attribute.

use super::{ComponentKind, PageConfig};

impl PageConfig {
    /// The config with every value re-checked; anything malformed falls back to the defaults,
    /// so a stored value can never inject CSS.
    pub fn checked(&self) -> PageConfig {
        self.clone().parse().unwrap_or_default()
    }

    /// Whether a block of `kind` is shown on this page (navbar and footer can be switched off).
    pub fn shows(&self, kind: ComponentKind) -> bool {
        match kind {
            ComponentKind::Navbar => self.show_navbar,
            ComponentKind::Footer => self.show_footer,
            _ => true,
        }
    }

    /// Inline CSS for the element that wraps the page's blocks: background colour, a centred
    /// maximum width (none for `100%`) and padding.
    pub fn wrapper_style(&self) -> String {
        let c = self.checked();
        let mut css = String::new();
        if let Some(bg) = &c.background_color {
            css.push_str(&format!("background-color:{bg};"));
        }
        if c.max_width != "100%" {
            css.push_str(&format!("max-width:{};margin-inline:auto;", c.max_width));
        }
        if c.padding != "0" {
            css.push_str(&format!("padding:{};", c.padding));
        }
        css
    }

    /// Inline CSS for the page background outside the wrapper (empty for the site's own).
    pub fn background_style(&self) -> String {
        self.checked()
            .background_color
            .map(|bg| format!("background-color:{bg};"))
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_checked_values_become_css() {
        let c = PageConfig {
            background_color: Some("#abcdef".into()),
            max_width: "960px".into(),
            padding: "24px".into(),
            ..Default::default()
        };
        assert_eq!(
            c.wrapper_style(),
            "background-color:#abcdef;max-width:960px;margin-inline:auto;padding:24px;"
        );
        assert_eq!(c.background_style(), "background-color:#abcdef;");
        let evil = PageConfig {
            background_color: Some("red;}body{x:y".into()),
            ..Default::default()
        };
        assert_eq!(evil.wrapper_style(), "max-width:1280px;margin-inline:auto;");
        assert_eq!(
            PageConfig {
                max_width: "100%".into(),
                ..Default::default()
            }
            .wrapper_style(),
            ""
        );
        let off = PageConfig {
            show_navbar: false,
            ..Default::default()
        };
        assert!(
            !off.shows(ComponentKind::Navbar)
                && off.shows(ComponentKind::Footer)
                && off.shows(ComponentKind::Hero)
        );
    }
}
