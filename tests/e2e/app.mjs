// Starts `liaison demo` as a real process on a free port with a fresh data directory,
// and launches Debian's Chromium through playwright-core.
import { spawn } from "node:child_process";
import { mkdtempSync, mkdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { randomBytes } from "node:crypto";
import { chromium } from "playwright-core";

export const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
export const shots = join(root, "target", "screenshots");
mkdirSync(shots, { recursive: true });

export async function startDemo(extraEnv = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), "liaison-e2e-"));
  const password = randomBytes(12).toString("hex");
  const bin = process.env.LIAISON_BIN || join(root, "target", "debug", "liaison");
  const env = { ...process.env, LIAISON_DATA_DIR: dataDir, LIAISON_DEMO_PASSWORD: password, ...extraEnv };
  delete env.LIAISON_DATABASE_URL;
  const child = spawn(bin, ["demo", "--addr", "127.0.0.1:0"], { env, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stderr.on("data", (d) => { err += d; });
  const url = await new Promise((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`liaison demo did not start in 60 s\nstdout:\n${out}\nstderr:\n${err}`)), 60_000);
    child.stdout.on("data", (d) => {
      out += d;
      const m = out.match(/^listening on (http:\/\/\S+)$/m);
      if (m) { clearTimeout(timer); ok(m[1]); }
    });
    child.on("exit", (code) => { clearTimeout(timer); fail(new Error(`liaison demo exited with ${code}\n${out}\n${err}`)); });
  });
  child.removeAllListeners("exit");
  return {
    url, password, child,
    async stop() {
      const exited = new Promise((ok) => child.on("exit", (code, signal) => ok({ code, signal })));
      child.kill("SIGTERM");
      const result = await Promise.race([exited, new Promise((ok) => setTimeout(() => ok(null), 10_000))]);
      rmSync(dataDir, { recursive: true, force: true });
      return result;
    },
  };
}

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
}

export async function login(page, base, username, password) {
  await page.goto(`${base}/login`);
  await page.fill("input[name=username]", username);
  await page.fill("input[name=password]", password);
  await Promise.all([page.waitForLoadState("load"), page.click("button[type=submit].primary")]);
}
