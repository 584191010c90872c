//! ID token checks against tokens signed here with a fresh P-256 key (the API tests cover
//! RS256 tokens from a real provider).

use ring::{
    rand::SystemRandom,
    signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair},
};
use serde_json::json;

use super::*;

struct Signer {
    key: EcdsaKeyPair,
    set: JwkSet,
}

fn signer() -> Signer {
    let rng = SystemRandom::new();
    let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng).expect("key");
    let key = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8.as_ref(), &rng).expect("key");
    let public = key.public_key().as_ref();
    let jwk = Jwk {
        kty: "EC".into(),
        kid: Some("k1".into()),
        alg: None,
        use_: Some("sig".into()),
        n: None,
        e: None,
        crv: Some("P-256".into()),
        x: Some(B64.encode(&public[1..33])),
        y: Some(B64.encode(&public[33..65])),
    };
    Signer { key, set: JwkSet { keys: vec![jwk] } }
}

impl Signer {
    fn sign(&self, header: Value, claims: Value) -> String {
        let input = format!("{}.{}", B64.encode(header.to_string()), B64.encode(claims.to_string()));
        let sig = self.key.sign(&SystemRandom::new(), input.as_bytes()).expect("sign");
        format!("{input}.{}", B64.encode(sig.as_ref()))
    }
}

const NOW: i64 = 1_800_000_000;

fn claims() -> Value {
    json!({"iss": "https://idp.example.edu", "aud": ["liaison"], "sub": "u1", "nonce": "n1", "iat": NOW - 10, "exp": NOW + 300})
}

fn expect() -> Expect<'static> {
    Expect { issuer: "https://idp.example.edu", client_id: "liaison", nonce: "n1", now: NOW, skew: 60 }
}

fn header() -> Value {
    json!({"alg": "ES256", "kid": "k1"})
}

#[test]
fn a_good_token_verifies_and_gives_its_claims() {
    let s = signer();
    let out = verify(&s.sign(header(), claims()), &s.set, &expect()).expect("valid");
    assert_eq!(out["sub"], "u1");
}

#[test]
fn a_changed_payload_breaks_the_signature() {
    let s = signer();
    let token = s.sign(header(), claims());
    let mut parts: Vec<String> = token.split('.').map(str::to_string).collect();
    let mut forged = claims();
    forged["sub"] = json!("admin");
    parts[1] = B64.encode(forged.to_string());
    assert_eq!(verify(&parts.join("."), &s.set, &expect()), Err(JwtError::Signature));
}

#[test]
fn none_and_hmac_are_refused_before_any_key_is_tried() {
    let s = signer();
    let unsigned = format!("{}.{}.", B64.encode(json!({"alg": "none"}).to_string()), B64.encode(claims().to_string()));
    assert_eq!(verify(&unsigned, &s.set, &expect()), Err(JwtError::Algorithm("none".into())));
    // An HS256 token "signed" with the public key as the secret (algorithm confusion).
    let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, s.set.keys[0].x.as_deref().unwrap_or_default().as_bytes());
    let input = format!("{}.{}", B64.encode(json!({"alg": "HS256", "kid": "k1"}).to_string()), B64.encode(claims().to_string()));
    let tag = ring::hmac::sign(&key, input.as_bytes());
    let hs = format!("{input}.{}", B64.encode(tag.as_ref()));
    assert_eq!(verify(&hs, &s.set, &expect()), Err(JwtError::Algorithm("HS256".into())));
}

#[test]
fn an_unknown_key_id_asks_for_the_keys_again() {
    let s = signer();
    let token = s.sign(json!({"alg": "ES256", "kid": "rotated"}), claims());
    assert_eq!(verify(&token, &s.set, &expect()), Err(JwtError::UnknownKey));
    let other = signer();
    assert_eq!(verify(&s.sign(header(), claims()), &other.set, &expect()), Err(JwtError::Signature));
}

#[test]
fn issuer_audience_expiry_and_nonce_are_checked() {
    let s = signer();
    let with = |k: &str, v: Value| {
        let mut c = claims();
        c[k] = v;
        verify(&s.sign(header(), c), &s.set, &expect())
    };
    assert_eq!(with("iss", json!("https://evil.example")), Err(JwtError::Issuer("https://evil.example".into())));
    assert_eq!(with("aud", json!("someone-else")), Err(JwtError::Audience));
    assert_eq!(with("aud", json!(["liaison", "other"])), Err(JwtError::Audience), "several audiences need azp");
    assert_eq!(with("exp", json!(NOW - 61)), Err(JwtError::Expired));
    assert!(with("exp", json!(NOW - 59)).is_ok(), "within the tolerated skew");
    assert_eq!(with("iat", json!(NOW + 3600)), Err(JwtError::NotYetValid));
    assert_eq!(with("nonce", json!("replayed")), Err(JwtError::Nonce));
    assert_eq!(with("sub", json!("")), Err(JwtError::NoSubject));
}

#[test]
fn a_key_for_another_algorithm_is_not_used() {
    let mut s = signer();
    s.set.keys[0].alg = Some("ES384".into());
    assert_eq!(verify(&s.sign(header(), claims()), &s.set, &expect()), Err(JwtError::UnknownKey));
}
