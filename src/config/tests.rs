//! Resolving settings: defaults, validation messages that name the setting, redaction.

use super::*;

#[test]
fn a_bad_address_names_the_setting() {
    let raw = RawSettings { addr: Some("nowhere".into()), data_dir: Some("/nonexistent-liaison".into()), ..Default::default() };
    let err = raw.resolve().err().map(|e| e.to_string()).unwrap_or_default();
    assert!(err.contains("LIAISON_ADDR"), "{err}");
}

#[test]
fn postgres_url_selects_postgres_and_is_redacted() {
    let raw = RawSettings {
        database_url: Some("postgres://u:pw@h/db".into()),
        data_dir: Some("/nonexistent-liaison".into()),
        ..Default::default()
    };
    let s = raw.resolve().expect("valid");
    assert_eq!(s.engine, Engine::Postgres);
    assert!(!format!("{s:?}").contains("pw"));
}

fn resolve(raw: RawSettings) -> Result<Settings, String> {
    RawSettings { data_dir: Some("/nonexistent-liaison".into()), ..raw }.resolve().map_err(|e| e.to_string())
}

#[test]
fn mail_settings_have_defaults_and_hide_the_smtp_password() {
    let s =
        resolve(RawSettings { smtp_url: Some("smtp://mailer:s3cret@relay.example.edu:2525".into()), ..Default::default() }).expect("valid");
    assert_eq!((s.mail_from.as_str(), s.reminder_days, s.mail_poll_seconds), ("Liaison <liaison@localhost>", 2, 30));
    assert!(!format!("{s:?}").contains("s3cret"));
    let unset = resolve(RawSettings { smtp_url: Some(" ".into()), ..Default::default() }).expect("valid");
    assert_eq!(unset.smtp_url, None);
}

#[test]
fn bad_mail_settings_name_the_setting() {
    let cases = [
        (RawSettings { smtp_url: Some("http://relay".into()), ..Default::default() }, "LIAISON_SMTP_URL"),
        (RawSettings { smtp_url: Some("smtps://relay".into()), ..Default::default() }, "LIAISON_SMTP_URL"),
        (RawSettings { mail_from: Some("not an address".into()), ..Default::default() }, "LIAISON_MAIL_FROM"),
        (RawSettings { reminder_days: Some("soon".into()), ..Default::default() }, "LIAISON_REMINDER_DAYS"),
        (RawSettings { reminder_days: Some("-1".into()), ..Default::default() }, "reminder_days"),
        (RawSettings { mail_poll_seconds: Some("0".into()), ..Default::default() }, "mail_poll_seconds"),
    ];
    for (raw, setting) in cases {
        let err = resolve(raw).err().unwrap_or_default();
        assert!(err.contains(setting) && !err.contains('\n'), "{setting}: {err}");
    }
}

#[test]
fn public_url_is_absolute_http_without_trailing_slash() {
    assert_eq!(parse_public_url("https://news.example.edu/").ok().flatten().as_deref(), Some("https://news.example.edu"));
    assert_eq!(parse_public_url(" ").ok().flatten(), None);
    assert!(parse_public_url("news.example.edu").is_err());
    assert!(parse_public_url("ftp://example.edu").is_err());
}

#[test]
fn unknown_scheme_is_rejected() {
    let raw = RawSettings { database_url: Some("mysql://x/y".into()), data_dir: Some("/nonexistent-liaison".into()), ..Default::default() };
    assert!(raw.resolve().is_err());
}
