// The English switch: Vietnamese by default whatever the browser prefers; one tap switches the
// whole app to English (and <html lang>), remembered on the device, offline too.
import assert from "node:assert/strict";
import { test } from "node:test";

import { go, hydrated, phone, shellCached, signIn, useBrowserAndServer } from "./support.mjs";

const env = useBrowserAndServer();

test("the app is Vietnamese by default and switches to English, remembered offline", async () => {
  const context = await phone(env.browser);
  const page = await context.newPage();
  const base = env.server.base;
  await signIn(page, base, "0900000022");
  assert.match(await page.textContent("[data-testid=log-visit]"), /Ghi lượt hỗ trợ/);

  await page.click("[data-testid=switch-language]");
  await page.waitForFunction(() => document.documentElement.lang === "en");
  assert.match(await page.textContent("[data-testid=log-visit]"), /Log a visit/);
  assert.match(await page.textContent("[data-testid=pending-count]"), /Nothing to send yet/);

  await shellCached(page);
  await env.server.kill();
  await go(page, `${base}/visits/new`);
  await hydrated(page);
  await page.waitForFunction(() => document.documentElement.lang === "en");
  assert.match(await page.textContent("h1"), /Log a visit/);
  assert.match(await page.textContent("label[for=activity-health_app]"), /Electronic health book app/);

  await page.click("[data-testid=switch-language]");
  await page.waitForFunction(() => document.documentElement.lang === "vi");
  assert.match(await page.textContent("h1"), /Ghi lượt hỗ trợ/);
  await env.server.start();
  await context.close();
});
