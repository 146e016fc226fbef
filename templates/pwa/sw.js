// Integration Journal service worker. Served by /sw.js; the cache name carries a hash
// of every shell file, so a new release installs a new cache and drops the old one.
const VERSION = {{ version|tojson }};
const SHELL_CACHE = `journal-shell-${VERSION}`;
// Personal pages (the journal, the entry form), in a cache of the account's own that the
// next release drops: journal-pages-<account>-<version>. Wiped at logout (saved-pages.js).
const PAGES_PREFIX = 'journal-pages';
const pagesCache = (account) => `${PAGES_PREFIX}-${account}-${VERSION}`;
// Whose page a response is: the server says so on every page of a logged-in patient.
const ACCOUNT_HEADER = 'Journal-User';
// The account of the last page from the server (each page tells us: app.js): offline, its
// saved pages open, and no other account's. Kept in a cache to outlive worker restarts.
const DEVICE_CACHE = 'journal-device';
const CURRENT_ACCOUNT = '/device/current-account';
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
    const old = (name) => (name.startsWith('journal-shell-') && name !== SHELL_CACHE)
      || (name.startsWith(PAGES_PREFIX) && !name.endsWith(`-${VERSION}`));
    await Promise.all(names.filter(old).map((name) => caches.delete(name)));
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

let currentAccount;
async function lastAccount() {
  if (currentAccount === undefined) {
    const saved = await caches.match(CURRENT_ACCOUNT, { cacheName: DEVICE_CACHE });
    currentAccount = saved ? await saved.text() : null;
  }
  return currentAccount;
}

async function setLastAccount(account) {
  currentAccount = account;
  const cache = await caches.open(DEVICE_CACHE);
  if (account) await cache.put(CURRENT_ACCOUNT, new Response(account));
  else await cache.delete(CURRENT_ACCOUNT);
}

/** The personal page a URL asks for exactly, or null: an entry, the Trash, the account
 * and a search of the journal (?q=) are never kept (entries offline come from IndexedDB,
 * which the changes feed keeps current). */
function personalPath(url) {
  const { pathname, search } = new URL(url, self.location.origin);
  return PERSONAL.includes(pathname) && !search ? pathname : null;
}

// The one saved page that shows entries' words, and how many times a page has said it
// lists an entry that is gone (deleted for good, or moved to the Trash elsewhere).
const JOURNAL = '/';
let journalForgotten = 0;

/** Keep a personal page in the cache of the account the server says it belongs to, if
 * that account is still the device's: a fetch that ends after its logout stores nothing.
 * ``fetchedAfter``: ``journalForgotten`` when the fetch began; a copy fetched before the
 * journal was last forgotten may show words the device has just forgotten, so it goes. */
async function keepPage(url, response, fetchedAfter) {
  const path = personalPath(url);
  const account = response.headers.get(ACCOUNT_HEADER);
  const stale = () => path === JOURNAL && fetchedAfter !== journalForgotten;
  if (!path || !account || !storable(response) || account !== await lastAccount() || stale()) return;
  const cache = await caches.open(pagesCache(account));
  await cache.put(path, response);
  // The account logged out while this page was on its way: what was just stored goes too.
  if (account !== await lastAccount()) await forgetPages(account);
  // The journal was forgotten while this copy was being stored: it goes too.
  else if (stale()) await cache.delete(path);
}

/** The saved journal page lists an entry that is gone: drop it, and any copy on its way. */
async function forgetJournalPage() {
  journalForgotten += 1;
  const account = await lastAccount();
  if (account) await (await caches.open(pagesCache(account))).delete(JOURNAL);
}

async function forgetPages(account) {
  const names = await caches.keys();
  await Promise.all(names.filter((name) => name.startsWith(`${PAGES_PREFIX}-${account}-`))
    .map((name) => caches.delete(name)));
}

async function cachePersonalPages() {
  const fetchedAfter = journalForgotten;
  await Promise.all(PERSONAL.map(async (url) => {
    try {
      // Marked as background: refreshing the offline copy must not keep an idle login alive.
      await keepPage(url, await fetch(url, {
        credentials: 'same-origin', cache: 'no-store', headers: { 'X-Journal-Background': '1' },
      }), fetchedAfter);
    } catch (error) {
      // Offline or logged out: the pages are cached on the next visit instead.
    }
  }));
}

self.addEventListener('message', (event) => {
  if (event.data?.type === 'account') {
    // At logout the page wipes the account's pages too; the worker does it again after it
    // stops keeping them, so a page it was fetching at that moment cannot linger.
    event.waitUntil(setLastAccount(event.data.account || null)
      .then(() => event.data.forget && forgetPages(event.data.forget)));
  }
  if (event.data === 'forget-journal-page') event.waitUntil(forgetJournalPage());
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
  const fetchedAfter = journalForgotten;
  try {
    const response = await fetch(request);
    event.waitUntil(keepPage(request.url, response.clone(), fetchedAfter));
    return response;
  } catch (error) {
    return offlinePage(request);
  }
}

async function offlinePage(request) {
  const account = await lastAccount();
  const options = { cacheName: account && pagesCache(account) };
  const personal = personalPath(request.url);
  const cached = account && personal && await caches.match(personal, options);
  if (cached) return cached;
  const path = new URL(request.url).pathname;
  // A questionnaire asked for by a session (?session=…) is the same page: the module reads
  // the session from the address.
  if (account && /^\/measures\/[a-z0-9]+\/new$/.test(path) && PERSONAL.includes(path)) {
    const form = await caches.match(path, options);
    if (form) return form;
  }
  // The entry form edits outbox items and cached entries too: app.js fills it in.
  if (account && (path === NEW_ENTRY || /^\/entries\/[0-9a-f-]{36}\/edit$/.test(path))) {
    const form = await caches.match(NEW_ENTRY, options);
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

// ---- Reminders (Web Push). Payloads are Declarative Web Push, which Safari 18.4+ shows
// without us; everywhere else this handler shows the same notification. It always shows
// one (browsers punish a push without a visible notification), and a tap opens the page
// the reminder is about, on this origin only.
self.addEventListener('push', (event) => {
  event.waitUntil(showReminder(event.data));
});

async function showReminder(data) {
  let notice = {};
  try {
    notice = (data && data.json().notification) || {};
  } catch (error) {
    // Not JSON: still tell the person something is waiting.
  }
  await self.registration.showNotification(notice.title || 'Integration Journal', {
    body: notice.body || 'You have a new note in your journal.',
    tag: notice.tag,
    icon: '/static/icons/icon-192.png',
    data: { path: ownPath(notice.navigate) },
  });
}

function ownPath(url) {
  if (typeof url !== 'string') return '/';
  try {
    const target = new URL(url, self.location.origin);
    return target.pathname + target.search;
  } catch (error) {
    return '/';
  }
}

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const opening = openReminderPage(event.notification.data?.path || '/');
  event.waitUntil(opening);
});

async function openReminderPage(path) {
  const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
  const open = windows.find((client) => 'navigate' in client);
  if (open) {
    const navigated = await open.navigate(path);
    // Focusing needs the tap's permission; a window that cannot take focus still navigated.
    await (navigated || open).focus().catch(() => {});
    return navigated;
  }
  return self.clients.openWindow(path);
}
