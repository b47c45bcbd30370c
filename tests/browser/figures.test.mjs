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

  // The last step down: the village's team, then the visits behind its number, by name.
  const counted = await (await staffApi.request.get(`${base}/api/units/${top.unit_id}/counted-visits?period=${after.period}`)).json();
  await page.locator("[data-testid=counted-visit]").first().waitFor();
  assert.equal(await page.locator("[data-testid=counted-visit]").count(), counted.visits.length);
  assert.match(await page.textContent("[data-testid=counted-total]"), new RegExp(`^${counted.total} `));
  assert.equal(counted.total, top.figures.visits, "the visits behind the village's figure");
  await page.locator("[data-testid=counted-team]").selectOption(counted.teams[0].team_id);
  await page.waitForFunction((n) => document.querySelector("[data-testid=counted-total]")?.textContent.startsWith(`${n} `), counted.teams[0].visits);
  await page.locator("[data-testid=counted-activity]").selectOption("epayment_account");
  await page.waitForFunction(() => [...document.querySelectorAll("[data-testid=counted-visit]")].every((li) => li.textContent.includes("Mở tài khoản thanh toán điện tử")));

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

test("targets: the province sets a commune's, the commune splits it among villages and both see progress", async () => {
  const base = env.server.base;
  const provinceApi = await apiAs(env.browser, base, "0900000001");
  const staffApi = await apiAs(env.browser, base, "0900000002");
  const commune = (await (await staffApi.request.get(`${base}/api/auth/me`)).json()).commune.id;
  const province = (await (await provinceApi.request.get(`${base}/api/auth/me`)).json()).province.id;
  const indicator = "activity:epayment_account";

  // The province officer, on the province's figures for this quarter, gives the commune 10.
  const context = await phone(env.browser);
  const page = await context.newPage();
  const errors = watchErrors(page);
  await signInAs(page, base, "0900000001", PASSWORD, /^\/units\/\d+$/);
  await page.goto(`${base}/units/${province}/figures`);
  await hydrated(page);
  await page.locator("[data-testid=target-indicator]").selectOption(indicator);
  const communeRow = page.locator(`[data-testid=target-row][data-unit-id='${commune}']`);
  await communeRow.locator("[data-testid=target-input]").fill("10");
  await communeRow.locator("[data-testid=target-input]").press("Enter");
  await page.waitForFunction(() => /\/ 10/.test(document.querySelector("[data-testid=target-own]")?.textContent ?? ""));
  assert.match(await page.textContent("[data-testid=target-own]"), /tổng chỉ tiêu các xã/);
  const quarter = (await (await provinceApi.request.get(`${base}/api/units/${commune}/figures`)).json());
  assert.deepEqual(quarter.total.targets, [{ indicator, value: 10 }]);
  // A month takes no targets: the page says so.
  await page.locator("[data-testid=period-kind]").selectOption("M");
  await page.locator("[data-testid=targets-period-hint]").waitFor();
  await context.close();

  // The commune officer sees the province's target (not theirs to change) and splits it.
  const officer = await phone(env.browser);
  const mine = await officer.newPage();
  const officerErrors = watchErrors(mine);
  await signInAs(mine, base, "0900000002", PASSWORD, /^\/units\/\d+$/);
  await mine.goto(`${base}/units/${commune}/figures`);
  await hydrated(mine);
  // The indicator with a target is the one shown, once the activity catalogue (the names of
  // the activity indicators) has arrived beside the figures.
  await mine.waitForFunction(
    (key) => document.querySelector("[data-testid=target-indicator]")?.value === key,
    indicator,
    { timeout: 10_000 },
  );
  const own = mine.locator("[data-testid=target-own]");
  const paid = quarter.total.activities.find((a) => a.code === "epayment_account")?.households ?? 0;
  assert.match(await own.textContent(), new RegExp(`Chỉ tiêu tỉnh giao cho xã: ${paid} / 10`));
  assert.equal(await own.locator("input").count(), 0, "the commune's own target is the province's to set");
  const split = mine.locator("[data-testid=target-split]");
  assert.match(await split.textContent(), /Tổng chỉ tiêu các thôn \(0\) còn thiếu 10 so với chỉ tiêu của xã \(10\)/);
  const villages = quarter.children;
  const first = mine.locator(`[data-testid=target-row][data-unit-id='${villages[0].unit_id}'] [data-testid=target-input]`);
  await first.fill("6");
  await first.press("Enter");
  await mine.waitForFunction(() => /\(6\) còn thiếu 4/.test(document.querySelector("[data-testid=target-split]")?.textContent ?? ""));
  assert.equal(await split.getAttribute("data-adds-up"), "false");
  const second = mine.locator(`[data-testid=target-row][data-unit-id='${villages[1].unit_id}'] [data-testid=target-input]`);
  await second.fill("4");
  await second.press("Enter");
  await mine.waitForFunction(() => document.querySelector("[data-testid=target-split]")?.dataset.addsUp === "true");
  assert.match(await split.textContent(), /khớp với chỉ tiêu của xã \(10\)/);
  // Each village's progress against its share.
  const firstPaid = villages[0].figures.activities.find((a) => a.code === "epayment_account")?.households ?? 0;
  const progress = mine.locator(`[data-testid=target-row][data-unit-id='${villages[0].unit_id}'] [data-testid=target-percent]`);
  assert.equal(await progress.textContent(), `${Math.floor((firstPaid * 100) / 6)}%`);
  // A bad value is refused on the page, and nothing changes.
  await first.fill("-3");
  await first.press("Enter");
  await mine.getByRole("alert").waitFor();
  const saved = await (await staffApi.request.get(`${base}/api/units/${commune}/figures`)).json();
  assert.deepEqual(saved.children.find((c) => c.unit_id === villages[0].unit_id).figures.targets, [{ indicator, value: 6 }]);

  assert.deepEqual(errors, []);
  assert.deepEqual(officerErrors, []);
  await officer.close();
  await provinceApi.close();
  await staffApi.close();
});
