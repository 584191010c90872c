//! Accounts and access: roles, the permission matrix, the current user, passwords,
//! sessions, CSRF and API tokens.
//!
//! Every route declares one [`Access`] when it is registered (see `web::routes`); a
//! single middleware checks it against the caller's role grants. There is no other
//! place where permissions are decided, so the matrix below is the whole policy.

pub mod password;
pub mod queries;
pub mod session;
pub mod users;

use serde::Serialize;
use utoipa::ToSchema;

/// A role a user can be granted, globally or (coordinator) for one unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Everything, including users.
    Admin,
    /// International office staff: all partner, visit, agreement and programme records.
    Staff,
    /// Unit coordinator: their unit's records.
    Coordinator,
    /// Writes news articles.
    Author,
    /// Translates articles.
    Translator,
    /// Supplies photos.
    Photographer,
    /// Proofreads articles.
    Proofreader,
    /// Reviews and approves articles.
    Reviewer,
    /// Reads records.
    Viewer,
    /// A student: signs in through the campus identity provider; sees only their own
    /// applications, never the office's records.
    Student,
}

impl Role {
    /// All roles, in display order.
    pub const ALL: [Role; 10] = [
        Role::Admin,
        Role::Staff,
        Role::Coordinator,
        Role::Author,
        Role::Translator,
        Role::Photographer,
        Role::Proofreader,
        Role::Reviewer,
        Role::Viewer,
        Role::Student,
    ];

    /// Stored and wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Staff => "staff",
            Role::Coordinator => "coordinator",
            Role::Author => "author",
            Role::Translator => "translator",
            Role::Photographer => "photographer",
            Role::Proofreader => "proofreader",
            Role::Reviewer => "reviewer",
            Role::Viewer => "viewer",
            Role::Student => "student",
        }
    }

    /// Parses a stored or typed role name.
    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s.trim().to_ascii_lowercase())
    }
}

/// Something a route may require.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Permission {
    /// Read partner and office records.
    ViewRecords,
    /// Create, change and delete institutions, people and positions.
    EditPartners,
    /// Change a unit's names and structure (coordinators: only their unit).
    EditUnits,
    /// Read the audit log of any record.
    ViewAudit,
    /// Manage user accounts and role grants.
    ManageUsers,
    /// Book rooms.
    BookRooms,
    /// Create and change buildings and rooms; confirm bookings that need approval.
    ManageRooms,
    /// Create and change visits, their agenda, outcomes and actions.
    EditVisits,
    /// Request outbound trips and file their reports (unit heads approve their unit's).
    RequestTrips,
    /// Create and change agreements, their documents, and programmes.
    EditAgreements,
    /// Record and change mobilities (coordinators: in their unit's programmes).
    EditMobilities,
    /// Write, translate, illustrate, proofread and review news articles (which step a
    /// user may take is decided by their editorial role, in `news::workflow`).
    EditNews,
    /// Apply to calls for exchange places (students).
    Apply,
    /// Run calls for applications: screen, score, allocate, publish, nominate.
    ManageApplications,
}

impl Permission {
    /// All permissions.
    pub const ALL: [Permission; 14] = [
        Permission::ViewRecords,
        Permission::EditPartners,
        Permission::EditUnits,
        Permission::ViewAudit,
        Permission::ManageUsers,
        Permission::BookRooms,
        Permission::ManageRooms,
        Permission::EditVisits,
        Permission::RequestTrips,
        Permission::EditAgreements,
        Permission::EditMobilities,
        Permission::EditNews,
        Permission::Apply,
        Permission::ManageApplications,
    ];

    /// Wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Permission::ViewRecords => "view_records",
            Permission::EditPartners => "edit_partners",
            Permission::EditUnits => "edit_units",
            Permission::ViewAudit => "view_audit",
            Permission::ManageUsers => "manage_users",
            Permission::BookRooms => "book_rooms",
            Permission::ManageRooms => "manage_rooms",
            Permission::EditVisits => "edit_visits",
            Permission::RequestTrips => "request_trips",
            Permission::EditAgreements => "edit_agreements",
            Permission::EditMobilities => "edit_mobilities",
            Permission::EditNews => "edit_news",
            Permission::Apply => "apply",
            Permission::ManageApplications => "manage_applications",
        }
    }
}

