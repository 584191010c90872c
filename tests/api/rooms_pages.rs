//! The rooms pages: the week grid, the booking form, cancelling, approvals and the
//! free-room finder, driven like a browser (session cookie, CSRF field, forms).

use jiff::{ToSpan, civil::Date, tz::TimeZone};
use serde_json::{Value, json};

use crate::helpers::{TestApp, seed, spawn_app};

async fn room_id(app: &TestApp, name: &str) -> i64 {
    sqlx::query_scalar("SELECT id FROM rooms WHERE name = $1").bind(name).fetch_one(&app.db.pool).await.expect("room")
}

/// A day `n` days ahead in the Shixun Building's time zone (always in the future).
fn day_ahead(n: i64) -> Date {
    let tz = TimeZone::get("Asia/Shanghai").expect("tz");
    jiff::Timestamp::now().to_zoned_datetime(tz).date().saturating_add(n.days())
}

async fn book_api(app: &TestApp, token: &str, room: i64, title: &str, day: Date, (from, to): (&str, &str), attendees: i64) -> Value {
    let body = json!({"room_id": room, "title": title, "starts_at": format!("{day}T{from}:00+08:00"), "ends_at": format!("{day}T{to}:00+08:00"), "attendees": attendees});
    let res = app.client.post(app.url("/api/v1/bookings")).bearer_auth(token).json(&body).send().await.expect("book");
    assert_eq!(res.status().as_u16(), 201);
    res.json::<Value>().await.expect("json")["booking"].clone()
}

async fn page(app: &TestApp, path: &str) -> (u16, String) {
    let res = app.client.get(app.url(path)).send().await.expect("get");
    (res.status().as_u16(), res.text().await.expect("html"))
}

async fn post_form(app: &TestApp, path: &str, csrf: &str, fields: &[(&str, &str)]) -> reqwest::Response {
    let mut form = vec![("_csrf", csrf)];
    form.extend_from_slice(fields);
    app.client.post(app.url(path)).form(&form).send().await.expect("post")
}

/// The opening tag of the week-grid block of a booking, if it is on the page.
fn block_of(html: &str, booking: &Value) -> Option<String> {
    let marker = format!("data-booking=\"{}\"", booking["id"]);
    let at = html.find(&marker)?;
    let start = html[..at].rfind('<')?;
    let end = at + html[at..].find('>')?;
    Some(html[start..=end].to_string())
}

#[tokio::test]
async fn the_week_grid_shows_a_confirmed_booking_in_its_day_column_and_hides_a_cancelled_one() {
    let app = spawn_app().await;
    seed(&app).await;
    let token = app.token_for("office", &["staff"], None).await;
    let r1508 = room_id(&app, "1508").await;
    let day = day_ahead(10);
    let kept = book_api(&app, &token, r1508, "Courtesy meeting with the IUKL delegation", day, ("09:00", "11:00"), 12).await;
    let dropped = book_api(&app, &token, r1508, "Rehearsal that was called off", day, ("14:00", "15:00"), 4).await;
    app.logged_in("mei", &["staff"]).await;
    let week_path = format!("/rooms/{r1508}?week={day}");
    let csrf = app.csrf_from(&app.client, &week_path).await;

    let cancel = post_form(&app, &format!("/rooms/bookings/{}/cancel", dropped["id"]), &csrf, &[("next", &week_path)]).await;
    let (status, html) = page(&app, &week_path).await;

    assert_eq!(cancel.status().as_u16(), 303);
    assert_eq!(cancel.headers()["location"], week_path.as_str());
    assert_eq!(status, 200);
    let block = block_of(&html, &kept).expect("the confirmed booking has a block");
    let column = day.weekday().to_monday_one_offset();
    assert!(block.contains(&format!(" d-{column} ")), "Monday-first column {column}: {block}");
    assert!(block.contains(&format!("data-date=\"{day}\"")), "{block}");
    assert!(block.contains("confirmed") && block.contains("r-10 span-8"), "09:00–11:00 is rows 10–17: {block}");
    assert!(html.contains("Courtesy meeting with the IUKL delegation 09:00–11:00"), "titled with its times");
    assert!(block_of(&html, &dropped).is_none() && !html.contains("Rehearsal that was called off"), "cancelled bookings are hidden");
    let (css_status, css) = page(&app, "/static/rooms.css").await;
    assert!(html.contains("href=\"/static/rooms.css\"") && !html.contains("style=\""), "classes from the stylesheet, no inline styles");
    assert!(css_status == 200 && css.contains(".r-61 {") && css.contains(".span-60 {") && css.contains(".d-7 {"));
}

