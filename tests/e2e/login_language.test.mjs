// Logs in, switches the language (remembered per user), opens the seed partner, and
// keeps screenshots of each step in target/screenshots/.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, statSync } from "node:fs";
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
  const stopped = await app?.stop();
  assert.ok(stopped, "liaison demo did not stop within 10 s of SIGTERM");
  assert.equal(stopped.code, 0, "graceful shutdown exits 0");
});

async function shot(page, name) {
  const file = join(shots, name);
  await page.screenshot({ path: file, fullPage: true });
  assert.ok(existsSync(file) && statSync(file).size > 1000, `screenshot ${name} was written`);
}

test("an anonymous visit is sent to the login page", async () => {
  const page = await browser.newPage();
  await page.goto(`${app.url}/institutions`);
  assert.match(new URL(page.url()).pathname, /^\/login$/);
  await shot(page, "01-login.png");
  await page.close();
});

test("a wrong password shows an inline message", async () => {
  const page = await browser.newPage();
  await login(page, app.url, "admin", "not-the-password");
  const alert = await page.textContent("[role=alert]");
  assert.ok(alert && alert.length > 10, "an alert explains the failure");
  assert.equal(await page.inputValue("input[name=username]"), "admin", "the username is kept");
  await shot(page, "05-login-error.png");
  await page.close();
});

test("logging in, switching to Chinese, and the choice is remembered", async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await login(page, app.url, "admin", app.password);
  assert.equal(new URL(page.url()).pathname, "/");
  assert.ok(await page.isVisible("h1"));
  assert.ok(await page.isVisible("nav"));
  assert.equal(await page.getAttribute("html", "lang"), "en");
  await shot(page, "02-dashboard-en.png");

  await Promise.all([page.waitForLoadState("load"), page.click("form#language-switch button[value=zh]")]);
  assert.equal(await page.getAttribute("html", "lang"), "zh-Hans");
  assert.match(await page.textContent("nav"), /[\u4e00-\u9fff]/, "the menu is in Chinese");
  await shot(page, "03-dashboard-zh.png");

  await Promise.all([page.waitForLoadState("load"), page.click("form#logout button[type=submit]")]);
  await context.close();

  const fresh = await browser.newContext();
  const again = await fresh.newPage();
  await login(again, app.url, "admin", app.password);
  assert.equal(await again.getAttribute("html", "lang"), "zh-Hans", "remembered for the user, not the browser");
  await Promise.all([again.waitForLoadState("load"), again.click("form#language-switch button[value=en]")]);
  assert.equal(await again.getAttribute("html", "lang"), "en");
  await fresh.close();
});

test("the seed partner and its people are on their pages", async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await login(page, app.url, "admin", app.password);
  await page.goto(`${app.url}/institutions`);
  assert.ok((await page.textContent("main")).includes("Infrastructure University Kuala Lumpur"));
  await Promise.all([page.waitForLoadState("load"), page.click("text=Infrastructure University Kuala Lumpur")]);
  const text = await page.textContent("main");
  assert.ok(text.includes("Chen Zhihui"), "the delegation leader is listed");
  assert.ok(text.includes("Institute of Smart Industry"), "the unit is listed");
  await shot(page, "04-institution-detail.png");

  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(`${app.url}/`);
  await shot(page, "06-dashboard-phone.png");
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth + 1);
  assert.equal(overflow, false, "no sideways scrolling on a phone");
  await context.close();
});

test("live search narrows the list without a page load", async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await login(page, app.url, "admin", app.password);
  await page.goto(`${app.url}/institutions`);
  await page.fill("input#q", "IUKL");
  await page.waitForFunction(() => !document.querySelector("#results").textContent.includes("Demo University of Technology"));
  assert.ok((await page.textContent("#results")).includes("Infrastructure University Kuala Lumpur"));
  await context.close();
});

test("the public partners page shows the map, coloured, in the visitor's language", async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${app.url}/partners?lang=zh`);
  assert.equal(await page.getAttribute("html", "lang"), "zh-Hans");
  assert.ok((await page.textContent("main")).includes("马来西亚"), "country names in Chinese");
  // The map is its own SVG document inside <object>: it must load past the CSP and
  // frame rules and colour Malaysia.
  await page.waitForFunction(() => document.querySelector("object")?.contentDocument?.getElementById("MY"), null, { timeout: 10_000 });
  const fillOf = (code) => page.evaluate((c) => {
    const obj = document.querySelector("object");
    return obj.contentWindow.getComputedStyle(obj.contentDocument.getElementById(c)).fill;
  }, code);
  const fill = await fillOf("MY");
  const grey = await fillOf("FR");
  assert.notEqual(fill, grey, "Malaysia is coloured, France is not");
  await shot(page, "07-partners-zh.png");
  await context.close();
});
