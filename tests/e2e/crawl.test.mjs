// Visits every page reachable from the navigation (and the record pages one click
// below), in English and Chinese, at 1280 and 390 px, as the demo administrator, and
// fails on: a page wider than the screen, a console error, a link that answers ≥ 400,
// and English words on a Chinese page outside what records hold (proper names) and a
// short allow-list. Screenshots of every page go to target/screenshots/crawl/.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { launch, login, shots, startDemo } from "./app.mjs";

let app;
let browser;
const dir = join(shots, "crawl");
mkdirSync(dir, { recursive: true });

before(async () => {
  app = await startDemo();
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await app?.stop();
});

// Words that are the same in a Chinese interface: product and standard names, formats,
// abbreviations of the trade.
const ALLOWED = new Set(`liaison iukl mou moa api csv xlsx pdf svg png jpeg ics ical icalendar
  schac ror erasmus orcid url http https www html json openapi id ok utc gmt pk am pm
  english 中文 cldr word docx qs the`.split(/\s+/).filter(Boolean));

/// Every word that records hold (names of institutions, units, people, rooms; titles),
/// read through the API: these are proper names, shown as written.
async function recordWords(request) {
  const words = new Set();
  const take = (v) => {
    if (typeof v === "string") for (const w of v.toLowerCase().match(/[a-z][a-z'’.-]*/g) || []) words.add(w.replace(/[.'’-]+$/, ""));
    else if (Array.isArray(v)) v.forEach(take);
    else if (v && typeof v === "object") Object.values(v).forEach(take);
  };
  for (const path of ["/api/v1/institutions?per_page=200", "/api/v1/people?per_page=200", "/api/v1/rooms",
    "/api/v1/visits?per_page=200", "/api/v1/agreements?per_page=200", "/api/v1/programmes?per_page=200",
    "/api/v1/articles?per_page=200", "/api/v1/trips?per_page=200", "/api/v1/buildings"]) {
    const res = await request.get(app.url + path);
    if (res.ok()) take(await res.json());
  }
  return words;
}

/// Same-origin page links of the current page (no downloads that need a form, no logout).
async function pageLinks(page) {
  return page.$$eval("a[href]", (as) => as.map((a) => a.href));
}

function sameSite(href) {
  const u = new URL(href, app.url);
  return u.origin === new URL(app.url).origin ? u.pathname + u.search : null;
}

async function crawl(lang, width) {
  const context = await browser.newContext({ viewport: { width, height: 900 }, locale: lang === "zh" ? "zh-CN" : "en-GB" });
  const page = await context.newPage();
  const problems = [];
  let current = "";
  page.on("console", (m) => { if (m.type() === "error") problems.push(`${current}: console error: ${m.text()}`); });
  page.on("pageerror", (e) => problems.push(`${current}: script error: ${e.message}`));
  await login(page, app.url, "admin", app.password);
  await page.goto(`${app.url}/`);
  await Promise.all([page.waitForLoadState("load"), page.click(`#language-switch button[value=${lang}]`)]);
  const words = lang === "zh" ? await recordWords(context.request) : null;

  // The navigation, then one record page below each list (the first row's link).
  const nav = (await page.$$eval("header nav a[href]", (as) => as.map((a) => a.getAttribute("href"))))
    .filter((h) => h.startsWith("/") && !h.startsWith("/api/docs"));
  assert.ok(nav.length >= 8, `the navigation has its links (${nav.length})`);
  const pages = [...nav];
  const checked = new Map();
  for (let i = 0; i < pages.length; i++) {
    const path = pages[i];
    current = `${lang} ${width}px ${path}`;
    const res = await page.goto(app.url + path);
    assert.ok(res && res.status() < 400, `${current} answers ${res?.status()}`);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    if (overflow > 1) problems.push(`${current}: ${overflow} px wider than the screen`);
    const name = `${lang}-${width}-${path.replace(/[^a-z0-9]+/gi, "_").replace(/^_|_$/g, "") || "home"}.png`;
    await page.screenshot({ path: join(dir, name), fullPage: true });
    if (words) {
      const english = await page.evaluate(() => {
        const out = [];
        const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
        for (let n = walker.nextNode(); n; n = walker.nextNode()) {
          const el = n.parentElement;
          if (!el || el.closest("[translate=no], [lang]:not([lang^=zh]), code, pre, kbd, script, style, textarea, .skip")) continue;
          if (!el.checkVisibility?.() && el.offsetParent === null) continue;
          const text = n.textContent.trim();
          if (/[A-Za-z]{2,}/.test(text)) out.push(text);
        }
        return out;
      });
      for (const text of english) {
        const bad = (text.match(/[A-Za-z][A-Za-z'’-]*/g) || [])
          .map((w) => w.toLowerCase().replace(/['’-]+$/, ""))
          .filter((w) => w.length > 1 && !ALLOWED.has(w) && !words.has(w) && !/^[a-z]\d/.test(w));
        if (bad.length) problems.push(`${current}: English on a Chinese page: "${text.slice(0, 80)}" (${bad.slice(0, 4).join(", ")})`);
      }
    }
    // Links: every same-site link answers < 400 (each once per crawl).
    let below = 0;
    for (const href of await pageLinks(page)) {
      const target = sameSite(href);
      if (!target || target.startsWith("/logout")) continue;
      if (!checked.has(target)) {
        const r = await context.request.get(app.url + target, { maxRedirects: 5 });
        checked.set(target, r.status());
        if (r.status() >= 400) problems.push(`${current}: link ${target} answers ${r.status()}`);
      }
      // Go one level below the navigation: the first record of each list.
      if (i < nav.length && below < 2 && /^\/[a-z-]+\/\d+$/.test(target) && !pages.includes(target) &&
          target.startsWith(path.split("?")[0] + "/")) { pages.push(target); below++; }
    }
  }
  await context.close();
  return problems;
}

for (const lang of ["en", "zh"]) {
  for (const width of [1280, 390]) {
    test(`every page in ${lang} at ${width} px fits, loads and speaks the language`, async () => {
      const problems = await crawl(lang, width);
      assert.deepEqual(problems, [], `${problems.length} problems:\n${problems.join("\n")}`);
    });
  }
}
