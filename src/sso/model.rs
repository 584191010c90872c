//! What a sign-in yields, whatever the protocol: the identity (provider + subject), the
//! e-mail and whether the provider vouches for it, a name, and the claims the role rules
//! read. Also why a sign-in fails, in words for the person signing in.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::jwt::JwtError;
use crate::config::Provider;

/// Why a sign-in did not make a session.
#[derive(Debug, thiserror::Error)]
pub enum SsoError {
    /// No provider with that id is configured.
    #[error("there is no such sign-on provider")]
    UnknownProvider,
    /// The provider cannot be reached or answered nonsense.
    #[error("the sign-on service cannot be reached right now; try again in a few minutes")]
    ProviderDown(String),
    /// Our configuration does not fit the provider.
    #[error("single sign-on is not set up correctly; tell the administrator")]
    Misconfigured(String),
    /// The provider said no (a denied consent, a bad code, a refused ticket).
    #[error("{0}")]
    Refused(String),
    /// The ID token failed a check.
    #[error("{0}")]
    Token(JwtError),
    /// The state is unknown, used or expired.
    #[error("this sign-in was already completed or has expired; start again from the login page")]
    State,
    /// The CAS ticket was validated before.
    #[error("this sign-in ticket was already used; start again from the login page")]
    TicketReused,
    /// The e-mail matches an account but the provider does not vouch for it.
    #[error(
        "an account with this e-mail address exists, but the sign-on service does not confirm the address is yours; ask an administrator to link your sign-on to your account"
    )]
    UnverifiedEmail,
    /// No linked account and this provider does not create accounts.
    #[error("your sign-on is not linked to an account here; ask an administrator to link it")]
    NoAccount,
    /// The linked account is deactivated.
    #[error("your account is deactivated; ask an administrator")]
    Deactivated,
}

impl SsoError {
    /// Details for the server log (never shown: they may name internal addresses).
    pub fn detail(&self) -> Option<&str> {
        match self {
            SsoError::ProviderDown(d) | SsoError::Misconfigured(d) => Some(d),
            _ => None,
        }
    }
}

/// A person the provider has vouched for.
#[derive(Debug, Clone)]
pub struct SignedIn {
    /// The provider's id in our configuration.
    pub provider: String,
    /// The issuer (OIDC) or server URL (CAS).
    pub issuer: String,
    /// The stable identifier at that provider: the key of the identity.
    pub subject: String,
    /// The e-mail address, if given.
    pub email: Option<String>,
    /// Whether the provider vouches that the address is the person's.
    pub email_verified: bool,
    /// A shown name, if given.
    pub name: Option<String>,
    /// A login name, if given.
    pub username: Option<String>,
    /// Every claim as text values, for the role rules.
    pub claims: BTreeMap<String, Vec<String>>,
}

fn texts(v: &Value) -> Vec<String> {
    match v {
        Value::String(s) => vec![s.clone()],
        Value::Bool(b) => vec![b.to_string()],
        Value::Number(n) => vec![n.to_string()],
        Value::Array(items) => items.iter().flat_map(texts).collect(),
        _ => Vec::new(),
    }
}

