//! Shared lookups other modules need about the home institution, units and people, so
//! that each is written once: the home institution (`is_home = 1`, one row by a unique
//! index), its names and units, a unit's label, a person's name, and what an active
//! partner is.

use sqlx::AnyConnection;

use crate::error::AppResult;

/// What makes an institution (aliased `i`) an active partner: not merged away, not the
/// home institution, and its current partnership status active. The dashboard, the map
/// and the reports all count with this one predicate.
pub const ACTIVE_PARTNER: &str = "i.merged_into IS NULL AND i.is_home = 0 AND i.partnership_status = 'active'";

/// How many active partners there are (see [`ACTIVE_PARTNER`]).
pub async fn count_active_partners(conn: &mut AnyConnection) -> AppResult<i64> {
    let sql = format!("SELECT COUNT(*) FROM institutions i WHERE {ACTIVE_PARTNER}");
    Ok(sqlx::query_scalar(sqlx::AssertSqlSafe(sql)).fetch_one(conn).await?)
}

/// The home institution's id, if the database has one.
pub async fn home_id(conn: &mut AnyConnection) -> AppResult<Option<i64>> {
    Ok(sqlx::query_scalar("SELECT id FROM institutions WHERE is_home = 1").fetch_optional(conn).await?)
}

/// The home institution's id and English name.
pub async fn home(conn: &mut AnyConnection) -> AppResult<Option<(i64, String)>> {
    Ok(sqlx::query_as("SELECT id, name_en FROM institutions WHERE is_home = 1").fetch_optional(conn).await?)
}

/// The home institution's English and Chinese names.
pub async fn home_names(conn: &mut AnyConnection) -> AppResult<Option<(String, Option<String>)>> {
    Ok(sqlx::query_as("SELECT name_en, name_zh FROM institutions WHERE is_home = 1").fetch_optional(conn).await?)
}

/// The ids of the home institution's units, in creation order.
pub async fn home_unit_ids(conn: &mut AnyConnection) -> AppResult<Vec<i64>> {
    Ok(sqlx::query_scalar("SELECT u.id FROM units u JOIN institutions i ON i.id = u.institution_id WHERE i.is_home = 1 ORDER BY u.id")
        .fetch_all(conn)
        .await?)
}

/// The home institution's units with their labels (see [`unit_label`]).
pub async fn home_units(conn: &mut AnyConnection) -> AppResult<Vec<(i64, String)>> {
    let ids = home_unit_ids(&mut *conn).await?;
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        out.push((id, unit_label(&mut *conn, id).await?));
    }
    Ok(out)
}

/// All names of a unit: the primary English one, the others in brackets.
pub async fn unit_label(conn: &mut AnyConnection, unit_id: i64) -> AppResult<String> {
    let names: Vec<(String, String)> = sqlx::query_as("SELECT lang, name FROM unit_names WHERE unit_id = $1 ORDER BY is_primary DESC, id")
        .bind(unit_id)
        .fetch_all(conn)
        .await?;
    Ok(label_of(unit_id, &names))
}

/// The label from a unit's (language, name) rows, primary first.
fn label_of(unit_id: i64, names: &[(String, String)]) -> String {
    let en: Vec<&str> = names.iter().filter(|(l, _)| l == "en").map(|(_, n)| n.as_str()).collect();
    let all: Vec<&str> = if en.is_empty() { names.iter().map(|(_, n)| n.as_str()).collect() } else { en };
    match all.split_first() {
        Some((first, [])) => (*first).to_string(),
        Some((first, rest)) => format!("{first} ({})", rest.join(", ")),
        None => format!("unit {unit_id}"),
    }
}

/// A person's English and Chinese names.
pub async fn person_names(conn: &mut AnyConnection, person_id: i64) -> AppResult<Option<(String, Option<String>)>> {
    Ok(sqlx::query_as("SELECT name_en, name_zh FROM people WHERE id = $1").bind(person_id).fetch_optional(conn).await?)
}

/// Partner institutions marked public, grouped by country (code, name in `lang`,
/// institutions), countries by name: what the public partners page lists.
pub async fn public_partner_groups(
    db: &crate::db::Db,
    lang: &str,
) -> crate::error::AppResult<Vec<(String, String, Vec<super::model::Institution>)>> {
    let q = super::queries::InstitutionQuery { per_page: Some(200), ..Default::default() };
    let mut all = Vec::new();
    for page in 1.. {
        let (items, total) =
            super::queries::list_institutions(db, &super::queries::InstitutionQuery { page: Some(page), ..q.clone() }, None).await?;
        let done = items.is_empty() || (page * 200) >= total;
        all.extend(items.into_iter().filter(|i| i.is_public && !i.is_home));
        if done {
            break;
        }
    }
    let mut groups: Vec<(String, String, Vec<super::model::Institution>)> = Vec::new();
    all.sort_by(|a, b| {
        super::reference::country_name(&a.country, lang)
            .cmp(&super::reference::country_name(&b.country, lang))
            .then(a.name_en.cmp(&b.name_en))
    });
    for i in all {
        match groups.last_mut() {
            Some(g) if g.0 == i.country => g.2.push(i),
            _ => groups.push((i.country.clone(), super::reference::country_name(&i.country, lang), vec![i])),
        }
    }
    Ok(groups)
}

#[cfg(test)]
mod tests {
    use super::label_of;

    #[test]
    fn a_unit_label_names_the_primary_english_name_first() {
        let names = |v: &[(&str, &str)]| v.iter().map(|(l, n)| (l.to_string(), n.to_string())).collect::<Vec<_>>();
        assert_eq!(
            label_of(1, &names(&[("en", "School of Foreign Studies"), ("en", "School of International Education")])),
            "School of Foreign Studies (School of International Education)"
        );
        assert_eq!(label_of(2, &names(&[("zh", "外国语学院")])), "外国语学院");
        assert_eq!(label_of(3, &[]), "unit 3");
    }
}
