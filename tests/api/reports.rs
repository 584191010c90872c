//! Reports: each report's numbers match a small known data set arranged with SQL (two
//! partners, three agreements in two countries, a few mobility counts, visits); the
//! downloads (CSV, XLSX, SVG), the leadership dashboard's key figures, and 404s.

use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_app};

const NOW: &str = "2024-01-01T00:00:00.000000Z";

async fn exec(app: &TestApp, sql: &str) {
    sqlx::query(sqlx::AssertSqlSafe(sql.to_string())).execute(&app.db.pool).await.expect(sql);
}

async fn insert_id(app: &TestApp, sql: &str) -> i64 {
    sqlx::query_scalar(sqlx::AssertSqlSafe(format!("{sql} RETURNING id"))).fetch_one(&app.db.pool).await.expect(sql)
}

async fn institution(app: &TestApp, name: &str, country: &str, home: bool, status: Option<&str>) -> i64 {
    let status = status.map_or("NULL".to_string(), |s| format!("'{s}'"));
    insert_id(
        app,
        &format!(
            "INSERT INTO institutions (name_en, country, is_home, partnership_status, created_at, updated_at) \
             VALUES ('{name}', '{country}', {}, {status}, '{NOW}', '{NOW}')",
            i64::from(home)
        ),
    )
    .await
}

/// An agreement with its parties and areas; dates are SQL literals (`NULL` or `'2024-05-08'`).
async fn agreement(app: &TestApp, status: &str, signed: &str, expiry: &str, parties: &[i64], areas: &[&str]) -> i64 {
    let id = insert_id(
        app,
        &format!(
            "INSERT INTO agreements (kind, title, status, signed_date, expiry_date, created_at, updated_at) \
             VALUES ('mou', 'Agreement', '{status}', {signed}, {expiry}, '{NOW}', '{NOW}')"
        ),
    )
    .await;
    for p in parties {
        exec(app, &format!("INSERT INTO agreement_parties (agreement_id, institution_id) VALUES ({id}, {p})")).await;
    }
    for a in areas {
        exec(app, &format!("INSERT INTO agreement_areas (agreement_id, area) VALUES ({id}, '{a}')")).await;
    }
    id
}

async fn programme(app: &TestApp, agreement: i64, area: &str, title: &str) -> i64 {
    insert_id(
        app,
        &format!(
            "INSERT INTO programmes (agreement_id, area, title, created_at, updated_at) VALUES ({agreement}, '{area}', '{title}', '{NOW}', '{NOW}')"
        ),
    )
    .await
}

/// A mobility_counts row: (academic year, direction, participant kind, status, n).
async fn counts(app: &TestApp, programme: i64, partner: i64, (year, direction, kind, status, n): (&str, &str, &str, &str, i64)) {
    exec(
        app,
        &format!(
            "INSERT INTO mobility_counts (programme_id, partner_institution_id, academic_year, direction, participant_kind, status, n) \
             VALUES ({programme}, {partner}, '{year}', '{direction}', '{kind}', '{status}', {n})"
        ),
    )
    .await;
}

async fn visit(app: &TestApp, direction: &str, start: &str, status: &str) {
    exec(
        app,
        &format!(
            "INSERT INTO visits (direction, title, start_date, end_date, status, created_at, updated_at) \
             VALUES ('{direction}', 'Visit', '{start}', '{start}', '{status}', '{NOW}', '{NOW}')"
        ),
    )
    .await;
}

/// Two partners (Malaysia, Thailand), three agreements, two programmes, mobility counts
/// (one withdrawn row) and four visits (one cancelled).
async fn arrange(app: &TestApp) {
    let home = institution(app, "Home University", "CN", true, None).await;
    let alpha = institution(app, "Alpha University", "MY", false, Some("active")).await;
    let beta = institution(app, "Beta University", "TH", false, None).await;
    agreement(app, "in_effect", "'2023-03-01'", "NULL", &[home, alpha], &["joint_education", "academic_exchange"]).await;
    let a2 = agreement(app, "signed", "'2024-05-08'", "NULL", &[home, alpha, beta], &["student_exchange"]).await;
    agreement(app, "draft", "NULL", "NULL", &[home, beta], &["collaborative_research"]).await;
    // The exchange programme's area repeats the agreement's: counted once.
    let x = programme(app, a2, "student_exchange", "Exchange X").await;
    let y = programme(app, a2, "degree_progression", "Progression Y").await;
    counts(app, x, alpha, ("2024-2025", "inbound", "student", "completed", 5)).await;
    counts(app, x, alpha, ("2024-2025", "outbound", "student", "completed", 3)).await;
    counts(app, x, beta, ("2024-2025", "inbound", "staff", "completed", 2)).await;
    counts(app, y, beta, ("2025-2026", "outbound", "student", "accepted", 4)).await;
    counts(app, y, beta, ("2024-2025", "outbound", "student", "withdrawn", 7)).await;
    visit(app, "inbound", "2023-04-01", "completed").await;
    visit(app, "inbound", "2023-09-10", "completed").await;
    visit(app, "outbound", "2024-05-08", "completed").await;
    visit(app, "inbound", "2024-06-01", "cancelled").await;
}

