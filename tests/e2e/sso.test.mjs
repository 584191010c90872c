// Single sign-on in a real browser: a student signs in through the OpenID Connect
// provider and through the CAS server (both started by scripts/test-deps.sh), lands on
// "my applications", and an administrator sees who signed in how on /users.
// Screenshots (1280 and 390 px, English and Chinese) go to target/screenshots/.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { launch, login, shots, startDemo } from "./app.mjs";

const OIDC = process.env.LIAISON_TEST_OIDC_URL || "http://127.0.0.1:9410";
const CAS = process.env.LIAISON_TEST_CAS_URL || "http://127.0.0.1:9412/cas";
const suffix = randomBytes(3).toString("hex");

async function answers(url) {
  try { await fetch(url); return true; } catch { return false; }
}

let app;
let browser;
let skip = false;

before(async () => {
  if (!(await answers(`${OIDC}/.well-known/openid-configuration`)) || !(await answers(`${CAS}/login`))) {
    const msg = `identity providers ${OIDC} / ${CAS} do not answer: run scripts/test-deps.sh`;
    assert.ok(!process.env.CI, msg);
    console.error(`\n!!!!!!!! SKIPPED: ${msg} !!!!!!!!\n`);
    skip = true;
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), "liaison-e2e-sso-"));
  const config = join(dir, "liaison.toml");
  writeFileSync(config, `
[sso]
[[sso.oidc]]
id = "campus"
issuer = "${OIDC}"
client_id = "liaison-e2e-${suffix}"
client_secret = "e2e"
name_en = "Campus account"
name_zh = "校园账号"
roles = [{ claim = "eduPersonAffiliation", value = "student", role = "student" }]
[[sso.cas]]
id = "cas"
url = "${CAS}"
name_en = "Unified identity authentication"
name_zh = "统一身份认证"
trust_email = true
roles = [{ claim = "eduPersonAffiliation", value = "student", role = "student" }]
`);
  app = await startDemo({ LIAISON_CONFIG: config });
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await app?.stop();
});

async function shoot(page, name) {
  for (const [width, tag] of [[1280, "desktop"], [390, "phone"]]) {
    await page.setViewportSize({ width, height: 900 });
    await page.screenshot({ path: join(shots, `${name}-${tag}.png`), fullPage: true });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth + 1);
    assert.equal(overflow, false, `${name} is no wider than ${width} px`);
  }
  await page.setViewportSize({ width: 1280, height: 900 });
}

test("the login page offers each provider", async (t) => {
  if (skip) return t.skip("providers not running");
  const page = await browser.newPage();
  await page.goto(`${app.url}/login`);
  assert.ok(await page.isVisible("a[data-provider=campus]"));
  assert.ok(await page.isVisible("a[data-provider=cas]"));
  await shoot(page, "sso-01-login-en");
  await page.goto(`${app.url}/login?lang=zh`);
  assert.match(await page.textContent("a[data-provider=cas]"), /统一身份认证/);
  await shoot(page, "sso-01-login-zh");
  await page.close();
});

test("a student signs in through OpenID Connect and lands on their applications", async (t) => {
  if (skip) return t.skip("providers not running");
  const sub = `li.hua.${suffix}`;
  const put = await fetch(`${OIDC}/users/${sub}`, {
    method: "PUT", headers: { "content-type": "application/json" },
    body: JSON.stringify({ name: "Li Hua", preferred_username: sub, eduPersonAffiliation: "student" }),
  });
  assert.equal(put.status, 204);
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${app.url}/login`);
  await Promise.all([page.waitForURL(/oauth2\/authorize/), page.click("a[data-provider=campus]")]);
  await page.fill("input[name=sub]", sub);
  await Promise.all([page.waitForURL(/\/my\/applications$/), page.click("button[type=submit]:has-text('Authorize')")]);
  assert.match(await page.textContent("h1"), /My applications/);
  assert.ok(await page.isVisible("#no-applications"));
  assert.equal(await page.locator("nav a[href='/institutions']").count(), 0, "no staff links in a student's menu");
  await shoot(page, "sso-02-my-applications-en");
  const staffPage = await page.goto(`${app.url}/institutions`);
  assert.equal(staffPage.status(), 403, "a student is refused staff pages");
  await page.goto(`${app.url}/my/applications?lang=zh`);
  assert.match(await page.textContent("h1"), /我的申请/);
  await shoot(page, "sso-02-my-applications-zh");
  await context.close();
});

test("a student signs in through the CAS server", async (t) => {
  if (skip) return t.skip("providers not running");
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${app.url}/login`);
  await Promise.all([page.waitForURL(/\/cas\/login/), page.click("a[data-provider=cas]")]);
  await page.fill("input[name=username]", `stu.wang.${suffix}`);
  await page.fill("input[name=password]", "cas-password");
  await Promise.all([page.waitForURL(/\/my\/applications$/), page.click("button[type=submit]")]);
  assert.match(await page.textContent("h1"), /My applications/);
  assert.match(await page.textContent(".who"), /Stu Wang/);
  await context.close();
});

test("an administrator sees who signed in how and manages roles on /users", async (t) => {
  if (skip) return t.skip("providers not running");
  const context = await browser.newContext();
  const page = await context.newPage();
  await login(page, app.url, "admin", app.password);
  await page.goto(`${app.url}/users`);
  const identities = await page.textContent("#identities");
  assert.ok(identities.includes(`li.hua.${suffix}`) && identities.includes(`stu.wang.${suffix}`), "both sign-ons are listed");
  await shoot(page, "sso-03-users-en");
  await Promise.all([page.waitForLoadState("load"), page.click(`#users a:text-is("stu.wang.${suffix}")`)]);
  await page.selectOption("#grant-role", "viewer");
  await Promise.all([page.waitForLoadState("load"), page.click("#grant button[type=submit]")]);
  assert.match(await page.textContent("[role=status]"), /The role was granted/);
  await shoot(page, "sso-04-user-en");
  await page.goto(`${page.url().split("?")[0]}?lang=zh`);
  assert.match(await page.textContent("#roles"), /查看者/);
  await shoot(page, "sso-04-user-zh");
  await page.goto(`${app.url}/users?lang=zh`);
  await shoot(page, "sso-03-users-zh");
  await context.close();
});
