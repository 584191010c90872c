#!/usr/bin/env node
// Regenerates data/world.tsv from the npm package @svg-maps/world (CC-BY-4.0): the
// map's viewBox, then one line per country: ISO alpha-2 code, name, SVG path.
// Run from the repository root: node scripts/data/gen_worldmap.mjs
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const PACKAGE = "@svg-maps/world@2.0.0";
const tmp = mkdtempSync(join(tmpdir(), "svgmap-"));
try {
  const tgz = execFileSync("npm", ["pack", PACKAGE, "--silent"], { cwd: tmp, encoding: "utf8" }).trim().split("\n").pop();
  execFileSync("tar", ["xzf", tgz], { cwd: tmp });
  const src = readFileSync(join(tmp, "package", "index.js"), "utf8");
  // The package is one object literal behind `export default` (or module.exports).
  const literal = src.slice(src.indexOf("{"), src.lastIndexOf("}") + 1);
  const map = Function(`"use strict"; return (${literal});`)();
  const rows = map.locations
    // Two decimals (a hundredth of a map unit) are plenty for a 1010-unit-wide map and
    // halve the file; deltas are relative, so rounding errors stay far below a pixel.
    .map((l) => [l.id.toUpperCase(), l.name, l.path.replace(/-?\d*\.?\d+(e-?\d+)?/g, (n) => String(Math.round(Number(n) * 100) / 100)).replace(/\s+/g, " ").trim()])
    .sort((a, b) => a[0].localeCompare(b[0]));
  writeFileSync("data/world.tsv", `viewBox\t${map.viewBox}\n` + rows.map((r) => r.join("\t")).join("\n") + "\n");
  console.log(`${PACKAGE}: ${rows.length} locations -> data/world.tsv (${readdirSync(join(tmp, "package")).join(", ")})`);
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