#[tokio::test]
async fn the_week_before_and_after_are_linked_and_other_weeks_do_not_show_the_booking() {
    let app = spawn_app().await;
    seed(&app).await;
    let token = app.token_for("office", &["staff"], None).await;
    let r1507 = room_id(&app, "1507").await;
    let day = day_ahead(10);
    let booking = book_api(&app, &token, r1507, "Signing ceremony", day, ("15:00", "16:00"), 30).await;
    app.logged_in("mei", &["viewer"]).await;
    let monday = day.saturating_sub(i64::from(day.weekday().to_monday_zero_offset()).days());

    let (_, this_week) = page(&app, &format!("/rooms/{r1507}?week={day}")).await;
    let (_, next_week) = page(&app, &format!("/rooms/{r1507}?week={}", day.saturating_add(7.days()))).await;
    let (bad, _) = page(&app, &format!("/rooms/{r1507}?week=someday")).await;

    assert!(this_week.contains(&format!("?week={}\" rel=\"prev\"", monday.saturating_sub(7.days()))));
    assert!(this_week.contains(&format!("?week={}\" rel=\"next\"", monday.saturating_add(7.days()))));
    assert!(block_of(&this_week, &booking).is_some());
    assert!(block_of(&next_week, &booking).is_none());
    assert!(!this_week.contains("action=\"/rooms/bookings/"), "a viewer gets no cancel buttons");
    assert_eq!(bad, 422);
}

#[tokio::test]
async fn a_double_booking_through_the_form_names_the_booking_it_collides_with_and_stores_nothing() {
    let app = spawn_app().await;
    seed(&app).await;
    let token = app.token_for("office", &["staff"], None).await;
    let r1508 = room_id(&app, "1508").await;
    let day = day_ahead(5).to_string();
    book_api(&app, &token, r1508, "Courtesy meeting with the IUKL delegation", day.parse().expect("date"), ("09:00", "11:00"), 12).await;
    app.logged_in("mei", &["staff"]).await;
    let csrf = app.csrf_from(&app.client, &format!("/rooms/{r1508}")).await;
    let before = app.count("bookings").await;

    let res = post_form(
        &app,
        &format!("/rooms/{r1508}/book"),
        &csrf,
        &[("date", &day), ("start", "10:00"), ("end", "12:00"), ("title", "Symposium on smart construction"), ("attendees", "10")],
    )
    .await;

    assert_eq!(res.status().as_u16(), 409);
    let html = res.text().await.expect("html");
    let alert = html.split("class=\"error conflict\"").nth(1).expect("a conflict message").split("</p>").next().unwrap_or_default();
    assert!(alert.contains("Courtesy meeting with the IUKL delegation") && alert.contains(&format!("{day} 09:00–11:00")), "{alert}");
    assert!(html.contains("value=\"Symposium on smart construction\""), "the input is kept");
    assert_eq!(app.count("bookings").await, before);
}

#[tokio::test]
async fn the_booking_form_explains_past_times_and_an_end_before_the_start() {
    let app = spawn_app().await;
    seed(&app).await;
    let r1508 = room_id(&app, "1508").await;
    app.logged_in("mei", &["staff"]).await;
    let csrf = app.csrf_from(&app.client, &format!("/rooms/{r1508}")).await;
    let yesterday = day_ahead(-1).to_string();
    let before = app.count("bookings").await;
    let later = day_ahead(3).to_string();

    let past = post_form(
        &app,
        &format!("/rooms/{r1508}/book"),
        &csrf,
        &[("date", &yesterday), ("start", "09:00"), ("end", "10:00"), ("title", "Late")],
    )
    .await;
    let backwards = post_form(
        &app,
        &format!("/rooms/{r1508}/book"),
        &csrf,
        &[("date", &later), ("start", "11:00"), ("end", "10:00"), ("title", "Backwards")],
    )
    .await;

    assert_eq!(past.status().as_u16(), 422);
    assert!(past.text().await.expect("html").contains("This time is in the past."));
    assert_eq!(backwards.status().as_u16(), 422);
    assert!(backwards.text().await.expect("html").contains("The end is not after the start."));
    assert_eq!(app.count("bookings").await, before);
}

#[tokio::test]
async fn booking_a_room_too_small_works_and_warns_afterwards() {
    let app = spawn_app().await;
    seed(&app).await;
    let r1508 = room_id(&app, "1508").await;
    app.logged_in("mei", &["staff"]).await;
    let csrf = app.csrf_from(&app.client, &format!("/rooms/{r1508}")).await;
    let day = day_ahead(4).to_string();
    let before = app.count("bookings").await;

    let res = post_form(
        &app,
        &format!("/rooms/{r1508}/book"),
        &csrf,
        &[("date", &day), ("start", "14:00"), ("end", "16:00"), ("title", "Delegation lunch talk"), ("attendees", "25")],
    )
    .await;
    let location = res.headers()["location"].to_str().expect("location").to_string();
    let (_, html) = page(&app, &location).await;

    assert_eq!(res.status().as_u16(), 303);
    assert!(location.starts_with(&format!("/rooms/{r1508}?week={day}&booked=")), "{location}");
    assert!(html.contains("This room seats 16; 25 people are expected."), "{html}");
    assert_eq!(app.count("bookings").await, before + 1);
}

