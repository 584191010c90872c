#!/usr/bin/env node
// Regenerates data/countries.tsv (code, English, Chinese (Simplified), Malay, UN M49
// continent and sub-region) and data/regions.tsv (region code and names) from the npm
// packages cldr-localenames-full and cldr-core (Unicode licence).
// Run from the repository root: node scripts/data/gen_countries.mjs
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const PACKAGE = "cldr-localenames-full@48.2.0";
const CORE = "cldr-core@48.2.0";
const CONTINENTS = ["002", "019", "142", "150", "009"];
const NOT_COUNTRIES = new Set(["EU", "EZ", "UN", "QO", "XA", "XB", "ZZ"]);

const tmp = mkdtempSync(join(tmpdir(), "cldr-"));
try {
  const tgz = execFileSync("npm", ["pack", PACKAGE, "--silent"], { cwd: tmp, encoding: "utf8" }).trim().split("\n").pop();
  const wanted = ["en", "zh", "ms"].map((l) => `package/main/${l}/territories.json`);
  execFileSync("tar", ["xzf", tgz, ...wanted], { cwd: tmp });
  const names = Object.fromEntries(["en", "zh", "ms"].map((l) => [l,
    JSON.parse(readFileSync(join(tmp, `package/main/${l}/territories.json`), "utf8")).main[l].localeDisplayNames.territories]));
  const coreTgz = execFileSync("npm", ["pack", CORE, "--silent"], { cwd: tmp, encoding: "utf8" }).trim().split("\n").pop();
  execFileSync("tar", ["xzf", coreTgz, "package/supplemental/territoryContainment.json"], { cwd: tmp });
  const contain = JSON.parse(readFileSync(join(tmp, "package/supplemental/territoryContainment.json"), "utf8")).supplemental.territoryContainment;
  // Sub-region of each country, and continent of each sub-region (UN M49 tree).
  const parentOf = {};
  for (const [region, v] of Object.entries(contain)) {
    if (!/^\d{3}$/.test(region)) continue;
    for (const child of v._contains) parentOf[child] = region;
  }
  const continentOf = (code) => {
    let r = parentOf[code];
    while (r && !CONTINENTS.includes(r)) r = parentOf[r];
    return r ?? "";
  };
  const codes = Object.keys(names.en).filter((c) => /^[A-Z]{2}$/.test(c) && !NOT_COUNTRIES.has(c)).sort();
  const lines = codes.map((c) => [c, names.en[c], names.zh[c] ?? names.en[c], names.ms[c] ?? names.en[c], continentOf(c), parentOf[c] ?? ""].join("\t"));
  writeFileSync("data/countries.tsv", "code\ten\tzh\tms\tcontinent\tsubregion\n" + lines.join("\n") + "\n");
  const regions = [...new Set(codes.flatMap((c) => [continentOf(c), parentOf[c]]).filter(Boolean))].sort();
  const regionLines = regions.map((r) => [r, names.en[r] ?? r, names.zh[r] ?? names.en[r] ?? r, names.ms[r] ?? names.en[r] ?? r, CONTINENTS.includes(r) ? "continent" : "subregion"].join("\t"));
  writeFileSync("data/regions.tsv", "code\ten\tzh\tms\tlevel\n" + regionLines.join("\n") + "\n");
  console.log(`${PACKAGE} + ${CORE}: ${codes.length} countries and territories -> data/countries.tsv, ${regions.length} regions -> data/regions.tsv`);
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
