//! Single sign-on settings: the identity providers (OpenID Connect and CAS) from the
//! `[sso]` table of the TOML file or, for one provider of each kind, from `LIAISON_OIDC_*`
//! and `LIAISON_CAS_URL`; and whether password login stays open to everyone.

use serde::Deserialize;

use super::{ConfigError, bad};

/// Which protocol a provider speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    /// OpenID Connect (authorization code flow with PKCE).
    Oidc,
    /// CAS 3.0 (`/login`, `/p3/serviceValidate`).
    Cas,
}

/// A rule giving a role to people whose claim (or CAS attribute) holds a value.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoleRule {
    /// Claim or attribute name, e.g. `eduPersonAffiliation` or `groups`.
    pub claim: String,
    /// The value it must hold (one of several when the claim is a list).
    pub value: String,
    /// Role name given, e.g. `student` or `staff`.
    pub role: String,
}

/// One identity provider, validated.
#[derive(Clone)]
pub struct Provider {
    /// Short name used in addresses (`/auth/{id}/start`) and stored with each identity.
    pub id: String,
    /// OpenID Connect or CAS.
    pub protocol: Protocol,
    /// OIDC: the issuer (discovery at `{issuer}/.well-known/openid-configuration`);
    /// CAS: the server's base URL (`{url}/login`, `{url}/p3/serviceValidate`).
    pub url: String,
    /// OIDC client id.
    pub client_id: String,
    /// OIDC client secret (from the environment variable the file names).
    pub client_secret: Option<String>,
    /// OIDC scopes requested.
    pub scopes: Vec<String>,
    /// Button label in English.
    pub name_en: String,
    /// Button label in Chinese.
    pub name_zh: String,
    /// Claim holding the login name proposed for new accounts.
    pub username_claim: String,
    /// Claim holding the e-mail address.
    pub email_claim: String,
    /// Claim holding the shown name.
    pub name_claim: String,
    /// CAS only: the directory's e-mail addresses are verified (CAS has no such claim).
    pub trust_email: bool,
    /// Roles given to new accounts by their claims.
    pub roles: Vec<RoleRule>,
    /// Role given to new accounts no rule matched (`None`: no role until an admin grants one).
    pub default_role: Option<String>,
    /// Whether accounts are created on first sign-in (else an admin links them first).
    pub create_accounts: bool,
}

impl std::fmt::Debug for Provider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Provider").field("id", &self.id).field("protocol", &self.protocol).field("url", &self.url).finish_non_exhaustive()
    }
}

/// The sign-on part of `Settings`.
#[derive(Debug, Clone)]
pub struct SsoSettings {
    /// Configured providers, in the order their buttons are shown.
    pub providers: Vec<Provider>,
    /// `false`: only [`SsoSettings::break_glass`] users may log in with a password.
    pub password_login: bool,
    /// Usernames that keep password login when it is off (the break-glass administrators).
    pub break_glass: Vec<String>,
    /// Clock difference tolerated on ID token times, in seconds.
    pub clock_skew_seconds: i64,
}

impl SsoSettings {
    /// The provider with this id.
    pub fn provider(&self, id: &str) -> Option<&Provider> {
        self.providers.iter().find(|p| p.id == id)
    }

    /// Whether `username` may log in with a password.
    pub fn password_allowed(&self, username: &str) -> bool {
        self.password_login || self.break_glass.iter().any(|u| u == username)
    }
}

/// `[sso]` in the TOML file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileSso {
    password_login: Option<bool>,
    break_glass: Option<Vec<String>>,
    clock_skew_seconds: Option<i64>,
    #[serde(default)]
    oidc: Vec<FileProvider>,
    #[serde(default)]
    cas: Vec<FileProvider>,
}

/// `[[sso.oidc]]` or `[[sso.cas]]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileProvider {
    id: String,
    issuer: Option<String>,
    url: Option<String>,
    client_id: Option<String>,
    client_secret_env: Option<String>,
    client_secret: Option<String>,
    scopes: Option<Vec<String>>,
    name_en: Option<String>,
    name_zh: Option<String>,
    username_claim: Option<String>,
    email_claim: Option<String>,
    name_claim: Option<String>,
    trust_email: Option<bool>,
    #[serde(default)]
    roles: Vec<RoleRule>,
    default_role: Option<String>,
    create_accounts: Option<bool>,
}

/// The environment's single providers: `LIAISON_OIDC_*` and `LIAISON_CAS_URL`.
#[derive(Debug, Default)]
pub(super) struct EnvSso {
    pub oidc_issuer: Option<String>,
    pub oidc_client_id: Option<String>,
    pub oidc_client_secret: Option<String>,
    pub cas_url: Option<String>,
    pub password_login: Option<String>,
}

