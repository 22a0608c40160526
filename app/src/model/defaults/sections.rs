//! Starter content for the section kinds: testimonials, pricing, contact form, team, FAQ,
//! stats, blog grid, video, map, image and text, custom HTML. Copy is written to read as a
//! plausible small business until the owner replaces it; pictures are local starter SVGs.

use crate::model::{
    BlogGridProps, BlogPost, ContactFormProps, CustomHtmlProps, FaqItem, FaqProps, FormField,
    ImageTextProps, MapProps, PricePlan, PricingProps, Review, StatItem, StatsProps, TeamMember,
    TeamProps, TestimonialsProps, VideoEmbedProps,
};

fn starter_image(name: &str) -> String {
    format!("/starter/{name}.svg")
}

impl Default for TestimonialsProps {
    fn default() -> Self {
        let review =
            |name: &str, avatar: &str, rating: u8, text: &str, source: &str, date: &str| Review {
                name: name.into(),
                avatar_url: starter_image(avatar),
                rating,
                text: text.into(),
                source: source.into(),
                date: date.into(),
            };
        Self {
            heading: "What our customers say".into(),
            layout: "grid".into(),
            reviews: vec![
                review("Sarah M.", "avatar-1", 5, "Friendly, quick and thorough. They explained every step and finished a day early.", "Google", "2024-11-15"),
                review("James O.", "avatar-2", 5, "Three years in and they still care about the details as much as on day one.", "Facebook", "2024-09-02"),
                review("Priya K.", "avatar-3", 4, "Great value and clear communication from the first call to the final invoice.", "Google", "2024-06-21"),
            ],
        }
    }
}

impl Default for PricingProps {
    fn default() -> Self {
        let plan = |name: &str,
                    price: &str,
                    description: &str,
                    features: &[&str],
                    cta: &str,
                    badge: &str| PricePlan {
            name: name.into(),
            price: price.into(),
            period: "/month".into(),
            description: description.into(),
            features: features.iter().map(|f| f.to_string()).collect(),
            cta_label: cta.into(),
            cta_href: "#contact".into(),
            highlighted: !badge.is_empty(),
            badge: badge.into(),
        };
        Self {
            heading: "Simple, honest pricing".into(),
            subheading: "Pick the plan that fits. Change or cancel any time.".into(),
            plans: vec![
                plan(
                    "Basic",
                    "$19",
                    "For individuals getting started.",
                    &["1 project", "Email support", "Monthly report"],
                    "Choose Basic",
                    "",
                ),
                plan(
                    "Standard",
                    "$49",
                    "For small teams that need a little more.",
                    &[
                        "5 projects",
                        "Priority email support",
                        "Weekly report",
                        "Shared team access",
                    ],
                    "Choose Standard",
                    "Most popular",
                ),
                plan(
                    "Premium",
                    "$99",
                    "For businesses that want everything.",
                    &[
                        "Unlimited projects",
                        "Phone and email support",
                        "Custom reports",
                        "A dedicated account manager",
                    ],
                    "Talk to us",
                    "",
                ),
            ],
        }
    }
}

impl Default for ContactFormProps {
    fn default() -> Self {
        let field = |name: &str, label: &str, field_type: &str, required: bool| FormField {
            name: name.into(),
            label: label.into(),
            field_type: field_type.into(),
            required,
        };
        Self {
            heading: "Get in touch".into(),
            subheading: "We'd love to hear from you. Send a message and we'll reply within one business day.".into(),
            recipient_email: String::new(),
            fields: vec![
                field("name", "Your name", "text", true),
                field("email", "Email", "email", true),
                field("phone", "Phone", "tel", false),
                field("message", "Message", "textarea", true),
            ],
            submit_label: "Send message".into(),
            success_message: "Thanks! We'll get back to you within 24 hours.".into(),
            show_address: true,
            address: "123 Main Street, Springfield".into(),
            show_phone: true,
            phone: "+1 (555) 010-0123".into(),
            show_business_hours: true,
            business_hours: "Mon–Fri: 9am–5pm, Sat: 10am–2pm".into(),
        }
    }
}

