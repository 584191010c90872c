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
    fn tokens_are_hex_of_the_asked_length() {
        let t = random_token(16);
        assert_eq!(t.len(), 32);
        assert!(t.chars().all(|c| c.is_ascii_hexdigit()));
        assert_eq!(token_hash("x").len(), 64);
    }
}
