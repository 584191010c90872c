//! Where uploaded files live: `LIAISON_FILES_URL` read into a bucket, a key prefix, an
//! endpoint and a region (the S3-compatible store in `crate::files`).

/// Where the files go, as `LIAISON_FILES_URL` says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct S3Target {
    /// The bucket.
    pub bucket: String,
    /// Keys are stored under this prefix (no leading or trailing slash; may be empty).
    pub prefix: String,
    /// The service's address, e.g. `http://127.0.0.1:8333` (default: Amazon S3).
    pub endpoint: Option<String>,
    /// The region (default: `AWS_REGION`, else `us-east-1`).
    pub region: Option<String>,
}

/// Reads `s3://bucket[/prefix][?endpoint=URL][&region=NAME]`.
pub fn parse_files_url(text: &str) -> Result<S3Target, String> {
    let url = url::Url::parse(text.trim()).map_err(|e| format!("'{text}' is not a URL: {e}"))?;
    if url.scheme() != "s3" {
        return Err(format!("'{text}': use s3://bucket?endpoint=http://host:port&region=… (unset: files stay in the data directory)"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err("put no credentials in the URL: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY".into());
    }
    let bucket = url.host_str().filter(|b| !b.is_empty()).ok_or("the URL names no bucket (s3://bucket)")?.to_string();
    let prefix = url.path().trim_matches('/').to_string();
    if !prefix.is_empty()
        && !prefix
            .split('/')
            .all(|p| !p.is_empty() && !p.starts_with('.') && p.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b)))
    {
        return Err(format!("'{prefix}' is not a usable key prefix (letters, digits, - _ . and /)"));
    }
    let (mut endpoint, mut region) = (None, None);
    for (k, v) in url.query_pairs() {
        match &*k {
            "endpoint" => {
                let e = url::Url::parse(&v).map_err(|_| format!("endpoint '{v}' is not a URL like http://host:8333"))?;
                if !matches!(e.scheme(), "http" | "https") || e.host().is_none() {
                    return Err(format!("endpoint '{v}' is not an http(s) URL"));
                }
                endpoint = Some(v.trim_end_matches('/').to_string());
            }
            "region" => region = Some(v.to_string()),
            other => return Err(format!("unknown parameter '{other}' (use endpoint and region)")),
        }
    }
    Ok(S3Target { bucket, prefix, endpoint, region })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_urls_name_a_bucket_an_endpoint_and_a_region() {
        let t = parse_files_url("s3://liaison/files/prod?endpoint=http://127.0.0.1:8333/&region=cn-east-1").expect("valid");
        assert_eq!(t.bucket, "liaison");
        assert_eq!(t.prefix, "files/prod");
        assert_eq!(t.endpoint.as_deref(), Some("http://127.0.0.1:8333"));
        assert_eq!(t.region.as_deref(), Some("cn-east-1"));
        assert_eq!(parse_files_url("s3://b").expect("valid").prefix, "");
        assert!(parse_files_url("file:///srv/files").is_err());
        assert!(parse_files_url("s3://key:secret@bucket").expect_err("no credentials").contains("AWS_ACCESS_KEY_ID"));
        assert!(parse_files_url("s3://b?endpoint=nowhere").is_err());
        assert!(parse_files_url("s3://b?colour=blue").is_err());
        assert!(parse_files_url("s3://b/.hidden").is_err());
    }
}
