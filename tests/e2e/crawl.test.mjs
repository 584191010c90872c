// Visits every page reachable from the navigation (and the record pages one click
// below), in English, Chinese and Malay, at 1280 and 390 px, as the demo administrator,
// and fails on: a page wider than the screen, a console error, a link that answers ≥ 400,
// and the interface's English strings on a Chinese or Malay page (records' own names may
// be in any language). Screenshots of every page go to target/screenshots/crawl/.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { launch, login, root, shots, startDemo } from "./app.mjs";

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

// The interface's English strings (every English locale value whose translation in
// `lang` differs), so a Chinese or Malay page that shows one of them is caught without
// mistaking the records' proper names (people, institutions, rooms) for untranslated text.
const SAME_IN_BOTH = new Set(["Liaison", "English", "中文", "Bahasa Melayu", "API", "CSV", "XLSX", "PDF", "ROR", "SCHAC", "Erasmus", "ORCID", "MoU"]);
function interfaceStrings(lang) {
  const dir = join(root, "locales");
  const strings = new Set();
  const same = new Set();
  for (const file of readdirSync(dir).filter((f) => /(^|\.)en\.json$/.test(f))) {
    const en = JSON.parse(readFileSync(join(dir, file), "utf8"));
    const other = JSON.parse(readFileSync(join(dir, file.replace(/en\.json$/, `${lang}.json`)), "utf8"));
    for (const [key, text] of Object.entries(en)) {
      const plain = text.replace(/\{[a-z_]+\}/g, "").trim();
      if (other[key] === text) same.add(plain);
      else if (/[A-Za-z]{3}/.test(plain) && !SAME_IN_BOTH.has(plain)) strings.add(plain);
    }
  }
  // A word the translation keeps in one place ("Status") is not English elsewhere.
  for (const s of same) strings.delete(s);
  return strings;
}

const BROWSER_LOCALE = { en: "en-GB", zh: "zh-CN", ms: "ms-MY" };
const LANGUAGE_NAME = { zh: "Chinese", ms: "Malay" };

/// Same-origin page links of the current page (no downloads that need a form, no logout).
async function pageLinks(page) {
  return page.$$eval("a[href]", (as) => as.map((a) => a.href));
}

function sameSite(href) {
  const u = new URL(href, app.url);
  return u.origin === new URL(app.url).origin ? u.pathname + u.search : null;
}

async function crawl(lang, width) {
  const context = await browser.newContext({ viewport: { width, height: 900 }, locale: BROWSER_LOCALE[lang] });
  const page = await context.newPage();
  const problems = [];
  let current = "";
  page.on("console", (m) => { if (m.type() === "error") problems.push(`${current}: console error: ${m.text()}`); });
  page.on("pageerror", (e) => problems.push(`${current}: script error: ${e.message}`));
  await login(page, app.url, "admin", app.password);
  await page.goto(`${app.url}/`);
  await Promise.all([page.waitForLoadState("load"), page.click(`#language-switch button[value=${lang}]`)]);
  const ui = lang === "en" ? null : interfaceStrings(lang);

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
    if (ui) {
      const texts = await page.evaluate((lang) => {
        const out = [];
        const foreign = `[lang]:not([lang^=${lang}])`;
        const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
        for (let n = walker.nextNode(); n; n = walker.nextNode()) {
          const el = n.parentElement;
          if (!el || el.closest(`[translate=no], ${foreign}, code, pre, script, style, textarea`)) continue;
          const text = n.textContent.replace(/\s+/g, " ").trim();
          if (/[A-Za-z]{3}/.test(text)) out.push(text);
        }
        for (const el of document.querySelectorAll("input[placeholder], [aria-label], [title]")) {
          for (const attr of ["placeholder", "aria-label", "title"]) {
            const v = el.getAttribute(attr);
            if (v && /[A-Za-z]{3}/.test(v) && !el.closest(foreign)) out.push(v.trim());
          }
        }
        return out;
      }, lang);
      for (const text of new Set(texts)) {
        if (ui.has(text)) problems.push(`${current}: English on a ${LANGUAGE_NAME[lang]} page: "${text.slice(0, 80)}"`);
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

for (const lang of ["en", "zh", "ms"]) {
  for (const width of [1280, 390]) {
    test(`every page in ${lang} at ${width} px fits, loads and speaks the language`, async () => {
      const problems = await crawl(lang, width);
      assert.deepEqual(problems, [], `${problems.length} problems:\n${problems.join("\n")}`);
    });
  }
}
