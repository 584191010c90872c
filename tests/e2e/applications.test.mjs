// The whole path of an application through the browser, on the demo's open call
// "IUKL undergraduate exchange 2026/27": a student on a phone-sized screen applies,
// ranks IUKL, fills the form, uploads a transcript and submits; the office closes the
// call, screens, scores, ranks and allocates (the reason is shown), publishes; the
// student accepts the place; the office nominates; IUKL's coordinator accepts the
// nominee through the signed link, without an account.
// Screenshots (1280 and 390 px, English and Chinese) go to target/screenshots/.
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

async function noOverflow(page, what) {
  const wide = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth + 1);
  assert.equal(wide, false, `${what} scrolls sideways`);
}

async function shoot(page, name) {
  for (const lang of ["en", "zh"]) {
    await page.evaluate(async (l) => {
      const form = document.getElementById("language-switch");
      const body = new URLSearchParams({ _csrf: form.querySelector("[name=_csrf]").value, lang: l });
      await fetch("/settings/language", { method: "POST", body, credentials: "same-origin", redirect: "manual" });
    }, lang);
    await page.reload();
    await page.screenshot({ path: join(shots, `${name}-${lang}.png`), fullPage: true });
  }
  await page.evaluate(async () => {
    const form = document.getElementById("language-switch");
    const body = new URLSearchParams({ _csrf: form.querySelector("[name=_csrf]").value, lang: "en" });
    await fetch("/settings/language", { method: "POST", body, credentials: "same-origin", redirect: "manual" });
  });
  await page.reload();
}

test("a student applies on a phone, the office allocates and nominates, the partner accepts", async () => {
  const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  const student = await phone.newPage();
  const errors = [];
  student.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
  await login(student, app.url, "zhao.lei", app.password);
  assert.match(student.url(), /\/my\/applications$/);

  // Apply to the open call from the list of open calls.
  await submit(student, "#open-calls a:has-text('IUKL undergraduate exchange 2026/27')");
  await submit(student, "#apply");
  assert.match(student.url(), /\/my\/applications\/\d+$/);
  const mine = student.url();
  assert.ok(await student.isVisible("#missing"), "what is missing is listed");
  await student.selectOption("#choice-1", { label: "Infrastructure University Kuala Lumpur (5)" });
  await student.selectOption("#level", "undergraduate");
  await student.fill("#gpa", "3.60");
  await student.fill("#student_number", "20220042");
  await student.fill("#faculty", "School of Electronic Information");
  await student.fill("#language_certificate", "IELTS 7.0");
  await student.fill("#motivation", "Electronic information technology at IUKL's Institute of Smart Industry.");
  await submit(student, "#save");
  assert.ok(await student.isVisible("text=Saved."));
  await student.selectOption("#doc-kind", "transcript");
  await student.setInputFiles("#doc-file", { name: "transcript.pdf", mimeType: "application/pdf", buffer: Buffer.from("%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n") });
  await Promise.all([student.waitForEvent("load"), student.click("#document-upload button")]);
  assert.ok(await student.isVisible("#document-list a:has-text('transcript.pdf')"));
  assert.equal(await student.isVisible("#missing"), false, "nothing is missing any more");
  await noOverflow(student, "the application form at 390 px");
  await shoot(student, "application-student-390");
  await submit(student, "button.step-submit");
  assert.equal((await student.textContent("#status")).trim(), "Submitted");

  // The office: close the call, screen, score, allocate, publish.
  const desk = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const office = await desk.newPage();
  await login(office, app.url, "admin", app.password);
  await office.goto(`${app.url}/calls`);
  await submit(office, ".call-card:has-text('2026/27') a.button");
  const callPage = office.url();
  await submit(office, "#action-close");
  await submit(office, "#action-screen");
  await submit(office, "#applications a:has-text('Zhao Lei')");
  await office.fill("#score-academic", "88");
  await office.fill("#score-motivation", "90");
  await submit(office, "#score-form button[type=submit]");
  assert.equal((await office.textContent("#score")).trim(), "88.80");
  await office.goto(callPage);
  await submit(office, "#action-allocate");
  const reason = await office.textContent("#applications tr:has-text('Zhao Lei') td.reason");
  assert.match(reason, /Rank 1: got choice 1 \(Infrastructure University Kuala Lumpur\)\./);
  await submit(office, "#action-publish");
  await shoot(office, "application-office-1280");

  // The student accepts the place offered.
  await student.goto(mine);
  assert.match(await student.textContent("#explanation"), /got choice 1/);
  await submit(student, "button.step-accept");
  assert.equal((await student.textContent("#status")).trim(), "Place accepted");

  // The office nominates; the partner answers through the link on the call page.
  await office.goto(callPage);
  await submit(office, "#action-nominate");
  assert.equal((await office.textContent("#applications tr:has-text('Zhao Lei') .status")).trim(), "Nominated");
  const link = await office.inputValue("#partner-links input.link");
  const outside = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const partner = await outside.newPage();
  await partner.goto(link);
  const nominee = partner.locator("#nominees li:has-text('Zhao Lei')");
  await Promise.all([partner.waitForLoadState("load"), nominee.locator("button[value=accept]").click()]);
  assert.equal((await partner.locator("#nominees li:has-text('Zhao Lei') .status").textContent()).trim(), "Accepted by the partner");
  await partner.screenshot({ path: join(shots, "application-partner-390-en.png"), fullPage: true });

  await student.goto(mine);
  assert.equal((await student.textContent("#status")).trim(), "Accepted by the partner");
  await student.screenshot({ path: join(shots, "application-student-390-done-en.png"), fullPage: true });
  assert.deepEqual(errors, []);
  await phone.close();
  await desk.close();
  await outside.close();
});
