// A commune officer reads the commune's figures on a phone: approved visits only (one awaiting
// review is shown apart), the villages side by side and sorted by a column, a village one tap
// down, the period moved back, the months drawn as bars with their numbers, the report
// downloaded as a spreadsheet.
import assert from "node:assert/strict";
import { test } from "node:test";

import { PASSWORD, apiAs, hydrated, phone, signInAs, useBrowserAndServer, uuid7, watchErrors } from "./support.mjs";

const env = useBrowserAndServer();

/** A visit an hour ago to a new household, helping with an e-payment account. */
function visit(head) {
  return {
    id: uuid7(),
    version: 1,
    base_version: 0,
    household: { id: uuid7(), head_name: head, address: "Số 3" },
    visited_at: Date.now() - 3_600_000,
    activities: [{ code: "epayment_account", people: 2 }],
    outcome: "done",
    note: "",
  };
}

test("the commune's figures: approved visits by village, sorted, one level down, the period before", async () => {
  const base = env.server.base;
  const staffApi = await apiAs(env.browser, base, "0900000002");
  const me = await (await staffApi.request.get(`${base}/api/auth/me`)).json();
  const commune = me.commune.id;
  const figures = async () => (await staffApi.request.get(`${base}/api/units/${commune}/figures`)).json();
  const before = await figures();

  const member = await apiAs(env.browser, base, "0900000012");
  const visits = [visit("Hộ Số Liệu Một"), visit("Hộ Số Liệu Hai"), visit("Hộ Chờ Duyệt")];
  const pushed = await member.request.post(`${base}/api/sync/push`, { data: { visits } });
  assert.deepEqual((await pushed.json()).results.map((r) => r.result), ["applied", "applied", "applied"]);
  for (const v of visits.slice(0, 2)) {
    const reviewed = await staffApi.request.post(`${base}/api/visits/${v.id}/review`, { data: { action: "approve" } });
    assert.equal(reviewed.status(), 204);
  }
  const after = await figures();
  assert.equal(after.total.visits, before.total.visits + 2);
  assert.equal(after.total.households, before.total.households + 2);
  assert.equal(after.total.awaiting_review, before.total.awaiting_review + 1);

  const context = await phone(env.browser);
  const page = await context.newPage();
  const errors = watchErrors(page);
  await signInAs(page, base, "0900000002", PASSWORD, /^\/units\/\d+$/);
  await page.click("[data-testid=figures-link]");
  await page.waitForURL((url) => url.pathname === `/units/${commune}/figures`);
  await page.locator("[data-testid=figures-total]").waitFor();
  const quarter = Math.floor(new Date(Date.now() + 7 * 3_600_000).getUTCMonth() / 3) + 1;
  assert.equal(await page.textContent("[data-testid=period-name]"), `Quý ${quarter}/${new Date(Date.now() + 7 * 3_600_000).getUTCFullYear()}`);
  const number = async (id) => Number(await page.locator(`[data-testid=${id}] strong`).first().textContent());
  assert.equal(await number("fig-visits"), after.total.visits);
  assert.equal(await number("fig-households"), after.total.households);
  assert.equal(await number("fig-people"), after.total.people);
  assert.match(await page.textContent("[data-testid=fig-awaiting]"), new RegExp(`Chờ duyệt.*: ${after.total.awaiting_review}`));
  const epayment = page.locator("[data-testid=figures-activity][data-code=epayment_account]");
  assert.match(await epayment.textContent(), /Mở tài khoản thanh toán điện tử/);

  // The commendation: the rule in words, the teams with the figures behind their rank.
  assert.match(await page.textContent("[data-testid=ranking-rule]"), /số hộ được hỗ trợ/);
  const ranking = await (await staffApi.request.get(`${base}/api/units/${commune}/ranking?period=${after.period}`)).json();
  await page.locator("[data-testid=ranking-teams] [data-testid=ranked]").first().waitFor();
  assert.equal(await page.locator("[data-testid=ranking-teams] [data-testid=ranked]").count(), ranking.teams.length);
  const best = page.locator("[data-testid=ranking-teams] [data-testid=ranked]").first();
  assert.match(await best.textContent(), new RegExp(`^1${ranking.teams[0].name}`));

  // The villages side by side; sorted by households, most first.
  const rows = page.locator("[data-testid=figures-child]");
  assert.equal(await rows.count(), after.children.length);
  await page.locator("[data-testid=sort]", { hasText: "hộ được hỗ trợ" }).click();
  const most = Math.max(...after.children.map((c) => c.figures.households));
  const top = after.children.find((c) => c.figures.households === most);
  assert.equal(Number(await rows.first().locator("td").nth(2).textContent()), most);
  assert.equal(await page.getAttribute("[data-testid=sort] >> nth=2", "aria-sort"), "descending");

  // The months as bars, with their numbers in a table.
  assert.ok((await page.locator("[data-testid=figures-trend] rect").count()) >= 1);
  assert.ok((await page.locator("[data-testid=figures-trend-table] tbody tr").count()) >= 1);

  // One level down: the village with the most households, same period.
  const topRow = page.locator(`[data-testid=figures-child][data-unit-id='${top.unit_id}']`);
  await topRow.locator("a").click();
  await page.waitForURL((url) => url.pathname === `/units/${top.unit_id}/figures`);
  await page.waitForFunction((name) => document.querySelector("[data-testid=figures-title]")?.textContent.includes(name), top.name);
  assert.equal(await number("fig-households"), most);

  // The quarter before: the address follows, the figures are that quarter's.
  await page.click("[data-testid=period-previous]");
  await page.waitForFunction(() => /period=Q/.test(location.search));
  const previous = new URL(page.url()).searchParams.get("period");
  const then = await (await staffApi.request.get(`${base}/api/units/${top.unit_id}/figures?period=${previous}`)).json();
  await page.waitForFunction((n) => document.querySelector("[data-testid=fig-visits] strong")?.textContent === String(n), then.total.visits);
  assert.notEqual(await page.textContent("[data-testid=period-name]"), `Quý ${quarter}/${new Date().getUTCFullYear()}`);

  // The quarter's report as a spreadsheet, for the period on screen.
  const [download] = await Promise.all([page.waitForEvent("download"), page.click("[data-testid=report-xlsx]")]);
  assert.equal(download.suggestedFilename(), `so-lieu-${top.unit_id}-${previous}.xlsx`);
  const file = await download.path();
  const { statSync } = await import("node:fs");
  assert.ok(statSync(file).size > 1000, "a workbook, not an error");

  assert.deepEqual(errors, []);
  await context.close();
  await member.close();
  await staffApi.close();
});
