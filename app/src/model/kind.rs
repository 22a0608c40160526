use serde::{Deserialize, Serialize};

/// The 18 component kinds of schema reference §9 (`components.type`), and the four storefront
/// kinds (product grid, product, cart, buy button) that show the website's shop (migration 0052).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ComponentKind {
    Navbar,
    Hero,
    Features,
    Gallery,
    Testimonials,
    Pricing,
    Cta,
    ContactForm,
    Team,
    Faq,
    Stats,
    BlogGrid,
    VideoEmbed,
    Map,
    RichText,
    ImageText,
    Footer,
    CustomHtml,
    ProductGrid,
    ProductDetail,
    Cart,
    BuyButton,
}

impl ComponentKind {
    pub const ALL: [ComponentKind; 22] = [
        Self::Navbar,
        Self::Hero,
        Self::Features,
        Self::Gallery,
        Self::Testimonials,
        Self::Pricing,
        Self::Cta,
        Self::ContactForm,
        Self::Team,
        Self::Faq,
        Self::Stats,
        Self::BlogGrid,
        Self::VideoEmbed,
        Self::Map,
        Self::RichText,
        Self::ImageText,
        Self::Footer,
        Self::CustomHtml,
        Self::ProductGrid,
        Self::ProductDetail,
        Self::Cart,
        Self::BuyButton,
    ];

    /// The storefront kinds: they show live catalogue rows (prices, stock), so a visitor page
    /// holding one is rendered with the catalogue and evicted when it changes.
    pub const SHOP: [ComponentKind; 4] = [
        Self::ProductGrid,
        Self::ProductDetail,
        Self::Cart,
        Self::BuyButton,
    ];

    pub fn is_shop(self) -> bool {
        Self::SHOP.contains(&self)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Navbar => "navbar",
            Self::Hero => "hero",
            Self::Features => "features",
            Self::Gallery => "gallery",
            Self::Testimonials => "testimonials",
            Self::Pricing => "pricing",
            Self::Cta => "cta",
            Self::ContactForm => "contact_form",
            Self::Team => "team",
            Self::Faq => "faq",
            Self::Stats => "stats",
            Self::BlogGrid => "blog_grid",
            Self::VideoEmbed => "video_embed",
            Self::Map => "map",
            Self::RichText => "rich_text",
            Self::ImageText => "image_text",
            Self::Footer => "footer",
            Self::CustomHtml => "custom_html",
            Self::ProductGrid => "product_grid",
            Self::ProductDetail => "product_detail",
            Self::Cart => "cart",
            Self::BuyButton => "buy_button",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Name shown to editors.
    pub fn label(self) -> &'static str {
        match self {
            Self::Navbar => "Navbar",
            Self::Hero => "Hero",
            Self::Features => "Features",
            Self::Gallery => "Gallery",
            Self::Testimonials => "Testimonials",
            Self::Pricing => "Pricing",
            Self::Cta => "Call to action",
            Self::ContactForm => "Contact form",
            Self::Team => "Team",
            Self::Faq => "FAQ",
            Self::Stats => "Stats",
            Self::BlogGrid => "Blog grid",
            Self::VideoEmbed => "Video",
            Self::Map => "Map",
            Self::RichText => "Text",
            Self::ImageText => "Image and text",
            Self::Footer => "Footer",
            Self::CustomHtml => "Custom HTML",
            Self::ProductGrid => "Product grid",
            Self::ProductDetail => "Product",
            Self::Cart => "Cart",
            Self::BuyButton => "Buy button",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_round_trips_through_its_database_name() {
        for k in ComponentKind::ALL {
            assert_eq!(ComponentKind::parse(k.as_str()), Some(k));
            let json = serde_json::to_string(&k).expect("serialize");
            assert_eq!(json, format!("\"{}\"", k.as_str()));
        }
        assert_eq!(ComponentKind::parse("marquee"), None);
    }
}
