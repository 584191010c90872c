#!/usr/bin/env node
// Regenerates data/countries.tsv (code, English, Chinese (Simplified), Malay) from the
// npm package cldr-localenames-full (Unicode licence): ISO 3166-1 alpha-2 codes only.
// Run from the repository root: node scripts/data/gen_countries.mjs
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const PACKAGE = "cldr-localenames-full@48.2.0";
const NOT_COUNTRIES = new Set(["EU", "EZ", "UN", "QO", "XA", "XB", "ZZ"]);

const tmp = mkdtempSync(join(tmpdir(), "cldr-"));
try {
  const tgz = execFileSync("npm", ["pack", PACKAGE, "--silent"], { cwd: tmp, encoding: "utf8" }).trim().split("\n").pop();
  const wanted = ["en", "zh", "ms"].map((l) => `package/main/${l}/territories.json`);
  execFileSync("tar", ["xzf", tgz, ...wanted], { cwd: tmp });
  const names = Object.fromEntries(["en", "zh", "ms"].map((l) => [l,
    JSON.parse(readFileSync(join(tmp, `package/main/${l}/territories.json`), "utf8")).main[l].localeDisplayNames.territories]));
  const codes = Object.keys(names.en).filter((c) => /^[A-Z]{2}$/.test(c) && !NOT_COUNTRIES.has(c)).sort();
  const lines = codes.map((c) => [c, names.en[c], names.zh[c] ?? names.en[c], names.ms[c] ?? names.en[c]].join("\t"));
  writeFileSync("data/countries.tsv", "code\ten\tzh\tms\n" + lines.join("\n") + "\n");
  console.log(`${PACKAGE}: ${codes.length} countries and territories -> data/countries.tsv`);
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
