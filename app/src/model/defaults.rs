//! Starter content: what a block looks like when it is dropped on a page, and the five blocks
//! a new site starts with. Images are local SVGs under `public/starter/`, so a fresh site looks
//! finished without reaching any other host.

use super::*;

// The eleven section kinds beyond the first seven keep their starter content in a child module.
mod sections;

impl Default for LogoRef {
    fn default() -> Self {
        Self {
            url: String::new(),
            alt: "My Site".into(),
            width: 140,
        }
    }
}

fn link(label: &str, href: &str) -> NavLink {
    NavLink {
        label: label.into(),
        href: href.into(),
        is_external: false,
    }
}

impl Default for NavbarProps {
    fn default() -> Self {
        Self {
            heading: "My Site".into(),
            logo: LogoRef::default(),
            links: vec![
                link("Home", "/"),
                link("About", "#features"),
                link("Contact", "#contact"),
            ],
            style: "sticky".into(),
            background_color: String::new(),
            text_color: String::new(),
            show_cta_button: true,
            cta_label: "Get in touch".into(),
            cta_href: "#contact".into(),
            mobile_breakpoint: 768,
        }
    }
}

impl Default for HeroProps {
    fn default() -> Self {
        Self {
            heading: "A headline that says what you do".into(),
            subheading: "One or two sentences that tell visitors why they should stay.".into(),
            cta_primary_label: "Get started".into(),
            cta_primary_href: "#features".into(),
            cta_secondary_label: "Learn more".into(),
            cta_secondary_href: "#gallery".into(),
            background_type: "color".into(),
            background_image: String::new(),
            background_overlay_opacity: 0.4,
            background_color: String::new(),
            text_align: "center".into(),
            min_height: "60vh".into(),
            heading_size: "5xl".into(),
            text_color: String::new(),
        }
    }
}

fn feature(icon: &str, title: &str, description: &str) -> FeatureItem {
    FeatureItem {
        icon: icon.into(),
        title: title.into(),
        description: description.into(),
        icon_color: String::new(),
    }
}

impl Default for FeaturesProps {
    fn default() -> Self {
        Self {
            heading: "Why choose us".into(),
            subheading: "Three reasons our customers keep coming back.".into(),
            layout: "3-column".into(),
            items: vec![
                feature(
                    "star",
                    "Quality first",
                    "We sweat the details so you don't have to.",
                ),
                feature("clock", "On time", "Clear schedules, and we keep them."),
                feature(
                    "heart",
                    "Friendly people",
                    "Real humans who answer when you call.",
                ),
            ],
        }
    }
}

impl Default for GalleryProps {
    fn default() -> Self {
        let img = |n: u8, alt: &str| GalleryImage {
            url: format!("/starter/gallery-{n}.svg"),
            alt: alt.into(),
            caption: alt.into(),
        };
        Self {
            heading: "Gallery".into(),
            layout: "grid".into(),
            columns: 3,
            images: vec![
                img(1, "Our workshop"),
                img(2, "The team at work"),
                img(3, "A finished project"),
            ],
            enable_lightbox: false,
            show_captions: true,
        }
    }
}

impl Default for CtaProps {
    fn default() -> Self {
        Self {
            heading: "Ready to start?".into(),
            body: "Tell us what you need and we'll get back to you within a day.".into(),
            button_label: "Contact us".into(),
            button_href: "#contact".into(),
        }
    }
}

impl Default for RichTextProps {
    fn default() -> Self {
        Self {
            heading: "About us".into(),
            body: "Write a few paragraphs about who you are.\n\nLeave a blank line to start a new paragraph.".into(),
        }
    }
}

impl Default for FooterProps {
    fn default() -> Self {
        Self {
            heading: "My Site".into(),
            logo_url: String::new(),
            tagline: "Made with care.".into(),
            columns: vec![FooterColumn {
                heading: "Quick links".into(),
                links: vec![
                    FooterLink {
                        label: "Home".into(),
                        href: "/".into(),
                    },
                    FooterLink {
                        label: "Features".into(),
                        href: "#features".into(),
                    },
                ],
            }],
            social_links: vec![],
            copyright: "© My Site. All rights reserved.".into(),
            show_powered_by: true,
            background_color: String::new(),
            text_color: String::new(),
        }
    }
}

