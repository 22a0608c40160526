//! The inspector's description of every block kind: which props it edits, with which control,
//! in which order. One table per kind drives the inspector UI, the generic checks (text
//! lengths, select options, colours, number ranges) and reading/writing props by path.
//!
//! Props are edited as JSON (`BlockProps::props_json`) and parsed back into the typed struct,
//! so a field is addressed by a path of keys and list indices, like `items.2.title`.

use serde_json::{json, Value};

use super::{check_len, is_hex_color, ComponentKind};
use crate::error::AppError;

const SHORT: usize = 200;
const LONG: usize = 5_000;

/// How a prop is edited.
#[derive(Debug, Clone, Copy)]
pub enum FieldType {
    Text {
        max: usize,
    },
    LongText {
        max: usize,
    },
    /// Long text in the safe rich-text subset (headings, lists, bold, italic, links).
    RichText,
    Number {
        min: f64,
        max: f64,
        step: f64,
    },
    /// (stored value, label shown).
    Select(&'static [(&'static str, &'static str)]),
    Toggle,
    /// `#rgb` / `#rrggbb`, or empty for the block's default.
    Color,
    Image,
    /// A plain address (video links, social profiles).
    Url,
    /// An internal page (by path) or a checked external address.
    Link,
    /// A list of short strings edited one per line.
    Lines {
        max_items: usize,
    },
    List(&'static ListSpec),
    /// One of the website's products (by id), picked from a list the server supplies.
    Product,
    /// A variant of the product chosen in the same block's `product_id`.
    Variant,
    /// One of the website's categories (by id).
    Category,
    /// Several of the website's products (ids), in order.
    Products {
        max: usize,
    },
}

#[derive(Debug)]
pub struct ListSpec {
    /// Singular noun for buttons: "Add question", "Remove question 2".
    pub noun: &'static str,
    pub max: usize,
    pub item: &'static [Field],
    /// The item prop shown in each item's heading, when it has a value.
    pub title_key: &'static str,
    pub new_item: fn() -> Value,
}

impl ListSpec {
    /// A fresh item for a list that already holds `existing`. Items with a `name` (form
    /// fields) get one no other item uses, since names must be unique.
    pub fn new_item_for(&self, existing: &[Value]) -> Value {
        let mut item = (self.new_item)();
        if let Some(base) = item.get("name").and_then(Value::as_str).map(str::to_string) {
            let taken = |n: &str| {
                existing
                    .iter()
                    .any(|e| e.get("name").and_then(Value::as_str) == Some(n))
            };
            let name = (1..)
                .map(|i| {
                    if i == 1 {
                        base.clone()
                    } else {
                        format!("{base}_{i}")
                    }
                })
                .find(|n| !taken(n));
            if let Some(name) = name {
                item["name"] = Value::String(name);
            }
        }
        item
    }
}

#[derive(Debug, Clone, Copy)]
pub struct Field {
    /// Key in the props object; dots reach into nested objects (`logo.url`).
    pub key: &'static str,
    pub label: &'static str,
    pub ty: FieldType,
}

const fn f(key: &'static str, label: &'static str, ty: FieldType) -> Field {
    Field { key, label, ty }
}
const fn text(key: &'static str, label: &'static str) -> Field {
    f(key, label, FieldType::Text { max: SHORT })
}
const fn long(key: &'static str, label: &'static str) -> Field {
    f(key, label, FieldType::LongText { max: LONG })
}
const fn link(key: &'static str, label: &'static str) -> Field {
    f(key, label, FieldType::Link)
}
const fn image(key: &'static str, label: &'static str) -> Field {
    f(key, label, FieldType::Image)
}
const fn color(key: &'static str, label: &'static str) -> Field {
    f(key, label, FieldType::Color)
}
const fn toggle(key: &'static str, label: &'static str) -> Field {
    f(key, label, FieldType::Toggle)
}
const fn number(key: &'static str, label: &'static str, min: f64, max: f64, step: f64) -> Field {
    f(key, label, FieldType::Number { min, max, step })
}
const fn list(key: &'static str, label: &'static str, spec: &'static ListSpec) -> Field {
    f(key, label, FieldType::List(spec))
}

const ALIGN: &[(&str, &str)] = &[("center", "Centred"), ("left", "Left")];
const COLUMNS_LAYOUT: &[(&str, &str)] =
    &[("3-column", "Three columns"), ("2-column", "Two columns")];
const GRID_LIST: &[(&str, &str)] = &[("grid", "Grid"), ("list", "List")];
const GALLERY_LAYOUT: &[(&str, &str)] = &[("grid", "Grid"), ("masonry", "Masonry")];
const NAV_STYLE: &[(&str, &str)] = &[("sticky", "Stays at the top"), ("static", "Scrolls away")];
const BACKGROUND: &[(&str, &str)] = &[("color", "Colour"), ("image", "Image")];
const HEIGHTS: &[(&str, &str)] = &[
    ("auto", "Fit content"),
    ("40vh", "Short"),
    ("60vh", "Medium"),
    ("80vh", "Tall"),
    ("100vh", "Full screen"),
];
const HEADING_SIZES: &[(&str, &str)] = &[
    ("3xl", "Small"),
    ("4xl", "Medium"),
    ("5xl", "Large"),
    ("6xl", "Huge"),
];
const GRID_SOURCES: &[(&str, &str)] = &[
    ("all", "All products"),
    ("category", "A category"),
    ("products", "Products I pick"),
];
const SIDES: &[(&str, &str)] = &[("left", "Left"), ("right", "Right")];
const FORM_TYPES: &[(&str, &str)] = &[
    ("text", "Text"),
    ("email", "Email"),
    ("tel", "Phone"),
    ("textarea", "Message box"),
    ("number", "Number"),
    ("url", "Web address"),
];

static NAV_LINKS: ListSpec = ListSpec {
    noun: "link",
    max: 12,
    title_key: "label",
    item: &[
        text("label", "Label"),
        link("href", "Link to"),
        toggle("is_external", "Open in a new tab"),
    ],
    new_item: || json!({ "label": "New link", "href": "/", "is_external": false }),
};
static FEATURES: ListSpec = ListSpec {
    noun: "feature",
    max: 24,
    title_key: "title",
    item: &[
        f("icon", "Icon", FieldType::Text { max: 40 }),
        text("title", "Title"),
        long("description", "Description"),
        color("icon_color", "Icon colour"),
    ],
    new_item: || json!({ "icon": "star", "title": "New feature", "description": "Say what it does for your customers.", "icon_color": "" }),
};
static IMAGES: ListSpec = ListSpec {
    noun: "image",
    max: 60,
    title_key: "alt",
    item: &[
        image("url", "Image"),
        text("alt", "Description"),
        text("caption", "Caption"),
    ],
    new_item: || json!({ "url": "/starter/gallery-1.svg", "alt": "New image", "caption": "" }),
};
static REVIEWS: ListSpec = ListSpec {
    noun: "review",
    max: 30,
    title_key: "name",
    item: &[
        text("name", "Name"),
        long("text", "Review"),
        number("rating", "Stars", 0.0, 5.0, 1.0),
        text("source", "Source"),
        f("date", "Date (YYYY-MM-DD)", FieldType::Text { max: 10 }),
        image("avatar_url", "Photo"),
    ],
    new_item: || json!({ "name": "New customer", "text": "What they loved.", "rating": 5, "source": "", "date": "", "avatar_url": "" }),
};
static PLANS: ListSpec = ListSpec {
    noun: "plan",
    max: 6,
    title_key: "name",
    item: &[
        text("name", "Plan name"),
        text("price", "Price"),
        text("period", "Period"),
        long("description", "Description"),
        f(
            "features",
            "Features (one per line)",
            FieldType::Lines { max_items: 20 },
        ),
        text("cta_label", "Button label"),
        link("cta_href", "Button link"),
        toggle("highlighted", "Highlight this plan"),
        text("badge", "Badge"),
    ],
    new_item: || {
        json!({ "name": "New plan", "price": "$0", "period": "/month", "description": "", "features": ["One feature"],
                "cta_label": "Choose", "cta_href": "#contact", "highlighted": false, "badge": "" })
    },
};
static FORM_FIELDS: ListSpec = ListSpec {
    noun: "form field",
    max: 12,
    title_key: "label",
    item: &[
        text("label", "Label"),
        f("name", "Field name", FieldType::Text { max: 40 }),
        f("type", "Type", FieldType::Select(FORM_TYPES)),
        toggle("required", "Required"),
    ],
    new_item: || json!({ "label": "New field", "name": "new_field", "type": "text", "required": false }),
};
static MEMBERS: ListSpec = ListSpec {
    noun: "member",
    max: 40,
    title_key: "name",
    item: &[
        text("name", "Name"),
        text("role", "Role"),
        long("bio", "Bio"),
        image("photo_url", "Photo"),
    ],
    new_item: || json!({ "name": "New member", "role": "", "bio": "", "photo_url": "" }),
};
static QUESTIONS: ListSpec = ListSpec {
    noun: "question",
    max: 40,
    title_key: "question",
    item: &[text("question", "Question"), long("answer", "Answer")],
    new_item: || json!({ "question": "New question?", "answer": "The answer." }),
};
static STATS: ListSpec = ListSpec {
    noun: "stat",
    max: 8,
    title_key: "label",
    item: &[
        number("value", "Value", -1e12, 1e12, 0.01),
        number("decimals", "Decimals", 0.0, 2.0, 1.0),
        f("prefix", "Prefix", FieldType::Text { max: 8 }),
        f("suffix", "Suffix", FieldType::Text { max: 8 }),
        text("label", "Label"),
    ],
    new_item: || json!({ "value": 100, "decimals": 0, "prefix": "", "suffix": "+", "label": "New stat" }),
};
static POSTS: ListSpec = ListSpec {
    noun: "post",
    max: 24,
    title_key: "title",
    item: &[
        text("title", "Title"),
        long("excerpt", "Excerpt"),
        image("image_url", "Image"),
        text("image_alt", "Image description"),
        f("date", "Date (YYYY-MM-DD)", FieldType::Text { max: 10 }),
        link("href", "Link to"),
    ],
    new_item: || json!({ "title": "New post", "excerpt": "", "image_url": "", "image_alt": "", "date": "", "href": "" }),
};
static FOOTER_LINKS: ListSpec = ListSpec {
    noun: "link",
    max: 12,
    title_key: "label",
    item: &[text("label", "Label"), link("href", "Link to")],
    new_item: || json!({ "label": "New link", "href": "/" }),
};
static FOOTER_COLUMNS: ListSpec = ListSpec {
    noun: "column",
    max: 6,
    title_key: "heading",
    item: &[
        text("heading", "Column heading"),
        list("links", "Links", &FOOTER_LINKS),
    ],
    new_item: || json!({ "heading": "New column", "links": [] }),
};
static SOCIAL: ListSpec = ListSpec {
    noun: "social link",
    max: 12,
    title_key: "platform",
    item: &[
        f("platform", "Platform", FieldType::Text { max: 40 }),
        f("url", "Profile address", FieldType::Url),
    ],
    new_item: || json!({ "platform": "Instagram", "url": "https://instagram.com/" }),
};

/// A field table as a `'static` slice (const fn calls are not promoted on their own).
macro_rules! table {
    ($fields:expr) => {{
        const FIELDS: &[Field] = &$fields;
        FIELDS
    }};
}

/// The inspector's fields for `kind`, in display order.
pub fn fields(kind: ComponentKind) -> &'static [Field] {
    use ComponentKind as K;
    match kind {
        K::Navbar => table!([
            text("heading", "Heading"),
            image("logo.url", "Logo image"),
            text("logo.alt", "Logo description"),
            number("logo.width", "Logo width (px)", 0.0, 400.0, 1.0),
            list("links", "Links", &NAV_LINKS),
            toggle("show_cta_button", "Show button"),
            text("cta_label", "Button label"),
            link("cta_href", "Button link"),
            f("style", "Behaviour on scroll", FieldType::Select(NAV_STYLE)),
            color("background_color", "Background colour"),
            color("text_color", "Text colour"),
            number(
                "mobile_breakpoint",
                "Menu collapses below (px)",
                320.0,
                1440.0,
                1.0
            ),
        ]),
        K::Hero => table!([
            text("heading", "Heading"),
            long("subheading", "Subheading"),
            text("cta_primary_label", "Primary button label"),
            link("cta_primary_href", "Primary button link"),
            text("cta_secondary_label", "Secondary button label"),
            link("cta_secondary_href", "Secondary button link"),
            f("text_align", "Alignment", FieldType::Select(ALIGN)),
            f(
                "heading_size",
                "Heading size",
                FieldType::Select(HEADING_SIZES)
            ),
            f("min_height", "Height", FieldType::Select(HEIGHTS)),
            f(
                "background_type",
                "Background",
                FieldType::Select(BACKGROUND)
            ),
            image("background_image", "Background image"),
            number(
                "background_overlay_opacity",
                "Image shade (0 to 1)",
                0.0,
                1.0,
                0.05
            ),
            color("background_color", "Background colour"),
            color("text_color", "Text colour"),
        ]),
        K::Features => table!([
            text("heading", "Heading"),
            long("subheading", "Subheading"),
            f("layout", "Layout", FieldType::Select(COLUMNS_LAYOUT)),
            list("items", "Features", &FEATURES),
        ]),
        K::Gallery => table!([
            text("heading", "Heading"),
            f("layout", "Layout", FieldType::Select(GALLERY_LAYOUT)),
            number("columns", "Columns", 1.0, 6.0, 1.0),
            list("images", "Images", &IMAGES),
            toggle("enable_lightbox", "Enlarge on click"),
            toggle("show_captions", "Show captions"),
        ]),
        K::Testimonials => table!([
            text("heading", "Heading"),
            f("layout", "Layout", FieldType::Select(GRID_LIST)),
            list("reviews", "Reviews", &REVIEWS),
        ]),
        K::Pricing => table!([
            text("heading", "Heading"),
            long("subheading", "Subheading"),
            list("plans", "Plans", &PLANS)
        ]),
        K::Cta => table!([
            text("heading", "Heading"),
            long("body", "Body"),
            text("button_label", "Button label"),
            link("button_href", "Button link"),
        ]),
        K::ContactForm => table!([
            text("heading", "Heading"),
            long("subheading", "Subheading"),
            list("fields", "Form fields", &FORM_FIELDS),
            text("submit_label", "Button label"),
            text("success_message", "Message after sending"),
            text("recipient_email", "Send messages to"),
            toggle("show_address", "Show address"),
            text("address", "Address"),
            toggle("show_phone", "Show phone"),
            text("phone", "Phone"),
            toggle("show_business_hours", "Show opening hours"),
            text("business_hours", "Opening hours"),
        ]),
        K::Team => table!([
            text("heading", "Heading"),
            long("subheading", "Subheading"),
            list("members", "Members", &MEMBERS)
        ]),
        K::Faq => table!([
            text("heading", "Heading"),
            long("subheading", "Subheading"),
            list("items", "Questions", &QUESTIONS)
        ]),
        K::Stats => table!([
            text("heading", "Heading"),
            long("subheading", "Subheading"),
            list("items", "Stats", &STATS)
        ]),
        K::BlogGrid => table!([
            text("heading", "Heading"),
            long("subheading", "Subheading"),
            number("columns", "Columns", 1.0, 4.0, 1.0),
            list("posts", "Posts", &POSTS),
            text("read_more_label", "Link label"),
        ]),
        K::VideoEmbed => table!([
            text("heading", "Heading"),
            f("url", "Video link (YouTube or Vimeo)", FieldType::Url),
            text("caption", "Caption"),
        ]),
        K::Map => table!([
            text("heading", "Heading"),
            text("address", "Address"),
            number("latitude", "Latitude", -90.0, 90.0, 0.0001),
            number("longitude", "Longitude", -180.0, 180.0, 0.0001),
            number("zoom", "Zoom (1 to 19)", 1.0, 19.0, 1.0),
        ]),
        K::RichText => table!([
            text("heading", "Heading"),
            f("body", "Body", FieldType::RichText)
        ]),
        K::ImageText => table!([
            text("heading", "Heading"),
            long("body", "Body"),
            image("image_url", "Image"),
            text("image_alt", "Image description"),
            f("image_position", "Image side", FieldType::Select(SIDES)),
            text("button_label", "Button label"),
            link("button_href", "Button link"),
        ]),
        K::Footer => table!([
            text("heading", "Heading"),
            text("tagline", "Tagline"),
            image("logo_url", "Logo image"),
            list("columns", "Link columns", &FOOTER_COLUMNS),
            list("social_links", "Social links", &SOCIAL),
            text("copyright", "Copyright"),
            toggle("show_powered_by", "Show “Made with SitePilot”"),
            color("background_color", "Background colour"),
            color("text_color", "Text colour"),
        ]),
        K::CustomHtml => table!([
            f(
                "html",
                "HTML",
                FieldType::LongText {
                    max: super::CUSTOM_HTML_MAX
                }
            ),
            number("height", "Frame height (px)", 50.0, 2000.0, 1.0),
        ]),
        K::ProductGrid => table!([
            text("heading", "Heading"),
            long("subheading", "Subheading"),
            f("source", "Show", FieldType::Select(GRID_SOURCES)),
            f("category_id", "Category", FieldType::Category),
            f(
                "product_ids",
                "Products",
                FieldType::Products {
                    max: super::GRID_MAX
                }
            ),
            number("columns", "Products per row", 2.0, 4.0, 1.0),
            number("limit", "Show at most", 1.0, 48.0, 1.0),
        ]),
        K::ProductDetail => table!([
            f("product_id", "Product", FieldType::Product),
            toggle("show_description", "Show the description"),
            text("button_label", "Button label"),
        ]),
        K::Cart => table!([
            text("heading", "Heading"),
            long("body", "Text"),
            text("button_label", "Button label"),
        ]),
        K::BuyButton => table!([
            f("product_id", "Product", FieldType::Product),
            f("variant_id", "Variant", FieldType::Variant),
            text("label", "Button label"),
            toggle("show_price", "Show the price"),
        ]),
    }
}

/// One step of a path into props JSON.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Seg {
    Key(&'static str),
    Index(usize),
}

/// A field's path: its key (split at dots) after `prefix`.
pub fn path_of(prefix: &[Seg], key: &'static str) -> Vec<Seg> {
    let mut p = prefix.to_vec();
    p.extend(key.split('.').map(Seg::Key));
    p
}

/// The path as a field name for errors and element ids: keys only, list indices dropped
/// (`items.title`), matching the names `BlockProps::validate` reports.
pub fn error_name(path: &[Seg]) -> String {
    path.iter()
        .filter_map(|s| match s {
            Seg::Key(k) => Some(*k),
            Seg::Index(_) => None,
        })
        .collect::<Vec<_>>()
        .join(".")
}

/// A unique, readable id for the input at `path` (`prop-items-2-title`).
pub fn input_id(path: &[Seg]) -> String {
    let mut id = String::from("prop");
    for s in path {
        id.push('-');
        match s {
            Seg::Key(k) => id.push_str(&k.replace('.', "-")),
            Seg::Index(i) => id.push_str(&i.to_string()),
        }
    }
    id
}

pub fn get<'a>(v: &'a Value, path: &[Seg]) -> Option<&'a Value> {
    path.iter().try_fold(v, |v, s| match s {
        Seg::Key(k) => v.get(*k),
        Seg::Index(i) => v.get(*i),
    })
}

