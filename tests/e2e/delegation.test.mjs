// The everyday task of recording an inbound delegation, as a new staff member would do it
// in the browser: a partner that is only in the directory, three new members and a room,
// in at most five form submissions. Also edits the visit and removes a member, and keeps
// screenshots of each step (English and Chinese, 1280 and 390 px).
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

test("a delegation from a directory-only university, three new members and a room, in five submissions", async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await login(page, app.url, "admin", app.password);
  let submissions = 0;
  const submit = async (selector) => {
    submissions++;
    await Promise.all([page.waitForLoadState("load"), page.click(selector)]);
  };

  // 1. The visit, with the university picked from the suggestions (a directory entry).
  await page.goto(`${app.url}/visits/new`);
  await page.fill("#title", "Delegation from Universiti Tunku Abdul Rahman");
  await page.type("#institution", "Tunku Abdul Rahman", { delay: 20 });
  const entry = page.locator(".suggest-box button[data-domain='1utar.my']");
  await entry.waitFor({ timeout: 10_000 });
  assert.match(await entry.textContent(), /Malaysia|马来西亚/, "the suggestion shows the country");
  await page.screenshot({ path: join(shots, "delegation-1-suggest-en-1280.png"), fullPage: true });
  await entry.click();
  assert.equal(await page.inputValue("input[name=institution_domain]"), "1utar.my");
  await page.fill("#start_date", "2026-12-15");
  await page.fill("#end_date", "2026-12-15");
  await page.fill("#head_count", "3");
  await submit("form.form button[type=submit].primary");
  assert.match(new URL(page.url()).pathname, /^\/visits\/\d+$/, "the visit is saved");
  const visitUrl = page.url();
  assert.match(await page.textContent("#summary"), /Universiti Tunku Abdul Rahman/);

  // 2. Three new members in one step, recorded at the university with their titles.
  const members = [
    ["Lim Wei Ming", "Vice-Chancellor", "leader"],
    ["Nur Aisyah binti Ahmad", "Dean of Engineering", "member"],
    ["Tan Mei Ling", "International Office Director", "member"],
  ];
  for (const [i, [name, title, role]] of members.entries()) {
    await page.fill(`input[name=new_name_${i}]`, name);
    await page.fill(`input[name=new_title_${i}]`, title);
    await page.selectOption(`select[name=new_role_${i}]`, role);
  }
  await submit("#members-form button[type=submit]");
  const delegation = await page.textContent("#members");
  for (const [name] of members) assert.ok(delegation.includes(name), `${name} is in the delegation`);

  // 3. A session in conference room 1508.
  await page.click("#sessions details summary");
  await page.fill("#s-title", "Talks on student exchange");
  await page.fill("#s-date", "2026-12-15");
  await page.fill("#s-start", "10:00");
  await page.fill("#s-end", "11:30");
  const room = await page.$eval("#s-room", (sel) => [...sel.options].find((o) => o.textContent.includes("1508"))?.value);
  assert.ok(room, "room 1508 is offered");
  await page.selectOption("#s-room", room);
  await submit("#sessions form.form button[type=submit]");
  assert.match(await page.textContent("#sessions"), /1508/);
  assert.ok(submissions <= 5, `${submissions} form submissions`);
  await page.screenshot({ path: join(shots, "delegation-2-visit-en-1280.png"), fullPage: true });

  // The university is now a partner (prospective), linked from the visit.
  await page.click("#summary a[href^='/institutions/']");
  assert.match(await page.textContent("h1"), /Tunku Abdul Rahman/);
  await page.waitForSelector("#related-visits li");
  assert.match(await page.textContent("#related-visits"), /Delegation from Universiti Tunku Abdul Rahman/);

  // Everyday corrections: edit the visit, remove a member.
  await page.goto(visitUrl);
  await Promise.all([page.waitForLoadState("load"), page.click("a[href$='/edit']")]);
  await page.fill("#title", "Delegation from UTAR");
  await Promise.all([page.waitForLoadState("load"), page.click("button[type=submit].primary")]);
  assert.equal(await page.textContent("h1"), "Delegation from UTAR");
  await Promise.all([page.waitForLoadState("load"), page.click("#members li:has-text('Tan Mei Ling') button.link")]);
  assert.ok(!(await page.textContent("#members ul.people-list")).includes("Tan Mei Ling"), "the member is removed");

  // A refused form leaves an address that reloads (no 405).
  await page.click("#sessions details summary");
  await page.fill("#s-title", "");
  await Promise.all([page.waitForLoadState("load"), page.click("#sessions form.form button[type=submit]")]);
  const reload = await page.goto(page.url());
  assert.ok(reload.status() < 400, `reloading ${page.url()} answers ${reload.status()}`);

  for (const [lang, width] of [["en", 390], ["zh", 1280], ["zh", 390]]) {
    await page.setViewportSize({ width, height: 900 });
    await page.goto(visitUrl);
    await Promise.all([page.waitForLoadState("load"), page.click(`#language-switch button[value=${lang}]`)]);
    await page.screenshot({ path: join(shots, `delegation-3-visit-${lang}-${width}.png`), fullPage: true });
  }
  await context.close();
});
