//! The editorial chain: draft → translation → proofreading → review → approved →
//! published, who may take each step, who may edit in each status, and the credits the
//! steps become.

use serde::Deserialize;
use utoipa::ToSchema;

use super::model::{Credit, Photo, Step};
use crate::{
    audit::Actor,
    auth::{CurrentUser, Role},
    error::AppError,
};

/// Who is acting on an article: their account, shown name and editorial roles.
#[derive(Debug, Clone)]
pub struct Editor {
    /// For the audit log.
    pub actor: Actor,
    /// Shown in steps and credits.
    pub name: String,
    /// Roles held (global grants).
    pub roles: Vec<Role>,
}

impl Editor {
    /// The logged-in user.
    pub fn from_user(u: &CurrentUser) -> Editor {
        Editor { actor: Actor::from(u), name: u.display_name.clone(), roles: u.grants.iter().map(|g| g.role).collect() }
    }

    /// True if the editor holds `role`.
    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    /// Roles for messages.
    fn role_list(&self) -> String {
        let names: Vec<&str> = self.roles.iter().map(|r| r.as_str()).collect();
        if names.is_empty() { "none".into() } else { names.join(", ") }
    }

    /// 403 unless the editor holds one of `roles`, naming what `what` needs.
    pub fn require_any(&self, roles: &[Role], what: &str) -> Result<(), AppError> {
        if roles.iter().any(|r| self.has(*r)) {
            return Ok(());
        }
        let needed: Vec<&str> = roles.iter().map(|r| r.as_str()).collect();
        Err(AppError::Forbidden(format!(
            "{what} needs the {} role; your roles ({}) do not include it. Ask an administrator for the role, or hand the article to a colleague who has it.",
            needed.join(" or "),
            self.role_list()
        )))
    }
}

/// What a step does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum StepAction {
    /// Hand the article on to the next status.
    Submit,
    /// Return it to an earlier status with comments.
    SendBack,
    /// Publish an approved article, now or at a set time.
    Publish,
    /// Take a published article off the public site (back to approved).
    Withdraw,
}

impl StepAction {
    /// Stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            StepAction::Submit => "submit",
            StepAction::SendBack => "send_back",
            StepAction::Publish => "publish",
            StepAction::Withdraw => "withdraw",
        }
    }
}

/// The role that owns an article in `status`: it takes the step out of it.
pub fn owner(status: &str) -> Role {
    match status {
        "draft" => Role::Author,
        "translation" => Role::Translator,
        "proofreading" => Role::Proofreader,
        _ => Role::Reviewer,
    }
}

/// Roles that may edit the text in `status`.
pub fn editors(status: &str) -> &'static [Role] {
    match status {
        "draft" | "translation" => &[Role::Author, Role::Translator],
        "proofreading" => &[Role::Proofreader],
        _ => &[Role::Reviewer],
    }
}

/// The status a submit leads to (translation is skipped when only the original is required).
pub fn next_status(status: &str, needs_translation: bool) -> Option<&'static str> {
    match status {
        "draft" if needs_translation => Some("translation"),
        "draft" => Some("proofreading"),
        "translation" => Some("proofreading"),
        "proofreading" => Some("review"),
        "review" => Some("approved"),
        _ => None,
    }
}

/// The status a send-back returns to by default.
pub fn previous_status(status: &str, needs_translation: bool) -> Option<&'static str> {
    match status {
        "translation" => Some("draft"),
        "proofreading" if needs_translation => Some("translation"),
        "proofreading" => Some("draft"),
        "review" => Some("proofreading"),
        "approved" => Some("review"),
        _ => None,
    }
}

fn rank(status: &str) -> usize {
    super::model::STATUSES.iter().position(|s| *s == status).unwrap_or(0)
}

/// Plans a step: checks the action fits the status and the editor holds the owning role,
/// and answers the status it leads to. `to` is a send-back's target (default: the status
/// before). Missing translations and comments are checked by the caller.
pub fn plan(
    status: &str,
    action: StepAction,
    to: Option<&str>,
    needs_translation: bool,
    editor: &Editor,
) -> Result<&'static str, AppError> {
    let role = owner(status);
    let target = match (action, status) {
        (StepAction::Submit, _) => next_status(status, needs_translation),
        (StepAction::Publish, "approved") => Some("published"),
        (StepAction::Withdraw, "published") => Some("approved"),
        (StepAction::SendBack, _) => match to {
            None => previous_status(status, needs_translation),
            Some(t) => super::model::STATUSES
                .iter()
                .copied()
                .find(|s| *s == t)
                .filter(|s| rank(s) < rank(status) && status != "published" && (*s != "translation" || needs_translation)),
        },
        _ => None,
    };
    let Some(target) = target else {
        let allowed = match status {
            "draft" => "submitted",
            "approved" => "published or sent back",
            "published" => "withdrawn",
            _ => "submitted or sent back",
        };
        let what = match (action, to) {
            (StepAction::SendBack, Some(t)) => format!("sent back to {t}"),
            _ => action.as_str().replace('_', " ") + "ed",
        };
        return Err(AppError::field(
            "action",
            format!("an article in {status} can be {allowed} (to an earlier status, one chain at a time) — it cannot be {what}"),
        ));
    };
    let what = match action {
        StepAction::SendBack => format!("Sending an article in {status} back"),
        StepAction::Publish => "Publishing an approved article".to_string(),
        StepAction::Withdraw => "Withdrawing a published article".to_string(),
        StepAction::Submit => format!("Moving an article from {status} to {target}"),
    };
    editor.require_any(&[role], &what)?;
    Ok(target)
}

