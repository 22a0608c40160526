//! Sections about customers, people and numbers: testimonials, pricing, team, stats.

use serde::{Deserialize, Serialize};

use super::{check_count, check_len, check_url, LONG, SHORT};
use crate::error::AppError;

/// One customer review (schema reference §18 `testimonials.reviews[]`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Review {
    pub name: String,
    pub avatar_url: String,
    /// 1 to 5 stars; 0 shows no stars.
    pub rating: u8,
    pub text: String,
    /// Where the review was left ("Google"), shown next to the name.
    pub source: String,
    /// `YYYY-MM-DD`, or empty.
    pub date: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TestimonialsProps {
    pub heading: String,
    /// `grid` or `list`.
    pub layout: String,
    pub reviews: Vec<Review>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PricePlan {
    pub name: String,
    /// Shown as written ("$19", "Free", "On request"), so any currency or wording works.
    pub price: String,
    /// Printed after the price ("/month"); empty for one-off prices.
    pub period: String,
    pub description: String,
    pub features: Vec<String>,
    pub cta_label: String,
    pub cta_href: String,
    /// Draws attention to one plan ("Most popular").
    pub highlighted: bool,
    pub badge: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PricingProps {
    pub heading: String,
    pub subheading: String,
    pub plans: Vec<PricePlan>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TeamMember {
    pub name: String,
    pub role: String,
    pub bio: String,
    pub photo_url: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TeamProps {
    pub heading: String,
    pub subheading: String,
    pub members: Vec<TeamMember>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct StatItem {
    pub value: f64,
    /// Digits after the decimal point, 0 to 2.
    pub decimals: u8,
    pub prefix: String,
    pub suffix: String,
    pub label: String,
}

impl StatItem {
    /// The value as shown: prefix, grouped digits, suffix ("$1,250+").
    pub fn display(&self) -> String {
        let decimals = usize::from(self.decimals.min(2));
        let fixed = format!("{:.*}", decimals, self.value.abs());
        let (int, frac) = fixed
            .split_once('.')
            .map_or((fixed.as_str(), None), |(i, f)| (i, Some(f)));
        let mut grouped = String::new();
        for (n, c) in int.chars().enumerate() {
            if n > 0 && (int.len() - n) % 3 == 0 {
                grouped.push(',');
            }
            grouped.push(c);
        }
        let sign = if self.value < 0.0 && fixed.chars().any(|c| c.is_ascii_digit() && c != '0') {
            "-"
        } else {
            ""
        };
        let frac = frac.map(|f| format!(".{f}")).unwrap_or_default();
        format!("{sign}{}{grouped}{frac}{}", self.prefix, self.suffix)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct StatsProps {
    pub heading: String,
    pub subheading: String,
    pub items: Vec<StatItem>,
}

/// A `YYYY-MM-DD` date (or empty). Only the shape and month/day ranges are checked; the
/// renderer prints it as written when it cannot be read.
pub(super) fn check_date(field: &str, value: &str) -> Result<(), AppError> {
    if value.is_empty() || parse_date(value).is_some() {
        return Ok(());
    }
    Err(AppError::invalid(
        field,
        "Write dates as YYYY-MM-DD, for example 2024-11-15.",
    ))
}

/// (year, month, day) of a `YYYY-MM-DD` string.
pub fn parse_date(value: &str) -> Option<(u16, u8, u8)> {
    let mut parts = value.split('-');
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || y.len() != 4 || m.len() != 2 || d.len() != 2 {
        return None;
    }
    let (y, m, d) = (y.parse().ok()?, m.parse().ok()?, d.parse().ok()?);
    ((1..=12).contains(&m) && (1..=31).contains(&d)).then_some((y, m, d))
}

impl TestimonialsProps {
    pub(super) fn check(&self) -> Result<(), AppError> {
        check_len("layout", &self.layout, 20)?;
        check_count(
            "reviews",
            &self.reviews,
            24,
            "A testimonials block",
            "reviews",
        )?;
        for r in &self.reviews {
            check_len("reviews.name", &r.name, SHORT)?;
            check_url("reviews.avatar_url", &r.avatar_url)?;
            if r.rating > 5 {
                return Err(AppError::invalid(
                    "reviews.rating",
                    "A rating is 1 to 5 stars (0 hides the stars).",
                ));
            }
            check_len("reviews.text", &r.text, LONG)?;
            check_len("reviews.source", &r.source, 60)?;
            check_date("reviews.date", &r.date)?;
        }
        Ok(())
    }
}

impl PricingProps {
    pub(super) fn check(&self) -> Result<(), AppError> {
        check_count("plans", &self.plans, 6, "A pricing block", "plans")?;
        for p in &self.plans {
            check_len("plans.name", &p.name, SHORT)?;
            check_len("plans.price", &p.price, 40)?;
            check_len("plans.period", &p.period, 40)?;
            check_len("plans.description", &p.description, LONG)?;
            check_len("plans.badge", &p.badge, 40)?;
            check_len("plans.cta_label", &p.cta_label, SHORT)?;
            check_url("plans.cta_href", &p.cta_href)?;
            check_count(
                "plans.features",
                &p.features,
                20,
                "A pricing plan",
                "features",
            )?;
            for f in &p.features {
                check_len("plans.features", f, SHORT)?;
            }
        }
        Ok(())
    }
}

impl TeamProps {
    pub(super) fn check(&self) -> Result<(), AppError> {
        check_count("members", &self.members, 40, "A team block", "people")?;
        for m in &self.members {
            check_len("members.name", &m.name, SHORT)?;
            check_len("members.role", &m.role, SHORT)?;
            check_len("members.bio", &m.bio, LONG)?;
            check_url("members.photo_url", &m.photo_url)?;
        }
        Ok(())
    }
}

impl StatsProps {
    pub(super) fn check(&self) -> Result<(), AppError> {
        check_count("items", &self.items, 8, "A stats block", "numbers")?;
        for i in &self.items {
            // Beyond 10^15 an f64 no longer holds every whole number exactly.
            if !(-1e15..=1e15).contains(&i.value) {
                return Err(AppError::invalid(
                    "items.value",
                    "Numbers must be between -1,000,000,000,000,000 and 1,000,000,000,000,000.",
                ));
            }
            if i.decimals > 2 {
                return Err(AppError::invalid(
                    "items.decimals",
                    "Show at most 2 decimal places.",
                ));
            }
            check_len("items.prefix", &i.prefix, 10)?;
            check_len("items.suffix", &i.suffix, 10)?;
            check_len("items.label", &i.label, SHORT)?;
        }
        Ok(())
    }
}
