// A household's personal data on phones: the commune officer downloads everything held about
// a household and erases it from the village's household list, after a confirmation naming
// it; meanwhile a member's phone is offline, holding the household and logging one more visit
// to it. Back online, the phone keeps no trace of the name (the household leaves the picker,
// its visits read "Hộ đã xóa thông tin cá nhân", nothing in the browser's storage names it),
// the server stored the late visit without the name, and the figures did not move.
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { test } from "node:test";

import {
  apiAs as sharedApiAs,
  hydrated,
  PASSWORD,
  phone,
  shellCached,
  signIn,
  signInAs,
  useBrowserAndServer,
  uuid7,
  watchErrors,
} from "./support.mjs";

const env = useBrowserAndServer();
const apiAs = (phoneNumber) => sharedApiAs(env.browser, env.server.base, phoneNumber);

const MEMBER = "0900000012"; // Nguyễn Thị Hoa, Thôn Hội Khánh
const NEIGHBOUR = "0900000013"; // same team and village
const STAFF = "0900000002";

const HEAD = "Hộ Đinh Thị Quyên";
const ADDRESS = "Số 33, xóm Chùa";
const PHONE = "0977123456";
/** What must not survive the erasure, anywhere. */
const TRACES = ["Quyên", "xóm Chùa", PHONE, "ví điện tử của bà"];

/** Answers the next browser dialog, resolving to its message. */
function nextDialog(page) {
  return new Promise((resolve) => {
    page.once("dialog", async (dialog) => {
      const message = dialog.message();
      await dialog.accept();
      resolve(message);
    });
  });
}

function assertNoTrace(what, text) {
  for (const trace of TRACES) assert.ok(!text.includes(trace), `${trace} is still in ${what}`);
}

