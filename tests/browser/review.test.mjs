// The review loop in the browser: the commune officer's approval queue (one by one, returned
// with a reason, chosen visits, everything matching a filter — refused when the set changed),
// amendments accepted or refused, a difficulty handled with a comment, and two households of
// a likely-duplicate group merged. Visits are sent by members through the sync API.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { test } from "node:test";

import { PASSWORD, hydrated, phone, signInAs, useBrowserAndServer, watchErrors } from "./support.mjs";

const env = useBrowserAndServer();

const STAFF = "0900000002";
const HOUR = 3_600_000;

/** A browser context signed in through the API; returns it with the profile. */
async function session(phoneNumber) {
  const context = await env.browser.newContext();
  const login = await context.request.post(`${env.server.base}/api/auth/login`, {
    data: { phone: phoneNumber, password: PASSWORD },
  });
  assert.equal(login.status(), 200);
  return { context, profile: await login.json() };
}

/** A visit as a device sends it (version 1), with the household named. */
function visit({ head, address, note = "", household = randomUUID(), business = false, difficulty, hoursAgo = 2 }) {
  const record = {
    id: randomUUID(),
    version: 1,
    base_version: 0,
    household: { id: household, head_name: head, address, business },
    visited_at: Date.now() - hoursAgo * HOUR,
    activities: [{ code: "public_service_account", detail: "VNeID mức 2", people: 2 }],
    outcome: "done",
    note,
  };
  if (difficulty) record.difficulty = difficulty;
  return record;
}

/** Sends visits as the member of `context`; every one must be stored. */
async function push(context, visits, expected = "applied") {
  const response = await context.request.post(`${env.server.base}/api/sync/push`, { data: { visits } });
  assert.equal(response.status(), 200);
  const body = await response.json();
  assert.deepEqual(body.results.map((r) => r.result), visits.map(() => expected));
}

/** The server's visits as `context` sees them, by id. */
async function serverVisits(context) {
  const response = await context.request.get(`${env.server.base}/api/visits`);
  assert.equal(response.status(), 200);
  return new Map((await response.json()).visits.map((v) => [v.record.id, v]));
}

/** The commune officer signed in on a phone, on `path` (else on the commune's page). */
async function officerOn(path) {
  const context = await phone(env.browser);
  const page = await context.newPage();
  const errors = watchErrors(page);
  await signInAs(page, env.server.base, STAFF, PASSWORD, /^\/units\/\d+$/);
  if (path) {
    await page.goto(`${env.server.base}${path}`);
    await hydrated(page);
  }
  return { context, page, errors };
}

/** Answers the next browser dialog with `accept`, resolving to its message. */
function nextDialog(page, accept = true) {
  return new Promise((resolve) => {
    page.once("dialog", async (dialog) => {
      const message = dialog.message();
      await (accept ? dialog.accept() : dialog.dismiss());
      resolve(message);
    });
  });
}

const card = (page, head) => page.locator("[data-testid=queue-item]", { hasText: head });

