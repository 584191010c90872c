//! ID token checks: the JWS signature against the provider's published keys (with
//! *ring*, already built for TLS), then issuer, audience, expiry, not-before and nonce.
//!
//! Only asymmetric algorithms are accepted (RS*, PS*, ES256, ES384, EdDSA): `none` and
//! the HMAC family are refused outright, so a token "signed" with a public key used as an
//! HMAC secret never gets as far as a key lookup. A key must suit the algorithm (an RSA
//! key for RS/PS, a P-256 key for ES256, …) and, when it names an `alg`, name this one.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD as B64};
use ring::signature;
use serde::Deserialize;
use serde_json::{Map, Value};

/// One key of a JWK set (the fields the accepted algorithms use).
#[derive(Debug, Clone, Deserialize)]
pub struct Jwk {
    /// Key type: `RSA`, `EC` or `OKP`.
    pub kty: String,
    /// Key id, matched against the token header's `kid`.
    #[serde(default)]
    pub kid: Option<String>,
    /// The one algorithm this key is for, if the set says.
    #[serde(default)]
    pub alg: Option<String>,
    /// `sig` or `enc`; encryption keys are skipped.
    #[serde(default, rename = "use")]
    pub use_: Option<String>,
    /// RSA modulus.
    #[serde(default)]
    pub n: Option<String>,
    /// RSA exponent.
    #[serde(default)]
    pub e: Option<String>,
    /// Curve: `P-256`, `P-384`, `Ed25519`.
    #[serde(default)]
    pub crv: Option<String>,
    /// EC / OKP x coordinate.
    #[serde(default)]
    pub x: Option<String>,
    /// EC y coordinate.
    #[serde(default)]
    pub y: Option<String>,
}

/// A JWK set.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct JwkSet {
    /// The keys.
    pub keys: Vec<Jwk>,
}

/// What the token must say.
pub struct Expect<'a> {
    /// The provider's issuer, exactly.
    pub issuer: &'a str,
    /// Our client id (an audience, and the `azp` when there are several).
    pub client_id: &'a str,
    /// The nonce sent with this sign-in.
    pub nonce: &'a str,
    /// Now, in Unix seconds.
    pub now: i64,
    /// Tolerated clock difference in seconds.
    pub skew: i64,
}

/// Why a token was refused; the text is for the person signing in.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum JwtError {
    /// Not three base64url parts of JSON.
    #[error("the identity provider's token is malformed")]
    Malformed,
    /// `none`, HMAC or unknown algorithm.
    #[error("the identity provider's token uses an algorithm Liaison does not accept ({0})")]
    Algorithm(String),
    /// No published key has the token's key id (the caller may refetch the keys once).
    #[error("the identity provider's token is signed with a key it does not publish")]
    UnknownKey,
    /// The signature does not verify.
    #[error("the identity provider's token has an invalid signature; it may have been tampered with")]
    Signature,
    /// Wrong `iss`.
    #[error("the identity provider's token was issued by someone else ({0})")]
    Issuer(String),
    /// Our client id is not an audience.
    #[error("the identity provider's token was issued for another application")]
    Audience,
    /// `exp` passed (beyond the tolerated skew).
    #[error("the identity provider's token has expired; check that this server's clock is right and sign in again")]
    Expired,
    /// `nbf` or `iat` in the future (beyond the skew).
    #[error("the identity provider's token is not valid yet; check that this server's clock is right")]
    NotYetValid,
    /// Wrong or missing nonce.
    #[error("the identity provider's token belongs to another sign-in (nonce mismatch)")]
    Nonce,
    /// No `sub`.
    #[error("the identity provider's token names no subject")]
    NoSubject,
}

fn part<T: serde::de::DeserializeOwned>(b64: &str) -> Result<T, JwtError> {
    let bytes = B64.decode(b64).map_err(|_| JwtError::Malformed)?;
    serde_json::from_slice(&bytes).map_err(|_| JwtError::Malformed)
}

fn bytes(field: &Option<String>) -> Result<Vec<u8>, JwtError> {
    field.as_deref().and_then(|f| B64.decode(f).ok()).ok_or(JwtError::UnknownKey)
}