pub fn get_mut<'a>(v: &'a mut Value, path: &[Seg]) -> Option<&'a mut Value> {
    path.iter().try_fold(v, |v, s| match s {
        Seg::Key(k) => v.get_mut(*k),
        Seg::Index(i) => v.get_mut(*i),
    })
}

/// Sets the value at `path`, creating missing object keys on the way. `false` when the path
/// runs through something that is not an object or list, or past a list's end.
pub fn set(v: &mut Value, path: &[Seg], value: Value) -> bool {
    let Some((last, parents)) = path.split_last() else {
        return false;
    };
    let mut cur = v;
    for s in parents {
        cur = match s {
            Seg::Key(k) => {
                let Some(obj) = cur.as_object_mut() else {
                    return false;
                };
                obj.entry(k.to_string()).or_insert_with(|| json!({}))
            }
            Seg::Index(i) => match cur.get_mut(*i) {
                Some(x) => x,
                None => return false,
            },
        };
    }
    match last {
        Seg::Key(k) => match cur.as_object_mut() {
            Some(obj) => {
                obj.insert(k.to_string(), value);
                true
            }
            None => false,
        },
        Seg::Index(i) => match cur.get_mut(*i) {
            Some(x) => {
                *x = value;
                true
            }
            None => false,
        },
    }
}

