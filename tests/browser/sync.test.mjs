// Sync in the browser: two tabs offline, a session that expires while offline, and a visit
// returned on the server whose reason reaches the device.
import assert from "node:assert/strict";
import { test } from "node:test";

import { go, hydrated, logVisit, PASSWORD, phone, shellCached, signIn, useBrowserAndServer } from "./support.mjs";

const env = useBrowserAndServer();

const serverVisits = (page) => page.evaluate(() => fetch("/api/visits").then((r) => r.json()).then((b) => b.visits));

test("two tabs of one member log visits offline; online again, all arrive once", async () => {
  const context = await phone(env.browser);
  const first = await context.newPage();
  await signIn(first, env.server.base, "0900000023");
  await shellCached(first);
  const second = await context.newPage();
  await go(second, `${env.server.base}/`);
  await hydrated(second);

  await env.server.kill();
  for (const [page, head] of [[first, "Hộ tab một"], [second, "Hộ tab hai"]]) {
    await go(page, `${env.server.base}/visits/new`);
    await hydrated(page);
    await logVisit(page, { head, address: "Số 5", activities: ["digital_skills"] });
    await page.waitForURL(`${env.server.base}/`);
  }
  // Each tab sees both: one device store.
  await first.reload();
  await hydrated(first);
  assert.equal(await first.locator(".visit-card[data-state='pending']").count(), 2);

  await env.server.start();
  for (const page of [first, second]) {
    await page.waitForFunction(() => document.querySelectorAll(".visit-card[data-state='sent']").length === 2, null, {
      timeout: 60_000,
    });
  }
  const visits = await serverVisits(first);
  assert.equal(visits.length, 2);
  assert.deepEqual(visits.map((v) => v.record.household.head_name).sort(), ["Hộ tab hai", "Hộ tab một"]);
  await context.close();
});

test("visits logged after the session expired wait untouched and go out after sign-in", async () => {
  const context = await phone(env.browser);
  const page = await context.newPage();
  await signIn(page, env.server.base, "0900000034");
  await shellCached(page);
  // The server ends the session; the device does not know yet.
  await page.evaluate(() => fetch("/api/auth/logout", { method: "POST" }));

  await env.server.kill();
  await go(page, `${env.server.base}/visits/new`);
  await hydrated(page);
  await logVisit(page, { head: "Hộ chờ đăng nhập", address: "Số 9", activities: ["information"] });
  await page.waitForURL(`${env.server.base}/`);

  await env.server.start();
  await page.click("[data-testid=sync-now]");
  await page.waitForSelector("[data-testid=sync-error] a[href='/login']", { timeout: 30_000 });
  assert.match(await page.textContent("[data-testid=sync-error]"), /hết hạn/);
  assert.equal(await page.getAttribute(".visit-card", "data-state"), "pending");

  await page.click("[data-testid=sync-error] a[href='/login']");
  await page.waitForURL(`${env.server.base}/login`);
  assert.equal(await page.inputValue("#phone"), "0900000034");
  await page.fill("#password", PASSWORD);
  await page.click("form button[type=submit]");
  await page.waitForURL(`${env.server.base}/`);
  await page.waitForSelector(".visit-card[data-state='sent']", { timeout: 60_000 });
  const visits = await serverVisits(page);
  assert.deepEqual(visits.map((v) => v.record.household.head_name), ["Hộ chờ đăng nhập"]);
  await context.close();
});

test("a visit returned on the server shows its reason on the device after the next pull", async () => {
  const member = await phone(env.browser);
  const page = await member.newPage();
  await signIn(page, env.server.base, "0900000032");
  await go(page, `${env.server.base}/visits/new`);
  await hydrated(page);
  await logVisit(page, { head: "Hộ bị trả lại", address: "Số 2", activities: ["health_app"] });
  await page.waitForURL(`${env.server.base}/`);
  const card = page.locator(".visit-card", { hasText: "Hộ bị trả lại" });
  await page.waitForSelector(".visit-card[data-state='sent']", { timeout: 30_000 });
  const id = await card.getAttribute("data-visit-id");

  const staff = await env.browser.newContext();
  const login = await staff.request.post(`${env.server.base}/api/auth/login`, {
    data: { phone: "0900000002", password: PASSWORD },
  });
  assert.equal(login.status(), 200);
  const review = await staff.request.post(`${env.server.base}/api/visits/${id}/review`, {
    data: { action: "return", reason: "Thiếu số điện thoại của hộ" },
  });
  assert.equal(review.status(), 204);

  await page.click("[data-testid=sync-now]");
  await page.waitForSelector(".visit-card[data-state='returned']", { timeout: 30_000 });
  assert.match(await card.textContent(), /Bị trả lại/);
  assert.match(await card.locator("[data-testid=visit-reason]").textContent(), /Thiếu số điện thoại của hộ/);
  await staff.close();
  await member.close();
});

test("an unsent visit can be deleted from the device and a sent one withdrawn", async () => {
  const context = await phone(env.browser);
  const page = await context.newPage();
  page.on("dialog", (dialog) => dialog.accept());
  await signIn(page, env.server.base, "0900000033");
  await shellCached(page);

  await env.server.kill();
  await go(page, `${env.server.base}/visits/new`);
  await hydrated(page);
  await logVisit(page, { head: "Hộ ghi nhầm", address: "Số 4", activities: ["information"] });
  await page.waitForURL(`${env.server.base}/`);
  const mistaken = page.locator(".visit-card", { hasText: "Hộ ghi nhầm" });
  await mistaken.locator("[data-testid=delete-visit]").click();
  await mistaken.waitFor({ state: "detached" });
  assert.match(await page.textContent("[data-testid=pending-count]"), /Chưa có lượt nào cần gửi/);

  await env.server.start();
  await go(page, `${env.server.base}/visits/new`);
  await hydrated(page);
  await logVisit(page, { head: "Hộ rút lại", address: "Số 6", activities: ["health_app"] });
  await page.waitForURL(`${env.server.base}/`);
  const card = page.locator(".visit-card", { hasText: "Hộ rút lại" });
  await page.waitForSelector(".visit-card[data-state='sent']", { timeout: 30_000 });
  await card.locator("[data-testid=withdraw-visit]").click();
  await page.waitForSelector(".visit-card[data-state='withdrawn']", { timeout: 30_000 });
  assert.match(await card.textContent(), /Đã rút/);
  const visits = await serverVisits(page);
  assert.deepEqual(
    visits.map((v) => [v.record.household.head_name, v.status, v.record.version]),
    [["Hộ rút lại", "withdrawn", 2]],
  );
  await context.close();
});
