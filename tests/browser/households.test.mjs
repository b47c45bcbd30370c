// The visit form at 360 × 740 with the village's household list: search as you type (the
// cases in fold-cases.json, shared with the Rust tests), a look-alike warning for a new
// household, consent for a phone number, a difficulty raised, a repeat visit from the
// follow-ups, and an edit of a visit already sent.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

import { go, hydrated, PASSWORD, phone, shellCached, signIn, useBrowserAndServer, apiAs as sharedApiAs, uuid7 } from "./support.mjs";

const env = useBrowserAndServer();
const CASES = JSON.parse(readFileSync(new URL("./fold-cases.json", import.meta.url), "utf8"));


const apiAs = (phoneNumber) => sharedApiAs(env.browser, env.server.base, phoneNumber);

/** Households of village 1, logged by another member of its team through the API. */
async function seedHouseholds(names) {
  const api = await apiAs("0900000013");
  const visits = names.map((name, i) => ({
    id: uuid7(),
    version: 1,
    base_version: 0,
    household: { id: uuid7(), head_name: name, address: `Số ${i + 1}` },
    visited_at: Date.now() - 3_600_000,
    activities: [{ code: "health_app", people: 1 }],
    outcome: "done",
  }));
  const response = await api.request.post(`${env.server.base}/api/sync/push`, { data: { visits } });
  assert.deepEqual((await response.json()).results.map((r) => r.result), names.map(() => "applied"));
  await api.close();
}

const serverVisits = (page) => page.evaluate(() => fetch("/api/visits").then((r) => r.json()).then((b) => b.visits));

async function openForm(page) {
  await page.click("[data-testid=log-visit]");
  await page.waitForSelector("#household-search");
}

test("the household list is searched the way people type, and a look-alike is noticed", async () => {
  const names = [...new Set(CASES.map(([name]) => name.normalize("NFC")))];
  await seedHouseholds(names);
  const context = await phone(env.browser);
  const page = await context.newPage();
  await signIn(page, env.server.base, "0900000012");
  await page.waitForFunction((n) => Object.keys(localStorage).filter((k) => k.includes(".hh.")).length >= n, names.length, {
    timeout: 30_000,
  });
  await openForm(page);
  for (const [name, typed, found] of CASES) {
    await page.fill("#household-search", typed);
    const matches = await page.locator("[data-testid=household-match]").allTextContents();
    const listed = matches.some((text) => text.includes(name.normalize("NFC")));
    assert.equal(listed, found, `${JSON.stringify(typed)} → ${JSON.stringify(matches)}`);
  }
  // Sorted by given name the Vietnamese way: "…Ánh" before "…Huệ" before "…Pả" before "…Tuấn".
  await page.fill("#household-search", "");
  const order = (await page.locator("[data-testid=household-match] strong").allTextContents());
  const given = order.map((n) => n.split(" ").pop());
  assert.deepEqual(given, ["A", "Ánh", "Huệ", "Pả", "Tuấn"]);

  // A new household that looks like a listed one: the form says so and offers it.
  await page.fill("#household-search", "");
  await page.fill("#head_name", "nguyen van a");
  await page.fill("#address", "số 1, xóm Bãi");
  await page.waitForSelector("[data-testid=household-alike]");
  await page.click("[data-testid=household-use-alike]");
  assert.match(await page.textContent("[data-testid=household-picked]"), /Nguyễn Văn A/);
  await context.close();
});

