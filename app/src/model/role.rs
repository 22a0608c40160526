use serde::{Deserialize, Serialize};

/// A member's role inside a tenant (seed §5). The permission questions are answered here,
/// once, so server checks and UI gating cannot disagree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Owner,
    Admin,
    Editor,
    Developer,
    Viewer,
}

impl Role {
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "owner" => Self::Owner,
            "admin" => Self::Admin,
            "editor" => Self::Editor,
            "developer" => Self::Developer,
            "viewer" => Self::Viewer,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Owner => "owner",
            Self::Admin => "admin",
            Self::Editor => "editor",
            Self::Developer => "developer",
            Self::Viewer => "viewer",
        }
    }

    /// Create and change pages and blocks.
    pub fn can_edit_content(self) -> bool {
        !matches!(self, Self::Viewer)
    }

    /// Change a block marked `is_locked`.
    pub fn can_edit_locked(self) -> bool {
        matches!(self, Self::Owner | Self::Admin)
    }

    /// Change a website's branding (colours, fonts, logo, spacing). Seed §5 withholds only
    /// publishing, domains, users and billing from editors, and new branding reaches visitors
    /// only through a publish, so every role but viewer may change it.
    pub fn can_change_branding(self) -> bool {
        !matches!(self, Self::Viewer)
    }

    /// Publish a website (editors cannot, per seed §5).
    pub fn can_publish(self) -> bool {
        matches!(self, Self::Owner | Self::Admin | Self::Developer)
    }

    /// See and change the plan, payment and subscription: the owner only (seed §5).
    pub fn can_manage_billing(self) -> bool {
        matches!(self, Self::Owner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permissions_follow_the_role_table() {
        assert!(Role::Editor.can_edit_content() && !Role::Editor.can_publish());
        assert!(!Role::Viewer.can_edit_content() && !Role::Viewer.can_publish());
        assert!(Role::Developer.can_publish() && !Role::Developer.can_edit_locked());
        assert!(Role::Owner.can_edit_locked() && Role::Admin.can_edit_locked());
        for r in [Role::Owner, Role::Admin, Role::Editor, Role::Developer, Role::Viewer] {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
        assert_eq!(Role::parse("root"), None);
        assert!(Role::Owner.can_manage_billing());
        for r in [Role::Admin, Role::Editor, Role::Developer, Role::Viewer] {
            assert!(!r.can_manage_billing());
        }
    }
}