/// Role names a rule may give; checked here so a typo stops start-up, not a sign-in.
const ROLES: [&str; 10] =
    ["admin", "staff", "coordinator", "author", "translator", "photographer", "proofreader", "reviewer", "viewer", "student"];

fn check_role(role: &str, setting: &'static str) -> Result<String, ConfigError> {
    let r = role.trim().to_ascii_lowercase();
    if r == "coordinator" {
        return Err(bad(setting, "coordinator is given per unit; grant it on the users page instead"));
    }
    if ROLES.contains(&r.as_str()) { Ok(r) } else { Err(bad(setting, format!("'{role}' is not a role; use one of {}", ROLES.join(", ")))) }
}

fn http_url(text: &str, setting: &'static str) -> Result<String, ConfigError> {
    let t = text.trim().trim_end_matches('/');
    match url::Url::parse(t) {
        Ok(u) if matches!(u.scheme(), "http" | "https") && u.host().is_some() && u.query().is_none() => Ok(t.to_string()),
        _ => Err(bad(setting, format!("'{t}' is not an http(s) URL such as https://login.example.edu/realms/campus"))),
    }
}

fn provider(f: FileProvider, protocol: Protocol) -> Result<Provider, ConfigError> {
    let setting = if protocol == Protocol::Oidc { "sso.oidc" } else { "sso.cas" };
    if f.id.is_empty() || !f.id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-') || f.id.len() > 32 {
        return Err(bad(setting, format!("id '{}' must be 1–32 of a–z, 0–9 and '-'", f.id)));
    }
    let (url, client_id, client_secret) = match protocol {
        Protocol::Oidc => {
            let issuer = f.issuer.ok_or_else(|| bad(setting, format!("provider '{}' needs an issuer", f.id)))?;
            let client_id = f
                .client_id
                .filter(|c| !c.trim().is_empty())
                .ok_or_else(|| bad(setting, format!("provider '{}' needs a client_id", f.id)))?;
            // The variable is preferred; a secret written in the file is accepted for
            // files readable by the service account only.
            let secret = match &f.client_secret_env {
                Some(var) => {
                    Some(std::env::var(var).map_err(|_| bad(setting, format!("provider '{}': the variable {var} is not set", f.id)))?)
                }
                None => f.client_secret.clone().filter(|s| !s.is_empty()),
            };
            (http_url(&issuer, setting)?, client_id.trim().to_string(), secret)
        }
        Protocol::Cas => {
            let url = f.url.ok_or_else(|| bad(setting, format!("provider '{}' needs a url", f.id)))?;
            (http_url(&url, setting)?, String::new(), None)
        }
    };
    let roles =
        f.roles.into_iter().map(|r| Ok(RoleRule { role: check_role(&r.role, setting)?, ..r })).collect::<Result<Vec<_>, ConfigError>>()?;
    let (user_claim, mail_claim, name_claim) =
        if protocol == Protocol::Oidc { ("preferred_username", "email", "name") } else { ("uid", "mail", "displayName") };
    let name_en = f.name_en.unwrap_or_else(|| if protocol == Protocol::Oidc { "University account".into() } else { "Campus login".into() });
    Ok(Provider {
        name_zh: f.name_zh.unwrap_or_else(|| "统一身份认证".into()),
        name_en,
        id: f.id,
        protocol,
        url,
        client_id,
        client_secret,
        scopes: f.scopes.unwrap_or_else(|| vec!["openid".into(), "email".into(), "profile".into()]),
        username_claim: f.username_claim.unwrap_or_else(|| user_claim.into()),
        email_claim: f.email_claim.unwrap_or_else(|| mail_claim.into()),
        name_claim: f.name_claim.unwrap_or_else(|| name_claim.into()),
        trust_email: f.trust_email.unwrap_or(false),
        roles,
        default_role: f.default_role.map(|r| check_role(&r, setting)).transpose()?,
        create_accounts: f.create_accounts.unwrap_or(true),
    })
}

