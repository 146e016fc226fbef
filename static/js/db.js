// IndexedDB for this device: the outbox of unsynced writes, a copy of recent entries,
// conflict copies, and small settings. One connection, small exported functions.
const NAME = 'integration-journal';
const VERSION = 1;
export const CACHED_ENTRIES = 50;

let dbPromise = null;

function request(req) {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

export function openDb() {
  if (!dbPromise) {
    const req = indexedDB.open(NAME, VERSION);
    req.onupgradeneeded = (event) => {
      const db = req.result;
      if (event.oldVersion < 1) {
        db.createObjectStore('outbox', { keyPath: 'id' }).createIndex('saved_at', 'saved_at');
        db.createObjectStore('entries', { keyPath: 'id' }).createIndex('written_at', 'written_at');
        db.createObjectStore('conflicts', { keyPath: 'id' });
        db.createObjectStore('meta');
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

async function run(store, mode, action) {
  const db = await openDb();
  const tx = db.transaction(store, mode);
  const result = await request(action(tx.objectStore(store)));
  await new Promise((resolve, reject) => {
    tx.oncomplete = resolve;
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error);
  });
  return result;
}

export const get = (store, key) => run(store, 'readonly', (s) => s.get(key));
export const put = (store, value, key) => run(store, 'readwrite', (s) => (key === undefined ? s.put(value) : s.put(value, key)));
export const remove = (store, key) => run(store, 'readwrite', (s) => s.delete(key));
export const all = (store) => run(store, 'readonly', (s) => s.getAll());
export const count = (store) => run(store, 'readonly', (s) => s.count());
export const clear = (store) => run(store, 'readwrite', (s) => s.clear());

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

/** Delete everything this app stored on the device (logout on a shared phone). */
export async function wipe() {
  if (dbPromise) {
    (await dbPromise).close();
    dbPromise = null;
  }
  await new Promise((resolve) => {
    const req = indexedDB.deleteDatabase(NAME);
    req.onsuccess = resolve;
    req.onerror = resolve;
    req.onblocked = resolve;
  });
}
