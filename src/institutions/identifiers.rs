//! Institution identifiers, each checked for its format: SCHAC home-organisation
//! codes (a domain name), ROR ids, and Erasmus institution codes.

/// A SCHAC home organisation is the institution's domain name, e.g. `iukl.edu.my`.
pub fn parse_schac(text: &str) -> Result<String, String> {
    let s = text.trim().to_ascii_lowercase();
    let ok = s.contains('.')
        && s.len() <= 253
        && s.split('.').all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        });
    if ok { Ok(s) } else { Err(format!("'{}' is not a SCHAC home organisation (a domain name such as iukl.edu.my)", text.trim())) }
}

const CROCKFORD: &str = "0123456789abcdefghjkmnpqrstvwxyz";

/// A ROR id: `0`, six Crockford base-32 characters and a two-digit ISO 7064 mod 97-10
/// checksum, e.g. `05dxps055`; a full `ror.org` URL is accepted and shortened.
pub fn parse_ror(text: &str) -> Result<String, String> {
    let t = text.trim().to_ascii_lowercase();
    let id = t.rsplit('/').next().unwrap_or("");
    let err = || format!("'{}' is not a ROR id (nine characters such as 05dxps055)", text.trim());
    if id.len() != 9 || !id.starts_with('0') {
        return Err(err());
    }
    let (body, check) = id.split_at(7);
    let mut n: u64 = 0;
    for c in body.chars() {
        let v = CROCKFORD.find(c).ok_or_else(err)? as u64;
        n = n * 32 + v;
    }
    let check: u64 = check.parse().map_err(|_| err())?;
    if 98 - (n * 100) % 97 != check {
        return Err(format!("'{}' has a wrong ROR checksum; check for a mistyped character", text.trim()));
    }
    Ok(id.to_string())
}

/// An Erasmus institution code: a country part of 1–3 letters padded with spaces to three
/// characters, a city part, and a 2–3 digit number, e.g. `D  BERLIN01`, `UK LONDON029`.
pub fn parse_erasmus(text: &str) -> Result<String, String> {
    let s = text.trim_end().to_ascii_uppercase();
    let err =
        || format!("'{}' is not an Erasmus code such as 'D  BERLIN01' (country, spaces to three characters, city, number)", text.trim());
    let (prefix, rest) = (s.get(..3).ok_or_else(err)?, s.get(3..).ok_or_else(err)?);
    let letters = prefix.trim_end();
    if letters.is_empty() || !letters.chars().all(|c| c.is_ascii_uppercase()) || !prefix[letters.len()..].chars().all(|c| c == ' ') {
        return Err(err());
    }
    let digits = rest.chars().rev().take_while(char::is_ascii_digit).count();
    let city = &rest[..rest.len() - digits];
    if !(2..=3).contains(&digits) || city.len() < 2 || !city.chars().all(|c| c.is_ascii_uppercase() || c == '-') {
        return Err(err());
    }
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schac_codes_are_domains() {
        assert_eq!(parse_schac(" IUKL.edu.my ").as_deref(), Ok("iukl.edu.my"));
        assert!(parse_schac("iukl").is_err());
        assert!(parse_schac("-bad.example").is_err());
    }

    #[test]
    fn ror_ids_carry_a_checksum() {
        // Checksums computed with ISO 7064 mod 97-10 over the base-32 value.
        let body = "05dxps0";
        let n = body.chars().fold(0u64, |n, c| n * 32 + CROCKFORD.find(c).map(|v| v as u64).unwrap_or(0));
        let good = format!("{body}{:02}", 98 - (n * 100) % 97);
        assert_eq!(parse_ror(&format!("https://ror.org/{good}")).as_deref(), Ok(good.as_str()));
        let bad = format!("{body}{:02}", (98 - (n * 100) % 97 + 1) % 100);
        assert!(parse_ror(&bad).expect_err("a bad checksum is refused").contains("checksum"));
        assert!(parse_ror("12345").is_err());
        assert!(parse_ror("0ilo00000").is_err(), "i, l, o and u are not Crockford digits");
    }

    #[test]
    fn erasmus_codes_have_country_city_and_number() {
        assert_eq!(parse_erasmus("d  berlin01").as_deref(), Ok("D  BERLIN01"));
        assert!(parse_erasmus("UK LONDON029").is_ok());
        assert!(parse_erasmus("D BERLIN01").is_err(), "the country part is padded to three characters");
        assert!(parse_erasmus("IRLDUBLIN01").is_ok());
        assert!(parse_erasmus("D  BERLIN").is_err());
    }
}
