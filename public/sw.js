// Sổ Tay Số service worker. The server prepends `BUILD` (this build's id) and `PRECACHE` (the
// page routes and shell files) when it serves this file at /sw.js.
//
// Pages: network first, falling back to the cached copy of the same route (each route's HTML
// is the same for everyone, so any cached copy hydrates). /pkg/, icons, manifest: cache first.
// /api/: network only, never cached (the app keeps its own data in localStorage).
/* global BUILD, PRECACHE */
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

async function page(request) {
  const url = new URL(request.url);
  try {
    return await withTimeout(fetch(request), PAGE_TIMEOUT_MS);
  } catch (error) {
    const cache = await caches.open(CACHE);
    const cached = (await cache.match(url.pathname)) || (await cache.match("/"));
    if (cached) return cached;
    throw error;
  }
}

async function shellFile(request) {
  const cache = await caches.open(CACHE);
  const cached = await cache.match(request, { ignoreSearch: true });
  return cached || fetch(request);
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
  }
});
