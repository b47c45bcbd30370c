// Sổ Tay Số service worker. The server prepends `BUILD` (this build's id), `PRECACHE` (the
// offline pages and the shell files of the first download) and `ROUTES` (every page's path
// pattern and the path its HTML is cached under) when it serves this file at /sw.js.
//
// Pages: network first, falling back to the cached copy of the page's route: every route's HTML
// is the same for everyone and every parameter (`/teams/{id}` is cached as `/teams/_`), so any
// cached copy hydrates, even for an id never opened online. Member and leader pages are
// precached; staff pages are cached once opened, and before that an offline visit gets a short
// page that says the network is needed. /pkg/, icons, manifest: cache first; the code of staff
// pages (split WASM modules) is not precached, only kept once fetched; the `field` module (a
// visit's page, the team log) is precached with the shell. /api/: network only, never cached
// (the app keeps its own data in localStorage).
/* global BUILD, PRECACHE, ROUTES */
const CACHE = `sotay-shell-${BUILD}`;
const PAGE_TIMEOUT_MS = 4000;

self.addEventListener("install", (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      await Promise.all(
        PRECACHE.map(async (url) => {
          const response = await fetch(new Request(url, { cache: "reload", credentials: "same-origin" }));
          if (!response.ok) throw new Error(`precache ${url}: ${response.status}`);
          await cache.put(url, response);
        }),
      );
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      const names = await caches.keys();
      await Promise.all(
        names.filter((name) => name.startsWith("sotay-") && name !== CACHE).map((name) => caches.delete(name)),
      );
      await self.clients.claim();
    })(),
  );
});

function withTimeout(promise, ms) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("timeout")), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

/** The route a path belongs to (`{id}` matches any one segment), or null. */
function routeOf(pathname) {
  const segments = pathname.split("/").filter(Boolean);
  for (const route of ROUTES) {
    const pattern = route.pattern.split("/").filter(Boolean);
    if (pattern.length === segments.length && pattern.every((p, i) => p === "{id}" || p === segments[i])) {
      return route;
    }
  }
  return null;
}

/** What an offline visit to a page never opened online gets: plain words, a way back. */
function offlinePage() {
  const html = `<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Sổ Tay Số</title>
<link rel="stylesheet" href="/pkg/sotay.css"></head><body><main class="page narrow">
<h1>Cần kết nối mạng</h1>
<p>Trang này cần có mạng trong lần mở đầu tiên. Hãy thử lại khi có sóng.</p>
<p lang="en">This page needs the network the first time it is opened. Try again when you have a signal.</p>
<p><a class="primary-button" href="/">Về trang chính</a></p></main></body></html>`;
  return new Response(html, { status: 503, headers: { "content-type": "text/html; charset=utf-8" } });
}

async function page(request) {
  const url = new URL(request.url);
  const route = routeOf(url.pathname);
  const cache = await caches.open(CACHE);
  try {
    const response = await withTimeout(fetch(request), PAGE_TIMEOUT_MS);
    if (response.ok && route && !route.offline) await cache.put(route.cache, response.clone());
    return response;
  } catch (error) {
    const cached = route && (await cache.match(route.cache));
    return cached || offlinePage();
  }
}

async function shellFile(request) {
  const cache = await caches.open(CACHE);
  const cached = await cache.match(request, { ignoreSearch: true });
  return cached || fetch(request);
}

/** Code loaded on demand (staff pages): from the network, kept for offline use once fetched. */
async function lazyFile(request) {
  const cache = await caches.open(CACHE);
  try {
    const response = await fetch(request);
    if (response.ok) await cache.put(request, response.clone());
    return response;
  } catch (error) {
    const cached = await cache.match(request, { ignoreSearch: true });
    if (cached) return cached;
    throw error;
  }
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || url.pathname.startsWith("/api/")) return;
  if (request.mode === "navigate") {
    event.respondWith(page(request));
  } else if (PRECACHE.includes(url.pathname)) {
    event.respondWith(shellFile(request));
  } else if (url.pathname.startsWith("/pkg/")) {
    event.respondWith(lazyFile(request));
  }
});
