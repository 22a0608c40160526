//! Text-led sections: contact form, FAQ, blog grid, image and text.

use serde::{Deserialize, Serialize};

use super::people::check_date;
use super::{check_count, check_len, check_url, LONG, SHORT};
use crate::error::AppError;
use crate::model::Email;

/// One input of a contact form (schema reference §18 `contact_form.fields[]`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct FormField {
    /// The submitted field name: lower-case letters, digits and `_`.
    pub name: String,
    pub label: String,
    /// One of [`FormField::TYPES`]; `textarea` is a multi-line message box.
    #[serde(rename = "type")]
    pub field_type: String,
    pub required: bool,
}

impl FormField {
    pub const TYPES: [&'static str; 6] = ["text", "email", "tel", "textarea", "number", "url"];
}

/// Schema reference §18 `contact_form`, field for field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ContactFormProps {
    pub heading: String,
    pub subheading: String,
    /// Where submissions go; empty until form handling exists (a later issue).
    pub recipient_email: String,
    pub fields: Vec<FormField>,
    pub submit_label: String,
    pub success_message: String,
    pub show_address: bool,
    pub address: String,
    pub show_phone: bool,
    pub phone: String,
    pub show_business_hours: bool,
    pub business_hours: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct FaqItem {
    pub question: String,
    pub answer: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct FaqProps {
    pub heading: String,
    pub subheading: String,
    pub items: Vec<FaqItem>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct BlogPost {
    pub title: String,
    pub excerpt: String,
    pub image_url: String,
    pub image_alt: String,
    /// `YYYY-MM-DD`, or empty.
    pub date: String,
    pub href: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct BlogGridProps {
    pub heading: String,
    pub subheading: String,
    /// 1 to 4 cards per row on wide screens.
    pub columns: u8,
    pub posts: Vec<BlogPost>,
    pub read_more_label: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ImageTextProps {
    pub heading: String,
    /// Plain text; blank lines separate paragraphs.
    pub body: String,
    pub image_url: String,
    pub image_alt: String,
    /// `left` or `right`: the side the image sits on wide screens.
    pub image_position: String,
    pub button_label: String,
    pub button_href: String,
}

impl ContactFormProps {
    pub(super) fn check(&self) -> Result<(), AppError> {
        if !self.recipient_email.is_empty() {
            Email::parse(&self.recipient_email).map_err(|_| {
                AppError::invalid(
                    "recipient_email",
                    "Enter the address that should receive messages, like name@example.com.",
                )
            })?;
        }
        if self.fields.is_empty() {
            return Err(AppError::invalid(
                "fields",
                "A contact form needs at least one field.",
            ));
        }
        check_count("fields", &self.fields, 12, "A contact form", "fields")?;
        for (n, f) in self.fields.iter().enumerate() {
            let name_ok = (1..=40).contains(&f.name.len())
                && f.name
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
            if !name_ok {
                return Err(AppError::invalid(
                    "fields.name",
                    "Field names use 1 to 40 lower-case letters, digits or _.",
                ));
            }
            if self.fields[..n].iter().any(|g| g.name == f.name) {
                return Err(AppError::invalid(
                    "fields.name",
                    format!("Two fields are both named “{}”.", f.name),
                ));
            }
            check_len("fields.label", &f.label, SHORT)?;
            if !FormField::TYPES.contains(&f.field_type.as_str()) {
                return Err(AppError::invalid(
                    "fields.type",
                    "A field is text, email, tel, textarea, number or url.",
                ));
            }
        }
        Ok(())
    }
}

impl FaqProps {
    pub(super) fn check(&self) -> Result<(), AppError> {
        check_count("items", &self.items, 40, "A FAQ", "questions")?;
        for i in &self.items {
            check_len("items.question", &i.question, SHORT)?;
            check_len("items.answer", &i.answer, LONG)?;
        }
        Ok(())
    }
}

impl BlogGridProps {
    pub(super) fn check(&self) -> Result<(), AppError> {
        if !(1..=4).contains(&self.columns) {
            return Err(AppError::invalid(
                "columns",
                "A blog grid has 1 to 4 columns.",
            ));
        }
        check_count("posts", &self.posts, 24, "A blog grid", "posts")?;
        for p in &self.posts {
            check_len("posts.title", &p.title, SHORT)?;
            check_len("posts.excerpt", &p.excerpt, LONG)?;
            check_url("posts.image_url", &p.image_url)?;
            check_len("posts.image_alt", &p.image_alt, SHORT)?;
            check_date("posts.date", &p.date)?;
            check_url("posts.href", &p.href)?;
        }
        Ok(())
    }
}

impl ImageTextProps {
    pub(super) fn check(&self) -> Result<(), AppError> {
        check_url("image_url", &self.image_url)?;
        check_url("button_href", &self.button_href)?;
        if !matches!(self.image_position.as_str(), "left" | "right") {
            return Err(AppError::invalid(
                "image_position",
                "Put the image on the left or the right.",
            ));
        }
        Ok(())
    }
}