#[tokio::test]
async fn the_free_room_finder_leaves_out_a_booked_room_and_a_room_too_small() {
    let app = spawn_app().await;
    seed(&app).await;
    let token = app.token_for("office", &["staff"], None).await;
    let (r1507, r1508) = (room_id(&app, "1507").await, room_id(&app, "1508").await);
    let day = day_ahead(6);
    book_api(&app, &token, r1507, "Symposium", day, ("14:00", "16:00"), 35).await;
    app.logged_in("mei", &["staff"]).await;
    let rooms_in =
        |html: &str| -> Vec<i64> { html.split("<tr data-room=\"").skip(1).filter_map(|s| s.split('"').next()?.parse().ok()).collect() };

    let (_, at_two_for_ten) = page(&app, &format!("/rooms/free?date={day}&from=14:30&to=15:30&people=10")).await;
    let (_, at_two_for_twenty) = page(&app, &format!("/rooms/free?date={day}&from=14:30&to=15:30&people=20")).await;
    let (_, at_nine_for_ten) = page(&app, &format!("/rooms/free?date={day}&from=09:00&to=10:00&people=10&title=Talk")).await;
    let (bad, _) = page(&app, &format!("/rooms/free?date={day}&from=10:00&to=09:00&people=10")).await;

    assert_eq!(rooms_in(&at_two_for_ten), [r1508], "1507 is booked");
    assert!(rooms_in(&at_two_for_twenty).is_empty(), "1508 seats 16, 1507 is booked");
    assert_eq!(rooms_in(&at_nine_for_ten), [r1508, r1507], "smallest first");
    assert!(at_nine_for_ten.contains(&format!("action=\"/rooms/{r1508}/book\"")), "one click books it");
    assert_eq!(bad, 422);
}

#[tokio::test]
async fn a_room_manager_confirms_a_pending_booking_from_the_approvals_list() {
    let app = spawn_app().await;
    seed(&app).await;
    let token = app.token_for("office", &["staff"], None).await;
    let res = app
        .client
        .post(app.url("/api/v1/rooms"))
        .bearer_auth(&token)
        .json(&json!({"building_id": sqlx::query_scalar::<_, i64>("SELECT id FROM buildings").fetch_one(&app.db.pool).await.expect("building"), "name": "Hall A", "capacity": 200, "needs_approval": true}))
        .send()
        .await
        .expect("room");
    let hall: Value = res.json().await.expect("json");
    let day = day_ahead(8);
    let pending = book_api(&app, &token, hall["id"].as_i64().expect("id"), "Opening ceremony", day, ("09:00", "10:00"), 150).await;
    app.logged_in("mei", &["staff"]).await;
    let csrf = app.csrf_from(&app.client, "/rooms/approvals").await;
    let (_, list) = page(&app, "/rooms/approvals").await;

    let confirm = post_form(&app, &format!("/rooms/bookings/{}/confirm", pending["id"]), &csrf, &[("next", "/rooms/approvals")]).await;
    let (_, after) = page(&app, "/rooms/approvals").await;
    let status: String = sqlx::query_scalar("SELECT status FROM bookings WHERE id = $1")
        .bind(pending["id"].as_i64())
        .fetch_one(&app.db.pool)
        .await
        .expect("status");

    assert_eq!(pending["status"], "pending");
    assert!(list.contains("Opening ceremony") && list.contains("09:00–10:00"));
    assert_eq!(confirm.status().as_u16(), 303);
    assert!(!after.contains("Opening ceremony"));
    assert_eq!(status, "confirmed");
}

#[tokio::test]
async fn room_managers_add_a_building_and_a_room_with_inline_errors() {
    let app = spawn_app().await;
    seed(&app).await;
    app.logged_in("mei", &["staff"]).await;
    let csrf = app.csrf_from(&app.client, "/rooms").await;

    let bad_zone = post_form(&app, "/rooms/buildings", &csrf, &[("name_en", "Library"), ("time_zone", "Mars/Olympus")]).await;
    let building =
        post_form(&app, "/rooms/buildings", &csrf, &[("name_en", "Library"), ("name_zh", "图书馆"), ("time_zone", "Asia/Shanghai")]).await;
    let library: i64 =
        sqlx::query_scalar("SELECT id FROM buildings WHERE name_en = 'Library'").fetch_one(&app.db.pool).await.expect("library");
    let bad_room =
        post_form(&app, "/rooms/new", &csrf, &[("building_id", &library.to_string()), ("name", "L1"), ("capacity", "none")]).await;
    let room = post_form(&app, "/rooms/new", &csrf, &[("building_id", &library.to_string()), ("name", "L1"), ("capacity", "12")]).await;
    let (_, list) = page(&app, "/rooms").await;

    assert_eq!(bad_zone.status().as_u16(), 422);
    assert!(bad_zone.text().await.expect("html").contains("Mars/Olympus"), "the message names the bad zone and the input is kept");
    assert_eq!(building.status().as_u16(), 303);
    assert_eq!(bad_room.status().as_u16(), 422);
    assert!(bad_room.text().await.expect("html").contains("Give the number of seats"));
    assert_eq!(room.status().as_u16(), 303);
    assert!(list.contains("图书馆") && list.contains(">L1</a>"));
}
