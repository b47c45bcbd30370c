// Test support: start and stop the real `sotay` binary, launch Debian's Chromium.
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, afterEach, before } from "node:test";
import { chromium } from "playwright-core";

const ROOT = resolve(new URL("../..", import.meta.url).pathname);
// A build into another target directory (`CARGO_TARGET_DIR`, and `LEPTOS_SITE_ROOT` for the
// site cargo-leptos writes) is tested by setting the same variables; SOTAY_BIN and
// SOTAY_SITE_ROOT name the files directly.
const TARGET = resolve(ROOT, process.env.CARGO_TARGET_DIR ?? "target");
export const BIN = process.env.SOTAY_BIN ?? join(TARGET, "release/sotay");
export const SITE = process.env.SOTAY_SITE_ROOT ?? resolve(ROOT, process.env.LEPTOS_SITE_ROOT ?? "target/site");
export const PASSWORD = "sotay2025";

/** A free TCP port on 127.0.0.1. */
export async function freePort() {
  return new Promise((ok, fail) => {
    const probe = createServer();
    probe.once("error", fail);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address();
      probe.close(() => ok(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** The real server process, on a fixed port and database so it can be killed and restarted. */
export class Server {
  constructor(port, db, { demo = true } = {}) {
    this.port = port;
    this.db = db ?? join(mkdtempSync(join(tmpdir(), "sotay-e2e-")), "sotay.db");
    this.base = `http://127.0.0.1:${port}`;
    this.demo = demo;
    this.process = null;
    this.log = "";
  }

  static async create(options) {
    return new Server(await freePort(), undefined, options);
  }

  /** Runs a `sotay` command on this server's database, with `input` on standard input. */
  cli(args, input = "") {
    const run = spawnSync(BIN, [...args, "--db", this.db], { input, encoding: "utf8" });
    if (run.status !== 0) throw new Error(`sotay ${args.join(" ")}: ${run.stderr}`);
    return run.stdout;
  }

  async start() {
    const args = ["serve", "--addr", `127.0.0.1:${this.port}`, "--db", this.db, "--site-root", SITE];
    if (this.demo) args.push("--demo");
    this.process = spawn(BIN, args, { stdio: ["ignore", "pipe", "pipe"] });
    const collect = (chunk) => {
      this.log += chunk.toString();
    };
    this.process.stdout.on("data", collect);
    this.process.stderr.on("data", collect);
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      if (this.process.exitCode !== null) throw new Error(`sotay exited: ${this.log}`);
      try {
        const response = await fetch(`${this.base}/api/health`);
        if (response.ok) return;
      } catch {
        // not listening yet
      }
      await sleep(100);
    }
    throw new Error(`sotay did not become healthy: ${this.log}`);
  }

  /** Whether the process is running (a process killed by a signal keeps `exitCode` null). */
  get running() {
    return this.process !== null && this.process.exitCode === null && this.process.signalCode === null;
  }

  /** Stops the process for real (SIGKILL: no goodbye) and waits until it is gone. */
  async kill() {
    if (!this.running) return;
    const exited = new Promise((r) => this.process.once("exit", r));
    this.process.kill("SIGKILL");
    await exited;
  }
}

/** Headless Debian Chromium, with no background traffic to the outside world. */
export async function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

/** A phone-sized context (360 × 740) whose browser prefers English, to prove Vietnamese is the default. */
export async function phone(browser) {
  return browser.newContext({
    viewport: { width: 360, height: 740 },
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
    locale: "en-US",
  });
}

/** Collects errors a page reports (panics, hydration trouble), ignoring refused connections. */
export function watchErrors(page) {
  const errors = [];
  page.on("pageerror", (error) => errors.push(String(error)));
  page.on("console", (message) => {
    const text = message.text();
    if (message.type() === "error" && !/ERR_CONNECTION_REFUSED|Failed to load resource|Failed to fetch/.test(text)) {
      errors.push(text);
    }
    if (/hydrat/i.test(text) && message.type() !== "debug") errors.push(text);
  });
  return errors;
}

/**
 * Opens `url` in `page`. Offline, Chromium gives a navigation to the service worker, but when
 * the worker is slow to start (a machine busy with builds) it falls back to the network and
 * the navigation fails with the network's own error before the worker answers; a later try
 * (every 500 ms, for up to 15 s on a machine loaded with other work) finds the worker running.
 * Online the first try is the only one. When every try fails, the error says which service
 * workers the browser context had running, to tell a slow worker from a missing one.
 */
export async function go(page, url) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await page.goto(url);
    } catch (error) {
      if (!/ERR_CONNECTION_REFUSED|ERR_INTERNET_DISCONNECTED/.test(String(error))) throw error;
      if (attempt >= 30) {
        const workers = page.context().serviceWorkers().map((w) => w.url());
        throw new Error(`${error.message}\nafter ${attempt} tries; running service workers: ${JSON.stringify(workers)}`);
      }
      await page.waitForTimeout(500);
    }
  }
}

/** Waits until the WASM has hydrated the page. */
export async function hydrated(page) {
  await page.waitForSelector("body[data-hydrated='true']", { timeout: 20_000 });
}

/** Signs in through the form and waits for the member's main screen. */
export async function signIn(page, base, phoneNumber) {
  await signInAs(page, base, phoneNumber, PASSWORD, /^\/$/);
  await page.waitForSelector("[data-testid=status-line]");
}

/** Signs in through the form and waits to land on a path matching `landing`; returns it. */
export async function signInAs(page, base, phoneNumber, password, landing) {
  await page.goto(`${base}/login`);
  await hydrated(page);
  await page.fill("#phone", phoneNumber);
  await page.fill("#password", password);
  await page.click("form button[type=submit]");
  await page.waitForURL((url) => landing.test(url.pathname), { timeout: 20_000 });
  return new URL(page.url()).pathname;
}

/** Signs out through the header (saying yes to its question) and waits for the sign-in page. */
export async function signOut(page, base) {
  page.once("dialog", (dialog) => dialog.accept());
  await page.click("[data-testid=sign-out]");
  await page.waitForURL(`${base}/login`);
}

/** On the password page a user given a one-time password sets their own, and lands home. */
export async function changePassword(page, current, chosen, landing) {
  await page.waitForSelector("[data-testid=password-form]", { timeout: 30_000 });
  await page.fill("#current", current);
  await page.fill("#new", chosen);
  await page.fill("#again", chosen);
  await page.click("[data-testid=password-form] button[type=submit]");
  await page.waitForURL((url) => landing.test(url.pathname), { timeout: 20_000 });
}

/** Waits until the service worker controls the page and has precached the whole shell. */
export async function shellCached(page) {
  await page.waitForFunction(
    async () => {
      // Controlling and done activating: `clients.claim()` runs inside `activate`, so a page can
      // have a controller whose state is still "activating".
      const controller = navigator.serviceWorker.controller;
      if (!controller || controller.state !== "activated") return false;
      const registration = await navigator.serviceWorker.getRegistration();
      if (!registration || registration.installing || registration.waiting) return false;
      const names = await caches.keys();
      const name = names.find((n) => n.startsWith("sotay-shell-"));
      if (!name) return false;
      const keys = await (await caches.open(name)).keys();
      const paths = keys.map((r) => new URL(r.url).pathname);
      return ["/", "/login", "/visits/new", "/manifest.webmanifest"].every((p) => paths.includes(p)) &&
        paths.some((p) => p.endsWith(".wasm")) && paths.some((p) => p.endsWith(".js"));
    },
    null,
    { timeout: 30_000, polling: 250 },
  );
}

/** Logs a visit through the form. */
export async function logVisit(page, { head, address, activities, note = "" }) {
  await page.waitForSelector("#activity-information");
  await page.fill("#head_name", head);
  await page.fill("#address", address);
  for (const code of activities) await page.check(`#activity-${code}`);
  if (note) {
    if (!(await page.getAttribute("[data-testid=form-more]", "open") !== null)) await page.click("[data-testid=form-more] summary");
    await page.fill("#note", note);
  }
  await page.click("[data-testid=save-visit]");
}

/**
 * Registers a browser and a real server for the tests of one file, started before them and
 * stopped after. Returns live getters: `env.browser`, `env.server`.
 */
export function useBrowserAndServer(options) {
  const env = { browser: null, server: null };
  before(async () => {
    env.browser = await launchBrowser();
    env.server = await Server.create(options);
    await env.server.start();
  });
  // A test that failed while its server was stopped (to be offline) leaves it stopped; the
  // next test gets it running again instead of failing for that reason too.
  afterEach(async () => {
    if (env.server && !env.server.running) await env.server.start();
  });
  after(async () => {
    await env.browser?.close();
    await env.server?.kill();
  });
  return env;
}

/** A UUID v7 (time-ordered), as the app makes them. */
export function uuid7() {
  const hex = [...crypto.getRandomValues(new Uint8Array(16))].map((b) => b.toString(16).padStart(2, "0")).join("");
  const time = Date.now().toString(16).padStart(12, "0");
  return `${time.slice(0, 8)}-${time.slice(8, 12)}-7${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** A browser context signed in to the API (no page) as a demo account. */
export async function apiAs(browser, base, phoneNumber) {
  const context = await browser.newContext();
  const login = await context.request.post(`${base}/api/auth/login`, {
    data: { phone: phoneNumber, password: PASSWORD },
  });
  if (login.status() !== 200) throw new Error(`sign-in of ${phoneNumber}: ${login.status()}`);
  return context;
}