fn first(claims: &BTreeMap<String, Vec<String>>, name: &str) -> Option<String> {
    claims.get(name).and_then(|v| v.first()).map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

impl SignedIn {
    /// From a checked ID token's claims.
    pub fn from_oidc(p: &Provider, issuer: &str, token: &Map<String, Value>) -> SignedIn {
        let claims: BTreeMap<String, Vec<String>> = token.iter().map(|(k, v)| (k.clone(), texts(v))).collect();
        // Some providers send "true" as a string; anything else is not a yes.
        let email_verified =
            matches!(token.get("email_verified"), Some(Value::Bool(true))) || first(&claims, "email_verified").as_deref() == Some("true");
        SignedIn {
            provider: p.id.clone(),
            issuer: issuer.to_string(),
            subject: first(&claims, "sub").unwrap_or_default(),
            email: first(&claims, &p.email_claim),
            email_verified,
            name: first(&claims, &p.name_claim),
            username: first(&claims, &p.username_claim),
            claims,
        }
    }

    /// From a validated CAS user; the e-mail counts as verified only if the provider is
    /// configured to trust its directory.
    pub fn from_cas(p: &Provider, user: String, attributes: BTreeMap<String, Vec<String>>) -> SignedIn {
        let email = first(&attributes, &p.email_claim);
        SignedIn {
            provider: p.id.clone(),
            issuer: p.url.clone(),
            email_verified: p.trust_email && email.is_some(),
            email,
            name: first(&attributes, &p.name_claim),
            username: first(&attributes, &p.username_claim).or_else(|| Some(user.clone())),
            subject: user,
            claims: attributes,
        }
    }

    /// The roles a new account gets: every matching rule's, else the default.
    pub fn roles(&self, p: &Provider) -> Vec<String> {
        let mut roles: Vec<String> = Vec::new();
        for rule in &p.roles {
            let holds = self.claims.get(&rule.claim).is_some_and(|vs| vs.iter().any(|v| v == &rule.value));
            if holds && !roles.contains(&rule.role) {
                roles.push(rule.role.clone());
            }
        }
        if roles.is_empty() {
            roles.extend(p.default_role.clone());
        }
        roles
    }

    /// A login name to propose for a new account (a–z, 0–9, `.`, `_`, `-`).
    pub fn username_base(&self) -> String {
        let from = self.username.clone().or_else(|| self.email.as_deref().and_then(|e| e.split('@').next()).map(str::to_string));
        let raw = from.unwrap_or_else(|| self.subject.clone()).to_lowercase();
        let mut name: String =
            raw.chars().map(|c| if c.is_ascii_lowercase() || c.is_ascii_digit() || "._-".contains(c) { c } else { '-' }).take(56).collect();
        name = name.trim_matches('-').to_string();
        if name.len() < 2 { format!("user-{name}") } else { name }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::config::{Protocol, RoleRule};

    fn provider() -> Provider {
        Provider {
            id: "campus".into(),
            protocol: Protocol::Oidc,
            url: "https://idp.example.edu".into(),
            client_id: "liaison".into(),
            client_secret: None,
            scopes: vec!["openid".into()],
            name_en: "Campus".into(),
            name_zh: "校园".into(),
            username_claim: "preferred_username".into(),
            email_claim: "email".into(),
            name_claim: "name".into(),
            trust_email: false,
            roles: vec![
                RoleRule { claim: "eduPersonAffiliation".into(), value: "student".into(), role: "student".into() },
                RoleRule { claim: "groups".into(), value: "intl-office".into(), role: "staff".into() },
            ],
            default_role: Some("viewer".into()),
            create_accounts: true,
        }
    }

    #[test]
    fn claims_give_roles_and_the_default_when_none_match() {
        let p = provider();
        let token = json!({"sub": "s1", "groups": ["x", "intl-office"], "email": "Li@Example.edu", "email_verified": "true"});
        let s = SignedIn::from_oidc(&p, "https://idp.example.edu", token.as_object().expect("object"));
        assert_eq!(s.roles(&p), ["staff"]);
        assert!(s.email_verified);
        let plain = SignedIn::from_oidc(&p, "i", json!({"sub": "s2", "email_verified": false}).as_object().expect("object"));
        assert_eq!(plain.roles(&p), ["viewer"]);
        assert!(!plain.email_verified);
    }

    #[test]
    fn a_cas_email_is_verified_only_for_a_trusted_directory() {
        let mut p = provider();
        let attrs = BTreeMap::from([("mail".to_string(), vec!["a@b.edu".to_string()])]);
        p.email_claim = "mail".into();
        assert!(!SignedIn::from_cas(&p, "u".into(), attrs.clone()).email_verified);
        p.trust_email = true;
        assert!(SignedIn::from_cas(&p, "u".into(), attrs).email_verified);
    }

    #[test]
    fn proposed_usernames_are_valid_login_names() {
        let p = provider();
        let s = |v: Value| SignedIn::from_oidc(&p, "i", v.as_object().expect("object")).username_base();
        assert_eq!(s(json!({"sub": "x", "preferred_username": "Li.Wei@Campus"})), "li.wei-campus");
        assert_eq!(s(json!({"sub": "x", "email": "mary@example.edu"})), "mary");
        assert_eq!(s(json!({"sub": "王"})), "user-");
    }
}