/// Key type and curve an algorithm needs, and *ring*'s verifier for it.
fn algorithm(alg: &str) -> Option<(&'static str, Option<&'static str>, Verifier)> {
    use signature as s;
    Some(match alg {
        "RS256" => ("RSA", None, Verifier::Rsa(&s::RSA_PKCS1_2048_8192_SHA256)),
        "RS384" => ("RSA", None, Verifier::Rsa(&s::RSA_PKCS1_2048_8192_SHA384)),
        "RS512" => ("RSA", None, Verifier::Rsa(&s::RSA_PKCS1_2048_8192_SHA512)),
        "PS256" => ("RSA", None, Verifier::Rsa(&s::RSA_PSS_2048_8192_SHA256)),
        "PS384" => ("RSA", None, Verifier::Rsa(&s::RSA_PSS_2048_8192_SHA384)),
        "PS512" => ("RSA", None, Verifier::Rsa(&s::RSA_PSS_2048_8192_SHA512)),
        "ES256" => ("EC", Some("P-256"), Verifier::Other(&s::ECDSA_P256_SHA256_FIXED)),
        "ES384" => ("EC", Some("P-384"), Verifier::Other(&s::ECDSA_P384_SHA384_FIXED)),
        "EdDSA" => ("OKP", Some("Ed25519"), Verifier::Other(&s::ED25519)),
        _ => return None,
    })
}

enum Verifier {
    Rsa(&'static signature::RsaParameters),
    Other(&'static dyn signature::VerificationAlgorithm),
}

fn verify_with(key: &Jwk, verifier: &Verifier, message: &[u8], sig: &[u8]) -> Result<(), JwtError> {
    let ok = match verifier {
        Verifier::Rsa(params) => {
            let (n, e) = (bytes(&key.n)?, bytes(&key.e)?);
            signature::RsaPublicKeyComponents { n: &n, e: &e }.verify(params, message, sig).is_ok()
        }
        Verifier::Other(alg) => {
            let public = match key.kty.as_str() {
                "EC" => [vec![4u8], bytes(&key.x)?, bytes(&key.y)?].concat(),
                _ => bytes(&key.x)?,
            };
            signature::UnparsedPublicKey::new(*alg, &public).verify(message, sig).is_ok()
        }
    };
    if ok { Ok(()) } else { Err(JwtError::Signature) }
}

#[derive(Deserialize)]
struct Header {
    alg: String,
    #[serde(default)]
    kid: Option<String>,
}

/// Verifies an ID token and returns its claims.
pub fn verify(token: &str, keys: &JwkSet, expect: &Expect<'_>) -> Result<Map<String, Value>, JwtError> {
    let mut parts = token.split('.');
    let (Some(h), Some(p), Some(s), None) = (parts.next(), parts.next(), parts.next(), parts.next()) else {
        return Err(JwtError::Malformed);
    };
    let header: Header = part(h)?;
    let Some((kty, crv, verifier)) = algorithm(&header.alg) else { return Err(JwtError::Algorithm(header.alg)) };
    let sig = B64.decode(s).map_err(|_| JwtError::Malformed)?;
    let suits = |k: &&Jwk| {
        k.kty == kty
            && crv.is_none_or(|c| k.crv.as_deref() == Some(c))
            && k.alg.as_deref().is_none_or(|a| a == header.alg)
            && k.use_.as_deref().is_none_or(|u| u == "sig")
            && (header.kid.is_none() || k.kid == header.kid)
    };
    let candidates: Vec<&Jwk> = keys.keys.iter().filter(suits).collect();
    if candidates.is_empty() {
        return Err(JwtError::UnknownKey);
    }
    let message = &token.as_bytes()[..h.len() + 1 + p.len()];
    if !candidates.iter().any(|k| verify_with(k, &verifier, message, &sig).is_ok()) {
        return Err(JwtError::Signature);
    }
    let claims: Map<String, Value> = part(p)?;
    check_claims(&claims, expect)?;
    Ok(claims)
}

fn check_claims(claims: &Map<String, Value>, expect: &Expect<'_>) -> Result<(), JwtError> {
    let text = |k: &str| claims.get(k).and_then(Value::as_str);
    let time = |k: &str| claims.get(k).and_then(Value::as_f64).map(|t| t as i64);
    let iss = text("iss").unwrap_or_default();
    if iss != expect.issuer {
        return Err(JwtError::Issuer(iss.to_string()));
    }
    let audiences: Vec<&str> = match claims.get("aud") {
        Some(Value::String(a)) => vec![a.as_str()],
        Some(Value::Array(list)) => list.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    let azp_ok = text("azp").is_none_or(|azp| azp == expect.client_id);
    if !audiences.contains(&expect.client_id) || !azp_ok || (audiences.len() > 1 && text("azp").is_none()) {
        return Err(JwtError::Audience);
    }
    match time("exp") {
        Some(exp) if expect.now <= exp + expect.skew => {}
        _ => return Err(JwtError::Expired),
    }
    if time("nbf").or(time("iat")).is_some_and(|t| t > expect.now + expect.skew) {
        return Err(JwtError::NotYetValid);
    }
    if text("nonce") != Some(expect.nonce) {
        return Err(JwtError::Nonce);
    }
    if text("sub").is_none_or(str::is_empty) {
        return Err(JwtError::NoSubject);
    }
    Ok(())
}

#[cfg(test)]
mod tests;
