//! The organisation's own settings (issue 23 part 2): name, logo, timezone and locale, and the
//! first-run checklist on the dashboard.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{check_image_address, parse_name};
use crate::error::AppError;

/// The languages the app offers for the organisation (`tenants.locale`).
pub const LOCALES: &[(&str, &str)] = &[
    ("en", "English"),
    ("en-GB", "English (United Kingdom)"),
    ("de", "Deutsch"),
    ("es", "Español"),
    ("fr", "Français"),
    ("it", "Italiano"),
    ("nl", "Nederlands"),
    ("pt", "Português"),
];

/// Timezones offered in the picker; any IANA name PostgreSQL knows is accepted.
pub const COMMON_TIMEZONES: &[&str] = &[
    "UTC",
    "Europe/London",
    "Europe/Berlin",
    "Europe/Paris",
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
    "America/Sao_Paulo",
    "Asia/Kolkata",
    "Asia/Singapore",
    "Asia/Tokyo",
    "Australia/Sydney",
    "Pacific/Auckland",
];

/// What the organisation settings page shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Organisation {
    pub name: String,
    pub logo_url: Option<String>,
    pub timezone: String,
    pub locale: String,
    /// Whether the caller may change them (owners and admins); others see them read-only.
    pub can_edit: bool,
}

/// A change to the organisation settings, as sent by the page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrganisationInput {
    pub name: String,
    pub logo_url: String,
    pub timezone: String,
    pub locale: String,
}

/// The checked form of [`OrganisationInput`]; the timezone's existence is checked against
/// PostgreSQL's list by the database layer.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidOrganisation {
    pub name: String,
    pub logo_url: Option<String>,
    pub timezone: String,
    pub locale: String,
}

impl OrganisationInput {
    pub fn parse(self) -> Result<ValidOrganisation, AppError> {
        let name = parse_name("name", "the organisation's name", &self.name, 2, 100)?;
        let logo = self.logo_url.trim();
        check_image_address("logo_url", logo)?;
        let timezone = self.timezone.trim();
        let tz_shape = !timezone.is_empty()
            && timezone.len() <= 64
            && timezone
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "/_-+".contains(c));
        if !tz_shape {
            return Err(AppError::invalid(
                "timezone",
                "Choose a timezone such as Europe/Berlin or America/New_York.",
            ));
        }
        let locale = self.locale.trim();
        if !LOCALES.iter().any(|(code, _)| *code == locale) {
            return Err(AppError::invalid(
                "locale",
                "Choose one of the languages in the list.",
            ));
        }
        Ok(ValidOrganisation {
            name,
            logo_url: (!logo.is_empty()).then(|| logo.to_string()),
            timezone: timezone.to_string(),
            locale: locale.to_string(),
        })
    }
}

/// One item of the dashboard's first-run checklist.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OnboardingItem {
    pub key: String,
    pub label: String,
    pub done: bool,
    /// Where to do it.
    pub href: String,
}

/// The dashboard's first-run checklist; `None` from the server once onboarding is complete.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Onboarding {
    pub items: Vec<OnboardingItem>,
    /// Whether the caller may dismiss it (the owner).
    pub can_dismiss: bool,
}

/// A pending ownership transfer, as the team page shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PendingTransfer {
    pub to_user_id: Uuid,
    pub to_email: String,
    pub expires_at: chrono::DateTime<chrono::Utc>,
}

/// An admin the owner may hand the organisation to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TransferCandidate {
    pub user_id: Uuid,
    pub label: String,
}

/// The owner's view of ownership transfer: who may receive it and what is pending.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TransferState {
    pub admins: Vec<TransferCandidate>,
    pub pending: Option<PendingTransfer>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(tz: &str, locale: &str, logo: &str) -> OrganisationInput {
        OrganisationInput {
            name: "Acme Bakery".into(),
            logo_url: logo.into(),
            timezone: tz.into(),
            locale: locale.into(),
        }
    }

    #[test]
    fn organisation_input_is_checked() {
        let ok = input(" Europe/Berlin ", "de", "").parse().expect("valid");
        assert_eq!(ok.timezone, "Europe/Berlin");
        assert_eq!(ok.logo_url, None);
        assert_eq!(
            input("Berlin; DROP", "de", "").parse().unwrap_err().field(),
            Some("timezone")
        );
        assert_eq!(
            input("UTC", "klingon", "").parse().unwrap_err().field(),
            Some("locale")
        );
        assert_eq!(
            input("UTC", "en", "javascript:alert(1)")
                .parse()
                .unwrap_err()
                .field(),
            Some("logo_url")
        );
        assert!(input("UTC", "en", "/media/a/b/o10x10.png").parse().is_ok());
    }
}
