#!/usr/bin/env node
// Regenerates data/cldr-formats.json: for each interface language (English, Chinese
// (Simplified), Malay) the Gregorian month and weekday names, the date patterns and the
// number symbols, from the npm packages cldr-dates-full and cldr-numbers-full (Unicode
// licence). src/web/i18n/formats.rs reads it.
// Run from the repository root: node scripts/data/gen_cldr_formats.mjs
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const DATES = "cldr-dates-full@48.2.0";
const NUMBERS = "cldr-numbers-full@48.2.0";
const LANGS = ["en", "zh", "ms"];
const WEEK = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

const tmp = mkdtempSync(join(tmpdir(), "cldr-"));
try {
  const unpack = (pkg, files) => {
    const tgz = execFileSync("npm", ["pack", pkg, "--silent"], { cwd: tmp, encoding: "utf8" }).trim().split("\n").pop();
    execFileSync("tar", ["xzf", tgz, ...files], { cwd: tmp });
  };
  unpack(DATES, LANGS.map((l) => `package/main/${l}/ca-gregorian.json`));
  unpack(NUMBERS, LANGS.map((l) => `package/main/${l}/numbers.json`));
  const read = (l, f) => JSON.parse(readFileSync(join(tmp, `package/main/${l}/${f}`), "utf8")).main[l];
  const out = { source: `${DATES}, ${NUMBERS} (Unicode License v3)` };
  for (const l of LANGS) {
    const g = read(l, "ca-gregorian.json").dates.calendars.gregorian;
    const n = read(l, "numbers.json").numbers;
    const months = (w) => Array.from({ length: 12 }, (_, i) => g.months.format[w][String(i + 1)]);
    const days = (w) => WEEK.map((d) => g.days.format[w][d]);
    const symbols = n["symbols-numberSystem-latn"];
    out[l] = {
      months: months("wide"),
      months_abbr: months("abbreviated"),
      days: days("wide"),
      days_abbr: days("abbreviated"),
      date_full: g.dateFormats.full,
      date_long: g.dateFormats.long,
      date_medium: g.dateFormats.medium,
      date_short: g.dateFormats.short,
      decimal: symbols.decimal,
      group: symbols.group,
      decimal_pattern: n["decimalFormats-numberSystem-latn"].standard,
    };
  }
  writeFileSync("data/cldr-formats.json", JSON.stringify(out, null, 1) + "\n");
  console.log(`${DATES} + ${NUMBERS}: ${LANGS.join(", ")} -> data/cldr-formats.json`);
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