/// The generic checks the field table implies: text lengths, select options, colours and
/// number ranges, at the top level and inside lists. Kind-specific rules (safe URLs, list
/// sizes, form field names, dates) stay with each kind's props.
pub fn check(kind: ComponentKind, props: &Value) -> Result<(), AppError> {
    check_fields(fields(kind), props, &[])
}

fn check_fields(fields: &[Field], v: &Value, prefix: &[Seg]) -> Result<(), AppError> {
    for field in fields {
        let path = path_of(prefix, field.key);
        let name = error_name(&path);
        let value = get(v, &path);
        let s = value.and_then(Value::as_str).unwrap_or_default();
        match field.ty {
            FieldType::Text { max } | FieldType::LongText { max } => check_len(&name, s, max)?,
            FieldType::RichText => check_len(&name, s, LONG)?,
            FieldType::Select(options) => {
                if value.is_some() && !options.iter().any(|(o, _)| *o == s) {
                    let choices = options
                        .iter()
                        .map(|(_, l)| *l)
                        .collect::<Vec<_>>()
                        .join(", ");
                    return Err(AppError::invalid(
                        &name,
                        format!("{} must be one of: {choices}.", field.label),
                    ));
                }
            }
            FieldType::Color => {
                if !s.is_empty() && !is_hex_color(s) {
                    return Err(AppError::invalid(
                        &name,
                        format!(
                            "{}: use a colour like #1e293b, or leave it empty.",
                            field.label
                        ),
                    ));
                }
            }
            FieldType::Number { min, max, .. } => {
                if let Some(n) = value.and_then(Value::as_f64) {
                    if !(min..=max).contains(&n) {
                        return Err(AppError::invalid(
                            &name,
                            format!("{} must be between {min} and {max}.", field.label),
                        ));
                    }
                }
            }
            FieldType::Lines { max_items } => {
                let items = value
                    .and_then(Value::as_array)
                    .map(Vec::as_slice)
                    .unwrap_or_default();
                if items.len() > max_items {
                    return Err(AppError::invalid(
                        &name,
                        format!("{} holds at most {max_items} lines.", field.label),
                    ));
                }
                for line in items {
                    check_len(&name, line.as_str().unwrap_or_default(), SHORT)?;
                }
            }
            FieldType::List(spec) => {
                let len = value.and_then(Value::as_array).map_or(0, Vec::len);
                for i in 0..len {
                    let mut item_path = path.clone();
                    item_path.push(Seg::Index(i));
                    check_fields(spec.item, v, &item_path)?;
                }
            }
            FieldType::Product | FieldType::Variant | FieldType::Category => {
                if !s.trim().is_empty() && super::chosen_id(s).is_none() {
                    return Err(AppError::invalid(
                        &name,
                        format!("{}: choose one from the list.", field.label),
                    ));
                }
            }
            FieldType::Products { max } => {
                let items = value
                    .and_then(Value::as_array)
                    .map(Vec::as_slice)
                    .unwrap_or_default();
                if items.len() > max {
                    return Err(AppError::invalid(
                        &name,
                        format!("{} holds at most {max} products.", field.label),
                    ));
                }
                if items
                    .iter()
                    .any(|i| i.as_str().and_then(super::chosen_id).is_none())
                {
                    return Err(AppError::invalid(
                        &name,
                        format!("{}: choose products from the list.", field.label),
                    ));
                }
            }
            FieldType::Toggle | FieldType::Image | FieldType::Url | FieldType::Link => {}
        }
    }
    Ok(())
}

