//! Contact form submissions: checking a visitor's input against the block's field
//! definitions, the state a visitor page renders a form in, and the inbox's wire types.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{ContactFormProps, Email};

/// The hidden input naming the contact form (its component id) a visitor submits.
pub const FORM_ID_FIELD: &str = "_sp_form";
/// The honeypot input: hidden from people, filled in by form-filling bots. Its name has a
/// `-`, which block field names cannot, so it never collides with a real field.
pub const HONEYPOT_FIELD: &str = "sp-website";

/// Longest accepted value of a multi-line field and of any other field.
pub const TEXTAREA_MAX: usize = 5000;
pub const LINE_MAX: usize = 300;

/// One submitted field as stored (`form_submissions.data[]`): the label is kept so the
/// submission stays readable after the block changes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SubmittedField {
    pub name: String,
    pub label: String,
    pub value: String,
}

/// How a visitor page shows one contact form: where it posts, and after a submission either
/// the visitor's values with field errors, or the success message.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FormSlot {
    pub component_id: Uuid,
    /// The page's own address; the form posts back to it.
    pub action: String,
    pub values: HashMap<String, String>,
    /// Field name -> message.
    pub errors: HashMap<String, String>,
    pub sent: bool,
}

impl FormSlot {
    /// The element id of the form, used as the fragment that scrolls back to it.
    pub fn anchor(&self) -> String {
        format!("form-{}", self.component_id.simple())
    }
}

fn field_error(label: &str, field_type: &str, value: &str, required: bool) -> Option<String> {
    let label = if label.trim().is_empty() {
        "This field"
    } else {
        label.trim()
    };
    if value.is_empty() {
        return required.then(|| format!("{label} is required."));
    }
    let max = if field_type == "textarea" {
        TEXTAREA_MAX
    } else {
        LINE_MAX
    };
    if value.chars().count() > max {
        return Some(format!("{label} can be at most {max} characters."));
    }
    match field_type {
        "email" if Email::parse(value).is_err() => {
            Some("Enter an email address like name@example.com.".into())
        }
        "number" if value.parse::<f64>().map_or(true, |n| !n.is_finite()) => {
            Some(format!("{label} must be a number."))
        }
        "url"
            if !(value.starts_with("https://") || value.starts_with("http://"))
                || value.contains(char::is_whitespace) =>
        {
            Some("Enter a web address starting with https://.".into())
        }
        "tel"
            if !value
                .chars()
                .all(|c| c.is_ascii_digit() || " +-().".contains(c))
                || value.chars().filter(char::is_ascii_digit).count() < 3 =>
        {
            Some("Enter a phone number using digits, spaces and + - ( ).".into())
        }
        _ => None,
    }
}

/// Checks `posted` (name/value pairs as sent) against the form's fields. Fields the block
/// does not define are dropped; values are trimmed. On failure: the trimmed values (to show
/// again) and one message per failing field.
/// Form field name → text (the values posted back, or the message for each failing field).
pub type FieldMap = HashMap<String, String>;

pub fn check_submission(
    form: &ContactFormProps,
    posted: &[(String, String)],
) -> Result<Vec<SubmittedField>, (FieldMap, FieldMap)> {
    let mut values = HashMap::new();
    let mut errors = HashMap::new();
    let mut out = Vec::with_capacity(form.fields.len());
    for f in &form.fields {
        // Line inputs cannot hold line breaks; a crafted post could, so they are folded.
        let raw = posted
            .iter()
            .find(|(k, _)| *k == f.name)
            .map(|(_, v)| v.as_str())
            .unwrap_or("");
        let value = if f.field_type == "textarea" {
            raw.trim().replace("\r\n", "\n")
        } else {
            raw.trim().replace(['\r', '\n'], " ")
        };
        if let Some(e) = field_error(&f.label, &f.field_type, &value, f.required) {
            errors.insert(f.name.clone(), e);
        }
        values.insert(f.name.clone(), value.clone());
        out.push(SubmittedField {
            name: f.name.clone(),
            label: f.label.clone(),
            value,
        });
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err((values, errors))
    }
}

/// A row of the inbox.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SubmissionSummary {
    pub id: Uuid,
    pub website_id: Uuid,
    pub website_name: String,
    pub page_title: String,
    pub page_slug: String,
    pub form_name: String,
    pub created_at: DateTime<Utc>,
    pub processed: bool,
    /// The first few values, shortened.
    pub preview: String,
}

/// One submission in full.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SubmissionDetail {
    pub summary: SubmissionSummary,
    pub fields: Vec<SubmittedField>,
    pub processed_at: Option<DateTime<Utc>>,
}

/// A cell for CSV export: quoted when needed, and a leading `=`, `+`, `-`, `@` (or tab / CR)
/// is prefixed with `'` so spreadsheets show it as text instead of running it as a formula.
/// A cell holding any separator a spreadsheet may split on (`,`, `;`, tab) is quoted, so in a
/// `;` or tab locale `x;=1+1` stays one (text) cell instead of becoming `x` and a formula.
pub fn csv_cell(value: &str) -> String {
    let guarded = if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_string()
    };
    if guarded.contains([',', ';', '\t', '"', '\n', '\r']) {
        format!("\"{}\"", guarded.replace('"', "\"\""))
    } else {
        guarded
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn post(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn submissions_follow_the_field_definitions() {
        let form = ContactFormProps::default();
        let ok = check_submission(
            &form,
            &post(&[
                ("name", " Ann "),
                ("email", "ann@example.com"),
                ("message", "Hi"),
                ("evil", "x"),
            ]),
        );
        let fields = ok.expect("valid");
        assert_eq!(
            fields.iter().map(|f| f.name.as_str()).collect::<Vec<_>>(),
            ["name", "email", "phone", "message"]
        );
        assert_eq!(fields[0].value, "Ann");
        let (values, errors) =
            check_submission(&form, &post(&[("email", "nope"), ("phone", "call me")]))
                .expect_err("invalid");
        assert_eq!(errors["name"], "Your name is required.");
        assert_eq!(
            errors["email"],
            "Enter an email address like name@example.com."
        );
        assert!(errors["phone"].starts_with("Enter a phone number"));
        assert_eq!(errors["message"], "Message is required.");
        assert_eq!(values["email"], "nope");
        let long = "x".repeat(LINE_MAX + 1);
        let (_, errors) = check_submission(
            &form,
            &post(&[("name", &long), ("email", "a@b.co"), ("message", "m")]),
        )
        .expect_err("long");
        assert_eq!(
            errors["name"],
            format!("Your name can be at most {LINE_MAX} characters.")
        );
    }

    #[test]
    fn csv_cells_are_escaped_and_never_formulas() {
        assert_eq!(csv_cell("plain"), "plain");
        assert_eq!(csv_cell("a,b"), "\"a,b\"");
        assert_eq!(csv_cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_cell("=SUM(A1)"), "'=SUM(A1)");
        assert_eq!(csv_cell("@x"), "'@x");
        assert_eq!(csv_cell("-1,2"), "\"'-1,2\"");
        assert_eq!(csv_cell("line\nbreak"), "\"line\nbreak\"");
        // Whatever the separator: a `;` or tab locale must not split a formula out of a cell.
        assert_eq!(csv_cell("x;=1+1"), "\"x;=1+1\"");
        assert_eq!(csv_cell("x\t=1+1"), "\"x\t=1+1\"");
        assert_eq!(csv_cell("\t=1"), "\"'\t=1\"");
        assert_eq!(csv_cell("\r=1"), "\"'\r=1\"");
        assert_eq!(csv_cell("+1"), "'+1");
    }
}