test("on a phone the commune officer approves one visit, returns another with a reason and approves two chosen ones", async () => {
  const { context: member } = await session("0900000012");
  const approved = visit({ head: "Hộ Duyệt Một", address: "Số 1", note: "Đã cài VNeID", hoursAgo: 5 });
  const returned = visit({ head: "Hộ Trả Lại", address: "Số 2", hoursAgo: 4 });
  const chosen = [visit({ head: "Hộ Chọn A", address: "Số 3" }), visit({ head: "Hộ Chọn B", address: "Số 4" })];
  // One at a time, so the queue's order (oldest received first) is known.
  for (const v of [approved, returned, ...chosen]) {
    await push(member, [v]);
    await new Promise((r) => setTimeout(r, 20));
  }

  const { context, page, errors } = await officerOn("/review");
  await card(page, "Hộ Duyệt Một").waitFor({ timeout: 30_000 });
  // Oldest first, with who, where, when and what.
  const heads = await page.locator("[data-testid=queue-head-name]").allTextContents();
  assert.deepEqual(heads.slice(0, 2), ["Hộ Duyệt Một", "Hộ Trả Lại"]);
  const first = await card(page, "Hộ Duyệt Một").textContent();
  for (const part of ["Thôn Hội Khánh", "Nguyễn Thị Hoa", "VNeID mức 2", "2 người", "Hoàn thành", "Đã cài VNeID"]) {
    assert.ok(first.includes(part), `${part} in ${first}`);
  }
  assert.match(first, /\d{2}\/\d{2}\/\d{4} \d{2}:\d{2}/);
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= 360), "no sideways scrolling");

  await card(page, "Hộ Duyệt Một").locator("[data-testid=approve]").click();
  await card(page, "Hộ Duyệt Một").waitFor({ state: "detached" });
  assert.match(await page.textContent("[data-testid=review-done]"), /Đã duyệt lượt hỗ trợ hộ Hộ Duyệt Một/);

  const back = card(page, "Hộ Trả Lại");
  await back.locator("[data-testid=return]").click();
  await back.locator("[data-testid=confirm-return]").click();
  await back.locator("[data-testid=reason-error]", { hasText: "Nhập lý do trả lại" }).waitFor();
  await back.locator("[data-testid=reason]").fill("Thiếu số điện thoại của hộ");
  await back.locator("[data-testid=confirm-return]").click();
  await back.waitFor({ state: "detached" });
  assert.match(await page.textContent("[data-testid=review-done]"), /Đã trả lại/);

  for (const v of chosen) await card(page, v.household.head_name).locator("[data-testid=pick]").check();
  assert.match(await page.textContent("[data-testid=approve-selected]"), /Duyệt 2 lượt đã chọn/);
  await page.click("[data-testid=approve-selected]");
  await page.locator("[data-testid=review-done]", { hasText: "Đã duyệt 2 lượt; 0 lượt bỏ qua" }).waitFor();
  await card(page, "Hộ Chọn A").waitFor({ state: "detached" });

  const stored = await serverVisits(member);
  assert.equal(stored.get(approved.id).status, "approved");
  assert.equal(stored.get(returned.id).status, "returned");
  for (const v of chosen) assert.equal(stored.get(v.id).status, "approved");
  const feed = await (await member.request.get(`${env.server.base}/api/sync/pull?cursor=0&limit=500&v=2`)).json();
  const news = feed.items.filter((i) => i.visit?.id === returned.id).at(-1);
  assert.equal(news.visit.reason, "Thiếu số điện thoại của hộ");
  assert.deepEqual(errors, []);
  await context.close();
  await member.close();
});

test("approving everything that matches a filter states the number, and a set that changed meanwhile is refused", async () => {
  const { context: member, profile } = await session("0900000013");
  const visits = [1, 2, 3].map((n) => visit({ head: `Hộ Lọc ${n}`, address: `Số ${n}` }));
  await push(member, visits);

  const { context, page } = await officerOn("/review");
  await card(page, "Hộ Lọc 1").waitFor({ timeout: 30_000 });
  await page.selectOption("#filter-member", profile.user_id);
  await page.locator("[data-testid=queue-total][data-total='3']").waitFor();
  assert.ok(new URL(page.url()).searchParams.get("member") === profile.user_id, page.url());

  // Meanwhile the member sends one more: what the officer saw is no longer the set.
  const late = visit({ head: "Hộ Lọc Muộn", address: "Số 9" });
  await push(member, [late]);
  const asked = nextDialog(page);
  await page.click("[data-testid=approve-all]");
  assert.match(await asked, /Duyệt tất cả 3 lượt khớp bộ lọc/);
  await page.locator("[data-testid=review-problem]", { hasText: "Danh sách đã thay đổi" }).waitFor();
  await page.locator("[data-testid=queue-total][data-total='4']").waitFor();
  let stored = await serverVisits(member);
  for (const v of [...visits, late]) assert.equal(stored.get(v.id).status, "submitted");

  // The filter survives a reload (it is in the address).
  await page.reload();
  await hydrated(page);
  await page.locator("[data-testid=queue-total][data-total='4']").waitFor({ timeout: 30_000 });
  const again = nextDialog(page);
  await page.click("[data-testid=approve-all]");
  assert.match(await again, /Duyệt tất cả 4 lượt/);
  await page.locator("[data-testid=review-done]", { hasText: "Đã duyệt 4 lượt" }).waitFor();
  await page.locator("[data-testid=queue-empty]").waitFor();
  stored = await serverVisits(member);
  for (const v of [...visits, late]) assert.equal(stored.get(v.id).status, "approved");
  await context.close();
  await member.close();
});

