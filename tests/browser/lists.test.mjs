// The province's lists in the browser: province staff add their own kind of difficulty and
// retire it on the catalogue page; a member's phone offers the new kind in the visit form
// after a sync, and no longer offers it once retired.
import assert from "node:assert/strict";
import { test } from "node:test";

import { PASSWORD, hydrated, phone, signIn, signInAs, useBrowserAndServer, watchErrors } from "./support.mjs";

const env = useBrowserAndServer();
const KIND = "Chưa có tài khoản ngân hàng";

/** The kinds of difficulty the member's form offers, by name, once `wanted` holds of them: "send now" is tapped until then (30 s at most). */
async function offeredOnce(page, wanted) {
  if ((await page.getAttribute("[data-testid=form-more]", "open")) === null) await page.click("[data-testid=form-more] summary");
  if (!(await page.isChecked("#difficulty_on"))) await page.check("#difficulty_on");
  const deadline = Date.now() + 30_000;
  for (;;) {
    await page.click("[data-testid=sync-now]");
    await page.waitForTimeout(500);
    await page.waitForFunction(() => !document.querySelector("[data-testid=sync-now]")?.disabled);
    const names = await page.$$eval("#difficulty_category option", (options) =>
      options.filter((o) => o.value).map((o) => o.textContent.trim()));
    if (wanted(names) || Date.now() > deadline) return names;
  }
}

test("province staff add a kind of difficulty and retire it; the member's form follows", async () => {
  const staffContext = await phone(env.browser);
  const staff = await staffContext.newPage();
  const staffErrors = watchErrors(staff);
  await signInAs(staff, env.server.base, "0900000001", PASSWORD, /^\/units\/\d+$/);
  const me = await (await staff.request.get(`${env.server.base}/api/auth/me`)).json();
  await staff.goto(`${env.server.base}/units/${me.province.id}/activities`);
  await hydrated(staff);
  const kinds = staff.locator("[data-testid=difficulty-kind]");
  await kinds.first().waitFor();
  assert.equal(await kinds.count(), 5, "the national list");
  await staff.fill("#kind-vi", KIND);
  await staff.click("[data-testid=add-difficulty-kind] button[type=submit]");
  await staff.waitForFunction(() => document.querySelectorAll("[data-testid=difficulty-kind]").length === 6);
  const own = kinds.last();
  assert.equal(await own.locator("input").inputValue(), KIND);
  assert.match(await own.textContent(), /Của tỉnh/);
  assert.equal(await staff.inputValue("#kind-vi"), "", "the form is cleared");

  const memberContext = await phone(env.browser);
  const member = await memberContext.newPage();
  const memberErrors = watchErrors(member);
  await signIn(member, env.server.base, "0900000012");
  await member.goto(`${env.server.base}/visits/new`);
  await hydrated(member);
  const before = await offeredOnce(member, (names) => names.includes(KIND));
  assert.ok(before.includes(KIND), `offered after a sync: ${before}`);
  assert.equal(before.length, 6);

  await own.locator("[data-testid=toggle-retired]").click();
  await staff.waitForFunction(() => document.querySelector("[data-testid=difficulty-kind]:last-child")?.dataset.retired === "true");
  assert.match(await kinds.last().textContent(), /Đã ngừng dùng/);
  const after = await offeredOnce(member, (names) => !names.includes(KIND));
  assert.ok(!after.includes(KIND), `retired, no longer offered: ${after}`);
  assert.equal(after.length, 5);

  assert.deepEqual(staffErrors, []);
  assert.deepEqual(memberErrors, []);
  await staffContext.close();
  await memberContext.close();
});