test("a phone needs the household's consent; a difficulty is raised; a follow-up is repeated; a sent visit is edited", async () => {
  const context = await phone(env.browser);
  const page = await context.newPage();
  await signIn(page, env.server.base, "0900000014");
  await shellCached(page);
  // The kinds of difficulty come with the feed.
  await page.waitForFunction(() => (JSON.parse(localStorage.getItem("sotay.v1.difficulties") ?? "[]")).length >= 5, null, {
    timeout: 30_000,
  });
  await openForm(page);
  await page.fill("#head_name", "Hộ Mùa A Dính");
  await page.fill("#address", "Số 30");
  await page.fill("#household_phone", "0912 345 678");
  await page.check("#activity-health_app");
  await page.check("input[name=outcome][value=follow_up]");
  const tomorrow = new Date(Date.now() + 7 * 3600_000 + 86_400_000).toISOString().slice(0, 10);
  await page.fill("#follow_up_on", tomorrow);
  await page.click("[data-testid=form-more] summary");
  await page.check("[data-testid=difficulty-on]");
  await page.selectOption("[data-testid=difficulty-category]", "no_id_card");
  await page.fill("#difficulty_note", "Chưa có căn cước gắn chip");
  await page.click("[data-testid=save-visit]");
  // No consent yet: said next to the phone, and nothing saved.
  await page.waitForFunction(() => /đồng ý/.test(document.querySelector("#err-phone")?.textContent ?? ""));
  assert.equal(await page.getAttribute("#household_phone", "aria-describedby"), "err-phone");
  await page.check("[data-testid=phone-consent]");
  await page.click("[data-testid=save-visit]");
  await page.waitForURL(`${env.server.base}/`);
  await page.waitForSelector(".visit-card[data-state='sent']", { timeout: 30_000 });

  const [first] = await serverVisits(page);
  assert.equal(first.record.household.phone, "0912345678");
  assert.equal(first.record.household.phone_consent, true);
  assert.deepEqual(first.record.difficulty, { category: "no_id_card", note: "Chưa có căn cước gắn chip" });
  const staff = await apiAs("0900000002");
  const open = await (await staff.request.get(`${env.server.base}/api/difficulties`)).json();
  assert.ok(open.difficulties.some((d) => d.visit_id === first.record.id));

  // "Cần quay lại": the follow-up, and a repeat visit to the same household.
  await page.waitForSelector("[data-testid=follow-up]");
  assert.match(await page.textContent("[data-testid=follow-ups]"), /Hộ Mùa A Dính/);
  await page.click("[data-testid=follow-up-repeat]");
  await page.waitForSelector("[data-testid=household-picked]");
  assert.match(await page.textContent("[data-testid=household-picked]"), /Hộ Mùa A Dính/);
  await page.check("#activity-health_app");
  await page.click("[data-testid=save-visit]");
  await page.waitForURL(`${env.server.base}/`);
  await page.waitForFunction(() => document.querySelectorAll(".visit-card[data-state='sent']").length === 2, null, {
    timeout: 30_000,
  });
  const both = await serverVisits(page);
  assert.equal(both.length, 2);
  assert.equal(both[0].record.household.id, both[1].record.household.id, "one household, visited twice");
  assert.equal(await page.locator("[data-testid=follow-up]").count(), 0, "visited again: no longer due");

  // Edit the first visit from its page: a new version of it.
  await go(page, `${env.server.base}/visits/${first.record.id}`);
  await hydrated(page);
  await page.click("[data-testid=visit-edit]");
  await page.waitForSelector("[data-testid=form-more][open]");
  assert.ok(await page.isChecked("[data-testid=difficulty-on]"), "the difficulty is kept in the edit");
  await page.fill("#note", "Đã hẹn chiều thứ bảy");
  await page.click("[data-testid=save-visit]");
  await page.waitForURL(`${env.server.base}/visits/${first.record.id}`);
  await page.click("[data-testid=sync-now]");
  await page.waitForFunction(
    async (id) => {
      const list = await fetch("/api/visits").then((r) => r.json());
      const v = list.visits.find((x) => x.record.id === id);
      return v && v.record.version === 2 && v.record.note === "Đã hẹn chiều thứ bảy";
    },
    first.record.id,
    { timeout: 30_000, polling: 500 },
  );
  await staff.close();
  await context.close();
});
