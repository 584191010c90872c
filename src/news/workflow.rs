//! The editorial chain: draft → translation → proofreading → review → approved →
//! published, who may take each step, who may edit in each status, and the credits the
//! steps become.

use serde::Deserialize;
use utoipa::ToSchema;

use super::model::{ArticleStatus, Credit, Photo, Step};
use crate::{
    audit::Actor,
    auth::{CurrentUser, Role},
    error::AppError,
    status::Status,
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
    /// Every action.
    pub const ALL: [StepAction; 4] = [StepAction::Submit, StepAction::SendBack, StepAction::Publish, StepAction::Withdraw];

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

/// The role that owns an article in `status`: it takes the steps out of it.
pub fn owner(status: ArticleStatus) -> Role {
    match status {
        ArticleStatus::Draft => Role::Author,
        ArticleStatus::Translation => Role::Translator,
        ArticleStatus::Proofreading => Role::Proofreader,
        _ => Role::Reviewer,
    }
}

/// Roles that may edit the text in `status`.
pub fn editors(status: ArticleStatus) -> &'static [Role] {
    match status {
        ArticleStatus::Draft | ArticleStatus::Translation => &[Role::Author, Role::Translator],
        ArticleStatus::Proofreading => &[Role::Proofreader],
        _ => &[Role::Reviewer],
    }
}

/// True if `status` is part of an article's chain: translation is skipped when only the
/// original language is required.
pub fn in_chain(status: ArticleStatus, needs_translation: bool) -> bool {
    needs_translation || status != ArticleStatus::Translation
}

/// What a move from `from` to `to` is: forward a submit (a publish into published),
/// backward a send-back (a withdraw out of published).
fn action_of(from: ArticleStatus, to: ArticleStatus) -> StepAction {
    match (to.rank() > from.rank(), from, to) {
        (true, _, ArticleStatus::Published) => StepAction::Publish,
        (true, ..) => StepAction::Submit,
        (false, ArticleStatus::Published, _) => StepAction::Withdraw,
        (false, ..) => StepAction::SendBack,
    }
}

/// The statuses `action` may lead to from `status`, the default first: the status's own
/// steps ([`Status::allowed_next`]) less those that leave the chain — no step into a
/// skipped status, and no step forward past one that is in the chain.
pub fn targets(status: ArticleStatus, action: StepAction, needs_translation: bool) -> Vec<ArticleStatus> {
    let passes = |to: ArticleStatus| {
        let between = ArticleStatus::ALL.get(status.rank() + 1..to.rank()).unwrap_or(&[]);
        in_chain(to, needs_translation) && !between.iter().any(|s| in_chain(*s, needs_translation))
    };
    status.allowed_next().iter().copied().filter(|to| action_of(status, *to) == action && passes(*to)).collect()
}