/// Reads the providers from the file and the environment and checks them.
pub(super) fn resolve(file: Option<FileSso>, env: EnvSso) -> Result<SsoSettings, ConfigError> {
    let file = file.unwrap_or_default();
    let mut providers = Vec::new();
    for p in file.oidc {
        providers.push(provider(p, Protocol::Oidc)?);
    }
    for p in file.cas {
        providers.push(provider(p, Protocol::Cas)?);
    }
    let nonempty = |v: &Option<String>| v.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string);
    if let Some(issuer) = nonempty(&env.oidc_issuer) {
        let client_id = nonempty(&env.oidc_client_id).ok_or_else(|| bad("LIAISON_OIDC_CLIENT_ID", "is needed with LIAISON_OIDC_ISSUER"))?;
        let mut p = provider(
            FileProvider { id: "oidc".into(), issuer: Some(issuer), client_id: Some(client_id), ..Default::default() },
            Protocol::Oidc,
        )
        .map_err(|e| bad("LIAISON_OIDC_ISSUER", e.message))?;
        p.client_secret = nonempty(&env.oidc_client_secret);
        providers.retain(|q| q.id != "oidc");
        providers.push(p);
    }
    if let Some(url) = nonempty(&env.cas_url) {
        let p = provider(FileProvider { id: "cas".into(), url: Some(url), ..Default::default() }, Protocol::Cas)
            .map_err(|e| bad("LIAISON_CAS_URL", e.message))?;
        providers.retain(|q| q.id != "cas");
        providers.push(p);
    }
    let mut seen = std::collections::HashSet::new();
    if let Some(dup) = providers.iter().find(|p| !seen.insert(p.id.clone())) {
        return Err(bad("sso", format!("two providers share the id '{}'", dup.id)));
    }
    let password_login = match env.password_login.as_deref() {
        Some(v) => super::parse_bool(v).ok_or_else(|| bad("LIAISON_PASSWORD_LOGIN", format!("'{v}' is not true or false")))?,
        None => file.password_login.unwrap_or(true),
    };
    let break_glass: Vec<String> =
        file.break_glass.unwrap_or_else(|| vec!["admin".into()]).into_iter().map(|u| u.trim().to_ascii_lowercase()).collect();
    if !password_login && providers.is_empty() {
        return Err(bad("sso.password_login", "password login is off but no identity provider is configured"));
    }
    let clock_skew_seconds = file.clock_skew_seconds.unwrap_or(120);
    if !(0..=600).contains(&clock_skew_seconds) {
        return Err(bad("sso.clock_skew_seconds", "must be between 0 and 600"));
    }
    Ok(SsoSettings { providers, password_login, break_glass, clock_skew_seconds })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<SsoSettings, String> {
        let file: FileSso = toml::from_str(text).map_err(|e| e.to_string())?;
        resolve(Some(file), EnvSso::default()).map_err(|e| e.to_string())
    }

    #[test]
    fn providers_from_the_file_get_defaults_and_checked_roles() {
        let s = parse(
            r#"
            [[oidc]]
            id = "entra"
            issuer = "https://login.microsoftonline.com/tenant/v2.0/"
            client_id = "abc"
            roles = [{ claim = "groups", value = "g1", role = "Staff" }]
            [[cas]]
            id = "campus"
            url = "https://cas.example.edu/cas"
            default_role = "student"
            "#,
        )
        .expect("valid");
        assert_eq!(s.providers.len(), 2);
        assert_eq!(s.providers[0].url, "https://login.microsoftonline.com/tenant/v2.0");
        assert_eq!(s.providers[0].roles[0].role, "staff");
        assert_eq!(s.providers[1].username_claim, "uid");
        assert!(s.password_allowed("anyone"));
    }

    #[test]
    fn mistakes_name_the_setting() {
        let bad_role = parse("[[cas]]\nid = \"c\"\nurl = \"https://cas.example.edu\"\ndefault_role = \"root\"").err().unwrap_or_default();
        assert!(bad_role.contains("sso.cas") && bad_role.contains("root"), "{bad_role}");
        let no_secret = parse(
            "[[oidc]]\nid = \"o\"\nissuer = \"https://idp.example.edu\"\nclient_id = \"x\"\nclient_secret_env = \"LIAISON_TEST_UNSET_VAR\"",
        )
        .err()
        .unwrap_or_default();
        assert!(no_secret.contains("LIAISON_TEST_UNSET_VAR"), "{no_secret}");
        let locked_out = parse("password_login = false").err().unwrap_or_default();
        assert!(locked_out.contains("no identity provider"), "{locked_out}");
    }

    #[test]
    fn the_environment_adds_one_provider_of_each_kind() {
        let env = EnvSso {
            oidc_issuer: Some("https://idp.example.edu".into()),
            oidc_client_id: Some("liaison".into()),
            oidc_client_secret: Some("s".into()),
            cas_url: Some("https://cas.example.edu/cas/".into()),
            password_login: Some("false".into()),
        };
        let s = resolve(None, env).expect("valid");
        let ids: Vec<&str> = s.providers.iter().map(|p| p.id.as_str()).collect();
        assert_eq!(ids, ["oidc", "cas"]);
        assert_eq!(s.providers[0].client_secret.as_deref(), Some("s"));
        assert!(s.password_allowed("admin") && !s.password_allowed("amy"));
    }
}
