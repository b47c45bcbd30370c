// What a member meets on a 360 × 740 phone (issue 7): a first visit that never flashes someone's
// home, a compact header that names who is signed in, a status line that says only what is
// true, a visit form that takes the member to the first problem, keeps a draft, saves once on a
// double tap and refuses a follow-up date in the past, visit cards that say the outcome, and
// signing out that asks first and is refused without a network.
import assert from "node:assert/strict";
import { test } from "node:test";

import { go, hydrated, logVisit, phone, shellCached, signIn, signOut, useBrowserAndServer, watchErrors } from "./support.mjs";

const env = useBrowserAndServer();

const SCREEN = 740;

/** A calendar day in Vietnam (UTC+7), `days` from today, as `yyyy-mm-dd`. */
function vietnamDay(days) {
  const date = new Date(Date.now() + 7 * 3600_000 + days * 86_400_000);
  return date.toISOString().slice(0, 10);
}

/** `yyyy-mm-dd` as `dd/mm/yyyy`. */
const vietnamese = (iso) => iso.split("-").reverse().join("/");

/** Opens the new-visit form from the home's button and waits for the catalogue. */
async function openForm(page) {
  await page.click("[data-testid=log-visit]");
  await page.waitForURL((url) => url.pathname === "/visits/new");
  await page.waitForSelector("#activity-information");
}

/** How many visits the device keeps for the signed-in member. */
const storedVisits = (page) =>
  page.evaluate(() => Object.keys(localStorage).filter((k) => /^sotay\.v1\.u\..*\.visit\./.test(k)).length);

test("a first visit to / shows a neutral line, never a home, before the sign-in page", async () => {
  const context = await phone(env.browser);
  await context.addInitScript(() => {
    // Everything the home shows, recorded from the first parsed node on.
    window.__homeSeen = [];
    const look = () => {
      for (const selector of ["[data-testid=visit-list]", "[data-testid=log-visit]", "[data-testid=status-line]", "[data-testid=place]"]) {
        if (document.querySelector(selector) && !window.__homeSeen.includes(selector)) window.__homeSeen.push(selector);
      }
    };
    new MutationObserver(look).observe(document, { childList: true, subtree: true });
    document.addEventListener("DOMContentLoaded", look);
  });
  const page = await context.newPage();
  const errors = watchErrors(page);
  const base = env.server.base;

  // The server's HTML is the same for everyone: the neutral line, no visit list.
  const html = await (await fetch(`${base}/`)).text();
  assert.match(html, /Đang mở/);
  assert.doesNotMatch(html, /data-testid="visit-list"/);

  await go(page, `${base}/`);
  await page.waitForURL(`${base}/login`);
  await hydrated(page);
  assert.deepEqual(await page.evaluate(() => window.__homeSeen), []);

  // Signed in, the same address opens the member's home.
  await signIn(page, base, "0900000012");
  await go(page, `${base}/`);
  await page.waitForSelector("[data-testid=log-visit]");
  assert.equal(new URL(page.url()).pathname, "/");
  assert.deepEqual(errors, []);
  await context.close();
});

test("a fresh member's phone: their name in a compact header, a true status line, a form under two screens", async () => {
  const context = await phone(env.browser);
  const page = await context.newPage();
  const base = env.server.base;
  assert.deepEqual(page.viewportSize(), { width: 360, height: SCREEN });
  await signIn(page, base, "0900000022");

  const top = async () => {
    // The signed-in person's name is on screen, whole (phones are shared).
    const who = page.locator("[data-testid=who]");
    assert.equal(await who.textContent(), "Đặng Minh Quân");
    assert.match(await page.textContent("[data-testid=place]"), /Đặng Minh Quân · Thôn Vĩnh Hòa/);
    const box = await who.boundingBox();
    assert.ok(box && box.x >= 0 && box.x + box.width <= 360, `name on screen: ${JSON.stringify(box)}`);
    // Header and status line together: at most 15 % of the screen.
    const bottom = await page.evaluate(() => document.querySelector("[data-testid=status-line]").getBoundingClientRect().bottom);
    assert.ok(bottom <= 0.15 * SCREEN, `header + status line ${bottom}px > ${0.15 * SCREEN}px`);
  };
  await top();

  // Nothing was ever logged or sent: the status line does not say "all sent · not synced".
  const status = await page.textContent("[data-testid=status-line] .status-summary");
  assert.match(status, /Chưa có lượt nào cần gửi/);
  assert.doesNotMatch(status, /Đã gửi hết|Chưa đồng bộ/);

  await openForm(page);
  await top();
  const height = await page.evaluate(() => document.documentElement.scrollHeight);
  assert.ok(height <= 2 * SCREEN, `the new-visit form is ${height}px long (> ${2 * SCREEN}px)`);
  await context.close();
});

