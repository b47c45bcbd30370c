// The whole review loop on 360 × 740 phones, each person on their own device, every step
// through the pages: a member logs two visits offline (one to a household picked from the
// village's list, one raising a difficulty); on a poor signal the leader's team page shows
// the two waiting as the phone reported; they sync; the team leader sees them in the team
// log, and the member's unsent count, now 0; the commune officer
// approves one and returns the other with a reason; the member reads the reason, fixes the
// visit, it syncs, and the officer approves it; both are locked — an edit of each after
// approval goes to review as an amendment, one accepted, one refused, and the member learns
// which; the officer handles the difficulty with a comment, and the team reads it after a sync.
import assert from "node:assert/strict";
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
const LEADER = "0900000011";
const STAFF = "0900000002";

const LISTED = { head: "Hộ Lò Thị Mai", address: "Số 21, xóm Trên" };
const RAISED = { head: "Hộ Vàng A Sùng", address: "Số 5, xóm Dưới" };
const DIFFICULTY_NOTE = "Bà chưa có căn cước gắn chip";
const REASON = "Ghi đủ số người được hỗ trợ: cả hai ông bà";
const LISTED_NOTE = "Đã cài VNeID mức 2 cho cả hai vợ chồng";
const REFUSED_NOTE = "Con gái cũng được hướng dẫn";
const REFUSAL = "Con gái không có mặt hôm đó";
const COMMENT = "Đã hẹn công an xã làm căn cước tại nhà ngày 5/12";
const STAMP = /\d{2}\/\d{2}\/\d{4} \d{2}:\d{2}/;

/** A person signed in on their own phone, with the page's errors collected. */
async function phoneOf(phoneNumber, landing) {
  const context = await phone(env.browser);
  const page = await context.newPage();
  const errors = watchErrors(page);
  if (landing) await signInAs(page, env.server.base, phoneNumber, PASSWORD, landing);
  else await signIn(page, env.server.base, phoneNumber);
  return { context, page, errors };
}

/** The member's new-visit form, opened from the home's button (a tap right after "Lưu" is ignored on purpose). */
async function openForm(page) {
  await page.waitForTimeout(600);
  await page.click("[data-testid=log-visit]");
  await page.waitForURL((url) => url.pathname === "/visits/new");
  await page.waitForSelector("#activity-information");
}

/** Taps "send now" on the status line and waits until that round is over. */
async function syncNow(page) {
  await page.click("[data-testid=sync-now]");
  await page.waitForFunction(() => !document.querySelector("[data-testid=sync-now]")?.disabled);
}

/** Waits until `locator` shows up, tapping "send now" every few seconds meanwhile. */
async function syncUntil(page, locator, timeout = 30_000) {
  const deadline = Date.now() + timeout;
  for (;;) {
    await syncNow(page);
    try {
      await locator.waitFor({ timeout: 3_000 });
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
    }
  }
}

const chip = (page, text) => page.locator("[data-testid=visit-chip]", { hasText: text });

/** The server's state of the member's visits, as their feed says it (a check of the outcome, not a step of the loop). */
async function serverVisits(api) {
  const response = await api.request.get(`${env.server.base}/api/sync/pull?cursor=0&limit=500&v=2`);
  assert.equal(response.status(), 200);
  const states = new Map();
  for (const item of (await response.json()).items) if (item.visit) states.set(item.visit.id, item.visit);
  return states;
}

