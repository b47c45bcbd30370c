// Every role at work, in a real browser at 360 × 740 against the real server.
// 1. A province starts from an empty database (no --demo): the national list of units is
//    loaded at first start, `sotay admin create` makes the administrator, who creates a
//    commune officer; the officer creates a village and a team with its leader; the leader
//    adds a member; the member signs in on a phone, logs a visit offline, and it arrives once.
// 2. Each demo role signs in and lands on a home made for it; staff pages load their code on
//    demand, never on a member's phone.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import { changePassword, go, hydrated, launchBrowser, logVisit, PASSWORD, phone, Server, shellCached, signInAs, signOut, watchErrors } from "./support.mjs";

let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

/** Reads the one-time password the page shows once. */
async function issuedPassword(page) {
  const box = page.locator("[data-testid=otp-value]").last();
  await box.waitFor({ timeout: 20_000 });
  return (await box.textContent()).trim();
}

/** The split modules (staff and manage pages) a page fetched. */
function splitFetches(page) {
  const fetched = [];
  page.on("request", (request) => {
    const path = new URL(request.url()).pathname;
    if (path.startsWith("/pkg/") && path.endsWith(".wasm") && !path.endsWith("/sotay.wasm")) fetched.push(path);
  });
  return fetched;
}

test("a province starts from an empty database and a visit logged offline arrives once", { timeout: 240_000 }, async () => {
  const server = await Server.create({ demo: false });
  server.cli(["admin", "create", "--phone", "0911000001", "--name", "Quản Trị Tỉnh", "--province", "52"], "quan-tri-2025\n");
  await server.start();
  const base = server.base;
  try {
    // The administrator signs in and creates a commune officer for Xã An Hòa (Gia Lai).
    const office = await phone(browser);
    const page = await office.newPage();
    const errors = watchErrors(page);
    await signInAs(page, base, "0911000001", "quan-tri-2025", /^\/admin$/);
    await page.waitForSelector("[data-testid=admin-page]", { timeout: 30_000 });
    await page.locator("#staff-province option", { hasText: "Gia Lai" }).waitFor({ state: "attached" });
    await page.selectOption("#staff-role", "commune_staff");
    await page.selectOption("#staff-province", { label: "Gia Lai" });
    await page.locator("#staff-commune option", { hasText: "Xã An Hòa" }).waitFor({ state: "attached" });
    await page.selectOption("#staff-commune", { label: "Xã An Hòa" });
    await page.fill("#staff-name", "Lý Thị Xuân");
    await page.fill("#staff-phone", "0911000002");
    await page.click("[data-testid=create-staff-submit]");
    const officerPassword = await issuedPassword(page);
    await signOut(page, base);

    // The officer changes the one-time password, lands on the commune, adds a village and a
    // team, then puts the leader on its roster.
    await signInAs(page, base, "0911000002", officerPassword, /^\/password$/);
    await changePassword(page, officerPassword, "can-bo-xa-2025", /^\/units\/\d+$/);
    await page.waitForSelector("[data-testid=unit-page]", { timeout: 30_000 });
    assert.match(await page.textContent("[data-testid=unit-name]"), /Xã An Hòa/);
    assert.equal(await page.locator("[data-testid=log-visit]").count(), 0, "staff are not offered to log visits");
    await page.fill("#village-name", "Thôn Một");
    await page.fill("#village-households", "210");
    await page.click("[data-testid=add-village] button[type=submit]");
    await page.locator("[data-testid=village-row]", { hasText: "Thôn Một" }).waitFor();
    await page.fill("#team-name", "Tổ công nghệ số Thôn Một");
    await page.selectOption("#team-village", { label: "Thôn Một" });
    await page.fill("#team-decision-no", "12/QĐ-UBND");
    await page.fill("#team-decision-date", "2025-08-01");
    await page.click("[data-testid=add-team] button[type=submit]");
    await page.waitForURL((url) => /^\/teams\/[0-9a-f-]{36}$/.test(url.pathname));
    const teamPath = new URL(page.url()).pathname;
    await page.waitForSelector("[data-testid=add-member]", { timeout: 30_000 });
    await page.fill("#member-name", "Đoàn Văn Khôi");
    await page.fill("#member-phone", "0911000003");
    await page.selectOption("#member-affiliation", "youth_union");
    await page.check("#member-leader");
    await page.click("[data-testid=add-member-submit]");
    const leaderPassword = await issuedPassword(page);
    await page.locator("[data-testid=roster-entry]", { hasText: "Đoàn Văn Khôi" }).waitFor();
    await signOut(page, base);

    // The leader lands on the team, sees what it lacks, and adds a member.
    await signInAs(page, base, "0911000003", leaderPassword, /^\/password$/);
    await changePassword(page, leaderPassword, "to-truong-2025", /^\/teams\//);
    assert.equal(new URL(page.url()).pathname, teamPath, "the leader's home is the team");
    await page.waitForSelector("[data-testid=composition-gaps]");
    await page.waitForSelector("[data-testid=add-member]", { timeout: 30_000 });
    await page.fill("#member-name", "Hà Thị Mơ");
    await page.fill("#member-phone", "0911000004");
    await page.selectOption("#member-affiliation", "womens_union");
    await page.click("[data-testid=add-member-submit]");
    const memberPassword = await issuedPassword(page);
    await page.locator("[data-testid=roster-entry]", { hasText: "Hà Thị Mơ" }).waitFor();
    assert.deepEqual(errors, []);
    await office.close();

    // The member, on their own phone: sign in, set a password, then log a visit offline.
    const handset = await phone(browser);
    const mobile = await handset.newPage();
    await signInAs(mobile, base, "0911000004", memberPassword, /^\/password$/);
    await changePassword(mobile, memberPassword, "thanh-vien-2025", /^\/$/);
    await mobile.waitForSelector("[data-testid=status-line]");
    await mobile.waitForSelector("#activity-information, [data-testid=log-visit]");
    await shellCached(mobile);
    // The catalogue reaches the device before the network goes.
    await mobile.waitForFunction(() => Object.keys(localStorage).some((k) => k === "sotay.v1.catalogue"));
    await server.kill();
    await go(mobile, `${base}/visits/new`);
    await hydrated(mobile);
    await logVisit(mobile, { head: "Lê Thị Hồng", address: "Số 5, Thôn Một", activities: ["health_app"] });
    await mobile.waitForURL(`${base}/`);
    const card = mobile.locator(".visit-card", { hasText: "Lê Thị Hồng" });
    await card.waitFor();
    assert.equal(await card.getAttribute("data-state"), "pending");

    await server.start();
    await mobile.waitForSelector(".visit-card[data-state='sent']", { timeout: 60_000 });
    const list = await mobile.evaluate(() => fetch("/api/visits").then((r) => r.json()));
    assert.equal(list.visits.length, 1, "the visit arrived exactly once");
    assert.equal(list.visits[0].record.household.head_name, "Lê Thị Hồng");
    await handset.close();
  } finally {
    await server.kill();
  }
});

test("each demo role signs in and lands on its own home; staff code loads only for staff", { timeout: 240_000 }, async () => {
  const server = await Server.create();
  await server.start();
  const base = server.base;
  try {
    const homes = [
      { phone: "0900000012", landing: /^\/$/, sees: "[data-testid=status-line]", staffCode: false },
      { phone: "0900000011", landing: /^\/teams\/[0-9a-f-]{36}$/, sees: "[data-testid=composition-ok]", staffCode: false },
      { phone: "0900000002", landing: /^\/units\/\d+$/, sees: "[data-testid=villages]", staffCode: true },
      { phone: "0900000001", landing: /^\/units\/\d+$/, sees: "[data-testid=communes]", staffCode: true },
      { phone: "0900000000", landing: /^\/admin$/, sees: "[data-testid=provinces] li", staffCode: true },
    ];
    for (const home of homes) {
      const context = await phone(browser);
      const page = await context.newPage();
      const errors = watchErrors(page);
      const fetched = splitFetches(page);
      await signInAs(page, base, home.phone, PASSWORD, home.landing);
      await page.waitForSelector(home.sees, { timeout: 30_000 });
      const staffModule = fetched.some((path) => path.includes("split_staff"));
      assert.equal(staffModule, home.staffCode, `${home.phone}: staff module fetched: ${fetched}`);
      const offered = await page.locator("[data-testid=log-visit]").count();
      assert.equal(offered > 0, !home.staffCode, `${home.phone}: log-visit offered only to team people`);
      assert.deepEqual(errors, [], home.phone);
      await context.close();
    }
  } finally {
    await server.kill();
  }
});

test("a team page opens offline, even for a team never opened online; a staff page says it needs the network", { timeout: 240_000 }, async () => {
  const server = await Server.create();
  await server.start();
  const base = server.base;
  try {
    const context = await phone(browser);
    const page = await context.newPage();
    const errors = watchErrors(page);
    const teamPath = await signInAs(page, base, "0900000011", PASSWORD, /^\/teams\//);
    await page.waitForSelector("[data-testid=roster] [data-testid=roster-entry]", { timeout: 30_000 });
    await shellCached(page);
    await server.kill();

    // The leader's own team, offline: the roster as last read online, with its time.
    await go(page, `${base}${teamPath}`);
    await hydrated(page);
    await page.waitForSelector("[data-testid=kept-at]");
    assert.equal(await page.locator("[data-testid=roster-entry]").count(), 4);
    assert.equal(await page.locator("[data-testid=add-member]").count(), 0, "no roster tools offline");

    // Another team's page, never opened: the cached HTML of its route hydrates and says plainly
    // that the network is needed.
    await go(page, `${base}/teams/0193aaaa-0000-7000-8000-000000000abc`);
    await hydrated(page);
    await page.waitForSelector("[data-testid=needs-network]");

    // A staff page never opened on this phone: not precached; a short page says why.
    await go(page, `${base}/units/1`);
    assert.match(await page.textContent("h1"), /Cần kết nối mạng/);
    assert.deepEqual(errors, []);
    await context.close();
  } finally {
    await server.kill();
  }
});