async fn report(app: &TestApp, token: &str, path: &str) -> Value {
    let res = app.client.get(app.url(&format!("/api/v1/reports/{path}"))).bearer_auth(token).send().await.expect("get");
    assert_eq!(res.status().as_u16(), 200, "{path}");
    res.json().await.expect("json")
}

async fn rows(app: &TestApp, token: &str, path: &str) -> Value {
    report(app, token, path).await["rows"].clone()
}

#[tokio::test]
async fn agreement_reports_count_the_arranged_agreements() {
    let app = spawn_app().await;
    arrange(&app).await;
    let token = app.token_for("viewer", &["viewer"], None).await;

    let matrix = report(&app, &token, "partners-areas").await;
    assert_eq!(matrix["title"], "Partners by cooperation area");
    let columns: Vec<&str> = matrix["columns"].as_array().expect("columns").iter().filter_map(Value::as_str).collect();
    assert_eq!(columns.first(), Some(&"Partner"));
    assert_eq!(columns.last(), Some(&"Agreements"));
    let col = |name: &str| columns.iter().position(|c| *c == name).expect(name);
    let alpha = &matrix["rows"][0];
    let beta = &matrix["rows"][1];
    assert_eq!(alpha[0], "Alpha University");
    assert_eq!(alpha[col("Joint education programmes")], 1);
    assert_eq!(alpha[col("Student exchange")], 1);
    assert_eq!(alpha[col("Undergraduate-to-master's progression")], 1);
    assert_eq!(alpha[col("Collaborative research")], 0);
    assert_eq!(alpha[col("Agreements")], 2);
    assert_eq!(beta[0], "Beta University");
    assert_eq!(beta[col("Collaborative research")], 1);
    assert_eq!(beta[col("Joint education programmes")], 0);
    assert_eq!(matrix["rows"].as_array().map(Vec::len), Some(2), "the home institution is not a partner");

    let by_status = rows(&app, &token, "agreements-by-status").await;
    assert_eq!(by_status[0], json!(["Draft", "draft", 1]));
    assert_eq!(by_status[2], json!(["Signed", "signed", 1]));
    assert_eq!(by_status[3], json!(["In effect", "in_effect", 1]));
    assert_eq!(by_status[4], json!(["Expired", "expired", 0]));
    assert_eq!(rows(&app, &token, "agreements-by-country").await, json!([["Malaysia", "MY", 2], ["Thailand", "TH", 2]]));
    assert_eq!(rows(&app, &token, "agreements-by-year").await, json!([["2023", 1], ["2024", 1]]));
    assert_eq!(rows(&app, &token, "agreements-by-year?status=in_effect").await, json!([["2023", 1]]));
    assert_eq!(rows(&app, &token, "agreements-by-country?year=2023").await, json!([["Malaysia", "MY", 1]]));
}

#[tokio::test]
async fn mobility_reports_read_the_counts_without_withdrawn() {
    let app = spawn_app().await;
    arrange(&app).await;
    let token = app.token_for("viewer", &["viewer"], None).await;

    assert_eq!(rows(&app, &token, "mobilities-by-direction").await, json!([["Inbound", 5, 2, 7], ["Outbound", 7, 0, 7]]));
    assert_eq!(rows(&app, &token, "mobilities-by-direction?year=2024").await, json!([["Inbound", 5, 2, 7], ["Outbound", 3, 0, 3]]));
    assert_eq!(
        rows(&app, &token, "mobilities-by-direction?year=2024-2025&status=withdrawn&direction=outbound").await,
        json!([["Outbound", 7, 0, 7]])
    );
    assert_eq!(rows(&app, &token, "mobilities-by-country").await, json!([["Malaysia", "MY", 5, 3, 8], ["Thailand", "TH", 2, 4, 6]]));
    assert_eq!(
        rows(&app, &token, "mobilities-by-programme").await,
        json!([["Exchange X", "Student exchange", 7, 3, 10], ["Progression Y", "Undergraduate-to-master's progression", 0, 4, 4]])
    );
    assert_eq!(rows(&app, &token, "mobilities-by-year").await, json!([["2024-2025", 7, 3, 10], ["2025-2026", 0, 4, 4]]));
    assert_eq!(rows(&app, &token, "mobilities-by-year?direction=inbound").await, json!([["2024-2025", 7, 0, 7]]));
}

