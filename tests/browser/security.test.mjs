// The Content-Security-Policy in a real browser (`docs/security.md`): the app hydrates and
// works under it online, offline from the service worker's copies, and when a staff page's
// code arrives on demand; the browser reports no violation anywhere.
import assert from "node:assert/strict";
import { test } from "node:test";

import {
  go,
  hydrated,
  logVisit,
  phone,
  shellCached,
  signIn,
  signInAs,
  signOut,
  PASSWORD,
  useBrowserAndServer,
  watchErrors,
} from "./support.mjs";

const env = useBrowserAndServer();

/** A context whose pages record every CSP violation the browser reports. */
async function watched(browser) {
  const context = await phone(browser);
  await context.addInitScript(() => {
    window.__violations = [];
    document.addEventListener("securitypolicyviolation", (event) => {
      window.__violations.push(`${event.effectiveDirective} ${event.blockedURI}`);
    });
  });
  return context;
}

const violations = (page) => page.evaluate(() => window.__violations ?? []);

test("a member's pages hydrate and work under the policy, online and offline, with no violation", async () => {
  const context = await watched(env.browser);
  const page = await context.newPage();
  const errors = watchErrors(page);
  const response = await page.goto(`${env.server.base}/login`);
  const policy = response.headers()["content-security-policy"];
  assert.match(policy, /script-src 'self' 'nonce-[A-Za-z0-9_-]+' 'wasm-unsafe-eval'/);
  assert.doesNotMatch(policy, /unsafe-inline/);
  assert.equal(response.headers()["x-content-type-options"], "nosniff");
  await signIn(page, env.server.base, "0900000012");
  await shellCached(page);
  await go(page, `${env.server.base}/visits/new`);
  await hydrated(page);
  await logVisit(page, { head: "Hộ dưới chính sách", address: "Số 1", activities: ["information"] });
  await page.waitForURL(`${env.server.base}/`);
  await page.waitForSelector(".visit-card[data-state='sent']", { timeout: 30_000 });
  assert.deepEqual(await violations(page), []);

  // Offline: the pages come from the service worker's copies, each with the policy it was
  // kept with, and still hydrate.
  await env.server.kill();
  await go(page, `${env.server.base}/visits/new`);
  await hydrated(page);
  assert.deepEqual(await violations(page), [], "the form, offline");
  await logVisit(page, { head: "Hộ ngoại tuyến", address: "Số 2", activities: ["information"] });
  await page.waitForURL(`${env.server.base}/`);
  await hydrated(page);
  await page.waitForSelector(".visit-card[data-state='pending']");
  assert.deepEqual(await violations(page), [], "the home page, offline");
  await env.server.start();
  assert.deepEqual(errors, []);
  await context.close();
});

test("a staff page whose code arrives on demand runs under the policy, its charts and bars included", async () => {
  const context = await watched(env.browser);
  const page = await context.newPage();
  const errors = watchErrors(page);
  const wasm = [];
  page.on("response", (r) => {
    if (r.url().endsWith(".wasm")) wasm.push(new URL(r.url()).pathname);
  });
  const home = await signInAs(page, env.server.base, "0900000002", PASSWORD, /^\/units\/\d+$/);
  await page.goto(`${env.server.base}${home}/figures`);
  await hydrated(page);
  await page.locator("[data-testid=target-indicator]").waitFor();
  assert.ok(wasm.some((path) => path !== "/pkg/sotay.wasm" && path !== "/pkg/sotay_bg.wasm"), `a module on demand: ${wasm}`);
  assert.deepEqual(await violations(page), []);
  assert.deepEqual(errors, []);
  await context.close();
});

test("removing this phone's data is refused while a visit is unsent, then leaves nothing of the app behind", async () => {
  const context = await phone(env.browser);
  const page = await context.newPage();
  const errors = watchErrors(page);
  await signIn(page, env.server.base, "0900000013");
  await shellCached(page);
  const appKeys = () => page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith("sotay.")));

  // Offline, a visit waits on the phone: the sign-in page refuses to remove anything.
  await env.server.kill();
  await go(page, `${env.server.base}/visits/new`);
  await hydrated(page);
  await logVisit(page, { head: "Hộ chưa gửi", address: "Số 3", activities: ["information"] });
  await page.waitForURL(`${env.server.base}/`);
  const before = await appKeys();
  await go(page, `${env.server.base}/login`);
  await hydrated(page);
  await page.click("[data-testid=device-data] summary");
  page.once("dialog", (dialog) => dialog.accept());
  await page.click("[data-testid=remove-device-data]");
  await page.waitForSelector("[data-testid=device-data-unsent]");
  assert.match(await page.textContent("[data-testid=device-data-unsent]"), /còn 1 lượt thăm chưa gửi/);
  assert.deepEqual((await appKeys()).sort(), before.sort(), "nothing removed");

  // Online again: the visit goes out; signed out, the phone's data can go.
  await env.server.start();
  await signIn(page, env.server.base, "0900000013");
  await page.waitForSelector(".visit-card[data-state='sent']", { timeout: 30_000 });
  await signOut(page, env.server.base);
  await hydrated(page);
  assert.ok((await appKeys()).length > 0, "visits and households stay after signing out");
  await page.click("[data-testid=device-data] summary");
  page.once("dialog", (dialog) => dialog.accept());
  await page.click("[data-testid=remove-device-data]");
  await page.waitForSelector("[data-testid=device-data-removed]");
  assert.deepEqual(await appKeys(), []);
  assert.deepEqual(errors, []);
  await context.close();
});