test("Lưu on an empty form goes to the first problem, said next to it; a past follow-up date is refused", async () => {
  const context = await phone(env.browser);
  const page = await context.newPage();
  const base = env.server.base;
  await signIn(page, base, "0900000023");
  await openForm(page);

  // The member has scrolled down to "Lưu" at the bottom.
  await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
  await page.click("[data-testid=save-visit]");
  await page.waitForFunction(() => document.activeElement?.id === "head_name");
  const first = await page.evaluate(() => {
    const field = document.activeElement;
    const rect = field.getBoundingClientRect();
    const bar = document.querySelector(".form-actions").getBoundingClientRect();
    const message = document.getElementById(field.getAttribute("aria-describedby"));
    const said = message?.getBoundingClientRect();
    return {
      invalid: field.getAttribute("aria-invalid"),
      describedBy: field.getAttribute("aria-describedby"),
      onScreen: rect.top >= 0 && rect.bottom <= bar.top,
      message: message?.textContent,
      messageShown: !!said && said.height > 0 && said.top >= 0 && said.bottom <= bar.top && getComputedStyle(message).display !== "none",
    };
  });
  assert.deepEqual(first, {
    invalid: "true",
    describedBy: "err-head_name",
    onScreen: true,
    message: "Nhập tên chủ hộ.",
    messageShown: true,
  });
  // Every field with a problem is tied to its own message.
  assert.equal(await page.getAttribute("#address", "aria-describedby"), "err-address");
  assert.equal(await page.getAttribute("#activity-information", "aria-describedby"), "err-activities");
  assert.match(await page.textContent("#err-activities"), /Chọn ít nhất/);
  assert.equal(new URL(page.url()).pathname, "/visits/new");

  // A follow-up date before today: the picker's floor is today, and "Lưu" refuses a typed one.
  await page.fill("#head_name", "Hộ hẹn hôm qua");
  await page.fill("#address", "Số 8");
  await page.check("#activity-health_app");
  await page.check("input[name=outcome][value=follow_up]");
  assert.equal(await page.getAttribute("#follow_up_on", "min"), vietnamDay(0));
  await page.fill("#follow_up_on", vietnamDay(-1));
  await page.click("[data-testid=save-visit]");
  await page.waitForFunction(() => document.activeElement?.id === "follow_up_on");
  assert.equal(await page.getAttribute("#follow_up_on", "aria-describedby"), "err-follow_up_on");
  assert.match(await page.textContent("#err-follow_up_on"), /không được trước/);
  assert.equal(await storedVisits(page), 0);

  await page.fill("#follow_up_on", vietnamDay(1));
  await page.click("[data-testid=save-visit]");
  await page.waitForURL(`${base}/`);
  const card = page.locator(".visit-card", { hasText: "Hộ hẹn hôm qua" });
  assert.match(await card.locator("[data-testid=visit-follow-up]").textContent(), new RegExp(vietnamese(vietnamDay(1))));
  await context.close();
});

