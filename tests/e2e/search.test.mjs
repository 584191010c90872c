// The global search in the browser: typing in the header box lists records of every
// kind as you type, in English and Chinese, on a desktop and a phone; a hit opens its
// record; the results page filters by kind; the public site's box finds only public
// partners and published articles. Screenshots in target/screenshots/search-*.png.
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

for (const [lang, width] of [["en", 1280], ["zh", 1280], ["en", 390], ["zh", 390]]) {
  test(`typing in the header finds the partner, its visit and its rooms (${lang}, ${width} px)`, async () => {
    const page = await browser.newPage({ viewport: { width, height: 900 } });
    const errors = [];
    page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
    await login(page, app.url, "admin", app.password);
    await page.goto(`${app.url}/?lang=${lang}`);
    if (width < 640) {
      assert.ok(await page.isVisible("#global-q"), "the search box is shown on a phone without opening the menu");
    }
    await page.fill("#global-q", "IUKL");
    await page.waitForSelector("#global-suggest .suggest-list li a");
    const items = await page.locator("#global-suggest .suggest-list a").allTextContents();
    const kinds = lang === "zh" ? ["院校机构", "来访出访", "协议", "人员"] : ["Institution", "Visit", "Agreement", "Person"];
    for (const k of kinds) assert.ok(items.some((t) => t.includes(k)), `a ${k} among the suggestions: ${items.join(" | ")}`);
    assert.ok(items[0].includes(kinds[0]), `the partner itself comes first: ${items[0]}`);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `no horizontal overflow (${overflow} px)`);
    await page.screenshot({ path: join(shots, `search-suggest-${lang}-${width}.png`) });

    await Promise.all([page.waitForLoadState("load"), page.locator("#global-suggest .suggest-list a").first().click()]);
    assert.match(new URL(page.url()).pathname, /^\/institutions\/\d+$/, "the first hit opens the partner");

    await page.goto(`${app.url}/search?q=IUKL&lang=${lang}`);
    const all = await page.locator("ol.hits .kind").allTextContents();
    const article = lang === "zh" ? "新闻" : "Article";
    assert.ok(all.includes(article), `the results page lists the article too: ${all.join(" | ")}`);

    await page.goto(`${app.url}/search?q=${encodeURIComponent("实训楼")}&lang=${lang}`);
    const rooms = await page.locator("ol.hits li.hit").allTextContents();
    assert.ok(rooms.filter((t) => t.includes("1507") || t.includes("1508")).length >= 2, `both rooms: ${rooms.join(" | ")}`);
    await page.screenshot({ path: join(shots, `search-results-${lang}-${width}.png`), fullPage: true });
    assert.deepEqual(errors, [], "no console errors");
    await page.close();
  });
}

test("the results page filters by kind and corrects a mistyped name", async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await login(page, app.url, "admin", app.password);
  await page.goto(`${app.url}/search?q=Infrastucture&lang=en`);
  assert.match(await page.textContent("main"), /showing results for\s+infrastructure/);
  await page.selectOption("#search-kind", "agreement");
  await Promise.all([page.waitForLoadState("load"), page.click("main form button[type=submit]")]);
  const kinds = await page.locator("ol.hits .kind").allTextContents();
  assert.ok(kinds.length > 0 && kinds.every((k) => k === "Agreement"), `only agreements: ${kinds}`);
  await page.close();
});

for (const [lang, width] of [["en", 1280], ["zh", 390]]) {
  test(`the public site's search finds news and partners only (${lang}, ${width} px)`, async () => {
    const page = await browser.newPage({ viewport: { width, height: 900 } });
    await page.goto(`${app.url}/news?lang=${lang}`);
    await page.fill("header.site input[name=q]", "IUKL");
    await Promise.all([page.waitForLoadState("load"), page.press("header.site input[name=q]", "Enter")]);
    const links = await page.locator("ol.hits a").evaluateAll((as) => as.map((a) => a.getAttribute("href")));
    assert.ok(links.length > 0, "something is found");
    assert.ok(links.every((h) => h.startsWith("/news/") || h === "/partners"), `public pages only: ${links}`);
    await page.screenshot({ path: join(shots, `search-public-${lang}-${width}.png`), fullPage: true });
    await page.close();
  });
}
