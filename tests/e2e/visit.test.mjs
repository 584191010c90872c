// Records the seed story's visit again, through the browser only: the visit, its
// delegation (four people, one named leader), hosts, the two sessions in conference
// rooms 1508 and 1507 of the Shixun Building, the outcome and the status steps. The demo
// already holds the visit; its sessions are removed first so the rooms are free, and a
// clash is tried on the way to show the room lock at work.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { launch, login, shots, startDemo } from "./app.mjs";

let app;
let browser;

before(async () => {
  app = await startDemo();
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await app?.stop();
});

async function submit(page, selector) {
  await Promise.all([page.waitForLoadState("load"), page.click(selector)]);
}

async function addSession(page, s) {
  await page.click("#sessions details summary");
  await page.selectOption("#s-kind", s.kind);
  await page.fill("#s-title", s.title);
  await page.fill("#s-date", "2024-05-08");
  await page.fill("#s-start", s.start);
  await page.fill("#s-end", s.end);
  await page.selectOption("#s-room", { label: s.room });
  for (const t of s.topics) await page.check(`#sessions input[name=topics][value=${t}]`);
  for (const p of s.people) await page.check(`#sessions label:has-text("${p}") input[name=participant_ids]`);
  await submit(page, "#sessions form.form button[type=submit]");
}

test("the seed visit is recorded again through the browser", async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await login(page, app.url, "admin", app.password);

  // The demo's own record of the visit holds the rooms: free them.
  await page.goto(`${app.url}/visits`);
  await submit(page, "text=Delegation from Infrastructure University Kuala Lumpur");
  const demoVisit = page.url();
  while (await page.isVisible("#sessions li.session form button")) {
    await submit(page, "#sessions li.session form button");
  }
  assert.equal(await page.locator("#sessions li.session").count(), 0);

  // The visit itself.
  await page.goto(`${app.url}/visits/new`);
  await page.check("input[name=direction][value=inbound]");
  await page.fill("#title", "IUKL delegation: symposium on international cooperation and exchange");
  await page.fill("#institution", "IUKL");
  await page.fill("#purpose", "Symposium on international educational cooperation and exchange");
  await page.fill("#start_date", "2024-05-08");
  await page.fill("#end_date", "2024-05-08");
  await page.fill("#head_count", "4");
  await submit(page, "form.form button[type=submit]");
  assert.match(new URL(page.url()).pathname, /^\/visits\/\d+$/);
  assert.notEqual(page.url(), demoVisit);
  const visitUrl = page.url();

  // Delegation: Chen Zhihui leads; three more are unnamed.
  await page.check('#members-form label:has-text("Chen Zhihui") input[name=person_id]');
  await page.selectOption("#members-form select[name=role]", "leader");
  await submit(page, "#members-form button[type=submit]");
  assert.match(await page.textContent("#members"), /Chen Zhihui — leader/);

  // Hosts: two officials and two units (one of them with two names).
  for (const name of ["Ma Shaojian", "Qin Yongling"]) {
    await page.selectOption("#host-person", { label: name });
    await submit(page, "#hosts-form button[type=submit]");
  }
  await page.selectOption("#host-unit", { label: "Human Resources Department" });
  await submit(page, "#hosts-form button[type=submit]");
  await page.selectOption("#host-unit", { label: "School of Foreign Studies (School of International Education)" });
  await submit(page, "#hosts-form button[type=submit]");
  const hosts = await page.textContent("#hosts ul");
  for (const h of ["Ma Shaojian", "Qin Yongling", "Human Resources Department", "School of International Education"]) {
    assert.ok(hosts.includes(h), `host ${h}`);
  }

  // Morning: the courtesy meeting in 1508.
  await addSession(page, {
    kind: "courtesy_meeting", title: "President Ma Shaojian meets the IUKL delegation", start: "09:00", end: "09:45",
    room: "Shixun Building 1508 (16)", topics: ["joint_education", "academic_exchange", "teacher_training", "degree_progression", "student_exchange"],
    people: ["Ma Shaojian", "Chen Zhihui"],
  });
  // A clash: the symposium may not take 1508 while the meeting is on.
  await addSession(page, {
    kind: "symposium", title: "Clash", start: "09:30", end: "10:30", room: "Shixun Building 1508 (16)", topics: [], people: [],
  });
  assert.match(await page.textContent("#sessions [role=alert]"), /already booked/);
  await page.screenshot({ path: join(shots, "20-visit-clash.png"), fullPage: true });
  // Then the symposium in 1507, on every cooperation area.
  await page.goto(visitUrl);
  await addSession(page, {
    kind: "symposium", title: "Symposium on international educational cooperation and exchange", start: "10:00", end: "11:30",
    room: "Shixun Building 1507 (40)",
    topics: ["joint_education", "academic_exchange", "teacher_training", "degree_progression", "student_exchange",
      "faculty_exchange", "joint_training", "collaborative_research"],
    people: ["Qin Yongling", "Chen Zhihui"],
  });
  const agenda = await page.textContent("#sessions");
  assert.ok(agenda.includes("09:00–09:45") && agenda.includes("Conference room 1508, Shixun Building"));
  assert.ok(agenda.includes("10:00–11:30") && agenda.includes("Conference room 1507, Shixun Building"));

  // Outcome, then planned → confirmed → completed.
  await page.fill("#o-text", "Both schools reached a consensus on international educational cooperation projects.");
  await submit(page, "#outcomes form button");
  for (const status of ["confirmed", "completed"]) {
    await page.selectOption("#status-to", status);
    await submit(page, "#summary + form button");
  }
  const summary = await page.textContent("#summary");
  assert.match(summary, /completed/);
  assert.match(summary, /4 people, led by Chen Zhihui/);
  await page.screenshot({ path: join(shots, "21-visit-recorded.png"), fullPage: true });

  // The printable itinerary has both sessions in order.
  await page.goto(`${visitUrl}/itinerary`);
  const rows = await page.locator("table.itinerary-day tbody tr").allTextContents();
  assert.equal(rows.length, 2);
  assert.match(rows[0], /09:00–09:45.*1508/s);
  assert.match(rows[1], /10:00–11:30.*1507/s);
  await context.close();
});
