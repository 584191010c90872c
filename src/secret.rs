//! Secrets: random tokens, their hex form and hash, and constant-time comparison.
//! Used by sessions and API tokens (`auth`), feed tokens (`feeds`), file names (`files`)
//! and anything else that needs an unguessable value.

/// Hex encoding of random bytes, for tokens.
pub fn random_token(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    // getrandom only fails if the OS has no entropy source at all; there is no
    // sensible way to serve without one.
    getrandom::fill(&mut buf).expect("operating system random source");
    hex(&buf)
}

/// Lowercase hex of bytes.
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes.iter().fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// SHA-256 of a token, hex: what the database stores instead of the token itself.
pub fn token_hash(token: &str) -> String {
    use sha2::Digest;
    hex(&sha2::Sha256::digest(token.as_bytes()))
}

/// Compares two secrets in time that depends only on their lengths.
pub fn same_secret(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// HMAC-SHA-256 of `message` under `key`, hex: the tag of a signed link.
pub fn hmac_hex(key: &[u8], message: &[u8]) -> String {
    let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, key);
    hex(ring::hmac::sign(&key, message).as_ref())
}

/// Whether `tag` (hex) is the HMAC-SHA-256 of `message` under `key`, compared in constant
/// time.
pub fn hmac_matches(key: &[u8], message: &[u8], tag: &str) -> bool {
    same_secret(&hmac_hex(key, message), tag)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_compare_equal_only_when_identical() {
        assert!(same_secret("abc123", "abc123"));
        assert!(!same_secret("abc123", "abc124"));
        assert!(!same_secret("abc123", "abc1234"));
        assert!(!same_secret("", "a"));
    }

    #[test]
    fn hmac_tags_match_only_their_key_and_message() {
        // RFC 4231 test case 2.
        assert_eq!(hmac_hex(b"Jefe", b"what do ya want for nothing?"), "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
        let tag = hmac_hex(b"k", b"m");
        assert!(hmac_matches(b"k", b"m", &tag) && !hmac_matches(b"k", b"n", &tag) && !hmac_matches(b"j", b"m", &tag));
    }

    #[test]
    fn tokens_are_hex_of_the_asked_length() {
        let t = random_token(16);
        assert_eq!(t.len(), 32);
        assert!(t.chars().all(|c| c.is_ascii_hexdigit()));
        assert_eq!(token_hash("x").len(), 64);
    }
}
