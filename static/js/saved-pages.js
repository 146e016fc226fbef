// An account's pages saved for offline use (the journal and the entry form). The service
// worker fetches them into a cache of the account's own, `journal-pages-<account>-<release>`;
// from here a page asks it to, and removes them when they must go.
const PREFIX = 'journal-pages-';

async function cacheNames(account) {
  if (!account || !('caches' in window)) return [];
  return (await caches.keys()).filter((name) => name.startsWith(`${PREFIX}${account}-`));
}

async function saved(account, path) {
  for (const name of await cacheNames(account)) {
    if (await caches.match(path, { cacheName: name })) return true;
  }
  return false;
}

/** Ask the service worker to fetch the account's pages: again (refresh), or when missing. */
export async function keepPages(account, refresh) {
  if (!account || !('serviceWorker' in navigator) || !navigator.onLine) return;
  const registration = await navigator.serviceWorker.ready;
  // Installed before login (or the cache was wiped): the pages are not there yet.
  if (refresh || !(await saved(account, '/entries/new'))) registration.active?.postMessage('cache-personal-pages');
}

/** Drop the account's saved journal page (it lists entries, one of them now gone), and
 * have the service worker drop any copy it is fetching now. */
export async function forgetJournalPage(account) {
  await Promise.all((await cacheNames(account)).map(async (name) => (await caches.open(name)).delete('/')));
  if ('serviceWorker' in navigator) navigator.serviceWorker.controller?.postMessage('forget-journal-page');
}

/** Remove every page saved for the account (logout, a deleted account). */
export async function wipePages(account) {
  await Promise.all((await cacheNames(account)).map((name) => caches.delete(name)));
}
