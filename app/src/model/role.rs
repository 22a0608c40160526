use serde::{Deserialize, Serialize};

/// A member's role inside a tenant (schema reference §5). The permission questions are answered here,
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

    /// Upload, rename, tag and delete files in the media library. Every member may browse it.
    pub fn can_manage_assets(self) -> bool {
        !matches!(self, Self::Viewer)
    }

    /// Download a website's backup document. Every role: a viewer already reads every page
    /// in the builder, and the document carries no password or secret. Importing a backup,
    /// restoring or duplicating writes content, so those need [`Role::can_edit_content`].
    pub fn can_export_site(self) -> bool {
        true
    }

    /// Save one of the tenant's websites as a private template for the team, and delete one:
    /// owners, admins and editors (the content roles of schema reference §5). Developers work
    /// on the technical side and viewers only read; both may still use the team's templates
    /// to start a site when they may create websites.
    pub fn can_manage_templates(self) -> bool {
        matches!(self, Self::Owner | Self::Admin | Self::Editor)
    }

    /// Change a block marked `is_locked`.
    pub fn can_edit_locked(self) -> bool {
        matches!(self, Self::Owner | Self::Admin)
    }

    /// Change a website's branding (colours, fonts, logo, spacing). Schema reference §5 withholds only
    /// publishing, domains, users and billing from editors, and new branding reaches visitors
    /// only through a publish, so every role but viewer may change it.
    pub fn can_change_branding(self) -> bool {
        !matches!(self, Self::Viewer)
    }

    /// See a website's visitor analytics. Schema reference §5 lets every role, viewers included, view
    /// analytics; the plan decides whether the page is available at all.
    pub fn can_view_analytics(self) -> bool {
        true
    }

    /// Read, mark and export contact form submissions. They hold visitors' personal data
    /// (names, emails, messages), so only the roles schema reference §5 trusts with the whole tenant
    /// (owner, admin) see them; editors, developers and viewers work on the site, not its mail.
    pub fn can_view_submissions(self) -> bool {
        matches!(self, Self::Owner | Self::Admin)
    }

    /// Publish a website (editors cannot, per schema reference §5).
    pub fn can_publish(self) -> bool {
        matches!(self, Self::Owner | Self::Admin | Self::Developer)
    }

    /// Every member may see who else is on the team.
    pub fn can_view_team(self) -> bool {
        true
    }

    /// Invite, revoke and resend invitations, change roles, deactivate members (schema reference §5:
    /// owners and admins manage users; developers, editors and viewers do not).
    pub fn can_manage_team(self) -> bool {
        matches!(self, Self::Owner | Self::Admin)
    }

    /// Whether `self` may change the role or active state of a member who has role `target`.
    /// Nobody changes the owner through the app (ownership is transferred, not edited), and
    /// only team managers change anyone.
    pub fn can_manage_member(self, target: Role) -> bool {
        self.can_manage_team() && target != Self::Owner
    }

    /// Whether `self` may give a member (or an invitation) role `to`: never owner.
    pub fn can_grant(self, to: Role) -> bool {
        self.can_manage_team() && to != Self::Owner
    }

    /// Read the tenant's audit log.
    pub fn can_view_audit(self) -> bool {
        matches!(self, Self::Owner | Self::Admin)
    }

    /// The shop's catalogue (products, variants, categories): the content roles, owners,
    /// admins and editors (issue 22). Every member may read it.
    pub fn can_manage_products(self) -> bool {
        matches!(self, Self::Owner | Self::Admin | Self::Editor)
    }

    /// Refund a paid shop order (money goes back to the customer): owners and admins.
    pub fn can_refund_orders(self) -> bool {
        matches!(self, Self::Owner | Self::Admin)
    }

    /// Connect and verify custom domains.
    pub fn can_manage_domains(self) -> bool {
        matches!(self, Self::Owner | Self::Admin | Self::Developer)
    }

    /// Outgoing webhooks (their signing secrets and delivery log, which carries form
    /// submissions) and the tenant's API keys: owners and admins (issue 21).
    pub fn can_manage_integrations(self) -> bool {
        matches!(self, Self::Owner | Self::Admin)
    }

    /// Change what visitors get at once without a publish: the website's address, the
    /// analytics switch, unpublish and publish again, archive and restore. The roles that
    /// may publish.
    pub fn can_manage_website(self) -> bool {
        self.can_publish()
    }

    /// Delete a whole website (soft for 30 days, then purged): owners and admins, who
    /// answer for the whole tenant.
    pub fn can_delete_website(self) -> bool {
        matches!(self, Self::Owner | Self::Admin)
    }

    /// Plans, payment and invoices: the owner only.
    pub fn can_manage_billing(self) -> bool {
        matches!(self, Self::Owner)
    }

    /// Export the whole organisation (every website, submission, media file and the audit
    /// log): the owner only.
    pub fn can_export_organisation(self) -> bool {
        matches!(self, Self::Owner)
    }

    /// Delete (offboard) the whole tenant: the owner only.
    pub fn can_delete_tenant(self) -> bool {
        matches!(self, Self::Owner)
    }

    /// Use the AI writing tools (content work: every role but viewer).
    pub fn can_use_ai(self) -> bool {
        !matches!(self, Self::Viewer)
    }

    /// The organisation's name, logo, timezone and locale (issue 23): owners and admins; every
    /// member sees them read-only.
    pub fn can_manage_organisation(self) -> bool {
        matches!(self, Self::Owner | Self::Admin)
    }

    /// Hand the organisation to an admin, withdraw that, and close the first-run checklist:
    /// the owner only.
    pub fn can_transfer_ownership(self) -> bool {
        matches!(self, Self::Owner)
    }

    /// Confirm an ownership transfer: only an admin can become the owner.
    pub fn can_accept_ownership(self) -> bool {
        matches!(self, Self::Admin)
    }

    /// One's own profile, password and preferences: every member.
    pub fn can_edit_own_settings(self) -> bool {
        true
    }

    /// Delete one's own user account: every member but the owner, who transfers ownership
    /// first (the organisation always keeps its one owner).
    pub fn can_delete_own_account(self) -> bool {
        !matches!(self, Self::Owner)
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
        for r in [
            Role::Owner,
            Role::Admin,
            Role::Editor,
            Role::Developer,
            Role::Viewer,
        ] {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
        assert_eq!(Role::parse("root"), None);
        assert!(Role::Owner.can_manage_team() && Role::Admin.can_manage_team());
        assert!(
            !Role::Developer.can_manage_team()
                && !Role::Editor.can_manage_team()
                && !Role::Viewer.can_manage_team()
        );
        assert!(
            !Role::Admin.can_manage_member(Role::Owner)
                && Role::Admin.can_manage_member(Role::Admin)
        );
        assert!(!Role::Owner.can_grant(Role::Owner) && Role::Owner.can_grant(Role::Admin));
        assert!(Role::Admin.can_view_audit() && !Role::Developer.can_view_audit());
        assert!(Role::Developer.can_manage_domains() && !Role::Editor.can_manage_domains());
        assert!(
            Role::Owner.can_manage_billing()
                && !Role::Admin.can_manage_billing()
                && !Role::Admin.can_delete_tenant()
        );
        assert!(Role::Editor.can_use_ai() && !Role::Viewer.can_use_ai());
        assert!(
            Role::Editor.can_manage_products()
                && Role::Admin.can_manage_products()
                && !Role::Developer.can_manage_products()
                && !Role::Viewer.can_manage_products()
        );
        assert!(Role::Owner.can_manage_billing());
        for r in [Role::Admin, Role::Editor, Role::Developer, Role::Viewer] {
            assert!(!r.can_manage_billing());
        }
    }
}
