// Replays the outbox to the sync API, oldest first. An item leaves the outbox only
// after the server confirmed it; network trouble and 5xx keep it with backoff; a
// validation error waits for the patient; 401 waits for a new login; a 409 keeps both
// versions (the server's in the cache, ours as a conflict copy). Nothing is sent or
// pulled unless the server's session is the account the device data belongs to.
import * as db from './db.js';

const API = '/api/v1';
const MAX_BACKOFF = 5 * 60 * 1000;
let csrfToken = document.querySelector('meta[name="csrf-token"]')?.content || '';
let running = null;

export const state = { problem: null, offline: false };

export function uuid() {
  return crypto.randomUUID ? crypto.randomUUID() : '10000000-1000-4000-8000-100000000000'.replace(/[018]/g, (c) =>
    (c ^ (crypto.getRandomValues(new Uint8Array(1))[0] & (15 >> (c / 4)))).toString(16));
}

/** Save an entry (new or edited) in the outbox; returns the outbox item. */
export async function saveEntry(id, payload, baseVersion) {
  const existing = await db.get('outbox', id);
  const item = existing || { id, saved_at: Date.now(), base_version: baseVersion ?? null, inflight: null };
  Object.assign(item, { op: 'put', payload, state: 'waiting', errors: null, attempts: 0, next_try: 0 });
  await db.put('outbox', item);
  return item;
}

/** Queue moving an entry to the Trash. */
export async function deleteEntry(id, baseVersion) {
  const existing = await db.get('outbox', id);
  const item = existing || { id, saved_at: Date.now(), base_version: baseVersion, inflight: null };
  Object.assign(item, { op: 'delete', payload: null, state: 'waiting', errors: null, attempts: 0, next_try: 0 });
  await db.put('outbox', item);
  return item;
}

/** A fresh CSRF token (the one in a cached page may belong to an old session); resolves
 * to the logged-in user, or null when nobody is. */
export async function refreshToken() {
  const response = await fetch(`${API}/session`, { credentials: 'same-origin', cache: 'no-store' });
  if (response.status === 401) return null;
  if (!response.ok) throw new Error(`session ${response.status}`);
  const body = await response.json();
  csrfToken = body.csrf_token;
  document.querySelectorAll('meta[name="csrf-token"]').forEach((m) => { m.content = csrfToken; });
  document.querySelectorAll('input[name="csrf_token"]').forEach((i) => { i.value = csrfToken; });
  return body.user;
}

let adopted = false;
/** Whether the server's session is this account's now (the page's own line may be stale:
 * a saved page, or a tab left open while someone else logged in). The first time it is,
 * words saved before accounts had their own data become this account's. */
async function sessionIsOwner() {
  const user = await refreshToken();
  const mine = Boolean(user) && user.id === db.owner();
  if (mine && !adopted) {
    adopted = true;
    await db.adoptOwnerlessWords();
  }
  return mine;
}

async function send(request, retried = false) {
  const headers = { 'X-CSRFToken': csrfToken, Accept: 'application/json' };
  const init = { method: request.op === 'delete' ? 'DELETE' : 'PUT', headers, credentials: 'same-origin', cache: 'no-store' };
  if (request.base_version) headers['If-Match'] = `"${request.base_version}"`;
  if (request.op !== 'delete') {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(request.payload);
  }
  const response = await fetch(`${API}/entries/${request.id}`, init);
  const body = await response.json().catch(() => ({}));
  if (response.status === 400 && body.reason === 'csrf' && !retried) {
    if (await refreshToken()) return send(request, true);
  }
  return { status: response.status, body };
}

function sameRequest(a, b) {
  return a.op === b.op && a.base_version === b.base_version && JSON.stringify(a.payload) === JSON.stringify(b.payload);
}

async function keepConflict(item, current) {
  // The patient's own latest text (or their deletion, mine: null) becomes a conflict
  // copy; the server's copy is cached. Both stay until the patient chooses.
  await db.put('conflicts', { id: uuid(), entry_id: item.id, mine: item.op === 'put' ? item.payload : null, theirs: current, saved_at: Date.now() });
  if (current) await db.put('entries', current);
  await db.remove('outbox', item.id);
}

async function settle(item, request, result) {
  // Re-read: the patient may have edited the item while it was on the wire.
  const fresh = (await db.get('outbox', item.id)) || item;
  const { status, body } = result;
  if (status >= 200 && status < 300) {
    await db.put('entries', body.entry);
    const pending = { id: fresh.id, op: fresh.op, payload: fresh.payload, base_version: request.base_version };
    if (sameRequest(pending, request)) {
      await db.remove('outbox', item.id);
    } else {
      Object.assign(fresh, { inflight: null, base_version: body.entry.version });
      await db.put('outbox', fresh);
    }
    return 'applied';
  }
  if (status === 409) {
    await keepConflict(fresh, body.current);
    return 'ok';
  }
  if (status === 404 && request.op === 'delete') {
    await db.remove('outbox', item.id);
    await db.remove('entries', item.id);
    return 'ok';
  }
  if (status === 401) {
    Object.assign(fresh, { state: 'auth' });
    await db.put('outbox', fresh);
    return 'auth';
  }
  if (status >= 400 && status < 500 && status !== 408 && status !== 429) {
    // Not applied: the patient fixes it; the next send is a new request.
    Object.assign(fresh, { state: 'invalid', inflight: null, errors: body.fields || { '': [body.message || body.error || 'The server could not accept this entry.'] } });
    await db.put('outbox', fresh);
    return 'invalid';
  }
  return backoff(fresh);
}