test("an amendment shows what changed; the officer accepts one and refuses another", async () => {
  const { context: member } = await session("0900000014");
  const { context: officer } = await session(STAFF);
  const kept = visit({ head: "Hộ Sửa Nhận", address: "Số 5", note: "ghi chú cũ" });
  const refused = visit({ head: "Hộ Sửa Từ Chối", address: "Số 6", note: "bản đã duyệt" });
  await push(member, [kept, refused]);
  for (const v of [kept, refused]) {
    const review = await officer.request.post(`${env.server.base}/api/visits/${v.id}/review`, { data: { action: "approve" } });
    assert.equal(review.status(), 204);
  }
  const edit = (v, note) => ({ ...v, version: 2, base_version: 1, note, activities: [{ ...v.activities[0], people: 3 }] });
  await push(member, [edit(kept, "ghi chú mới"), edit(refused, "bản sửa")], "locked");

  const { context, page } = await officerOn("/review?kind=amendment");
  const accept = card(page, "Hộ Sửa Nhận");
  await accept.waitFor({ timeout: 30_000 });
  assert.equal(await accept.getAttribute("data-kind"), "amendment");
  const note = await accept.locator("[data-testid=change][data-field=Note]").textContent();
  assert.match(note, /ghi chú cũ\s*→\s*ghi chú mới/);
  assert.match(await accept.locator("[data-testid=change][data-field=Activities]").textContent(), /2 người.*→.*3 người/);
  await accept.locator("[data-testid=approve]", { hasText: "Chấp nhận sửa đổi" }).click();
  await accept.waitFor({ state: "detached" });

  const refuse = card(page, "Hộ Sửa Từ Chối");
  await refuse.locator("[data-testid=return]", { hasText: "Không chấp nhận" }).click();
  await refuse.locator("[data-testid=reason]").fill("Số người không đúng");
  await refuse.locator("[data-testid=confirm-return]").click();
  await refuse.waitFor({ state: "detached" });
  assert.match(await page.textContent("[data-testid=review-done]"), /Đã không chấp nhận sửa đổi/);

  const stored = await serverVisits(member);
  assert.equal(stored.get(kept.id).status, "approved");
  assert.equal(stored.get(kept.id).record.note, "ghi chú mới");
  assert.equal(stored.get(refused.id).status, "approved");
  assert.equal(stored.get(refused.id).record.note, "bản đã duyệt");
  await context.close();
  await officer.close();
  await member.close();
});

