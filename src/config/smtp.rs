//! Where outgoing mail goes: the `smtp_url` setting read into host, port and credentials.

/// Where mail goes: what an `smtp_url` says.
#[derive(Debug, Clone, PartialEq)]
pub struct SmtpTarget {
    /// Host name or address.
    pub host: String,
    /// Port (25 unless the URL says).
    pub port: u16,
    /// User name and password, if the URL has them.
    pub credentials: Option<(String, String)>,
}

/// Reads an `smtp_url`: `smtp://[user[:password]@]host[:port]` (port 25 by default),
/// plain SMTP; lettre reads such URLs itself only when built with a TLS stack, which
/// this build leaves out.
pub fn parse_smtp_url(text: &str) -> Result<SmtpTarget, String> {
    let url = url::Url::parse(text).map_err(|e| e.to_string())?;
    if url.scheme() != "smtp" || url.query().is_some() {
        return Err("use smtp://host:port (plain SMTP; this build has no TLS)".into());
    }
    let host = url.host_str().filter(|h| !h.is_empty()).ok_or("the URL names no host")?.to_string();
    let credentials = if url.username().is_empty() {
        None
    } else {
        let decode = |s: &str| percent_decode(s).ok_or_else(|| "the credentials are not valid percent-encoded UTF-8".to_string());
        Some((decode(url.username())?, decode(url.password().unwrap_or_default())?))
    };
    Ok(SmtpTarget { host, port: url.port().unwrap_or(25), credentials })
}

fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn smtp_urls_are_plain_smtp_with_optional_credentials() {
        assert!(parse_smtp_url("smtp://127.0.0.1:2525").is_ok());
        let with_user = parse_smtp_url("smtp://mailer:p%40ss@relay.example.edu").ok();
        assert_eq!(with_user.and_then(|t| t.credentials), Some(("mailer".to_string(), "p@ss".to_string())));
        assert!(parse_smtp_url("smtps://relay.example.edu").is_err());
        assert!(parse_smtp_url("smtp://relay?tls=required").is_err());
        assert!(parse_smtp_url("relay.example.edu:25").is_err());
        assert_eq!(percent_decode("bad%4"), None);
    }
}