/// The whole policy: which role holds which permission.
pub fn role_allows(role: Role, perm: Permission) -> bool {
    use Permission as P;
    use Role as R;
    match (role, perm) {
        (R::Admin, _) => true,
        (R::Student, P::Apply) => true,
        (_, P::Apply) => false,
        (R::Staff, P::ManageUsers) => false,
        (R::Staff, _) => true,
        (R::Coordinator, P::ViewRecords | P::EditUnits | P::ViewAudit | P::BookRooms | P::RequestTrips | P::EditMobilities) => true,
        (R::Coordinator, _) => false,
        (R::Author | R::Translator | R::Photographer | R::Proofreader | R::Reviewer, P::EditNews) => true,
        (R::Student, _) => false,
        (_, P::ViewRecords) => true,
        _ => false,
    }
}

/// What a route requires of its caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(tag = "kind", content = "permission", rename_all = "snake_case")]
pub enum Access {
    /// Anyone, logged in or not.
    Public,
    /// Any logged-in user.
    Authenticated,
    /// A logged-in user whose grants include this permission (unit-scoped grants count
    /// only for routes whose unit matches; the route checks that with [`CurrentUser::can_in_unit`]).
    Permission(Permission),
}

/// One role grant.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Grant {
    /// The role.
    pub role: Role,
    /// The unit it is limited to, if any.
    pub unit_id: Option<i64>,
}

/// The logged-in caller of a request.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CurrentUser {
    /// User id.
    pub id: i64,
    /// Login name.
    pub username: String,
    /// Shown name.
    pub display_name: String,
    /// UI language: `en`, `zh` or `ms`.
    pub locale: String,
    /// Role grants.
    pub grants: Vec<Grant>,
}

impl CurrentUser {
    /// True if any grant (global, or scoped to any unit) carries the permission.
    pub fn can(&self, perm: Permission) -> bool {
        self.grants.iter().any(|g| role_allows(g.role, perm))
    }

    /// True if a global grant carries the permission, or a grant scoped to `unit_id`.
    pub fn can_in_unit(&self, perm: Permission, unit_id: i64) -> bool {
        self.grants.iter().any(|g| role_allows(g.role, perm) && (g.role != Role::Coordinator || g.unit_id == Some(unit_id)))
    }

    /// Comma-separated role names, for messages.
    pub fn role_names(&self) -> String {
        let names: Vec<&str> = self.grants.iter().map(|g| g.role.as_str()).collect();
        if names.is_empty() { "none".into() } else { names.join(", ") }
    }

    /// Checks a permission, answering 403 with a reason a person can act on.
    pub fn require(&self, perm: Permission) -> Result<(), crate::error::AppError> {
        if self.can(perm) {
            Ok(())
        } else {
            Err(crate::error::AppError::Forbidden(format!(
                "This needs the '{}' permission; your roles ({}) do not include it. Ask an administrator.",
                perm.as_str(),
                self.role_names()
            )))
        }
    }
}

pub use crate::secret::{hex, random_token, token_hash};

impl From<&CurrentUser> for crate::audit::Actor {
    fn from(u: &CurrentUser) -> crate::audit::Actor {
        crate::audit::Actor { id: Some(u.id), label: u.username.clone() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coordinator_grant_only_counts_in_its_unit() {
        let u = CurrentUser {
            id: 1,
            username: "c".into(),
            display_name: "C".into(),
            locale: "en".into(),
            grants: vec![Grant { role: Role::Coordinator, unit_id: Some(7) }],
        };
        assert!(u.can_in_unit(Permission::EditUnits, 7));
        assert!(!u.can_in_unit(Permission::EditUnits, 8));
        assert!(!u.can(Permission::EditPartners));
    }

    #[test]
    fn every_role_parses_back() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
        assert_eq!(Role::parse("root"), None);
    }
}