test("a half-filled form is kept as a draft; a double tap on Lưu saves one visit; the card says it all", async () => {
  const context = await phone(env.browser);
  const page = await context.newPage();
  const base = env.server.base;
  await signIn(page, base, "0900000024");

  // Half-filled, then "Quay lại".
  await openForm(page);
  assert.equal(await page.locator("[data-testid=draft-restored]").count(), 0);
  await page.fill("#head_name", "Hộ nháp");
  await page.fill("#address", "Số 11, xóm Đông");
  await page.fill("#household_phone", "0912345678");
  await page.check("[data-testid=phone-consent]");
  await page.check("#activity-epayment_account");
  await page.fill("input[name=people-epayment_account]", "3");
  await page.check("#activity-information");
  await page.check("input[name=outcome][value=follow_up]");
  await page.fill("#follow_up_on", vietnamDay(3));
  await page.click("[data-testid=form-back]");
  await page.waitForURL(`${base}/`);
  assert.equal(await page.locator(".visit-card").count(), 0);

  // Opened again: everything is back, with a way to throw it away.
  await openForm(page);
  await page.waitForSelector("[data-testid=draft-restored]");
  assert.ok(await page.isVisible("[data-testid=discard-draft]"));
  assert.match(await page.textContent("[data-testid=discard-draft]"), /Bỏ bản nháp/);
  assert.equal(await page.inputValue("#head_name"), "Hộ nháp");
  assert.equal(await page.inputValue("#household_phone"), "0912345678");
  assert.ok(await page.isChecked("[data-testid=phone-consent]"), "the household's consent is kept too");
  assert.ok(await page.isChecked("#activity-epayment_account"));
  assert.equal(await page.inputValue("input[name=people-epayment_account]"), "3");
  assert.equal(await page.inputValue("#follow_up_on"), vietnamDay(3));

  // A double tap on "Lưu": one visit, and the home (not a new blank form).
  await page.dblclick("[data-testid=save-visit]");
  await page.waitForURL(`${base}/`);
  await page.waitForTimeout(800);
  assert.equal(new URL(page.url()).pathname, "/");
  assert.equal(await page.locator(".visit-card").count(), 1);
  assert.equal(await storedVisits(page), 1);

  // The card: outcome, follow-up date, people helped, the household's phone.
  const card = page.locator(".visit-card");
  assert.match(await card.locator("[data-testid=visit-outcome]").textContent(), /Hẹn quay lại/);
  assert.match(await card.locator("[data-testid=visit-follow-up]").textContent(), new RegExp(vietnamese(vietnamDay(3))));
  assert.match(await card.locator("[data-testid=visit-people]").textContent(), /4 người được hỗ trợ/);
  assert.match(await card.locator("[data-testid=visit-phone]").textContent(), /0912345678/);
  assert.equal(await card.locator("[data-testid=visit-phone]").getAttribute("href"), "tel:0912345678");

  // Saving cleared the draft.
  await openForm(page);
  assert.equal(await page.locator("[data-testid=draft-restored]").count(), 0);
  assert.equal(await page.inputValue("#head_name"), "");

  // "Bỏ bản nháp" empties the form and forgets the draft.
  await page.fill("#head_name", "Hộ bỏ đi");
  await page.click("[data-testid=form-back]");
  await page.waitForURL(`${base}/`);
  await openForm(page);
  await page.click("[data-testid=discard-draft]");
  assert.equal(await page.inputValue("#head_name"), "");
  assert.equal(await page.locator("[data-testid=draft-restored]").count(), 0);
  await page.click("[data-testid=form-back]");
  await page.waitForURL(`${base}/`);
  await openForm(page);
  assert.equal(await page.locator("[data-testid=draft-restored]").count(), 0);
  await context.close();
});

test("signing out asks first and counts the unsent visits; offline it is refused and the member stays", async () => {
  const context = await phone(env.browser);
  const page = await context.newPage();
  const base = env.server.base;
  await signIn(page, base, "0900000032");
  await shellCached(page);

  // One visit that cannot be sent (its sending is cut off).
  await page.route("**/api/sync/push", (route) => route.abort());
  await openForm(page);
  await logVisit(page, { head: "Hộ chưa gửi", address: "Số 1", activities: ["information"] });
  await page.waitForURL(`${base}/`);
  await page.locator(".visit-card[data-state=pending]").waitFor();

  // Online: the question says how many stay on the phone; "Cancel" keeps the member in.
  const asked = [];
  page.once("dialog", (dialog) => {
    asked.push(dialog.message());
    dialog.dismiss();
  });
  await page.click("[data-testid=sign-out]");
  await page.waitForTimeout(300);
  assert.equal(asked.length, 1);
  assert.match(asked[0], /Đăng xuất/);
  assert.match(asked[0], /1 lượt chưa gửi/);
  assert.equal(new URL(page.url()).pathname, "/");

  // Offline: refused, in plain words, and the session stays (after a reload too).
  await env.server.kill();
  page.once("dialog", (dialog) => dialog.accept());
  await page.click("[data-testid=sign-out]");
  await page.waitForSelector("[data-testid=sign-out-refused]");
  assert.match(await page.textContent("[data-testid=sign-out-refused]"), /không có mạng/);
  assert.equal(new URL(page.url()).pathname, "/");
  await page.reload();
  await hydrated(page);
  await page.locator(".visit-card", { hasText: "Hộ chưa gửi" }).waitFor();
  assert.equal(new URL(page.url()).pathname, "/");

  // The sign-in page opened offline says plainly what it needs and what stays.
  const other = await context.newPage();
  await go(other, `${base}/login`);
  await hydrated(other);
  const notice = await other.waitForSelector("[data-testid=login-needs-network]");
  const said = await notice.textContent();
  assert.match(said, /cần có mạng/);
  assert.match(said, /giữ trên máy/);
  assert.doesNotMatch(said, /đầu tiên/);
  await other.close();

  // Back online: signing out works, and the unsent visit stays on the phone.
  await env.server.start();
  await signOut(page, base);
  assert.equal(await storedVisits(page), 1);
  await context.close();
});