test("an erased household leaves no trace on an offline phone once it syncs, and the figures stay", async () => {
  const base = env.server.base;

  // Setup: a neighbour's visit to the household, approved, so it counts.
  const household = uuid7();
  const neighbour = await apiAs(NEIGHBOUR);
  const first = uuid7();
  const seeded = await neighbour.request.post(`${base}/api/sync/push`, {
    data: {
      visits: [{
        id: first,
        version: 1,
        base_version: 0,
        household: { id: household, head_name: HEAD, address: ADDRESS, phone: PHONE },
        visited_at: Date.now() - 86_400_000,
        activities: [{ code: "epayment_account", detail: "ví điện tử của bà", people: 1 }],
        outcome: "done",
        note: "Bà Quyên cần con gái giúp",
      }],
    },
  });
  assert.deepEqual((await seeded.json()).results.map((r) => r.result), ["applied"]);
  await neighbour.close();
  const staffApi = await apiAs(STAFF);
  const approved = await staffApi.request.post(`${base}/api/visits/${first}/review`, { data: { action: "approve" } });
  assert.equal(approved.status(), 204);

  // The member's phone gets the household with the feed, then loses the signal and logs a
  // visit to it, picked from the list.
  const context = await phone(env.browser);
  const m = await context.newPage();
  const memberErrors = watchErrors(m);
  await signIn(m, base, MEMBER);
  await shellCached(m);
  await m.waitForFunction((id) => Object.keys(localStorage).some((k) => k.endsWith(`.hh.${id}`)), household, {
    timeout: 30_000,
  });
  await context.setOffline(true);
  await m.waitForTimeout(600);
  await m.click("[data-testid=log-visit]");
  await m.waitForURL((url) => url.pathname === "/visits/new");
  await m.waitForSelector("#activity-information");
  await m.fill("#household-search", "dinh thi quyen");
  await m.locator("[data-testid=household-match]", { hasText: HEAD }).click();
  await m.check("#activity-health_app");
  await m.click("[data-testid=save-visit]");
  await m.waitForURL(`${base}/`);
  await m.locator(".visit-card[data-state=pending]", { hasText: HEAD }).waitFor();

  // The officer, on the village's household list: downloads the household's data, then
  // erases it.
  const officer = await phone(env.browser);
  const o = await officer.newPage();
  const officerErrors = watchErrors(o);
  await signInAs(o, base, STAFF, PASSWORD, /^\/units\/\d+$/);
  const listed = await (await staffApi.request.get(`${base}/api/visits`)).json();
  const villageId = listed.visits.find((v) => v.record.id === first).record.village_id;
  const figures = async () =>
    (await staffApi.request.get(`${base}/api/units/${villageId}/figures?period=Y${new Date().getFullYear()}`)).json();
  const before = await figures();
  await o.goto(`${base}/units/${villageId}/households`);
  await hydrated(o);
  const row = o.locator(`[data-household-id='${household}']`);
  await row.waitFor({ timeout: 30_000 });
  assert.match(await row.locator("[data-testid=household-head]").textContent(), /Đinh Thị Quyên/);

  const [download] = await Promise.all([
    o.waitForEvent("download"),
    row.locator("[data-testid=household-export]").click(),
  ]);
  assert.equal(download.suggestedFilename(), `ho-${household}.json`);
  const exported = JSON.parse(await readFile(await download.path(), "utf8"));
  assert.equal(exported.household.household.head_name, HEAD);
  assert.equal(exported.household.household.phone, PHONE);
  assert.equal(exported.revisions.length, 1);
  assert.equal(exported.visits[0].status, "approved");
  assert.deepEqual(exported.history.map((e) => e.action), ["household_exported"]);

  const asked = nextDialog(o);
  await row.locator("[data-testid=household-erase]").click();
  assert.match(await asked, new RegExp(`${HEAD} · ${ADDRESS}.*Không thể hoàn tác`));
  await o.locator("[data-testid=households-done]").waitFor();
  assert.match(await o.textContent("[data-testid=households-done]"), /1 lượt hỗ trợ vẫn được tính/);
  await row.locator("[data-testid=household-head]", { hasText: "Hộ đã xóa thông tin cá nhân" }).waitFor();
  assert.equal(await row.locator("[data-testid=household-erase]").count(), 0, "nothing left to erase");
  assert.deepEqual(await figures(), before, "the figures did not move");

  // The phone comes back: its visit goes out, the feed tells it, and the name is gone from it.
  await context.setOffline(false);
  const deadline = Date.now() + 45_000;
  for (;;) {
    await m.click("[data-testid=sync-now]");
    await m.waitForFunction(() => !document.querySelector("[data-testid=sync-now]")?.disabled);
    const stored = await m.evaluate(() => JSON.stringify(Object.entries(localStorage)));
    const sent = await m.locator(".visit-card[data-state=sent]").count();
    if (sent === 1 && !TRACES.some((t) => stored.includes(t))) break;
    assert.ok(Date.now() < deadline, `the phone still holds the household's data: ${sent} sent`);
    await m.waitForTimeout(1_000);
  }
  assertNoTrace("the phone's storage", await m.evaluate(() => JSON.stringify(Object.entries(localStorage))));
  const card = m.locator(".visit-card[data-state=sent]");
  assert.match(await card.textContent(), /Hộ đã xóa thông tin cá nhân/);
  assertNoTrace("the home page", await m.textContent("main"));
  await card.locator("[data-testid=visit-open]").click();
  await m.locator("[data-testid=household-erased]").waitFor();
  assertNoTrace("the visit's page", await m.textContent("main"));

  // The household is no longer offered.
  await m.goto(`${base}/visits/new`);
  await hydrated(m);
  await m.waitForSelector("#activity-information");
  await m.fill("#household-search", "quyen");
  await m.waitForTimeout(300);
  assert.equal(await m.locator("[data-testid=household-match]").count(), 0);

  // The server holds both visits, without the name.
  const after = await (await staffApi.request.get(`${base}/api/households/${household}/export`)).text();
  assertNoTrace("the export after erasure", after);
  assert.equal(JSON.parse(after).visits.length, 2);
  assert.deepEqual(memberErrors, []);
  assert.deepEqual(officerErrors, []);
  await officer.close();
  await context.close();
  await staffApi.close();
});
