// The news desk through the browser with five people: the author drafts an article from
// the seed visit and edits it; the translator writes the English (with two slips) and
// hands it on; the photographer uploads a photo with captions; the proofreader sees the
// aid flag the slips and sends the article back once; the translator fixes them and
// resubmits; the proofreader passes it; the reviewer approves and publishes. The credits
// then name all five, on the staff page and on the public article page, where the credits
// are their own block and the view count stands apart from the date.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { deflateSync } from "node:zlib";
import { randomBytes } from "node:crypto";
import { launch, login, shots, startDemo } from "./app.mjs";

let app;
let browser;
let scratch;

before(async () => {
  app = await startDemo();
  browser = await launch();
  scratch = mkdtempSync(join(tmpdir(), "liaison-e2e-news-"));
});

after(async () => {
  await browser?.close();
  await app?.stop();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

// New accounts (the demo's own editors credit the seed article): their names can only
// reach these credits by their taking part.
const TEAM = [
  { username: "he.yun", name: "He Yun", role: "author" },
  { username: "lu.chen", name: "Lu Chen", role: "translator" },
  { username: "guo.ping", name: "Guo Ping", role: "photographer" },
  { username: "fang.li", name: "Fang Li", role: "proofreader" },
  { username: "song.jie", name: "Song Jie", role: "reviewer" },
];
const password = randomBytes(12).toString("hex");

// A small PNG drawn here (a sky-to-field gradient): signature, IHDR, IDAT, IEND.
function png(width, height) {
  const table = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (buf) => {
    let c = 0xffffffff;
    for (const b of buf) c = table[(c ^ b) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type, data) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
    const sum = Buffer.alloc(4);
    sum.writeUInt32BE(crc(body));
    return Buffer.concat([len, body, sum]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  const raw = Buffer.alloc((width * 3 + 1) * height);
  for (let y = 0; y < height; y++) {
    const row = y * (width * 3 + 1);
    for (let x = 0; x < width; x++) {
      const sky = y < height * 0.6;
      raw[row + 1 + x * 3] = sky ? 60 + (y * 120) / height : 40;
      raw[row + 2 + x * 3] = sky ? 110 + (x * 60) / width : 120 + (y * 40) / height;
      raw[row + 3 + x * 3] = sky ? 200 : 60;
    }
  }
  const sig = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([sig, chunk("IHDR", ihdr), chunk("IDAT", deflateSync(raw)), chunk("IEND", Buffer.alloc(0))]);
}

async function as(username, secret = password) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await login(page, app.url, username, secret);
  assert.doesNotMatch(new URL(page.url()).pathname, /^\/login/, `${username} logged in`);
  return { context, page };
}

async function click(page, selector) {
  await Promise.all([page.waitForLoadState("load"), page.click(selector)]);
}

async function status(page) {
  return (await page.textContent("#article-status")).trim();
}

test("five people take a visit's article from draft to published and are credited", async (t) => {
  // The administrator creates the five accounts through the users API (session + CSRF header).
  const admin = await as("admin", app.password);
  const csrf = JSON.parse(await admin.page.getAttribute("body", "hx-headers"))["X-CSRF-Token"];
  for (const p of TEAM) {
    const res = await admin.context.request.post(`${app.url}/api/v1/users`, {
      headers: { "X-CSRF-Token": csrf },
      data: { username: p.username, display_name: p.name, password, grants: [{ role: p.role }] },
    });
    assert.equal(res.status(), 201, `user ${p.username}: ${await res.text()}`);
  }
  await admin.context.close();

  // The author drafts the article from the seed visit, edits the Chinese and submits it.
  const author = await as("he.yun");
  await author.page.goto(`${app.url}/visits`);
  await click(author.page, "text=Delegation from Infrastructure University Kuala Lumpur");
  await click(author.page, "#draft-article button");
  const articleUrl = author.page.url().split("?")[0];
  assert.match(new URL(articleUrl).pathname, /^\/articles\/\d+$/);
  assert.match(await author.page.textContent("[role=status]"), /first draft was written from the visit/);
  assert.match(await author.page.textContent("#version-en"), /May 8, 2024/);
  assert.match(await author.page.textContent("#version-zh"), /2024年5月8日/);
  await author.page.screenshot({ path: join(shots, "30-news-drafted.png"), fullPage: true });
  await click(author.page, "#version-zh a.button");
  const zhBody = await author.page.inputValue("#body");
  await author.page.fill("#body", `${zhBody.trimEnd()}\n\n双方表示将保持密切联系，推动合作项目尽快落地。\n`);
  await click(author.page, "#version-form button[type=submit]");
  assert.match(await author.page.textContent("[role=status]"), /Saved/);
  assert.match(await author.page.textContent("#version-zh"), /推动合作项目尽快落地/);
  await click(author.page, "#step-submit button");
  assert.equal(await status(author.page), "Translation");

  // The translator finds it waiting, edits the English (with two slips) and hands it on.
  const translator = await as("lu.chen");
  await translator.page.goto(`${app.url}/articles?view=waiting`);
  await translator.page.screenshot({ path: join(shots, "34-news-waiting.png"), fullPage: true });
  await click(translator.page, `a[href="${new URL(articleUrl).pathname}"]`);
  await click(translator.page, "#version-en a.button");
  const enBody = await translator.page.inputValue("#body");
  await translator.page.fill("#body", `${enBody.trimEnd()}\n\nThe day ended with an symposium dinner hosted by the School of Foreign Syudies.\n`);
  await translator.page.fill("#note", "Translated from the Chinese.");
  await translator.page.screenshot({ path: join(shots, "35-news-editor.png"), fullPage: true });
  await click(translator.page, "#version-form button[type=submit]");
  await click(translator.page, "#step-submit button");
  assert.equal(await status(translator.page), "Proofreading");

  // The photographer uploads a photo with both captions.
  const photographer = await as("guo.ping");
  await photographer.page.goto(articleUrl);
  assert.match(await photographer.page.textContent("#whose-turn"), /Waiting for the Proofreader/);
  const file = join(scratch, "symposium.png");
  writeFileSync(file, png(320, 240));
  await photographer.page.setInputFiles("#photo-file", file);
  await photographer.page.fill("#caption-en", "The symposium in conference room 1507, Shixun Building");
  await photographer.page.fill("#caption-zh", "座谈会在实训楼1507会议室举行");
  await Promise.all([photographer.page.waitForNavigation({ waitUntil: "load" }), photographer.page.click("#photo-upload button")]);
  const photos = await photographer.page.textContent("#photos");
  assert.ok(photos.includes("The symposium in conference room 1507") && photos.includes("Guo Ping"), photos);
  assert.ok(await photographer.page.locator("#photos img").evaluate((img) => img.complete && img.naturalWidth > 0), "the photo is shown");
  await photographer.page.screenshot({ path: join(shots, "31-news-photo.png"), fullPage: true });

  // The proofreader sees the aid flag both slips and sends the article back once.
  const proofreader = await as("fang.li");
  await proofreader.page.goto(articleUrl);
  const aid = await proofreader.page.textContent("#proofreading");
  assert.ok(aid.includes("an symposium") && aid.includes("Syudies"), aid);
  await proofreader.page.screenshot({ path: join(shots, "32-news-proofreading-aid.png"), fullPage: true });
  await proofreader.page.click("#turn details.send-back summary");
  assert.equal(await proofreader.page.inputValue("#back-to"), "translation");
  await proofreader.page.fill("#back-comment", "Two slips in the last paragraph: 'an symposium' and 'Syudies'.");
  await click(proofreader.page, "#step-send-back button");
  assert.equal(await status(proofreader.page), "Translation");

  // The translator fixes them and resubmits.
  await translator.page.goto(articleUrl);
  assert.match(await translator.page.textContent("#steps"), /Two slips in the last paragraph/);
  await click(translator.page, "#version-en a.button");
  const fixed = (await translator.page.inputValue("#body")).replace("an symposium", "a symposium").replace("Syudies", "Studies");
  await translator.page.fill("#body", fixed);
  await click(translator.page, "#version-form button[type=submit]");
  await translator.page.fill("#submit-comment", "Both slips fixed.");
  await click(translator.page, "#step-submit button");
  assert.equal(await status(translator.page), "Proofreading");

  // The proofreader checks again and passes it on.
  await proofreader.page.goto(articleUrl);
  const again = await proofreader.page.textContent("#proofreading");
  assert.ok(!again.includes("an symposium") && !again.includes("Syudies"), again);
  await click(proofreader.page, "#step-submit button");
  assert.equal(await status(proofreader.page), "Review");

  // The reviewer approves and publishes now.
  const reviewer = await as("song.jie");
  await reviewer.page.goto(`${app.url}/articles?view=waiting`);
  await click(reviewer.page, `a[href="${new URL(articleUrl).pathname}"]`);
  await click(reviewer.page, "#step-submit button");
  assert.equal(await status(reviewer.page), "Approved");
  await click(reviewer.page, "#step-publish button");
  assert.equal(await status(reviewer.page), "Published");
  const credits = await reviewer.page.textContent("#credits");
  for (const p of TEAM) assert.ok(credits.includes(p.name), `credits name ${p.name}: ${credits}`);
  const history = await reviewer.page.locator("#steps tbody tr").count();
  assert.equal(history, 7, "author, translator, send back, translator, proofreader, approve, publish");
  await reviewer.page.screenshot({ path: join(shots, "33-news-published.png"), fullPage: true });
  const publicPath = await reviewer.page.getAttribute("#published-at a", "href");

  // An anonymous reader on the public article page.
  const anonymous = await browser.newContext();
  const reader = await anonymous.newPage();
  const res = await reader.goto(`${app.url}${publicPath}`);
  assert.equal(res.status(), 200);
  const block = await reader.textContent(".credits");
  for (const p of TEAM) assert.ok(block.includes(p.name), `public credits name ${p.name}: ${block}`);
  const dateText = await reader.textContent("time");
  assert.ok(/\d{4}(年\d{1,2}月\d{1,2}日)?$/.test(dateText.trim()) && !/view|click|浏览/i.test(dateText), `the date stands alone: ${dateText}`);
  assert.match(await reader.textContent("body"), /(Views|浏览)\s*[:：]\s*\d+/);
  await reader.screenshot({ path: join(shots, "36-news-public.png"), fullPage: true });
  await anonymous.close();
  for (const who of [author, translator, photographer, proofreader, reviewer]) await who.context.close();
});
