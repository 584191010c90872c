//! The OpenID Connect relying party: discovery, the key set (fetched again when a token
//! names a key it lacks, which is how providers rotate keys), the authorization request
//! with PKCE (S256), `state` and `nonce`, and the code exchange whose ID token is checked
//! by [`super::jwt`].

use std::{
    collections::HashMap,
    sync::Mutex,
    time::{Duration, Instant},
};

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD as B64};
use serde::Deserialize;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use super::{
    jwt::{self, Expect, JwkSet, JwtError},
    model::SsoError,
};
use crate::config::Provider;

/// What a provider's discovery document says (the fields used).
#[derive(Debug, Clone, Deserialize)]
pub struct Discovery {
    /// Must equal the configured issuer.
    pub issuer: String,
    /// Where the browser is sent.
    pub authorization_endpoint: String,
    /// Where the code is exchanged.
    pub token_endpoint: String,
    /// The signing keys.
    pub jwks_uri: String,
    /// RP-initiated logout, if offered.
    #[serde(default)]
    pub end_session_endpoint: Option<String>,
}

/// Discovery documents and key sets, per provider: a cache, so each instance keeps its
/// own and loses nothing that matters on restart.
#[derive(Default)]
pub struct Cache {
    entries: Mutex<HashMap<String, (Discovery, JwkSet, Instant)>>,
}

/// How long a discovery document and key set are reused before being fetched again.
const CACHE_FOR: Duration = Duration::from_secs(3600);

/// The PKCE S256 challenge of a verifier (RFC 7636 §4.2).
pub fn pkce_challenge(verifier: &str) -> String {
    B64.encode(Sha256::digest(verifier.as_bytes()))
}

fn down(p: &Provider, e: impl std::fmt::Display) -> SsoError {
    SsoError::ProviderDown(format!("{}: {e}", p.url))
}

async fn get_json<T: serde::de::DeserializeOwned>(http: &reqwest::Client, p: &Provider, url: &str) -> Result<T, SsoError> {
    let res = http.get(url).header("accept", "application/json").send().await.map_err(|e| down(p, e))?;
    if !res.status().is_success() {
        return Err(down(p, format!("{url} answered {}", res.status())));
    }
    res.json().await.map_err(|e| down(p, format!("{url}: {e}")))
}

impl Cache {
    /// The provider's discovery document and keys, from the cache or fetched.
    pub async fn get(&self, http: &reqwest::Client, p: &Provider, refresh_keys: bool) -> Result<(Discovery, JwkSet), SsoError> {
        let cached = self.entries.lock().ok().and_then(|m| m.get(&p.id).cloned());
        if let Some((d, keys, at)) = &cached
            && at.elapsed() < CACHE_FOR
            && !refresh_keys
        {
            return Ok((d.clone(), keys.clone()));
        }
        let discovery = match cached {
            Some((d, _, at)) if at.elapsed() < CACHE_FOR => d,
            _ => {
                let d: Discovery = get_json(http, p, &format!("{}/.well-known/openid-configuration", p.url)).await?;
                if d.issuer.trim_end_matches('/') != p.url {
                    return Err(SsoError::Misconfigured(format!(
                        "the discovery document names the issuer {}, but {} is configured",
                        d.issuer, p.url
                    )));
                }
                d
            }
        };
        let keys: JwkSet = get_json(http, p, &discovery.jwks_uri).await?;
        if let Ok(mut m) = self.entries.lock() {
            m.insert(p.id.clone(), (discovery.clone(), keys.clone(), Instant::now()));
        }
        Ok((discovery, keys))
    }
}

