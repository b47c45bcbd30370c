// Steps 2–4 of the walking skeleton in a real browser against the real server: sign in on a
// phone-sized screen, stop the server, reload offline (on a route other than "/"), log a
// visit, restart the server, and watch the visit arrive exactly once without touching anything.
import assert from "node:assert/strict";
import { test } from "node:test";

import { go, hydrated, logVisit, phone, shellCached, signIn, signOut, useBrowserAndServer, watchErrors } from "./support.mjs";

const env = useBrowserAndServer();

test("a visit logged with the server stopped is kept, then sent once when it returns", async () => {
  const context = await phone(env.browser);
  const page = await context.newPage();
  const errors = watchErrors(page);
  const base = env.server.base;

  // Installable: Vietnamese page, manifest with icons, service worker at root scope.
  await go(page, `${base}/`);
  await hydrated(page);
  await page.waitForURL(`${base}/login`);
  assert.equal(await page.getAttribute("html", "lang"), "vi");
  assert.match(await page.textContent("h2"), /Đăng nhập/);
  const manifestHref = await page.getAttribute("link[rel=manifest]", "href");
  const manifest = await (await fetch(new URL(manifestHref, base))).json();
  assert.equal(manifest.start_url, "/");
  assert.equal(manifest.display, "standalone");
  assert.ok(manifest.icons.some((icon) => icon.sizes === "512x512"));
  for (const icon of manifest.icons) assert.equal((await fetch(new URL(icon.src, base))).status, 200);

  await signIn(page, base, "0900000012");
  assert.match(await page.textContent("[data-testid=place]"), /Nguyễn Thị Hoa · Thôn Hội Khánh/);
  const scope = await page.evaluate(async () => (await navigator.serviceWorker.ready).scope);
  assert.equal(scope, `${base}/`);
  await shellCached(page);

  // The server goes away for real.
  await env.server.kill();

  // Offline reload on a route other than "/": the shell comes from the service worker and hydrates.
  await go(page, `${base}/visits/new`);
  await hydrated(page);
  assert.equal(await page.getAttribute("html", "lang"), "vi");
  await logVisit(page, {
    head: "Nguyễn Thị Lan",
    address: "Số 7, xóm Giữa",
    activities: ["public_service_account", "epayment_account"],
    note: "Hẹn hướng dẫn thêm cho con gái",
  });
  await page.waitForURL(`${base}/`);
  const card = page.locator(".visit-card", { hasText: "Nguyễn Thị Lan" });
  await card.waitFor();
  assert.equal(await card.getAttribute("data-state"), "pending");
  assert.match(await card.textContent(), /Chưa gửi/);
  assert.match(await page.textContent("[data-testid=pending-count]"), /1 lượt chưa gửi/);

  // Still there after an offline reload of "/".
  await page.reload();
  await hydrated(page);
  await card.waitFor();
  assert.equal(await card.getAttribute("data-state"), "pending");

  // The server comes back; nobody touches anything.
  await env.server.start();
  await page.waitForSelector(".visit-card[data-state='sent']", { timeout: 60_000 });
  assert.match(await card.textContent(), /Đã gửi/);
  assert.match(await page.textContent("[data-testid=pending-count]"), /Đã gửi hết/);

  // Exactly once on the server, however often it is sent.
  const visitId = await card.getAttribute("data-visit-id");
  const resend = await page.evaluate(async (id) => {
    const key = Object.keys(localStorage).find((k) => k.endsWith(`.visit.${id}`));
    const { record } = JSON.parse(localStorage.getItem(key));
    const push = () =>
      fetch("/api/sync/push", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ visits: [record, record] }),
      }).then((r) => r.json());
    const answers = [await push(), await push()];
    const list = await fetch("/api/visits").then((r) => r.json());
    return {
      results: answers.flatMap((a) => a.results.map((r) => r.result)),
      copies: list.visits.filter((v) => v.record.id === id).length,
    };
  }, visitId);
  assert.deepEqual(resend.results, ["already_had", "already_had", "already_had", "already_had"]);
  assert.equal(resend.copies, 1);

  assert.deepEqual(errors, []);
  await context.close();
});

test("on a shared phone each member's outbox is sent only under their own session", async () => {
  const context = await phone(env.browser);
  const page = await context.newPage();
  const base = env.server.base;

  await signIn(page, base, "0900000013");
  await shellCached(page);
  await env.server.kill();
  await go(page, `${base}/visits/new`);
  await hydrated(page);
  await logVisit(page, { head: "Trần Văn Hải", address: "Số 3", activities: ["health_app"] });
  await page.waitForURL(`${base}/`);
  await page.locator(".visit-card", { hasText: "Trần Văn Hải" }).waitFor();

  // Member A signs out (which needs the network: the server is back, A's visit held back from
  // sending meanwhile); member B signs in and sees nothing of A's.
  await page.route("**/api/sync/push", (route) => route.abort());
  await env.server.start();
  await signOut(page, base);
  await page.unroute("**/api/sync/push");
  await signIn(page, base, "0900000014");
  assert.equal(await page.locator(".visit-card").count(), 0);
  const list = await page.evaluate(() => fetch("/api/visits").then((r) => r.json()));
  assert.equal(list.visits.length, 0, "A's visit was not sent under B's session");

  // A signs in again: their waiting visit goes out under their session.
  await signOut(page, base);
  await signIn(page, base, "0900000013");
  await page.waitForSelector(".visit-card[data-state='sent']", { timeout: 60_000 });
  const mine = await page.evaluate(() => fetch("/api/visits").then((r) => r.json()));
  assert.equal(mine.visits.length, 1);
  assert.equal(mine.visits[0].record.household.head_name, "Trần Văn Hải");
  await context.close();
});
