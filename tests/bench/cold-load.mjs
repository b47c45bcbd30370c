// Benchmark: what Chromium fetches on a cold load of each role's home, against the real
// release server with demo data. For every role: a fresh browser context (empty cache, no
// service worker), the sign-in page, sign in, land on the role's home, wait until the page
// is drawn; then every WASM and JS file fetched (from the network, not the service worker's
// precache, which runs after the page) is listed with its bytes on the wire and its brotli-11
// size. (Once the service worker has taken the page, a module it serves shows 0 on the wire
// the first time too, since the worker fetched it.) The member's figure is the one the 250 KB
// budget (brotli, WASM + JS) is about.
//
// Usage: node tests/bench/cold-load.mjs   (scripts/bench-size.sh builds the release first)
import { brotliCompressSync, constants } from "node:zlib";
import { readFileSync } from "node:fs";
import { join } from "node:path";

import { launchBrowser, PASSWORD, phone, Server, signInAs, SITE } from "../browser/support.mjs";

const BUDGET = 250 * 1000;
const ROLES = [
  { role: "member", phone: "0900000012", landing: /^\/$/, drawn: "[data-testid=status-line]" },
  { role: "leader", phone: "0900000011", landing: /^\/teams\//, drawn: "[data-testid=roster]" },
  { role: "commune_staff", phone: "0900000002", landing: /^\/units\//, drawn: "[data-testid=villages]" },
  { role: "province_staff", phone: "0900000001", landing: /^\/units\//, drawn: "[data-testid=communes]" },
  { role: "admin", phone: "0900000000", landing: /^\/admin$/, drawn: "[data-testid=provinces] li" },
];

const brotli = (path) =>
  brotliCompressSync(readFileSync(join(SITE, path)), {
    params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_LGWIN]: 22 },
  }).length;
const kb = (bytes) => `${(bytes / 1000).toFixed(1)} KB`;

const server = await Server.create();
await server.start();
const browser = await launchBrowser();
let member = 0;
try {
  console.log(`${"role".padEnd(16)} ${"files (WASM + JS)".padEnd(62)} ${"wire".padStart(10)} ${"brotli 11".padStart(10)}`);
  for (const { role, phone: number, landing, drawn } of ROLES) {
    const context = await phone(browser);
    const page = await context.newPage();
    const fetched = new Map();
    page.on("response", async (response) => {
      const path = new URL(response.url()).pathname;
      if (!path.startsWith("/pkg/") || !/\.(wasm|js)$/.test(path)) return;
      const sizes = await response.request().sizes().catch(() => null);
      fetched.set(path, sizes ? sizes.responseBodySize : 0);
    });
    await signInAs(page, server.base, number, PASSWORD, landing);
    await page.waitForSelector(drawn, { timeout: 30_000 });
    await page.waitForLoadState("networkidle");
    const files = [...fetched.keys()].sort();
    const wire = [...fetched.values()].reduce((a, b) => a + b, 0);
    const compressed = files.reduce((sum, path) => sum + brotli(path.slice(1)), 0);
    if (role === "member") member = compressed;
    const names = files.map((f) => f.replace("/pkg/", "")).join(", ");
    console.log(`${role.padEnd(16)} ${names.padEnd(62)} ${kb(wire).padStart(10)} ${kb(compressed).padStart(10)}`);
    await context.close();
  }
  const verdict = member <= BUDGET ? "within" : "OVER";
  console.log(
    `budget: member's cold load WASM + JS brotli ${kb(member)} vs reference ${kb(BUDGET)} (${verdict} budget, ratio=${(member / BUDGET).toFixed(2)})`,
  );
} finally {
  await browser.close();
  await server.kill();
}
if (member > BUDGET) process.exit(1);