#[tokio::test]
async fn visits_by_year_leaves_out_cancelled_visits() {
    let app = spawn_app().await;
    arrange(&app).await;
    let token = app.token_for("viewer", &["viewer"], None).await;

    assert_eq!(rows(&app, &token, "visits-by-year").await, json!([["2023", 2, 0, 2], ["2024", 0, 1, 1]]));
    assert_eq!(rows(&app, &token, "visits-by-year?status=cancelled").await, json!([["2024", 1, 0, 1]]));
    assert_eq!(rows(&app, &token, "visits-by-year?year=2024&direction=outbound").await, json!([["2024", 0, 1, 1]]));
}

#[tokio::test]
async fn reports_follow_the_callers_language() {
    let app = spawn_app().await;
    arrange(&app).await;
    let token = app.token_for("viewer", &["viewer"], None).await;

    let body = report(&app, &token, "agreements-by-country?lang=zh").await;
    assert_eq!(body["title"], "协议（按合作方国家）");
    assert_eq!(body["rows"][0][0], "马来西亚");
}

#[tokio::test]
async fn csv_and_xlsx_downloads_carry_the_header_row() {
    let app = spawn_app().await;
    arrange(&app).await;
    let token = app.token_for("viewer", &["viewer"], None).await;

    let csv = app.client.get(app.url("/reports/agreements-by-country.csv")).bearer_auth(&token).send().await.expect("csv");
    assert_eq!(csv.status().as_u16(), 200);
    assert!(csv.headers()["content-type"].to_str().expect("type").starts_with("text/csv"));
    let text = csv.text().await.expect("text");
    let mut lines = text.trim_start_matches('\u{feff}').lines();
    assert_eq!(lines.next(), Some("Country,Code,Agreements"));
    assert_eq!(lines.next(), Some("Malaysia,MY,2"));

    let xlsx = app.client.get(app.url("/reports/partners-areas.xlsx")).bearer_auth(&token).send().await.expect("xlsx");
    assert_eq!(xlsx.status().as_u16(), 200);
    assert_eq!(xlsx.headers()["content-type"], "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    let bytes = xlsx.bytes().await.expect("bytes");
    assert!(bytes.starts_with(b"PK"));
}

/// Tags open and close in order (a small well-formedness check; no XML crate needed).
fn assert_well_formed(svg: &str) {
    let mut stack: Vec<String> = Vec::new();
    let mut rest = svg;
    while let Some(i) = rest.find('<') {
        let end = rest[i..].find('>').expect("tag closes") + i;
        let tag = &rest[i + 1..end];
        if let Some(name) = tag.strip_prefix('/') {
            assert_eq!(stack.pop().as_deref(), Some(name), "closing </{name}>");
        } else if !tag.ends_with('/') {
            stack.push(tag.split_whitespace().next().expect("name").to_string());
        }
        assert_eq!(tag.matches('"').count() % 2, 0, "attribute quotes in <{tag}>");
        rest = &rest[end + 1..];
    }
    assert!(stack.is_empty(), "unclosed: {stack:?}");
}

#[tokio::test]
async fn the_svg_chart_is_well_formed_with_one_bar_per_row() {
    let app = spawn_app().await;
    arrange(&app).await;
    let token = app.token_for("viewer", &["viewer"], None).await;

    for name in ["agreements-by-status", "mobilities-by-country", "partners-areas", "visits-by-year"] {
        let res = app.client.get(app.url(&format!("/reports/{name}.svg?lang=zh"))).bearer_auth(&token).send().await.expect("svg");
        assert_eq!(res.status().as_u16(), 200);
        assert!(res.headers()["content-type"].to_str().expect("type").starts_with("image/svg+xml"));
        let svg = res.text().await.expect("text");
        assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\"") && svg.ends_with("</svg>"));
        assert!(svg.contains("role=\"img\"") && svg.contains("<title>") && svg.contains("aria-label="));
        assert_well_formed(&svg);
        let n = rows(&app, &token, name).await.as_array().map(Vec::len).expect("rows");
        assert_eq!(svg.matches("<rect").count(), n, "{name}: one bar per row");
    }
}