/// The credits of an article: Author, Translator, Photographer, Proofreader, Reviewer,
/// each with the people who took that part (forward steps out of the role's status; the
/// photographers of the photos), in the order they took part; roles nobody took are left out.
pub fn credits(author_name: &str, steps: &[Step], photos: &[Photo]) -> Vec<Credit> {
    fn push(names: &mut Vec<String>, n: &str) {
        if !n.trim().is_empty() && !names.iter().any(|x| x == n) {
            names.push(n.to_string());
        }
    }
    let forward = |from: &[&str]| {
        let mut names = Vec::new();
        for s in steps.iter().filter(|s| (s.action == "submit" || s.action == "publish") && from.contains(&s.from_status.as_str())) {
            push(&mut names, &s.actor_name);
        }
        names
    };
    let mut author = Vec::new();
    push(&mut author, author_name);
    let mut photographers = Vec::new();
    for p in photos {
        push(&mut photographers, &p.photographer_name);
    }
    [
        ("author", author),
        ("translator", forward(&["translation"])),
        ("photographer", photographers),
        ("proofreader", forward(&["proofreading"])),
        ("reviewer", forward(&["review", "approved"])),
    ]
    .into_iter()
    .filter(|(_, names)| !names.is_empty())
    .map(|(role, names)| Credit { role: role.to_string(), names })
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn editor(roles: &[Role]) -> Editor {
        Editor { actor: Actor::system("t"), name: "T".into(), roles: roles.to_vec() }
    }

    #[test]
    fn each_step_needs_its_role() {
        let a = editor(&[Role::Author]);
        assert_eq!(plan("draft", StepAction::Submit, None, true, &a).ok(), Some("translation"));
        assert_eq!(plan("draft", StepAction::Submit, None, false, &a).ok(), Some("proofreading"));
        let denied = plan("proofreading", StepAction::Submit, None, true, &a);
        match denied {
            Err(AppError::Forbidden(m)) => assert!(m.contains("proofreader") && m.contains("author"), "{m}"),
            other => panic!("expected 403, got {other:?}"),
        }
        let r = editor(&[Role::Reviewer]);
        assert_eq!(plan("review", StepAction::Submit, None, true, &r).ok(), Some("approved"));
        assert_eq!(plan("approved", StepAction::Publish, None, true, &r).ok(), Some("published"));
        assert_eq!(plan("published", StepAction::Withdraw, None, true, &r).ok(), Some("approved"));
        assert_eq!(plan("review", StepAction::SendBack, Some("draft"), true, &r).ok(), Some("draft"));
        assert_eq!(plan("review", StepAction::SendBack, None, true, &r).ok(), Some("proofreading"));
    }

    #[test]
    fn impossible_steps_are_refused_whoever_asks() {
        let all = editor(&Role::ALL);
        assert!(matches!(plan("draft", StepAction::Publish, None, true, &all), Err(AppError::Validation(_))));
        assert!(matches!(plan("draft", StepAction::SendBack, None, true, &all), Err(AppError::Validation(_))));
        assert!(matches!(plan("review", StepAction::SendBack, Some("approved"), true, &all), Err(AppError::Validation(_))));
        assert!(matches!(plan("published", StepAction::Submit, None, true, &all), Err(AppError::Validation(_))));
        assert!(matches!(plan("review", StepAction::SendBack, Some("translation"), false, &all), Err(AppError::Validation(_))));
    }

    #[test]
    fn credits_follow_the_steps_and_photos() {
        let step = |action: &str, from: &str, name: &str| Step {
            action: action.into(),
            from_status: from.into(),
            to_status: String::new(),
            role: String::new(),
            user_id: None,
            actor_name: name.into(),
            comment: String::new(),
            at: String::new(),
        };
        let steps = vec![
            step("submit", "draft", "Qin Lijuan"),
            step("submit", "translation", "Peng Gaoliang"),
            step("submit", "proofreading", "Tang Mei"),
            step("send_back", "review", "Lin Na"),
            step("submit", "proofreading", "Tang Mei"),
            step("submit", "review", "Lin Na"),
            step("publish", "approved", "Lin Na"),
        ];
        let c = credits("Qin Lijuan", &steps, &[]);
        let roles: Vec<&str> = c.iter().map(|c| c.role.as_str()).collect();
        assert_eq!(roles, ["author", "translator", "proofreader", "reviewer"]);
        assert_eq!(c[2].names, ["Tang Mei"]);
        assert_eq!(c[3].names, ["Lin Na"]);
    }
}