async function backoff(item) {
  item.attempts = (item.attempts || 0) + 1;
  item.next_try = Date.now() + Math.min(MAX_BACKOFF, 1000 * 2 ** item.attempts);
  item.state = 'retry';
  await db.put('outbox', item);
  return 'retry';
}

/** Replay the outbox once (concurrent calls share one run). Resolves to a summary. */
export function syncOutbox({ force = false } = {}) {
  if (!running) {
    // One replay at a time across tabs, too: two pages sending one item together would
    // race each other to the server.
    const work = () => replay(force);
    running = (navigator.locks ? navigator.locks.request('journal-outbox', work) : work())
      .finally(() => { running = null; });
  }
  return running;
}

async function replay(force) {
  state.problem = null;
  // Taken over (below) only when the server confirms whose session this is.
  if (!adopted && await db.hasOwnerlessWords()) await sessionIsOwner().catch(() => false);
  let sent = 0;
  let applied = 0;
  for (const listed of await db.outboxItems()) {
    const item = await db.get('outbox', listed.id);
    if (!item || (item.state === 'invalid' && !item.inflight)) continue;
    if (!force && item.next_try > Date.now()) continue;
    try {
      // Before every send: another person may have logged in since the last one.
      if (!(await sessionIsOwner()) || item.owner !== db.owner()) {
        state.problem = 'auth';
        await markAll('auth');
        return { sent, applied, problem: 'auth' };
      }
      // The exact request that may have reached the server goes again first: if it was
      // applied, the server recognises it and answers as before.
      const request = item.inflight || { id: item.id, op: item.op, payload: item.payload, base_version: item.base_version };
      item.inflight = request;
      await db.put('outbox', item);
      const outcome = await settle(item, request, await send(request));
      if (outcome === 'auth' || outcome === 'retry') {
        state.problem = outcome === 'auth' ? 'auth' : 'server';
        return { sent, applied, problem: state.problem };
      }
      if (outcome === 'invalid') state.problem = 'invalid';
      if (outcome === 'applied') applied += 1;
      sent += 1;
      const again = await db.get('outbox', item.id);
      if (again && again.state === 'waiting' && !again.inflight) {
        return replay(true).then((r) => ({ ...r, sent: sent + r.sent, applied: applied + r.applied }));
      }
    } catch (error) {
      // fetch rejects only when the network is unreachable.
      state.offline = true;
      await backoff(await db.get('outbox', item.id) || item);
      return { sent, applied, problem: 'offline' };
    }
  }
  state.offline = false;
  return { sent, applied, problem: state.problem };
}

async function markAll(value) {
  for (const item of await db.outboxItems()) {
    item.state = value;
    await db.put('outbox', item);
  }
}

/** An entry deleted for good on another device: its conflict copies lose the server's
 * side. The patient's own words stay (as a copy to keep, or a waiting outbox edit, which
 * the server turns back into an entry); a conflict with nothing of theirs goes. */
async function forgetPurged(id) {
  for (const conflict of await db.all('conflicts')) {
    if (conflict.entry_id !== id) continue;
    if (conflict.mine) await db.put('conflicts', { ...conflict, theirs: null, purged: true });
    else await db.remove('conflicts', conflict.id);
  }
}

/** Fetch the patient's changes since last time into the device cache (last 50 kept).
 * Resolves to how many entries changed and how many of them are gone (in the Trash or
 * deleted for good), or null when the server said no. */
export async function pullChanges() {
  // Another account's entries must not be stored as this one's.
  if (!(await sessionIsOwner())) return null;
  let since = (await db.setting('cursor')) || '';
  let changed = 0;
  let gone = 0;
  let fromScratch = false;
  for (let page = 0; page < 50; page += 1) {
    const response = await fetch(`${API}/entries?since=${encodeURIComponent(since)}`, { credentials: 'same-origin', cache: 'no-store' });
    if (response.status === 400 && since && !fromScratch) {
      // The server no longer reads our cursor (a release changed its format): read the
      // whole feed again rather than nothing, forever.
      fromScratch = true;
      since = '';
      await db.saveSetting('cursor', '');
      continue;
    }
    if (!response.ok) return null;
    const body = await response.json();
    // From the start, the feed names every entry there is: a copy it does not name (its
    // tombstone long gone) must not linger.
    if (fromScratch && !since) await db.clear('entries');
    changed += body.entries.length;
    for (const entry of body.entries) {
      if (entry.deleted) {
        gone += 1;
        await db.remove('entries', entry.id);
      } else {
        await db.put('entries', entry);
      }
      if (entry.purged) await forgetPurged(entry.id);
    }
    since = body.next || since;
    await db.saveSetting('cursor', since);
    if (!body.has_more) break;
  }
  await db.pruneEntries();
  return { changed, gone };
}