#[tokio::test]
async fn the_report_page_shows_the_table_chart_and_export_links() {
    let app = spawn_app().await;
    arrange(&app).await;
    app.logged_in("viewer", &["viewer"]).await;

    let html = app.client.get(app.url("/reports/mobilities-by-country?year=2024")).send().await.expect("page").text().await.expect("html");
    assert!(html.contains("<h1>Mobilities by partner country</h1>"));
    assert!(html.contains("<svg") && html.contains("role=\"img\""));
    assert!(html.contains("href=\"/reports/mobilities-by-country.csv?year=2024\""));
    assert!(html.contains("href=\"/reports/mobilities-by-country.xlsx?year=2024\""));
    assert!(html.contains("<td>Malaysia</td>"));
}

#[tokio::test]
async fn the_dashboard_shows_the_key_figures() {
    let app = spawn_app().await;
    app.logged_in("viewer", &["viewer"]).await;
    let today: jiff::civil::Date = liaison::time::today().parse().expect("today");
    let day = |n: i64| format!("'{}'", today.checked_add(jiff::Span::new().days(n)).expect("date"));
    let home = institution(&app, "Home University", "CN", true, None).await;
    let alpha = institution(&app, "Alpha University", "MY", false, Some("active")).await;
    institution(&app, "Beta University", "TH", false, Some("active")).await;
    institution(&app, "Gamma University", "TH", false, Some("prospective")).await;
    let a = agreement(&app, "in_effect", "NULL", &day(10), &[home, alpha], &[]).await;
    agreement(&app, "in_effect", "NULL", &day(200), &[home, alpha], &[]).await;
    agreement(&app, "signed", "NULL", &day(89), &[home, alpha], &[]).await;
    agreement(&app, "expired", "NULL", &day(5), &[home, alpha], &[]).await;
    let p = programme(&app, a, "student_exchange", "P").await;
    let month: i8 = today.month();
    let start = if month >= 9 { today.year() } else { today.year() - 1 };
    let ay = format!("{start}-{}", start + 1);
    counts(&app, p, alpha, (&ay, "inbound", "student", "in_progress", 6)).await;
    counts(&app, p, alpha, (&ay, "outbound", "staff", "accepted", 2)).await;
    counts(&app, p, alpha, (&ay, "outbound", "student", "withdrawn", 9)).await;
    counts(&app, p, alpha, (&format!("{}-{}", start - 1, start), "inbound", "student", "completed", 40)).await;
    let year = today.year();
    visit(&app, "inbound", &format!("{year}-01-01"), "completed").await;
    visit(&app, "outbound", &format!("{year}-12-31"), "planned").await;
    visit(&app, "inbound", &format!("{year}-06-01"), "cancelled").await;
    visit(&app, "inbound", &format!("{}-12-31", year - 1), "completed").await;

    let html = app.client.get(app.url("/reports")).send().await.expect("page").text().await.expect("html");
    for (id, n) in [
        ("fig-active-partners", 2),
        ("fig-in-effect", 2),
        ("fig-expiring", 2),
        ("fig-mobilities-in", 6),
        ("fig-mobilities-out", 2),
        ("fig-visits", 2),
    ] {
        assert!(html.contains(&format!("id=\"{id}\">{n}<")), "{id} should be {n}");
    }
    assert!(html.contains("href=\"/reports/partners-areas\""));
    assert!(html.contains("href=\"/reports/visits-by-year\""));
}

#[tokio::test]
async fn an_unknown_report_or_format_is_not_found_and_a_bad_filter_is_rejected() {
    let app = spawn_app().await;
    let token = app.token_for("viewer", &["viewer"], None).await;

    for path in ["/api/v1/reports/nonsense", "/reports/nonsense", "/reports/nonsense.csv", "/reports/visits-by-year.pdf"] {
        let res = app.client.get(app.url(path)).bearer_auth(&token).send().await.expect("get");
        assert_eq!(res.status().as_u16(), 404, "{path}");
    }
    for path in ["visits-by-year?direction=sideways", "visits-by-year?year=20x4", "agreements-by-status?status=lost"] {
        let res = app.client.get(app.url(&format!("/api/v1/reports/{path}"))).bearer_auth(&token).send().await.expect("get");
        assert_eq!(res.status().as_u16(), 422, "{path}");
    }
}