impl Default for TeamProps {
    fn default() -> Self {
        let member = |name: &str, role: &str, bio: &str, avatar: &str| TeamMember {
            name: name.into(),
            role: role.into(),
            bio: bio.into(),
            photo_url: starter_image(avatar),
        };
        Self {
            heading: "Meet the team".into(),
            subheading: "The people who make it all happen.".into(),
            members: vec![
                member(
                    "Alex Morgan",
                    "Founder",
                    "Started the business in 2012 and still answers the phone on Mondays.",
                    "avatar-1",
                ),
                member(
                    "Jamie Chen",
                    "Operations lead",
                    "Keeps every project on schedule and everyone in the loop.",
                    "avatar-2",
                ),
                member(
                    "Sam Patel",
                    "Lead designer",
                    "Turns rough ideas into plans you can actually build.",
                    "avatar-3",
                ),
                member(
                    "Riley Brooks",
                    "Customer care",
                    "Your first point of contact, and the reason our reviews are so kind.",
                    "avatar-4",
                ),
            ],
        }
    }
}

impl Default for FaqProps {
    fn default() -> Self {
        let qa = |question: &str, answer: &str| FaqItem {
            question: question.into(),
            answer: answer.into(),
        };
        Self {
            heading: "Frequently asked questions".into(),
            subheading: "Can't find what you're looking for? Send us a message.".into(),
            items: vec![
                qa("How do I book an appointment?", "Call us or use the contact form. We usually confirm within one business day."),
                qa("What are your opening hours?", "Monday to Friday from 9am to 5pm, and Saturdays from 10am to 2pm."),
                qa("Do you offer refunds?", "Yes. If you're not happy, tell us within 30 days and we'll put it right or refund you."),
                qa("Where can I park?", "There is free parking right outside, and a bike rack by the front door."),
            ],
        }
    }
}

impl Default for StatsProps {
    fn default() -> Self {
        let stat = |value: f64, decimals: u8, suffix: &str, label: &str| StatItem {
            value,
            decimals,
            prefix: String::new(),
            suffix: suffix.into(),
            label: label.into(),
        };
        Self {
            heading: "By the numbers".into(),
            subheading: "A few figures we're proud of.".into(),
            items: vec![
                stat(12.0, 0, "", "Years in business"),
                stat(1500.0, 0, "+", "Happy customers"),
                stat(98.0, 0, "%", "Would recommend us"),
                stat(4.9, 1, "/5", "Average rating"),
            ],
        }
    }
}

impl Default for BlogGridProps {
    fn default() -> Self {
        let post = |title: &str, excerpt: &str, n: u8, alt: &str, date: &str| BlogPost {
            title: title.into(),
            excerpt: excerpt.into(),
            image_url: starter_image(&format!("gallery-{n}")),
            image_alt: alt.into(),
            date: date.into(),
            href: "#".into(),
        };
        Self {
            heading: "From the blog".into(),
            subheading: "News, tips and stories from our team.".into(),
            columns: 3,
            posts: vec![
                post(
                    "Five things to check before you start",
                    "A short checklist that saves time, money and a few headaches later on.",
                    1,
                    "Our workshop",
                    "2025-01-14",
                ),
                post(
                    "A day in the workshop",
                    "What really happens between your first call and the finished result.",
                    2,
                    "The team at work",
                    "2024-12-03",
                ),
                post(
                    "Your most-asked questions of the year",
                    "We collected the questions you asked most, and answered every one.",
                    3,
                    "A finished project",
                    "2024-11-20",
                ),
            ],
            read_more_label: "Read more".into(),
        }
    }
}

impl Default for VideoEmbedProps {
    fn default() -> Self {
        // No link yet: the block shows a placeholder asking for one instead of a broken player.
        Self {
            heading: "See us in action".into(),
            url: String::new(),
            caption: "A two-minute tour of what we do and how we work.".into(),
        }
    }
}

impl Default for MapProps {
    fn default() -> Self {
        Self {
            heading: "Find us".into(),
            address: "Trafalgar Square, London WC2N 5DN".into(),
            latitude: 51.50809,
            longitude: -0.12804,
            zoom: 15,
        }
    }
}

impl Default for ImageTextProps {
    fn default() -> Self {
        Self {
            heading: "Made with care, from start to finish".into(),
            body: "Every project starts with a conversation. We listen first, then plan, then build, and we keep you in the loop the whole way.\n\nThat's why most of our new customers come to us because a friend sent them.".into(),
            image_url: starter_image("gallery-2"),
            image_alt: "The team at work".into(),
            image_position: "left".into(),
            button_label: "Get in touch".into(),
            button_href: "#contact".into(),
        }
    }
}

impl Default for CustomHtmlProps {
    fn default() -> Self {
        Self {
            html: "<div style=\"font-family: system-ui, sans-serif; padding: 24px; text-align: center\">\n  <h2>Your own HTML</h2>\n  <p>Paste an embed code or write markup here. It runs in a sandboxed frame.</p>\n</div>".into(),
            height: 240,
        }
    }
}