/// Every image address the props of `kind` reference (image fields, inside lists too), in
/// field order, for a backup's asset manifest. Empty addresses are left out.
pub fn image_urls(kind: ComponentKind, props: &Value) -> Vec<String> {
    fn walk(fields: &[Field], v: &Value, prefix: &[Seg], out: &mut Vec<String>) {
        for field in fields {
            let path = path_of(prefix, field.key);
            match field.ty {
                FieldType::Image => {
                    if let Some(s) = get(v, &path).and_then(Value::as_str) {
                        if !s.trim().is_empty() {
                            out.push(s.to_string());
                        }
                    }
                }
                FieldType::List(spec) => {
                    let len = get(v, &path).and_then(Value::as_array).map_or(0, Vec::len);
                    for i in 0..len {
                        let mut item = path.clone();
                        item.push(Seg::Index(i));
                        walk(spec.item, v, &item, out);
                    }
                }
                _ => {}
            }
        }
    }
    let mut out = Vec::new();
    walk(fields(kind), props, &[], &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::BlockProps;

    #[test]
    fn every_field_of_every_kind_exists_in_its_starter_props() {
        fn walk(fields: &[Field], v: &Value, prefix: &[Seg], kind: ComponentKind) {
            for field in fields {
                let path = path_of(prefix, field.key);
                let value = get(v, &path);
                assert!(
                    value.is_some(),
                    "{kind:?}: no prop at {}",
                    error_name(&path)
                );
                if let FieldType::List(spec) = field.ty {
                    let items = value.and_then(Value::as_array).cloned().unwrap_or_default();
                    for (i, _) in items.iter().enumerate() {
                        let mut p = path.clone();
                        p.push(Seg::Index(i));
                        walk(spec.item, v, &p, kind);
                    }
                    // A new item must parse as part of the kind's props.
                    let mut with_new = v.clone();
                    let list = get_mut(&mut with_new, &path)
                        .and_then(Value::as_array_mut)
                        .expect("list");
                    let fresh = spec.new_item_for(list);
                    list.push(fresh.clone());
                    let again = spec.new_item_for(list);
                    list.push(again);
                    let parsed = BlockProps::from_parts(kind.as_str(), with_new);
                    assert!(
                        parsed.is_ok(),
                        "{kind:?}: new {} does not parse: {parsed:?}",
                        spec.noun
                    );
                }
            }
        }
        for kind in ComponentKind::ALL {
            let props = BlockProps::starter(kind).props_json();
            walk(fields(kind), &props, &[], kind);
        }
    }

    #[test]
    fn set_reaches_nested_keys_and_list_items() {
        let mut v = json!({ "logo": { "url": "" }, "items": [{ "title": "a" }, { "title": "b" }] });
        assert!(set(&mut v, &path_of(&[], "logo.url"), json!("/x.svg")));
        assert!(set(
            &mut v,
            &[Seg::Key("items"), Seg::Index(1), Seg::Key("title")],
            json!("B")
        ));
        assert!(!set(
            &mut v,
            &[Seg::Key("items"), Seg::Index(5), Seg::Key("title")],
            json!("?")
        ));
        assert_eq!(
            v,
            json!({ "logo": { "url": "/x.svg" }, "items": [{ "title": "a" }, { "title": "B" }] })
        );
        assert_eq!(
            input_id(&[Seg::Key("items"), Seg::Index(1), Seg::Key("title")]),
            "prop-items-1-title"
        );
        assert_eq!(
            error_name(&[Seg::Key("items"), Seg::Index(1), Seg::Key("title")]),
            "items.title"
        );
    }

    #[test]
    fn generic_checks_refuse_bad_selects_colours_and_numbers() {
        let mut hero = BlockProps::starter(ComponentKind::Hero).props_json();
        hero["text_align"] = json!("diagonal");
        let e = check(ComponentKind::Hero, &hero).unwrap_err();
        assert!(
            matches!(e, AppError::Invalid { ref field, .. } if field == "text_align"),
            "{e:?}"
        );

        let mut hero = BlockProps::starter(ComponentKind::Hero).props_json();
        hero["background_color"] = json!("red;}body{display:none");
        let e = check(ComponentKind::Hero, &hero).unwrap_err();
        assert!(
            matches!(e, AppError::Invalid { ref field, .. } if field == "background_color"),
            "{e:?}"
        );

        let mut faq = BlockProps::starter(ComponentKind::Faq).props_json();
        faq["items"][0]["question"] = json!("x".repeat(201));
        let e = check(ComponentKind::Faq, &faq).unwrap_err();
        assert!(
            matches!(e, AppError::Invalid { ref field, .. } if field == "items.question"),
            "{e:?}"
        );

        let mut stats = BlockProps::starter(ComponentKind::Stats).props_json();
        stats["items"][0]["decimals"] = json!(7);
        assert!(check(ComponentKind::Stats, &stats).is_err());
    }
}