test("the officer handles a difficulty with a comment; a leader reads the team's without handling", async () => {
  const { context: member } = await session("0900000012");
  const handled = visit({ head: "Hộ Khó Khăn", address: "Số 8", difficulty: { category: "no_signal", note: "Không có sóng ở xóm trên" } });
  const open = visit({ head: "Hộ Còn Mở", address: "Số 10", difficulty: { category: "no_signal", note: "Mạng chập chờn" } });
  await push(member, [handled, open]);

  const { context, page } = await officerOn("/difficulties");
  const item = page.locator("[data-testid=difficulty]", { hasText: "Hộ Khó Khăn" });
  await item.waitFor({ timeout: 30_000 });
  const text = await item.textContent();
  for (const part of ["Không có sóng, mạng yếu", "Nguyễn Thị Hoa", "Thôn Hội Khánh", "Không có sóng ở xóm trên"]) {
    assert.ok(text.includes(part), `${part} in ${text}`);
  }
  await item.locator("[data-testid=handle]").click();
  await item.locator("[data-testid=confirm-handle]").click();
  await item.locator("[data-testid=comment-error]", { hasText: "Ghi cách xử lý" }).waitFor();
  await item.locator("[data-testid=comment]").fill("Đã báo nhà mạng lắp trạm");
  await item.locator("[data-testid=confirm-handle]").click();
  await item.waitFor({ state: "detached" });
  await page.check("[data-testid=show-handled]");
  const done = page.locator("[data-testid=difficulty][data-status=handled]", { hasText: "Hộ Khó Khăn" });
  assert.match(await done.locator("[data-testid=difficulty-comment]").textContent(), /Đã báo nhà mạng lắp trạm/);

  const list = await (await context.request.get(`${env.server.base}/api/difficulties?status=handled`)).json();
  const stored = list.difficulties.find((d) => d.visit_id === handled.id);
  assert.equal(stored.comment, "Đã báo nhà mạng lắp trạm");
  await context.close();

  const leaderContext = await phone(env.browser);
  const leader = await leaderContext.newPage();
  await signInAs(leader, env.server.base, "0900000011", PASSWORD, /^\/teams\//);
  await leader.click("[data-testid=nav-difficulties]");
  const seen = leader.locator("[data-testid=difficulty]", { hasText: "Hộ Còn Mở" });
  await seen.waitFor({ timeout: 30_000 });
  assert.equal(await seen.locator("[data-testid=handle]").count(), 0);
  assert.equal(await leader.locator("[data-testid=nav-review]").count(), 0);
  await leaderContext.close();
  await member.close();
});

test("two households of a likely-duplicate group are merged after a confirmation naming both", async () => {
  const { context: member, profile } = await session("0900000012");
  const village = profile.team.village.id;
  const survivor = visit({ head: "Trần Thị Mơ", address: "Số 7", business: true });
  const duplicate = visit({ head: "Tran Thi Mo", address: "so 7, xóm 2" });
  await push(member, [survivor, duplicate]);

  const { context, page } = await officerOn(null);
  await page.locator("[data-testid=village-row] a", { hasText: "Thôn Hội Khánh" }).click();
  await page.click("[data-testid=households-link]");
  await page.waitForURL(`${env.server.base}/units/${village}/households`);
  await page.locator("[data-testid=household]").first().waitFor({ timeout: 30_000 });
  await page.fill("[data-testid=household-search]", "tran thi mo");
  const rows = page.locator("[data-testid=household]");
  assert.equal(await rows.count(), 2);
  assert.equal(await page.locator("[data-testid=maybe-duplicate]").count(), 2);
  const keep = page.locator(`[data-household-id='${survivor.household.id}']`);
  assert.equal(await keep.locator("[data-testid=household-business]").count(), 1);

  await keep.locator("[data-testid=merge-into]").click();
  const asked = nextDialog(page);
  await keep.locator("[data-testid=confirm-merge]").click();
  const message = await asked;
  assert.match(message, /Tran Thi Mo · so 7, xóm 2.*Trần Thị Mơ · Số 7/);
  await page.locator("[data-testid=households-done]").waitFor();
  await page.locator(`[data-household-id='${duplicate.household.id}']`).waitFor({ state: "detached" });
  assert.match(await keep.locator("[data-testid=household-visits]").textContent(), /2 lượt hỗ trợ/);

  const list = await (await context.request.get(`${env.server.base}/api/units/${village}/households`)).json();
  const ids = list.households.map((h) => h.household.id);
  assert.ok(!ids.includes(duplicate.household.id));
  assert.equal(list.households.find((h) => h.household.id === survivor.household.id).visits, 2);
  await context.close();
  await member.close();
});