test("the whole loop on phones: offline visits, the team log, review, a fix, amendments, a difficulty handled", async () => {
  const base = env.server.base;

  // Setup: a household of the village already on the list (another member's visit to it).
  const household = uuid7();
  const neighbour = await apiAs(NEIGHBOUR);
  const seeded = await neighbour.request.post(`${base}/api/sync/push`, {
    data: {
      visits: [{
        id: uuid7(),
        version: 1,
        base_version: 0,
        household: { id: household, head_name: LISTED.head, address: LISTED.address },
        visited_at: Date.now() - 86_400_000,
        activities: [{ code: "information", people: 1 }],
        outcome: "done",
        note: "",
      }],
    },
  });
  assert.deepEqual((await seeded.json()).results.map((r) => r.result), ["applied"]);
  await neighbour.close();

  // ── 1. The member, on their phone: the list, the catalogue and the kinds of difficulty arrive
  // with the feed; then the signal goes.
  const member = await phoneOf(MEMBER);
  const m = member.page;
  await shellCached(m);
  await m.waitForFunction(
    (id) =>
      Object.keys(localStorage).some((k) => k.endsWith(`.hh.${id}`)) &&
      JSON.parse(localStorage.getItem("sotay.v1.difficulties") ?? "[]").length >= 5,
    household,
    { timeout: 30_000 },
  );
  const memberId = await m.evaluate(() => JSON.parse(localStorage.getItem("sotay.v1.identity")).user_id);
  await member.context.setOffline(true);

  // A visit to the household picked from the list on the device.
  await openForm(m);
  await m.fill("#household-search", "lo thi mai");
  const match = m.locator("[data-testid=household-match]", { hasText: LISTED.head });
  assert.equal(await m.locator("[data-testid=household-match]").count(), 1);
  await match.click();
  assert.match(await m.textContent("[data-testid=household-picked]"), new RegExp(`${LISTED.head} · ${LISTED.address}`));
  await m.check("#activity-public_service_account");
  await m.fill("input[name=people-public_service_account]", "2");
  await m.click("[data-testid=save-visit]");
  await m.waitForURL(`${base}/`);

  // A visit to a new household, raising a difficulty.
  await openForm(m);
  await m.fill("#head_name", RAISED.head);
  await m.fill("#address", RAISED.address);
  await m.check("#activity-health_app");
  await m.click("[data-testid=form-more] summary");
  await m.check("[data-testid=difficulty-on]");
  await m.selectOption("[data-testid=difficulty-category]", "no_id_card");
  await m.fill("#difficulty_note", DIFFICULTY_NOTE);
  await m.click("[data-testid=save-visit]");
  await m.waitForURL(`${base}/`);

  const card = (head) => m.locator(".visit-card", { hasText: head });
  await card(RAISED.head).waitFor();
  assert.equal(await m.locator(".visit-card[data-state=pending]").count(), 2);
  assert.equal(await m.getAttribute("[data-testid=status-line]", "data-pending"), "2");
  assert.match(await m.textContent("[data-testid=pending-count]"), /2 lượt chưa gửi/);
  const listedId = await card(LISTED.head).getAttribute("data-visit-id");
  const raisedId = await card(RAISED.head).getAttribute("data-visit-id");
  const memberApi = await apiAs(MEMBER);
  assert.equal((await serverVisits(memberApi)).size, 0, "nothing reached the server while offline");

  // ── 2. A poor signal: the pushes do not get through, the small pulls do, and they report
  // what waits on the phone; the leader sees it on the team page.
  await m.route("**/api/sync/push", (route) => route.abort("timedout"));
  await member.context.setOffline(false);
  const leader = await phoneOf(LEADER, /^\/teams\//);
  const l = leader.page;
  const teamPath = new URL(l.url()).pathname;
  const unsent = l.locator(`[data-testid=roster-entry][data-user-id='${memberId}'] [data-testid=unsent]`);
  for (const deadline = Date.now() + 30_000; ; ) {
    await syncNow(m);
    await l.reload();
    await hydrated(l);
    if ((await unsent.getAttribute("data-unsent").catch(() => null)) === "2") break;
    assert.ok(Date.now() < deadline, "the leader never saw the 2 visits waiting");
  }
  assert.match(await unsent.textContent(), new RegExp(`^2 lượt chưa gửi \\(báo lúc ${STAMP.source}\\)`));
  assert.equal(await m.locator(".visit-card[data-state=pending]").count(), 2);

  // The signal is good again: both go out by themselves.
  await m.unroute("**/api/sync/push");
  await syncNow(m);
  await m.waitForFunction(() => document.querySelectorAll(".visit-card[data-state=sent]").length === 2, null, {
    timeout: 30_000,
  });
  assert.match(await m.textContent("[data-testid=pending-count]"), /Đã gửi hết/);
  let stored = await serverVisits(memberApi);
  assert.equal(stored.get(listedId).record.household.id, household, "the listed household, not a new one");
  assert.deepEqual(stored.get(raisedId).record.difficulty, { category: "no_id_card", note: DIFFICULTY_NOTE });

  // ── 3. The leader: the member's unsent count as last reported (nothing waits now), then
  // the team log.
  await l.reload();
  await hydrated(l);
  await unsent.waitFor({ timeout: 30_000 });
  assert.equal(await unsent.getAttribute("data-unsent"), "0");
  const reported = await unsent.textContent();
  assert.match(reported, /Đã gửi hết/);
  assert.match(reported, new RegExp(`báo lúc ${STAMP.source}`));

  await l.click("[data-testid=team-log-link]");
  await l.waitForURL(`${base}${teamPath}/log`);
  const mine = l.locator(`[data-testid=log-line][data-member='${memberId}']`);
  await l.waitForFunction(
    (id) => document.querySelectorAll(`[data-testid=log-line][data-member='${id}']`).length === 2,
    memberId,
    { timeout: 30_000 },
  );
  await l.selectOption("[data-testid=log-member]", memberId);
  assert.match(await l.textContent("[data-testid=log-count]"), /^2 lượt thăm/);
  for (const head of [LISTED.head, RAISED.head]) {
    const line = mine.filter({ hasText: head });
    assert.match(await line.textContent(), /Nguyễn Thị Hoa/);
    assert.equal(await line.getAttribute("data-state"), "sent");
  }
  await l.selectOption("[data-testid=log-status]", "difficulty");
  assert.equal(await l.locator("[data-testid=log-line]").count(), 1);
  assert.match(await l.locator("[data-testid=log-line]").textContent(), new RegExp(`${RAISED.head}.*Khó khăn`));
  await l.selectOption("[data-testid=log-status]", "");

  // ── 4. The commune officer approves one and returns the other with a reason.
  const officer = await phoneOf(STAFF, /^\/units\/\d+$/);
  const o = officer.page;
  await o.click("[data-testid=nav-review]");
  await o.waitForURL((url) => url.pathname === "/review");
  const queued = (id) => o.locator(`[data-testid=queue-item][data-visit-id='${id}']`);
  await queued(listedId).waitFor({ timeout: 30_000 });
  // What was done and the kind of difficulty, by their names: a card drawn before the page has
  // read the catalogue and the kinds of difficulty must not keep the bare codes.
  await queued(listedId).locator(".visit-activities", { hasText: "Tạo tài khoản dịch vụ công" }).waitFor({ timeout: 5_000 });
  const first = await queued(listedId).textContent();
  for (const part of [LISTED.head, "Thôn Hội Khánh", "Nguyễn Thị Hoa", "2 người"]) assert.ok(first.includes(part), `${part} in ${first}`);
  await queued(raisedId)
    .locator("[data-testid=queue-difficulty]", { hasText: `Chưa có căn cước gắn chip: ${DIFFICULTY_NOTE}` })
    .waitFor({ timeout: 5_000 });
  await queued(listedId).locator("[data-testid=approve]").click();
  await queued(listedId).waitFor({ state: "detached" });
  assert.match(await o.textContent("[data-testid=review-done]"), new RegExp(`Đã duyệt lượt hỗ trợ hộ ${LISTED.head}`));
  await queued(raisedId).locator("[data-testid=return]").click();
  await queued(raisedId).locator("[data-testid=reason]").fill(REASON);
  await queued(raisedId).locator("[data-testid=confirm-return]").click();
  await queued(raisedId).waitFor({ state: "detached" });
  assert.match(await o.textContent("[data-testid=review-done]"), new RegExp(`Đã trả lại lượt hỗ trợ hộ ${RAISED.head}`));

  // ── 5. The member reads the reason, fixes the visit, and it goes out.
  await syncUntil(m, m.locator(`.visit-card[data-visit-id='${raisedId}'][data-state=returned]`));
  assert.match(await card(RAISED.head).locator("[data-testid=visit-reason]").textContent(), new RegExp(REASON));
  assert.equal(await card(LISTED.head).getAttribute("data-state"), "approved");
  await card(RAISED.head).locator("[data-testid=visit-open]").click();
  await m.waitForURL(`${base}/visits/${raisedId}`);
  await chip(m, "Bị trả lại").waitFor();
  assert.match(await m.textContent("[data-testid=visit-reason]"), new RegExp(`Bị trả lại: ${REASON}`));
  assert.equal(await m.getAttribute("[data-testid=visit-edit]", "href"), `/visits/${raisedId}/edit`);
  await m.click("[data-testid=visit-edit]");
  await m.waitForURL(`${base}/visits/${raisedId}/edit`);
  await m.waitForSelector("[data-testid=form-more][open]");
  assert.ok(await m.isChecked("[data-testid=difficulty-on]"), "the difficulty is kept in the fix");
  assert.equal(await m.inputValue("input[name=people-health_app]"), "1");
  await m.fill("input[name=people-health_app]", "2");
  await m.click("[data-testid=save-visit]");
  await m.waitForURL(`${base}/visits/${raisedId}`);
  await syncUntil(m, chip(m, "Đã gửi"));
  assert.equal(await m.locator("[data-testid=visit-reason]").count(), 0, "the reason goes once the fix is sent");

  // ── 6. The officer approves the fixed visit.
  await o.reload();
  await hydrated(o);
  await queued(raisedId).waitFor({ timeout: 30_000 });
  assert.equal(await queued(raisedId).getAttribute("data-kind"), "submitted");
  assert.match(await queued(raisedId).locator(".visit-activities").textContent(), /2 người/);
  await queued(raisedId).locator("[data-testid=approve]").click();
  await queued(raisedId).waitFor({ state: "detached" });
  assert.match(await o.textContent("[data-testid=review-done]"), new RegExp(`Đã duyệt lượt hỗ trợ hộ ${RAISED.head}`));

  // ── 7. Both are locked: approved on the member's phone, no longer withdrawable.
  await syncUntil(m, chip(m, "Đã duyệt"));
  assert.equal(await m.locator("[data-testid=visit-withdraw]").count(), 0);
  await m.click("footer.action-bar a[href='/']");
  await m.waitForURL(`${base}/`);
  await m.waitForFunction(() => document.querySelectorAll(".visit-card[data-state=approved]").length === 2);
  assert.equal(await m.locator(".visit-card [data-testid=withdraw-visit]").count(), 0);
  await card(LISTED.head).locator("[data-testid=visit-open]").click();
  await m.waitForURL(`${base}/visits/${listedId}`);
  await chip(m, "Đã duyệt").waitFor();
  assert.equal(await m.locator("[data-testid=visit-withdraw]").count(), 0);

  // An edit of each after approval: it waits as an amendment, the approved visit stays.
  await m.click("[data-testid=visit-edit]");
  await m.waitForURL(`${base}/visits/${listedId}/edit`);
  await m.waitForSelector("#activity-public_service_account");
  await m.click("[data-testid=form-more] summary");
  await m.fill("#note", LISTED_NOTE);
  await m.click("[data-testid=save-visit]");
  await m.waitForURL(`${base}/visits/${listedId}`);
  await syncUntil(m, m.locator("[data-testid=visit-amendment][data-status=pending]"));
  assert.match(await m.textContent("[data-testid=visit-amendment]"), /Bản sửa sau khi duyệt đang chờ xã quyết định/);
  assert.match(await m.textContent("[data-testid=visit-chip]"), /Đã duyệt/);

  await m.click("footer.action-bar a[href='/']");
  await m.waitForURL(`${base}/`);
  await card(RAISED.head).locator("[data-testid=visit-open]").click();
  await m.waitForURL(`${base}/visits/${raisedId}`);
  await m.click("[data-testid=visit-edit]");
  await m.waitForURL(`${base}/visits/${raisedId}/edit`);
  await m.waitForSelector("[data-testid=form-more][open]");
  await m.fill("#note", REFUSED_NOTE);
  await m.click("[data-testid=save-visit]");
  await m.waitForURL(`${base}/visits/${raisedId}`);
  await syncUntil(m, m.locator("[data-testid=visit-amendment][data-status=pending]"));

  stored = await serverVisits(memberApi);
  for (const id of [listedId, raisedId]) {
    assert.equal(stored.get(id).status, "approved");
    assert.equal(stored.get(id).record.note, "", "the approved revision stays current");
    assert.equal(stored.get(id).amendment?.status, "pending");
  }

  // ── 8. The officer decides the amendments, seeing what changed.
  await o.reload();
  await hydrated(o);
  await o.selectOption("#filter-kind", "amendment");
  await o.locator("[data-testid=queue-total][data-total='2']").waitFor({ timeout: 30_000 });
  assert.equal(await queued(listedId).getAttribute("data-kind"), "amendment");
  assert.match(
    await queued(listedId).locator("[data-testid=change][data-field=Note]").textContent(),
    new RegExp(`—\\s*→\\s*${LISTED_NOTE}`),
  );
  // The member changed the note only: nothing else may be listed as changed.
  const changed = (id) => queued(id).locator("[data-testid=change]").evaluateAll((lines) => lines.map((li) => `${li.dataset.field}: ${li.textContent}`));
  assert.deepEqual(await changed(listedId), [`Note: Ghi chú: — → ${LISTED_NOTE}`]);
  await queued(listedId).locator("[data-testid=approve]", { hasText: "Chấp nhận sửa đổi" }).click();
  await queued(listedId).waitFor({ state: "detached" });
  assert.match(await o.textContent("[data-testid=review-done]"), new RegExp(`Đã chấp nhận sửa đổi lượt hỗ trợ hộ ${LISTED.head}`));
  assert.deepEqual(await changed(raisedId), [`Note: Ghi chú: — → ${REFUSED_NOTE}`]);
  await queued(raisedId).locator("[data-testid=return]", { hasText: "Không chấp nhận" }).click();
  await queued(raisedId).locator("[data-testid=reason]").fill(REFUSAL);
  await queued(raisedId).locator("[data-testid=confirm-return]").click();
  await queued(raisedId).waitFor({ state: "detached" });
  assert.match(await o.textContent("[data-testid=review-done]"), new RegExp(`Đã không chấp nhận sửa đổi lượt hỗ trợ hộ ${RAISED.head}`));

  // ── 9. The officer handles the difficulty with a comment.
  await o.click("[data-testid=nav-difficulties]");
  await o.waitForURL((url) => url.pathname === "/difficulties");
  const difficulty = o.locator(`[data-testid=difficulty][data-visit-id='${raisedId}']`);
  await difficulty.waitFor({ timeout: 30_000 });
  const raised = await difficulty.textContent();
  for (const part of ["Chưa có căn cước gắn chip", RAISED.head, "Thôn Hội Khánh", "Nguyễn Thị Hoa", DIFFICULTY_NOTE]) {
    assert.ok(raised.includes(part), `${part} in ${raised}`);
  }
  await difficulty.locator("[data-testid=handle]").click();
  await difficulty.locator("[data-testid=comment]").fill(COMMENT);
  await difficulty.locator("[data-testid=confirm-handle]").click();
  await difficulty.waitFor({ state: "detached" });
  assert.match(await o.textContent("[data-testid=difficulty-done]"), new RegExp(RAISED.head));

  // ── 10. The member learns both decisions and reads the comment.
  await syncUntil(m, m.locator("[data-testid=visit-difficulty-handled]"));
  assert.match(await m.textContent("[data-testid=visit-difficulty-handled]"), new RegExp(`Xã đã xử lý khó khăn: ${COMMENT}`));
  const refused = m.locator("[data-testid=visit-amendment][data-status=refused]");
  await refused.waitFor();
  assert.match(await refused.textContent(), new RegExp(`Xã không chấp nhận bản sửa; bản đã duyệt được giữ.\\s*${REFUSAL}`));
  assert.match(await m.textContent("[data-testid=visit-chip]"), /Đã duyệt/);
  // What the page shows is the approved revision, as the notice says, not the refused edit.
  assert.doesNotMatch(await m.textContent("[data-testid=visit-details]"), new RegExp(REFUSED_NOTE));

  await m.click("footer.action-bar a[href='/']");
  await m.waitForURL(`${base}/`);
  await card(LISTED.head).locator("[data-testid=visit-open]").click();
  await m.waitForURL(`${base}/visits/${listedId}`);
  await chip(m, "Đã duyệt").waitFor();
  assert.equal(await m.locator("[data-testid=visit-amendment]").count(), 0, "the accepted edit is no longer waiting");
  assert.match(await m.textContent("[data-testid=visit-details]"), new RegExp(LISTED_NOTE));

  stored = await serverVisits(memberApi);
  assert.equal(stored.get(listedId).record.note, LISTED_NOTE);
  assert.equal(stored.get(raisedId).record.note, "");
  assert.equal(stored.get(raisedId).amendment?.status, "refused");

  // ── 11. The leader's phone, after a sync: the team log has both approved, and the comment.
  await syncNow(l);
  const raisedLine = l.locator(`[data-testid=log-line][data-member='${memberId}']`, { hasText: RAISED.head });
  await syncUntil(l, l.locator(`[data-testid=log-line][data-member='${memberId}'][data-state=approved]`, { hasText: RAISED.head }));
  assert.equal(await l.locator(`[data-testid=log-line][data-member='${memberId}'][data-state=approved]`).count(), 2);
  await raisedLine.locator("a").click();
  await l.waitForURL(`${base}/visits/${raisedId}`);
  await l.locator("[data-testid=visit-difficulty-handled]").waitFor();
  assert.match(await l.textContent("[data-testid=visit-difficulty-handled]"), new RegExp(COMMENT));
  assert.match(await l.textContent("[data-testid=visit-author]"), /Nguyễn Thị Hoa/);

  for (const person of [member, leader, officer]) assert.deepEqual(person.errors, []);
  for (const person of [member, leader, officer]) await person.context.close();
  await memberApi.close();
});
