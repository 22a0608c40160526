//! Parsers for user input at the boundary ("parse, don't validate").

use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// Refuses strings longer than `max` characters.
pub fn check_len(field: &str, value: &str, max: usize) -> Result<(), AppError> {
    if value.chars().count() > max {
        return Err(AppError::invalid(
            field,
            format!("Keep this under {max} characters."),
        ));
    }
    Ok(())
}

/// A link or image target must be empty, site-relative (`/…`), an anchor (`#…`), `mailto:`/`tel:`
/// or http(s). Everything else (`javascript:`, `data:`, protocol-relative `//host`) is refused.
pub fn check_url(field: &str, value: &str) -> Result<(), AppError> {
    let v = value.trim();
    if v.len() > 2048 {
        return Err(AppError::invalid(
            field,
            "This link is too long (2048 characters at most).",
        ));
    }
    if v.chars().any(|c| c.is_control()) {
        return Err(AppError::invalid(
            field,
            "Links cannot contain control characters.",
        ));
    }
    let lower = v.to_ascii_lowercase();
    let ok = v.is_empty()
        || (v.starts_with('/') && !v.starts_with("//"))
        || v.starts_with('#')
        || lower.starts_with("https://")
        || lower.starts_with("http://")
        || lower.starts_with("mailto:")
        || lower.starts_with("tel:");
    if ok {
        Ok(())
    } else {
        Err(AppError::invalid(
            field,
            "Use a page path like /about, an https:// address, mailto: or tel:.",
        ))
    }
}

/// A normalised email address (trimmed, lower-cased).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Email(String);

impl Email {
    pub fn parse(raw: &str) -> Result<Self, AppError> {
        let e = raw.trim().to_lowercase();
        let err = |m: &str| Err(AppError::invalid("email", m));
        if e.is_empty() {
            return err("Enter your email address.");
        }
        if e.len() > 254 {
            return err("That email address is too long.");
        }
        let Some((local, domain)) = e.split_once('@') else {
            return err("Enter an email address like name@example.com.");
        };
        let domain_ok = domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && domain
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.');
        if local.is_empty()
            || !domain_ok
            || e.chars().any(char::is_whitespace)
            || domain.contains('@')
        {
            return err("Enter an email address like name@example.com.");
        }
        Ok(Self(e))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A password that meets the minimum rules. Never serialised.
pub struct Password(String);

const COMMON_PASSWORDS: &[&str] = &[
    "password",
    "password1",
    "password123",
    "1234567890",
    "qwertyuiop",
    "letmein123",
    "iloveyou12",
];

impl Password {
    pub fn parse(raw: &str) -> Result<Self, AppError> {
        let err = |m: &str| Err(AppError::invalid("password", m));
        let n = raw.chars().count();
        if n < 10 {
            return err("Use at least 10 characters for your password.");
        }
        if n > 128 {
            return err("Use at most 128 characters for your password.");
        }
        if COMMON_PASSWORDS.contains(&raw.to_lowercase().as_str()) {
            return err("That password is too common. Choose another.");
        }
        let classes = [
            raw.chars().any(|c| c.is_alphabetic()),
            raw.chars().any(|c| c.is_ascii_digit()),
            raw.chars().any(|c| !c.is_alphanumeric()),
        ];
        if classes.iter().filter(|b| **b).count() < 2 {
            return err("Mix letters with numbers or symbols in your password.");
        }
        Ok(Self(raw.to_string()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

/// A required display text (name of a person, organisation or page) with a length range.
pub fn parse_name(
    field: &str,
    what: &str,
    raw: &str,
    min: usize,
    max: usize,
) -> Result<String, AppError> {
    let v = raw.trim();
    let n = v.chars().count();
    if n < min {
        return Err(AppError::invalid(
            field,
            format!("Enter {what} ({min} characters or more)."),
        ));
    }
    if n > max {
        return Err(AppError::invalid(
            field,
            format!("Keep {what} under {max} characters."),
        ));
    }
    if v.chars().any(|c| c.is_control()) {
        return Err(AppError::invalid(
            field,
            format!("Remove special control characters from {what}."),
        ));
    }
    Ok(v.to_string())
}

/// Lower-case, hyphen-separated, ASCII slug of at most `max` characters (may be empty).
pub fn slugify(raw: &str, max: usize) -> String {
    let mut out = String::new();
    let mut dash = false;
    for c in raw.chars().flat_map(char::to_lowercase) {
        let c = match c {
            'à' | 'á' | 'â' | 'ä' | 'ã' | 'å' => 'a',
            'è' | 'é' | 'ê' | 'ë' => 'e',
            'ì' | 'í' | 'î' | 'ï' => 'i',
            'ò' | 'ó' | 'ô' | 'ö' | 'õ' => 'o',
            'ù' | 'ú' | 'û' | 'ü' => 'u',
            'ç' => 'c',
            'ñ' => 'n',
            c => c,
        };
        if c.is_ascii_alphanumeric() {
            if dash && !out.is_empty() {
                out.push('-');
            }
            dash = false;
            if out.len() >= max {
                break;
            }
            out.push(c);
        } else {
            dash = true;
        }
    }
    out.trim_end_matches('-').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_allow_safe_schemes_only() {
        for ok in [
            "",
            "/about",
            "#top",
            "https://example.com",
            "HTTP://x.y",
            "mailto:a@b.c",
            "tel:+1",
        ] {
            assert!(check_url("f", ok).is_ok(), "{ok}");
        }
        for bad in [
            "javascript:alert(1)",
            " JavaScript:x",
            "data:text/html,x",
            "//evil.com",
            "vbscript:x",
            "ftp://x",
        ] {
            assert!(check_url("f", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn emails_are_normalised_and_checked() {
        assert_eq!(
            Email::parse("  Ann@Example.COM ").map(|e| e.as_str().to_string()),
            Ok("ann@example.com".into())
        );
        for bad in [
            "",
            "ann",
            "ann@",
            "@x.com",
            "ann@x",
            "a b@x.com",
            "a@x..com@y.com",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn weak_passwords_are_refused_with_a_reason() {
        assert!(Password::parse("short1!").is_err());
        assert!(Password::parse("onlyletterslong").is_err());
        assert!(Password::parse("password123").is_err());
        assert!(Password::parse("correct-horse-7").is_ok());
    }

    #[test]
    fn slugs_are_ascii_and_hyphenated() {
        assert_eq!(slugify("  Pizza Palace!! ", 40), "pizza-palace");
        assert_eq!(slugify("Café Zoë & Co", 40), "cafe-zoe-co");
        assert_eq!(slugify("###", 40), "");
        assert_eq!(
            slugify("a very long organisation name indeed", 10),
            "a-very-lon"
        );
    }
}
