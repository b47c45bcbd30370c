import { launchBrowser, PASSWORD, phone, Server, signInAs, shellCached, hydrated } from "./browser/support.mjs";
const browser = await launchBrowser();
let fails = 0;
for (let i = 0; i < 6; i++) {
  const server = await Server.create();
  await server.start();
  const context = await phone(browser);
  const page = await context.newPage();
  page.on("console", (m) => { if (/sw|worker/i.test(m.text())) console.log("console:", m.text()); });
  const teamPath = await signInAs(page, server.base, "0900000011", PASSWORD, /^\/teams\//);
  await page.waitForSelector("[data-testid=roster] [data-testid=roster-entry]", { timeout: 30_000 });
  await shellCached(page);
  const before = await page.evaluate(async () => {
    const r = await navigator.serviceWorker.getRegistration();
    return { controller: navigator.serviceWorker.controller?.state, active: r?.active?.state, installing: !!r?.installing, waiting: !!r?.waiting, url: r?.active?.scriptURL };
  });
  await server.kill();
  try {
    await page.goto(`${server.base}${teamPath}`);
    await hydrated(page);
    console.log(i, "ok", JSON.stringify(before));
  } catch (e) {
    fails++;
    console.log(i, "FAIL", String(e).split("\n")[0], JSON.stringify(before));
    const sws = context.serviceWorkers().map((w) => w.url());
    console.log("workers", sws);
  }
  await context.close();
}
console.log("fails", fails);
await browser.close();
