// IndexedDB for one account on this device: its outbox of unsynced writes, a copy of its
// recent entries, its conflict copies, and small settings. Each account has a database of
// its own, so no query can reach another account's words and wiping an account is one
// deleteDatabase that leaves the others alone. Every record also names its owner, and one
// that names another account is never handed out. One connection, small exported functions.
const PREFIX = 'integration-journal-';
/** The database from before accounts had their own: its records name no owner. */
const LEGACY = 'integration-journal';
const VERSION = 1;
export const CACHED_ENTRIES = 50;

let account = null;
let dbPromise = null;

function request(req) {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

function closeDb() {
  if (dbPromise) dbPromise.then((db) => db.close(), () => {});
  dbPromise = null;
}

/** Work with this account's records from now on (the user id; null: none). */
export function useAccount(id) {
  if (id !== account) closeDb();
  account = id || null;
}

/** The account whose records this page works with. */
export const owner = () => account;

export function openDb() {
  if (!account) return Promise.reject(new Error('No account: nothing on this device is for this page.'));
  if (!dbPromise) {
    const req = indexedDB.open(PREFIX + account, VERSION);
    req.onupgradeneeded = (event) => {
      const db = req.result;
      if (event.oldVersion < 1) {
        db.createObjectStore('outbox', { keyPath: 'id' }).createIndex('saved_at', 'saved_at');
        db.createObjectStore('entries', { keyPath: 'id' }).createIndex('written_at', 'written_at');
        db.createObjectStore('conflicts', { keyPath: 'id' });
        db.createObjectStore('meta', { keyPath: 'key' });
      }
    };
    dbPromise = request(req).then((db) => {
      // Another tab deleting the database (logout) must not be blocked by us.
      db.onversionchange = () => { db.close(); dbPromise = null; };
      return db;
    });
  }
  return dbPromise;
}

function committed(tx) {
  return new Promise((resolve, reject) => {
    tx.oncomplete = resolve;
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error);
  });
}

async function run(store, mode, action) {
  const db = await openDb();
  const tx = db.transaction(store, mode);
  const done = committed(tx);
  const result = await request(action(tx.objectStore(store)));
  await done;
  return result;
}

const owned = (record) => record && record.owner === account;

/** Read, decide, write one outbox item in ONE transaction (with ``stores`` besides the
 * outbox): ``decide(item, writes)`` gets the item (undefined when there is none of this
 * account's) and calls ``writes.put(store, value)`` / ``writes.remove(store, key)``.
 * It must not await anything: the transaction would end under it. Resolves, once
 * everything is written, to what ``decide`` returned. */
export async function changeItem(key, stores, decide) {
  const db = await openDb();
  const tx = db.transaction(['outbox', ...stores], 'readwrite');
  const done = committed(tx);
  const writes = {
    put: (store, value) => { value.owner = account; tx.objectStore(store).put(value); },
    remove: (store, id) => { tx.objectStore(store).delete(id); },
  };
  const found = await request(tx.objectStore('outbox').get(key));
  const result = decide(owned(found) ? found : undefined, writes);
  await done;
  return result;
}

/** Store a page of the changes feed in one transaction: the copies to ``keep``, the ids
 * that are ``gone``; with ``replace``, instead of every copy stored before. */
export async function storeEntries(keep, gone, { replace = false } = {}) {
  const db = await openDb();
  const tx = db.transaction('entries', 'readwrite');
  const done = committed(tx);
  const entries = tx.objectStore('entries');
  if (replace) entries.clear();
  keep.forEach((entry) => entries.put({ ...entry, owner: account }));
  gone.forEach((id) => entries.delete(id));
  await done;
}

export const get = async (store, key) => {
  const record = await run(store, 'readonly', (s) => s.get(key));
  return owned(record) ? record : undefined;
};
export const put = (store, value) => {
  value.owner = account;
  return run(store, 'readwrite', (s) => s.put(value));
};
export const remove = (store, key) => run(store, 'readwrite', (s) => s.delete(key));
export const all = async (store) => (await run(store, 'readonly', (s) => s.getAll())).filter(owned);
export const count = async (store) => (await all(store)).length;
export const clear = (store) => run(store, 'readwrite', (s) => s.clear());

/** A small setting of this account's (the changes feed's cursor). */
export const setting = async (key) => (await get('meta', key))?.value;
export const saveSetting = (key, value) => put('meta', { key, value });

/** Outbox items, oldest first: the order they must reach the server in. */
export async function outboxItems() {
  const items = await all('outbox');
  return items.sort((a, b) => a.saved_at - b.saved_at);
}

/** Cached entries, newest first (written_at), without tombstones. */
export async function cachedEntries() {
  const entries = await all('entries');
  return entries.filter((e) => !e.deleted).sort((a, b) => (a.written_at < b.written_at ? 1 : -1));
}

/** Keep only the newest CACHED_ENTRIES entries on the device. */
export async function pruneEntries() {
  const entries = await cachedEntries();
  await Promise.all(entries.slice(CACHED_ENTRIES).map((e) => remove('entries', e.id)));
}

function deleteDatabase(name) {
  return new Promise((resolve) => {
    const req = indexedDB.deleteDatabase(name);
    req.onsuccess = resolve;
    req.onerror = resolve;
    req.onblocked = resolve;
  });
}

/** Delete everything this app stored on the device for one account (logout, deletion). */
export async function wipe(id) {
  if (!id) return;
  // A write still on its way from this page must not create the database again.
  if (id === account) useAccount(null);
  await deleteDatabase(PREFIX + id);
}

/** Whether the previous release's database, whose records name no owner, is here. */
export async function hasOwnerlessWords() {
  return Boolean(indexedDB.databases) && (await indexedDB.databases()).some((d) => d.name === LEGACY);
}

/** Words saved before accounts had databases of their own name no owner. The account the
 * server confirms first takes them: that is the device's last user, the one who wrote
 * them, unless their session ended and another person logged in before this release.
 * Cached copies are not taken: the changes feed brings the account's own back. */
export async function adoptOwnerlessWords() {
  if (!account || !(await hasOwnerlessWords())) return;
  const legacy = await request(indexedDB.open(LEGACY));
  const words = [];
  for (const store of ['outbox', 'conflicts'].filter((s) => legacy.objectStoreNames.contains(s))) {
    const records = await request(legacy.transaction(store).objectStore(store).getAll());
    records.forEach((record) => words.push([store, record]));
  }
  legacy.close();
  for (const [store, record] of words) await put(store, record);
  await deleteDatabase(LEGACY);
}