/// Plans a step: checks the action fits the status and the editor holds the owning role,
/// and answers the status it leads to. `to` is a send-back's target (default: the status
/// before). Missing translations and comments are checked by the caller. This is the one
/// rule of the chain: the API, the article page's step forms and "waiting for me" all
/// ask it.
pub fn plan(
    status: ArticleStatus,
    action: StepAction,
    to: Option<ArticleStatus>,
    needs_translation: bool,
    editor: &Editor,
) -> Result<ArticleStatus, AppError> {
    let options = targets(status, action, needs_translation);
    let target = match (action, to) {
        (StepAction::SendBack, Some(t)) => options.contains(&t).then_some(t),
        _ => options.first().copied(),
    };
    let Some(target) = target else {
        let allowed = match status {
            ArticleStatus::Draft => "submitted",
            ArticleStatus::Approved => "published or sent back",
            ArticleStatus::Published => "withdrawn",
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
    editor.require_any(&[owner(status)], &what)?;
    Ok(target)
}

/// Every step the editor may take from `status` now, as [`plan`] allows: each action
/// with its targets, the default first.
pub fn open_steps(status: ArticleStatus, needs_translation: bool, editor: &Editor) -> Vec<(StepAction, ArticleStatus)> {
    StepAction::ALL
        .iter()
        .flat_map(|&action| targets(status, action, needs_translation).into_iter().map(move |to| (action, to)))
        .filter(|&(action, to)| plan(status, action, Some(to), needs_translation, editor).is_ok())
        .collect()
}

/// The statuses whose next step waits for the editor ("waiting for me"): those where
/// [`plan`] lets them move an article on (a published article waits for nobody).
pub fn waiting_for(editor: &Editor) -> Vec<ArticleStatus> {
    ArticleStatus::ALL
        .iter()
        .copied()
        .filter(|&s| open_steps(s, true, editor).iter().any(|(action, _)| matches!(action, StepAction::Submit | StepAction::Publish)))
        .collect()
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
    let forward = |from: &[ArticleStatus]| {
        let mut names = Vec::new();
        for s in steps.iter().filter(|s| (s.action == "submit" || s.action == "publish") && from.contains(&s.from_status)) {
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
        ("translator", forward(&[ArticleStatus::Translation])),
        ("photographer", photographers),
        ("proofreader", forward(&[ArticleStatus::Proofreading])),
        ("reviewer", forward(&[ArticleStatus::Review, ArticleStatus::Approved])),
    ]
    .into_iter()
    .filter(|(_, names)| !names.is_empty())
    .map(|(role, names)| Credit { role: role.to_string(), names })
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ArticleStatus as S;

    fn editor(roles: &[Role]) -> Editor {
        Editor { actor: Actor::system("t"), name: "T".into(), roles: roles.to_vec() }
    }

    #[test]
    fn each_step_needs_its_role() {
        let a = editor(&[Role::Author]);
        assert_eq!(plan(S::Draft, StepAction::Submit, None, true, &a).ok(), Some(S::Translation));
        assert_eq!(plan(S::Draft, StepAction::Submit, None, false, &a).ok(), Some(S::Proofreading));
        let denied = plan(S::Proofreading, StepAction::Submit, None, true, &a);
        match denied {
            Err(AppError::Forbidden(m)) => assert!(m.contains("proofreader") && m.contains("author"), "{m}"),
            other => panic!("expected 403, got {other:?}"),
        }
        let r = editor(&[Role::Reviewer]);
        assert_eq!(plan(S::Review, StepAction::Submit, None, true, &r).ok(), Some(S::Approved));
        assert_eq!(plan(S::Approved, StepAction::Publish, None, true, &r).ok(), Some(S::Published));
        assert_eq!(plan(S::Published, StepAction::Withdraw, None, true, &r).ok(), Some(S::Approved));
        assert_eq!(plan(S::Review, StepAction::SendBack, Some(S::Draft), true, &r).ok(), Some(S::Draft));
        assert_eq!(plan(S::Review, StepAction::SendBack, None, true, &r).ok(), Some(S::Proofreading));
    }

    #[test]
    fn impossible_steps_are_refused_whoever_asks() {
        let all = editor(&Role::ALL);
        assert!(matches!(plan(S::Draft, StepAction::Publish, None, true, &all), Err(AppError::Validation(_))));
        assert!(matches!(plan(S::Draft, StepAction::SendBack, None, true, &all), Err(AppError::Validation(_))));
        assert!(matches!(plan(S::Review, StepAction::SendBack, Some(S::Approved), true, &all), Err(AppError::Validation(_))));
        assert!(matches!(plan(S::Published, StepAction::Submit, None, true, &all), Err(AppError::Validation(_))));
        assert!(matches!(plan(S::Review, StepAction::SendBack, Some(S::Translation), false, &all), Err(AppError::Validation(_))));
    }

    #[test]
    fn the_chain_skips_translation_only_when_it_is_not_needed() {
        assert_eq!(targets(S::Draft, StepAction::Submit, true), [S::Translation]);
        assert_eq!(targets(S::Draft, StepAction::Submit, false), [S::Proofreading]);
        assert_eq!(targets(S::Approved, StepAction::SendBack, false), [S::Review, S::Proofreading, S::Draft]);
        assert_eq!(targets(S::Published, StepAction::SendBack, true), []);
        let r = editor(&[Role::Reviewer]);
        assert_eq!(open_steps(S::Published, true, &r), [(StepAction::Withdraw, S::Approved)]);
        assert_eq!(waiting_for(&r), [S::Review, S::Approved]);
        assert_eq!(waiting_for(&editor(&[Role::Photographer])), []);
    }

    #[test]
    fn credits_follow_the_steps_and_photos() {
        let step = |action: &str, from: ArticleStatus, name: &str| Step {
            action: action.into(),
            from_status: from,
            to_status: from,
            role: String::new(),
            user_id: None,
            actor_name: name.into(),
            comment: String::new(),
            at: String::new(),
        };
        let steps = vec![
            step("submit", S::Draft, "Qin Lijuan"),
            step("submit", S::Translation, "Peng Gaoliang"),
            step("submit", S::Proofreading, "Tang Mei"),
            step("send_back", S::Review, "Lin Na"),
            step("submit", S::Proofreading, "Tang Mei"),
            step("submit", S::Review, "Lin Na"),
            step("publish", S::Approved, "Lin Na"),
        ];
        let c = credits("Qin Lijuan", &steps, &[]);
        let roles: Vec<&str> = c.iter().map(|c| c.role.as_str()).collect();
        assert_eq!(roles, ["author", "translator", "proofreader", "reviewer"]);
        assert_eq!(c[2].names, ["Tang Mei"]);
        assert_eq!(c[3].names, ["Lin Na"]);
    }
}