/// A new grid shows the shop's products at once (featured first, then newest); the owner can
/// narrow it to a category or a hand-picked list. Nothing here names a product: an empty shop
/// shows an empty grid, never made-up products.
impl Default for ProductGridProps {
    fn default() -> Self {
        Self {
            heading: "Shop".into(),
            subheading: String::new(),
            source: "all".into(),
            category_id: String::new(),
            product_ids: Vec::new(),
            columns: 3,
            limit: 12,
        }
    }
}

impl Default for ProductDetailProps {
    fn default() -> Self {
        Self {
            product_id: String::new(),
            show_description: true,
            button_label: "Add to cart".into(),
        }
    }
}

impl Default for CartProps {
    fn default() -> Self {
        Self {
            heading: "Your cart".into(),
            body: "Review what you picked and check out when you are ready.".into(),
            button_label: "View cart".into(),
        }
    }
}

impl Default for BuyButtonProps {
    fn default() -> Self {
        Self {
            product_id: String::new(),
            variant_id: String::new(),
            label: "Buy now".into(),
            show_price: true,
        }
    }
}

impl BlockProps {
    /// A new block of `kind` with good-looking default content. Every kind has one; whether
    /// the tenant's plan allows the kind is the server's check, not this one.
    pub fn starter(kind: ComponentKind) -> Self {
        match kind {
            ComponentKind::Navbar => Self::Navbar(NavbarProps::default()),
            ComponentKind::Hero => Self::Hero(HeroProps::default()),
            ComponentKind::Features => Self::Features(FeaturesProps::default()),
            ComponentKind::Gallery => Self::Gallery(GalleryProps::default()),
            ComponentKind::Testimonials => Self::Testimonials(TestimonialsProps::default()),
            ComponentKind::Pricing => Self::Pricing(PricingProps::default()),
            ComponentKind::Cta => Self::Cta(CtaProps::default()),
            ComponentKind::ContactForm => Self::ContactForm(ContactFormProps::default()),
            ComponentKind::Team => Self::Team(TeamProps::default()),
            ComponentKind::Faq => Self::Faq(FaqProps::default()),
            ComponentKind::Stats => Self::Stats(StatsProps::default()),
            ComponentKind::BlogGrid => Self::BlogGrid(BlogGridProps::default()),
            ComponentKind::VideoEmbed => Self::VideoEmbed(VideoEmbedProps::default()),
            ComponentKind::Map => Self::Map(MapProps::default()),
            ComponentKind::RichText => Self::RichText(RichTextProps::default()),
            ComponentKind::ImageText => Self::ImageText(ImageTextProps::default()),
            ComponentKind::Footer => Self::Footer(FooterProps::default()),
            ComponentKind::CustomHtml => Self::CustomHtml(CustomHtmlProps::default()),
            ComponentKind::ProductGrid => Self::ProductGrid(ProductGridProps::default()),
            ComponentKind::ProductDetail => Self::ProductDetail(ProductDetailProps::default()),
            ComponentKind::Cart => Self::Cart(CartProps::default()),
            ComponentKind::BuyButton => Self::BuyButton(BuyButtonProps::default()),
        }
    }

    /// The five blocks a new website's home page starts with (schema reference Flow 1), named for the
    /// organisation.
    pub fn signup_defaults(org_name: &str) -> Vec<BlockProps> {
        let mut nav = NavbarProps {
            heading: org_name.to_string(),
            ..NavbarProps::default()
        };
        nav.logo.alt = org_name.to_string();
        let hero = HeroProps {
            heading: format!("Welcome to {org_name}"),
            subheading: format!(
                "{org_name} is open for business. Here is what we do and why people love it."
            ),
            ..HeroProps::default()
        };
        let footer = FooterProps {
            heading: org_name.to_string(),
            copyright: format!("© {org_name}. All rights reserved."),
            ..FooterProps::default()
        };
        vec![
            Self::Navbar(nav),
            Self::Hero(hero),
            Self::Features(FeaturesProps::default()),
            Self::Gallery(GalleryProps::default()),
            Self::Footer(footer),
        ]
    }
}
