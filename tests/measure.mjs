import { launchBrowser, phone, Server, signIn } from "./browser/support.mjs";
const browser = await launchBrowser();
const server = await Server.create(); await server.start();
const context = await phone(browser); const page = await context.newPage();
await signIn(page, server.base, "0900000012");
await page.click("[data-testid=log-visit]"); await page.waitForSelector("#household-search");
const parts = await page.evaluate(() => {
  const out = [];
  for (const el of document.querySelectorAll("form.visit-form > *, fieldset.household > *, header, .status-line")) {
    const r = el.getBoundingClientRect(); if (r.height > 20) out.push(`${Math.round(r.height)}\t${el.tagName} ${el.className} ${el.id} ${(el.textContent||"").slice(0,30)}`);
  }
  return out.concat([`total ${document.documentElement.scrollHeight}`]);
});
console.log(parts.join("\n"));
await browser.close(); await server.kill();
