// Integration Journal service worker. Served by /sw.js; the cache name carries a hash
// of every shell file, so a new release installs a new cache and drops the old one.
const VERSION = {{ version|tojson }};
const SHELL_CACHE = `journal-shell-${VERSION}`;
// Personal pages (the journal, the entry form): wiped at logout.
const PAGES_CACHE = 'journal-pages';
const SHELL = {{ shell|tojson }};
const PERSONAL = {{ personal|tojson }};
const NEVER_CACHE = {{ never_cache|tojson }};
const OFFLINE = {{ offline|tojson }};
const NEW_ENTRY = {{ new_entry|tojson }};

self.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(SHELL_CACHE);
    // cache: 'reload' skips the HTTP cache so a release never precaches stale files.
    await cache.addAll(SHELL.map((url) => new Request(url, { cache: 'reload' })));
    await cachePersonalPages();
    await self.skipWaiting();
  })());
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    const names = await caches.keys();
    await Promise.all(names.filter((name) => name.startsWith('journal-shell-') && name !== SHELL_CACHE)
      .map((name) => caches.delete(name)));
    await self.clients.claim();
  })());
});

function neverCache(url) {
  return NEVER_CACHE.some((prefix) => url.pathname.startsWith(prefix));
}

function storable(response) {
  // no-store pages (therapists' views, anyone else's data) must never reach a cache.
  const control = response.headers.get('Cache-Control') || '';
  return response.ok && !response.redirected && response.type === 'basic' && !/no-store/i.test(control);
}

async function cachePersonalPages() {
  await Promise.all(PERSONAL.map(async (url) => {
    try {
      // Marked as background: refreshing the offline copy must not keep an idle login alive.
      const response = await fetch(url, {
        credentials: 'same-origin', cache: 'no-store', headers: { 'X-Journal-Background': '1' },
      });
      // The cache is opened only for a page worth keeping: opening it first would bring
      // back an empty personal cache right after a logout wiped it.
      if (storable(response)) await (await caches.open(PAGES_CACHE)).put(url, response);
    } catch (error) {
      // Offline or logged out: the pages are cached on the next visit instead.
    }
  }));
}

self.addEventListener('message', (event) => {
  if (event.data === 'cache-personal-pages') event.waitUntil(cachePersonalPages());
  // A page that loaded while the worker was activating missed its claim(): claim again.
  if (event.data === 'claim') event.waitUntil(self.clients.claim());
});

self.addEventListener('fetch', (event) => {
  const { request } = event;
  const url = new URL(request.url);
  if (request.method !== 'GET' || url.origin !== self.location.origin || neverCache(url)) return;
  if (request.mode === 'navigate') {
    event.respondWith(navigate(event));
  } else if (url.pathname.startsWith('/static/') || url.pathname === '/manifest.webmanifest') {
    event.respondWith(cacheFirst(request));
  }
});

async function navigate(event) {
  const { request } = event;
  try {
    const response = await fetch(request);
    if (storable(response)) {
      const copy = response.clone();
      event.waitUntil(caches.open(PAGES_CACHE).then((cache) => cache.put(request, copy)));
    }
    return response;
  } catch (error) {
    return offlinePage(request);
  }
}

async function offlinePage(request) {
  const pages = await caches.open(PAGES_CACHE);
  const cached = await pages.match(request);
  if (cached) return cached;
  const path = new URL(request.url).pathname;
  // The entry form edits outbox items and cached entries too: app.js fills it in.
  if (path === NEW_ENTRY || /^\/entries\/[0-9a-f-]{36}\/edit$/.test(path)) {
    const form = await pages.match(NEW_ENTRY);
    if (form) return form;
  }
  const offline = await caches.match(OFFLINE);
  return offline || new Response('You are offline.', { status: 503, headers: { 'Content-Type': 'text/plain' } });
}

async function cacheFirst(request) {
  const cached = await caches.match(request, { ignoreSearch: true });
  if (cached) return cached;
  const response = await fetch(request);
  if (storable(response)) {
    const cache = await caches.open(SHELL_CACHE);
    await cache.put(request, response.clone());
  }
  return response;
}

self.addEventListener('sync', (event) => {
  if (event.tag === 'journal-outbox') event.waitUntil(tellClientsToSync());
});

async function tellClientsToSync() {
  // The outbox lives in the pages' module code; an open page does the replay.
  const clients = await self.clients.matchAll({ type: 'window' });
  clients.forEach((client) => client.postMessage('sync-outbox'));
}
