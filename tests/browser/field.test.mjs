// The field pages a phone keeps offline without having opened them: a visit's page and the
// team leader's team log (the `field` module, precached by the service worker); the leader's
// mark reaching the member; a conflict settled from the visit's page.
import assert from "node:assert/strict";
import { test } from "node:test";

import { go, hydrated, PASSWORD, phone, shellCached, signIn, signInAs, useBrowserAndServer, apiAs as sharedApiAs, uuid7 } from "./support.mjs";

const env = useBrowserAndServer();

const apiAs = (phoneNumber) => sharedApiAs(env.browser, env.server.base, phoneNumber);

function visit(id, { version = 1, base = 0, note = "", difficulty, head = "Hộ Đinh Văn Tám", revision, baseRevision } = {}) {
  const record = {
    id,
    version,
    base_version: base,
    household: { id: `${id.slice(0, -1)}${id.endsWith("1") ? "2" : "1"}`, head_name: head, address: "Số 8" },
    visited_at: Date.now() - 3_600_000,
    activities: [{ code: "health_app", people: 2 }],
    outcome: "done",
    note,
  };
  if (difficulty) record.difficulty = difficulty;
  if (revision) record.revision = revision;
  if (baseRevision) record.base_revision = baseRevision;
  return record;
}


async function push(context, visits) {
  const response = await context.request.post(`${env.server.base}/api/sync/push`, { data: { visits } });
  assert.equal(response.status(), 200);
  return (await response.json()).results.map((r) => r.result);
}

test("the leader's team log and a team visit's page open offline, never opened before", async () => {
  const member = await apiAs("0900000013");
  const [first, second] = [uuid7(), uuid7()];
  assert.deepEqual(
    await push(member, [
      visit(first, { head: "Hộ Lò Văn Pả", note: "Cài VNeID cho hai người" }),
      visit(second, { head: "Hộ Vàng Thị Dở", difficulty: { category: "no_id_card", note: "Bà chưa có căn cước" } }),
    ]),
    ["applied", "applied"],
  );

  const context = await phone(env.browser);
  const page = await context.newPage();
  await signInAs(page, env.server.base, "0900000011", PASSWORD, /^\/teams\//);
  const teamPath = new URL(page.url()).pathname;
  await shellCached(page);
  // The team's visits arrive with the feed.
  await page.waitForFunction(
    () => Object.keys(localStorage).filter((k) => k.includes(".tv.")).length >= 2,
    null,
    { timeout: 30_000 },
  );

  await context.setOffline(true);
  await go(page, `${env.server.base}${teamPath}/log`);
  await hydrated(page);
  await page.waitForSelector("[data-testid=log-line]");
  const lines = page.locator("[data-testid=log-line]");
  assert.ok((await lines.count()) >= 2);
  assert.match(await page.textContent("[data-testid=team-log]"), /Hộ Lò Văn Pả/);
  // Filter: only what raised a difficulty.
  await page.selectOption("[data-testid=log-status]", "difficulty");
  assert.equal(await lines.count(), 1);
  assert.match(await lines.first().textContent(), /Hộ Vàng Thị Dở/);

  await go(page, `${env.server.base}/visits/${first}`);
  await hydrated(page);
  await page.waitForSelector("[data-testid=visit-details]");
  assert.match(await page.textContent("[data-testid=visit-household]"), /Hộ Lò Văn Pả/);
  assert.match(await page.textContent("[data-testid=visit-details]"), /Cài VNeID cho hai người/);
  await context.close();
  await member.close();
});

test("a leader's mark reaches the member's new phone; the member settles a conflict from the visit's page", async () => {
  const memberApi = await apiAs("0900000014");
  const id = uuid7();
  assert.deepEqual(await push(memberApi, [visit(id, { note: "bản đầu", revision: uuid7() })]), ["applied"]);

  const leaderContext = await phone(env.browser);
  const leader = await leaderContext.newPage();
  await signInAs(leader, env.server.base, "0900000011", PASSWORD, /^\/teams\//);
  await leader.waitForFunction((v) => Object.keys(localStorage).some((k) => k.endsWith(`.tv.${v}`)), id, {
    timeout: 30_000,
  });
  await go(leader, `${env.server.base}/visits/${id}`);
  await hydrated(leader);
  await leader.fill("#mark-comment", "Ghi rõ ứng dụng nào");
  await leader.click("[data-testid=mark-has-issues]");
  await leader.waitForFunction(() => /Đã lưu nhận xét/.test(document.querySelector("[data-testid=visit-problem]")?.textContent ?? ""));
  await leaderContext.close();

  // Another device's edit, made from a version the server never had: a conflict.
  assert.deepEqual(
    await push(memberApi, [visit(id, { version: 3, base: 2, note: "bản máy khác", revision: uuid7(), baseRevision: uuid7() })]),
    ["conflict"],
  );

  // The member signs in on a new phone: the feed brings their visits, with the mark.
  const memberContext = await phone(env.browser);
  const page = await memberContext.newPage();
  await signIn(page, env.server.base, "0900000014");
  await page.waitForFunction((v) => Object.keys(localStorage).some((k) => k.endsWith(`.visit.${v}`)), id, {
    timeout: 30_000,
  });
  await go(page, `${env.server.base}/visits/${id}`);
  await hydrated(page);
  await page.waitForSelector("[data-testid=visit-conflict]", { timeout: 30_000 });
  assert.match(await page.textContent("[data-testid=visit-mark]"), /Ghi rõ ứng dụng nào/);
  await page.click("[data-testid=conflict-open]");
  await page.waitForSelector("[data-testid=conflict-revision]");
  const kept = page.locator("[data-testid=conflict-revision]", { hasText: "bản máy khác" });
  await kept.locator("[data-testid=conflict-keep]").click();
  await page.waitForFunction(() => /Đã giữ bản được chọn/.test(document.querySelector("[data-testid=visit-problem]")?.textContent ?? ""));
  await page.waitForSelector("[data-testid=visit-conflict]", { state: "detached" });
  assert.match(await page.textContent("[data-testid=visit-details]"), /bản máy khác/);

  const visits = await (await memberApi.request.get(`${env.server.base}/api/visits`)).json();
  const settled = visits.visits.find((v) => v.record.id === id);
  assert.equal(settled.record.note, "bản máy khác");
  assert.equal(settled.record.version, 4);
  assert.equal(settled.status, "submitted");
  await memberContext.close();
  await memberApi.close();
});
