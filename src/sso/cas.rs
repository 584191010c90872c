//! The CAS 3.0 client: the browser goes to `{url}/login?service=…`, comes back with a
//! ticket, and the ticket is validated once at `{url}/p3/serviceValidate` with exactly
//! the same service address. The answer is a small XML document; reading the user and
//! the attributes needs no XML library (see [`parse_validation`]).

use std::collections::BTreeMap;

use super::model::SsoError;
use crate::config::Provider;

/// The login address the browser is sent to.
pub fn login_url(p: &Provider, service: &str) -> Result<String, SsoError> {
    let mut url = url::Url::parse(&format!("{}/login", p.url)).map_err(|e| SsoError::Misconfigured(e.to_string()))?;
    url.query_pairs_mut().append_pair("service", service);
    Ok(url.into())
}

/// The logout address, returning to `back`.
pub fn logout_url(p: &Provider, back: &str) -> Option<String> {
    let mut url = url::Url::parse(&format!("{}/logout", p.url)).ok()?;
    url.query_pairs_mut().append_pair("service", back);
    Some(url.into())
}

/// A validated CAS user: the name and the attributes (each possibly several values).
#[derive(Debug, PartialEq)]
pub struct CasUser {
    /// `<cas:user>`.
    pub user: String,
    /// `<cas:attributes>` children, by local name.
    pub attributes: BTreeMap<String, Vec<String>>,
}

/// Validates a ticket for `service`.
pub async fn validate(http: &reqwest::Client, p: &Provider, service: &str, ticket: &str) -> Result<CasUser, SsoError> {
    let mut url = url::Url::parse(&format!("{}/p3/serviceValidate", p.url)).map_err(|e| SsoError::Misconfigured(e.to_string()))?;
    url.query_pairs_mut().append_pair("service", service).append_pair("ticket", ticket);
    let res = http.get(url).send().await.map_err(|e| SsoError::ProviderDown(format!("{}: {e}", p.url)))?;
    if !res.status().is_success() {
        return Err(SsoError::ProviderDown(format!("{}: serviceValidate answered {}", p.url, res.status())));
    }
    let body = res.text().await.map_err(|e| SsoError::ProviderDown(format!("{}: {e}", p.url)))?;
    parse_validation(&body)
}

/// Text between `<prefix:name …>` and `</prefix:name>`, for any namespace prefix.
fn elements<'a>(xml: &'a str, name: &str) -> Vec<(&'a str, &'a str)> {
    let mut out = Vec::new();
    let mut rest = xml;
    while let Some(open) = rest.find('<') {
        rest = &rest[open + 1..];
        let Some(end) = rest.find('>') else { break };
        let tag = &rest[..end];
        let qname = tag.split_whitespace().next().unwrap_or_default();
        let local = qname.rsplit(':').next().unwrap_or_default();
        if local == name && !tag.starts_with('/') && !tag.ends_with('/') {
            let body = &rest[end + 1..];
            let close = format!("</{qname}>");
            if let Some(stop) = body.find(&close) {
                out.push((tag, &body[..stop]));
                rest = &body[stop + close.len()..];
                continue;
            }
        }
        rest = &rest[end + 1..];
    }
    out
}

fn unescape(s: &str) -> String {
    let s = s.trim();
    let s = s.strip_prefix("<![CDATA[").and_then(|x| x.strip_suffix("]]>")).map(str::to_string).unwrap_or_else(|| {
        s.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&apos;", "'").replace("&amp;", "&")
    });
    s.trim().to_string()
}

/// Reads a `serviceValidate` answer: success with user and attributes, or the failure
/// code and message.
pub fn parse_validation(xml: &str) -> Result<CasUser, SsoError> {
    if let Some((tag, text)) = elements(xml, "authenticationFailure").first() {
        let code = tag.split("code=\"").nth(1).and_then(|c| c.split('"').next()).unwrap_or("UNKNOWN");
        return Err(SsoError::Refused(format!("the campus login refused the ticket ({code}: {})", unescape(text))));
    }
    let Some((_, success)) = elements(xml, "authenticationSuccess").first().copied() else {
        return Err(SsoError::ProviderDown("the campus login answered something that is not a CAS 3.0 validation".into()));
    };
    let user = elements(success, "user").first().map(|(_, t)| unescape(t)).filter(|u| !u.is_empty());
    let Some(user) = user else { return Err(SsoError::Refused("the campus login named no user".into())) };
    let mut attributes: BTreeMap<String, Vec<String>> = BTreeMap::new();
    if let Some((_, attrs)) = elements(success, "attributes").first() {
        let mut rest = *attrs;
        while let Some(open) = rest.find('<') {
            rest = &rest[open + 1..];
            let Some(end) = rest.find('>') else { break };
            let qname = rest[..end].split_whitespace().next().unwrap_or_default().to_string();
            if qname.starts_with('/') || qname.ends_with('/') {
                rest = &rest[end + 1..];
                continue;
            }
            let body = &rest[end + 1..];
            let close = format!("</{qname}>");
            let Some(stop) = body.find(&close) else { break };
            let local = qname.rsplit(':').next().unwrap_or_default().to_string();
            attributes.entry(local).or_default().push(unescape(&body[..stop]));
            rest = &body[stop + close.len()..];
        }
    }
    Ok(CasUser { user, attributes })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SUCCESS: &str = r#"<cas:serviceResponse xmlns:cas="http://www.yale.edu/tp/cas">
  <cas:authenticationSuccess>
    <cas:user>stu.wang</cas:user>
    <cas:attributes>
      <cas:mail>stu.wang@cas.example.edu</cas:mail>
      <cas:displayName>Wang &amp; Co</cas:displayName>
      <cas:eduPersonAffiliation>student</cas:eduPersonAffiliation>
      <cas:eduPersonAffiliation>member</cas:eduPersonAffiliation>
    </cas:attributes>
    <cas:attribute name="uid" value="stu.wang"/>
  </cas:authenticationSuccess>
</cas:serviceResponse>"#;

    #[test]
    fn a_success_gives_the_user_and_every_attribute_value() {
        let u = parse_validation(SUCCESS).expect("success");
        assert_eq!(u.user, "stu.wang");
        assert_eq!(u.attributes["displayName"], ["Wang & Co"]);
        assert_eq!(u.attributes["eduPersonAffiliation"], ["student", "member"]);
    }

    #[test]
    fn a_failure_says_the_servers_code() {
        let xml = r#"<cas:serviceResponse xmlns:cas="http://www.yale.edu/tp/cas">
 <cas:authenticationFailure code="INVALID_TICKET">ticket not found</cas:authenticationFailure>
</cas:serviceResponse>"#;
        let err = parse_validation(xml).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(err.contains("INVALID_TICKET") && err.contains("ticket not found"), "{err}");
        assert!(parse_validation("<html>proxy error</html>").is_err());
    }
}
