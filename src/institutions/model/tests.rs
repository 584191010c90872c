//! Unit tests of the institution and person rules.

use super::*;

#[test]
fn create_needs_name_and_country() {
    let err = InstitutionFields::parse(InstitutionInput::default(), None).err();
    let Some(AppError::Validation(errors)) = err else { panic!("expected validation error") };
    let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(fields, ["name_en", "country"]);
}

#[test]
fn update_keeps_what_is_left_out_and_clears_empty_strings() {
    let cur = InstitutionFields::parse(
        InstitutionInput {
            name_en: Some("Infrastructure University Kuala Lumpur".into()),
            country: Some("my".into()),
            acronym: Some("IUKL".into()),
            city: Some("Kuala Lumpur".into()),
            ..Default::default()
        },
        None,
    )
    .expect("valid");
    assert_eq!(cur.country, "MY");
    let next = InstitutionFields::parse(InstitutionInput { city: Some(String::new()), ..Default::default() }, Some(&cur)).expect("valid");
    assert_eq!(next.acronym.as_deref(), Some("IUKL"));
    assert_eq!(next.city, None);
}

#[test]
fn bad_country_and_website_are_named() {
    let err = InstitutionFields::parse(
        InstitutionInput {
            name_en: Some("X".into()),
            country: Some("Atlantis".into()),
            website: Some("iukl.edu.my".into()),
            ..Default::default()
        },
        None,
    )
    .err();
    let Some(AppError::Validation(errors)) = err else { panic!("expected validation error") };
    assert_eq!(errors.len(), 2);
    assert_eq!(errors[0].field, "country");
    assert_eq!(errors[1].field, "website");
}