/// The address the browser is sent to.
pub fn authorization_url(
    d: &Discovery,
    p: &Provider,
    redirect_uri: &str,
    state: &str,
    nonce: &str,
    verifier: &str,
) -> Result<String, SsoError> {
    let mut url =
        url::Url::parse(&d.authorization_endpoint).map_err(|e| SsoError::Misconfigured(format!("authorization_endpoint: {e}")))?;
    url.query_pairs_mut()
        .append_pair("response_type", "code")
        .append_pair("client_id", &p.client_id)
        .append_pair("redirect_uri", redirect_uri)
        .append_pair("scope", &p.scopes.join(" "))
        .append_pair("state", state)
        .append_pair("nonce", nonce)
        .append_pair("code_challenge", &pkce_challenge(verifier))
        .append_pair("code_challenge_method", "S256");
    Ok(url.into())
}

#[derive(Deserialize)]
struct TokenAnswer {
    #[serde(default)]
    id_token: Option<String>,
    #[serde(default)]
    error: Option<String>,
    #[serde(default)]
    error_description: Option<String>,
}

/// Everything a code exchange needs.
pub struct Exchange<'a> {
    /// The code from the callback.
    pub code: &'a str,
    /// Our callback address, as sent in the authorization request.
    pub redirect_uri: &'a str,
    /// The PKCE verifier kept with the sign-in.
    pub verifier: &'a str,
    /// The nonce kept with the sign-in.
    pub nonce: &'a str,
    /// Tolerated clock difference.
    pub skew: i64,
}

/// Exchanges the code and returns the checked ID token's claims and the raw token
/// (kept for the provider's logout hint).
pub async fn exchange(
    http: &reqwest::Client,
    cache: &Cache,
    p: &Provider,
    x: &Exchange<'_>,
) -> Result<(Map<String, Value>, String), SsoError> {
    let (discovery, keys) = cache.get(http, p, false).await?;
    let mut form =
        vec![("grant_type", "authorization_code"), ("code", x.code), ("redirect_uri", x.redirect_uri), ("code_verifier", x.verifier)];
    let mut req = http.post(&discovery.token_endpoint).header("accept", "application/json");
    match &p.client_secret {
        // client_secret_basic: both parts form-encoded first (RFC 6749 §2.3.1).
        Some(secret) => req = req.basic_auth(form_encode(&p.client_id), Some(form_encode(secret))),
        None => form.push(("client_id", &p.client_id)),
    }
    let res = req.form(&form).send().await.map_err(|e| down(p, e))?;
    let status = res.status();
    let answer: TokenAnswer = res.json().await.map_err(|e| down(p, format!("token endpoint answered {status}: {e}")))?;
    let Some(id_token) = answer.id_token else {
        let why = answer.error_description.or(answer.error).unwrap_or_else(|| status.to_string());
        return Err(SsoError::Refused(format!("the identity provider did not accept the sign-in: {why}")));
    };
    let now = jiff::Timestamp::now().as_second();
    let expect = Expect { issuer: &discovery.issuer, client_id: &p.client_id, nonce: x.nonce, now, skew: x.skew };
    let claims = match jwt::verify(&id_token, &keys, &expect) {
        // A key we have not seen: the provider may have rotated its keys since we fetched them.
        Err(JwtError::UnknownKey) => {
            let (_, fresh) = cache.get(http, p, true).await?;
            jwt::verify(&id_token, &fresh, &expect)
        }
        other => other,
    }
    .map_err(SsoError::Token)?;
    Ok((claims, id_token))
}

fn form_encode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// Where to send the browser to end the provider's session too, if it offers that.
pub async fn logout_url(http: &reqwest::Client, cache: &Cache, p: &Provider, id_token: Option<&str>, back: &str) -> Option<String> {
    let (d, _) = cache.get(http, p, false).await.ok()?;
    let mut url = url::Url::parse(d.end_session_endpoint.as_deref()?).ok()?;
    {
        let mut q = url.query_pairs_mut();
        q.append_pair("client_id", &p.client_id).append_pair("post_logout_redirect_uri", back);
        if let Some(t) = id_token {
            q.append_pair("id_token_hint", t);
        }
    }
    Some(url.into())
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_pkce_challenge_matches_rfc_7636() {
        // RFC 7636, Appendix B.
        assert_eq!(super::pkce_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"), "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
    }
}
