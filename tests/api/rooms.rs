use serde_json::{Value, json};

use crate::helpers::{TestApp, seed, spawn_app};

async fn post(app: &TestApp, base: &str, token: &str, path: &str, body: Value) -> (u16, Value) {
    let res = app.client.post(format!("{base}{path}")).bearer_auth(token).json(&body).send().await.expect("post");
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

async fn room_id(app: &TestApp, name: &str) -> i64 {
    sqlx::query_scalar("SELECT id FROM rooms WHERE name = $1").bind(name).fetch_one(&app.db.pool).await.expect("room")
}

fn slot(day_offset: i64, from_h: i64, to_h: i64) -> (String, String) {
    // A few days ahead, so the slot is always in the future.
    let ts = jiff::Timestamp::now().checked_add(jiff::SignedDuration::from_hours(24 * day_offset)).expect("date");
    let day = ts.strftime("%Y-%m-%d");
    (format!("{day}T{from_h:02}:00:00+08:00"), format!("{day}T{to_h:02}:00:00+08:00"))
}

#[tokio::test]
async fn the_seed_rooms_of_the_shixun_building_exist() {
    let app = spawn_app().await;
    seed(&app).await;
    let token = app.token_for("office", &["staff"], None).await;

    let rooms: Value =
        app.client.get(app.url("/api/v1/rooms")).bearer_auth(&token).send().await.expect("rooms").json().await.expect("json");

    let names: Vec<String> = rooms
        .as_array()
        .expect("rooms")
        .iter()
        .map(|r| format!("{} {}", r["building"].as_str().unwrap_or(""), r["name"].as_str().unwrap_or("")))
        .collect();
    assert_eq!(names, ["Shixun Building 1507", "Shixun Building 1508"]);
}

#[tokio::test]
async fn an_overlapping_booking_is_refused_with_the_booking_it_collides_with() {
    let app = spawn_app().await;
    seed(&app).await;
    let token = app.token_for("office", &["staff"], None).await;
    let r1508 = room_id(&app, "1508").await;
    let (s9, e11) = slot(7, 9, 11);
    let (s10, e12) = slot(7, 10, 12);
    let (s11, e12b) = slot(7, 11, 12);
    let base = app.address.clone();

    let (first, booked) = post(
        &app,
        &base,
        &token,
        "/api/v1/bookings",
        json!({"room_id": r1508, "title": "Courtesy meeting with the IUKL delegation", "starts_at": s9, "ends_at": e11, "attendees": 12}),
    )
    .await;
    let (overlap, problem) =
        post(&app, &base, &token, "/api/v1/bookings", json!({"room_id": r1508, "title": "Other", "starts_at": s10, "ends_at": e12})).await;
    let (adjacent, _) =
        post(&app, &base, &token, "/api/v1/bookings", json!({"room_id": r1508, "title": "Follow-up", "starts_at": s11, "ends_at": e12b}))
            .await;

    assert_eq!(first, 201, "{booked}");
    assert_eq!(booked["booking"]["status"], "confirmed");
    assert_eq!(overlap, 409);
    assert_eq!(problem["conflicts"]["booking"]["id"], booked["booking"]["id"]);
    assert_eq!(adjacent, 201, "back-to-back bookings do not overlap");
}

#[tokio::test]
async fn bad_bookings_get_clear_messages_and_small_rooms_a_warning() {
    let app = spawn_app().await;
    seed(&app).await;
    let token = app.token_for("office", &["staff"], None).await;
    let r1508 = room_id(&app, "1508").await;
    let (s, e) = slot(3, 14, 16);
    let base = app.address.clone();

    let (backwards, p1) =
        post(&app, &base, &token, "/api/v1/bookings", json!({"room_id": r1508, "title": "x", "starts_at": e, "ends_at": s})).await;
    let (past, p2) = post(
        &app,
        &base,
        &token,
        "/api/v1/bookings",
        json!({"room_id": r1508, "title": "x", "starts_at": "2024-05-08T09:00:00+08:00", "ends_at": "2024-05-08T10:00:00+08:00"}),
    )
    .await;
    let (no_tz, p3) =
        post(&app, &base, &token, "/api/v1/bookings", json!({"room_id": r1508, "title": "x", "starts_at": "tomorrow 9", "ends_at": e}))
            .await;
    let (small, ok) = post(
        &app,
        &base,
        &token,
        "/api/v1/bookings",
        json!({"room_id": r1508, "title": "Symposium", "starts_at": s, "ends_at": e, "attendees": 30}),
    )
    .await;

    assert_eq!((backwards, p1["errors"][0]["field"].clone()), (422, json!("ends_at")));
    assert_eq!((past, p2["errors"][0]["field"].clone()), (422, json!("starts_at")));
    assert_eq!((no_tz, p3["errors"][0]["field"].clone()), (422, json!("starts_at")));
    assert_eq!(small, 201);
    assert!(ok["warnings"][0].as_str().unwrap_or("").contains("seats 16"), "{ok}");
}

#[tokio::test]
async fn free_rooms_are_found_for_a_group_at_a_time_and_cancelling_frees_a_room() {
    let app = spawn_app().await;
    seed(&app).await;
    let token = app.token_for("office", &["staff"], None).await;
    let r1507 = room_id(&app, "1507").await;
    let (s, e) = slot(5, 9, 12);
    let base = app.address.clone();
    let (_, b) =
        post(&app, &base, &token, "/api/v1/bookings", json!({"room_id": r1507, "title": "Symposium", "starts_at": s, "ends_at": e})).await;
    let free = |cap: i64| {
        let url = format!(
            "{}/api/v1/rooms/free?from={}&to={}&capacity={cap}",
            app.address,
            liaison::web::routes::urlencode(&s),
            liaison::web::routes::urlencode(&e)
        );
        let req = app.client.get(url).bearer_auth(&token);
        async move { req.send().await.expect("free").json::<Value>().await.expect("json") }
    };

    let for_ten = free(10).await;
    let for_thirty = free(30).await;
    let cancel = app
        .client
        .patch(app.url(&format!("/api/v1/bookings/{}", b["booking"]["id"])))
        .bearer_auth(&token)
        .json(&json!({"status": "cancelled"}))
        .send()
        .await
        .expect("cancel");
    let after = free(30).await;

    assert_eq!(for_ten.as_array().map(|a| a.iter().map(|r| r["name"].clone()).collect::<Vec<_>>()), Some(vec![json!("1508")]));
    assert_eq!(for_thirty, json!([]));
    assert_eq!(cancel.status().as_u16(), 200);
    assert_eq!(after[0]["name"], "1507");
}

#[tokio::test]
async fn rooms_that_need_approval_hold_bookings_pending_until_a_manager_confirms() {
    let app = spawn_app().await;
    let ids = seed(&app).await;
    let staff = app.token_for("office", &["staff"], None).await;
    let unit: i64 = sqlx::query_scalar("SELECT id FROM units ORDER BY id").fetch_one(&app.db.pool).await.expect("unit");
    let coord = app.token_for("coord", &["coordinator"], Some(unit)).await;
    let base = app.address.clone();
    let building: i64 = sqlx::query_scalar("SELECT id FROM buildings").fetch_one(&app.db.pool).await.expect("building");
    let (_, hall) = post(
        &app,
        &base,
        &staff,
        "/api/v1/rooms",
        json!({"building_id": building, "name": "Lecture Hall A", "capacity": 200, "needs_approval": true}),
    )
    .await;
    let (s, e) = slot(9, 9, 17);

    let (made, pending) = post(
        &app,
        &base,
        &coord,
        "/api/v1/bookings",
        json!({"room_id": hall["id"], "title": "Joint training opening", "starts_at": s, "ends_at": e}),
    )
    .await;
    let by_coord = app
        .client
        .patch(app.url(&format!("/api/v1/bookings/{}", pending["booking"]["id"])))
        .bearer_auth(&coord)
        .json(&json!({"status": "confirmed"}))
        .send()
        .await
        .expect("patch");
    let by_staff = app
        .client
        .patch(app.url(&format!("/api/v1/bookings/{}", pending["booking"]["id"])))
        .bearer_auth(&staff)
        .json(&json!({"status": "confirmed"}))
        .send()
        .await
        .expect("patch");

    assert_eq!(made, 201);
    assert_eq!(pending["booking"]["status"], "pending");
    assert_eq!(by_coord.status().as_u16(), 403);
    assert_eq!(by_staff.status().as_u16(), 200);
    let _ = ids;
}

#[tokio::test]
async fn two_hundred_simultaneous_requests_for_one_slot_on_two_instances_make_one_booking() {
    let app = spawn_app().await;
    seed(&app).await;
    let other = app.second_instance().await;
    let token = app.token_for("office", &["staff"], None).await;
    let r1507 = room_id(&app, "1507").await;
    let (s, e) = slot(11, 9, 10);

    let mut tasks = Vec::new();
    for i in 0..200 {
        let base = if i % 2 == 0 { app.address.clone() } else { other.clone() };
        let client = app.client.clone();
        let (token, s, e) = (token.clone(), s.clone(), e.clone());
        tasks.push(tokio::spawn(async move {
            let res = client
                .post(format!("{base}/api/v1/bookings"))
                .bearer_auth(&token)
                .json(&json!({"room_id": r1507, "title": format!("Request {i}"), "starts_at": s, "ends_at": e}))
                .send()
                .await
                .expect("post");
            res.status().as_u16()
        }));
    }
    let mut statuses = Vec::new();
    for t in tasks {
        statuses.push(t.await.expect("task"));
    }

    let created = statuses.iter().filter(|s| **s == 201).count();
    let refused = statuses.iter().filter(|s| **s == 409).count();
    assert_eq!((created, refused), (1, 199), "{statuses:?}");
    // The seed's own (past) booking of the room is not in the slot.
    let confirmed: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM bookings WHERE room_id = $1 AND status = 'confirmed' AND title LIKE 'Request %'")
            .bind(r1507)
            .fetch_one(&app.db.pool)
            .await
            .expect("count");
    assert_eq!(confirmed, 1);
}

#[tokio::test]
async fn a_second_booking_waits_for_the_first_and_then_sees_its_slot_taken() {
    // Deterministic version of the race: transaction A books and holds its transaction
    // open; B, on another connection, must wait for A and then be refused.
    let app = spawn_app().await;
    seed(&app).await;
    let r1507 = room_id(&app, "1507").await;
    let (s, e) = slot(13, 9, 10);
    let input = |title: &str| liaison::rooms::NewBooking {
        room_id: r1507,
        title: title.into(),
        starts_at: s.clone(),
        ends_at: e.clone(),
        attendees: None,
    };
    let actor = liaison::audit::Actor::system("test");

    let mut a = app.db.pool.begin().await.expect("tx a");
    liaison::rooms::book(&mut a, &actor, &input("A"), false).await.expect("A books");
    let pool = app.db.pool.clone();
    let b_input = input("B");
    let b = tokio::spawn(async move {
        let mut b = pool.begin().await.expect("tx b");
        let result = liaison::rooms::book(&mut b, &liaison::audit::Actor::system("test"), &b_input, false).await;
        let _ = b.commit().await;
        result.map(|_| ()).map_err(|e| e.status().as_u16())
    });
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let b_waited = !b.is_finished();
    a.commit().await.expect("commit a");
    let b_result = b.await.expect("task");

    assert!(b_waited, "B must wait for A's room lock");
    assert_eq!(b_result, Err(409));
}
