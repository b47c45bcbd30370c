// The team leader's summary of the week on the phone: built from what the phone holds (so it
// works offline), in Vietnamese, ready for the team's chat group; "Chia sẻ" copies it when
// the browser has no share sheet (headless Chromium has none: the fallback is what is tested).
import assert from "node:assert/strict";
import { test } from "node:test";

import { PASSWORD, apiAs, phone, shellCached, signInAs, useBrowserAndServer, uuid7, watchErrors } from "./support.mjs";

const env = useBrowserAndServer();

/** A visit a minute ago (this week and this month, except in the first minute of either). */
function visit(head, activities, difficulty) {
  const record = {
    id: uuid7(),
    version: 1,
    base_version: 0,
    household: { id: uuid7(), head_name: head, address: "Số 9" },
    visited_at: Date.now() - 60_000,
    activities,
    outcome: "done",
    note: "",
  };
  if (difficulty) record.difficulty = difficulty;
  return record;
}

test("the leader's week as a text for the chat group, offline, copied when there is no share sheet", async () => {
  const base = env.server.base;
  const member = await apiAs(env.browser, base, "0900000012");
  const visits = [
    visit("Hộ Tóm Tắt Một", [{ code: "epayment_account", people: 2 }]),
    visit("Hộ Tóm Tắt Hai", [{ code: "health_app", people: 1 }], { category: "no_signal", note: "Xóm trên mất sóng" }),
  ];
  const pushed = await member.request.post(`${base}/api/sync/push`, { data: { visits } });
  assert.deepEqual((await pushed.json()).results.map((r) => r.result), ["applied", "applied"]);

  const context = await phone(env.browser);
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: base });
  await context.addInitScript(() => {
    delete Navigator.prototype.share;
  });
  const page = await context.newPage();
  const errors = watchErrors(page);
  await signInAs(page, base, "0900000011", PASSWORD, /^\/teams\//);
  await shellCached(page);
  await page.click("[data-testid=team-log-link]");
  await page.waitForFunction(() => document.querySelectorAll("[data-testid=log-line]").length >= 2, null, { timeout: 30_000 });

  await context.setOffline(true);
  await page.click("[data-testid=summary] summary");
  const text = () => page.inputValue("[data-testid=summary-text]");
  const week = await text();
  assert.match(week, /^Tổ công nghệ số cộng đồng .+ — Tuần \(\d{2}\/\d{2}\/\d{4} – \d{2}\/\d{2}\/\d{4}\)\n/);
  assert.match(week, /- Lượt hỗ trợ đã ghi: 2 \(đã duyệt 0, chờ duyệt 2, bị trả lại 0\)/);
  assert.match(week, /- Hộ được hỗ trợ: 2 hộ, 3 người/);
  assert.match(week, /- Đã làm: (Mở tài khoản thanh toán điện tử: 1 hộ; Cài đặt, sử dụng Sổ sức khỏe điện tử: 1 hộ|Cài đặt, sử dụng Sổ sức khỏe điện tử: 1 hộ; Mở tài khoản thanh toán điện tử: 1 hộ)/);
  assert.match(week, /- Khó khăn chưa xử lý: 1 \(Không có sóng, mạng yếu 1\)/);

  await page.selectOption("[data-testid=summary-period]", "2");
  assert.match(await text(), /— Tháng \d{2}\/\d{4} /);
  await page.selectOption("[data-testid=summary-period]", "1");
  assert.match(await text(), /- Lượt hỗ trợ đã ghi: 0 /, "last week had none");
  await page.selectOption("[data-testid=summary-period]", "0");

  await page.click("[data-testid=summary-share]");
  await page.waitForFunction(() => /Đã chép/.test(document.querySelector("[data-testid=summary-outcome]")?.textContent ?? ""));
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), await text());

  assert.deepEqual(errors, []);
  await context.close();
  await member.close();
});
