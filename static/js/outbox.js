// Replays the outbox to the sync API, oldest first, in batches (one request and one
// commit for up to 50 items; an older server without /batch gets them one by one).
// An item leaves the outbox only
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
/** Put a write in the outbox, waiting to be sent: the item already there for ``id`` (it
 * keeps its place and its base version), else a new one made of ``first``. */
async function queue(id, first, write) {
  const item = (await db.get('outbox', id)) || { id, saved_at: Date.now(), inflight: null, ...first };
  Object.assign(item, write, { state: 'waiting', errors: null, attempts: 0, next_try: 0 });
  await db.put('outbox', item);
  return item;
}

export function saveEntry(id, payload, baseVersion) {
  return queue(id, { base_version: baseVersion ?? null }, { op: 'put', payload });
}

/** Save a completed questionnaire in the outbox. It is never edited: the device made its
 * id, so however often it is sent, the server records it once. */
export function saveMeasureResponse(id, payload, title) {
  return queue(id, { kind: 'measure', title, base_version: null }, { op: 'put', payload });
}

/** This device kept the server's version of an entry changed on two devices: the server
 * stops telling the patient's other devices about it. Offline, they keep saying so until
 * the entry is saved again or a version is kept there. */
export async function settleConflict(id) {
  try {
    if (!(await ownerConfirmed())) return;
    await fetch(`${API}/entries/${id}/conflict`, {
      method: 'DELETE', headers: { 'X-CSRFToken': csrfToken }, credentials: 'same-origin', cache: 'no-store',
    });
  } catch (error) {
    // Offline: see above.
  }
}

/** Queue moving an entry to the Trash. */
export function deleteEntry(id, baseVersion) {
  return queue(id, { base_version: baseVersion }, { op: 'delete', payload: null });
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

/** POST or PUT ``init`` to ``path``; resolves to the answer's { status, body }. A refused
 * CSRF token is refreshed and the request sent once more, if the session is still ours.
 * Rejects when the network is unreachable. */
async function exchange(path, init, retried = false) {
  init.headers['X-CSRFToken'] = csrfToken;
  const response = await fetch(`${API}/${path}`, init);
  const body = await response.json().catch(() => ({}));
  if (response.status === 400 && body.reason === 'csrf' && !retried) {
    // A new token may come with a new session: send again only if it is still ours.
    confirmed = null;
    const user = await refreshToken();
    if (user && user.id === db.owner()) return exchange(path, init, true);
    if (user) return { status: 401, body: {} };
  }
  return { status: response.status, body };
}

/** One outbox request on its own (PUT or DELETE). */
function send(request) {
  const headers = { Accept: 'application/json' };
  const init = { method: request.op === 'delete' ? 'DELETE' : 'PUT', headers, credentials: 'same-origin', cache: 'no-store' };
  if (request.base_version) headers['If-Match'] = `"${request.base_version}"`;
  if (request.op !== 'delete') {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(request.payload);
  }
  const path = request.kind === 'measure' ? `measures/responses/${request.id}` : `entries/${request.id}`;
  return exchange(path, init);
}

/** Outbox requests in one batch: resolves to one { status, body } per request, in order,
 * each what its single request would have answered; or to null when the server has no
 * batch endpoint (an older release) or would not take this batch whole (too large). The
 * answer to a whole batch refused for the session or server trouble is every item's. */
async function sendBatch(requests) {
  const items = requests.map((request) => ({
    id: request.id,
    kind: request.kind === 'measure' ? 'measure' : 'entry',
    method: request.op === 'delete' ? 'DELETE' : 'PUT',
    base_version: request.base_version || null,
    body: request.op === 'delete' ? null : request.payload,
  }));
  const init = {
    method: 'POST', headers: { Accept: 'application/json', 'Content-Type': 'application/json' },
    credentials: 'same-origin', cache: 'no-store', body: JSON.stringify({ requests: items }),
  };
  const { status, body } = await exchange('batch', init);
  if (status === 404 || status === 405) batches = false;
  // Logged out, or server trouble: every item waits, as it would alone.
  if (status === 401 || status === 408 || status === 429 || status >= 500) {
    return requests.map(() => ({ status, body }));
  }
  // Anything else is about the batch, not its items (too large, say): their own requests
  // get their own answers.
  if (status !== 200 || !Array.isArray(body.results)) return null;
  return requests.map((request, n) => {
    const result = body.results[n];
    if (!result || result.id !== request.id) return { status: 500, body: {} }; // not answered: it waits
    return { status: result.status, body: result.body || {} };
  });
}

/** How long a confirmation that the session is this account's serves the sends after it:
 * long enough that a thousand sends do not each ask, short enough that a login by someone
 * else (another tab) stops the replay within a second. */
const OWNER_FRESH_MS = 1000;
let confirmed = null;

/** sessionIsOwner(), asked again when the last answer is over OWNER_FRESH_MS old; the
 * parallel sends share one question. */
function ownerConfirmed() {
  if (!confirmed || Date.now() - confirmed.at > OWNER_FRESH_MS) {
    confirmed = { at: Date.now(), answer: sessionIsOwner() };
  }
  return confirmed.answer;
}

function sameRequest(a, b) {
  return a.op === b.op && a.base_version === b.base_version && JSON.stringify(a.payload) === JSON.stringify(b.payload);
}

/** Take the item to send: the exact request that may have reached the server goes again
 * first (if it was applied, the server recognises it and answers as before). Resolves to
 * the item, or null when it is not due. One transaction. */
function claim(id, force) {
  return db.changeItem(id, [], (item, writes) => {
    if (!item || (item.state === 'invalid' && !item.inflight)) return null;
    if (!force && item.next_try > Date.now()) return null;
    item.inflight = item.inflight || { id: item.id, kind: item.kind, op: item.op, payload: item.payload, base_version: item.base_version };
    writes.put('outbox', item);
    return item;
  });
}

function delay(item) {
  item.attempts = (item.attempts || 0) + 1;
  item.next_try = Date.now() + Math.min(MAX_BACKOFF, 1000 * 2 ** item.attempts);
  item.state = 'retry';
}

/** Record the server's answer to ``request`` in one transaction. Re-read inside it: the
 * patient may have edited the item while it was on the wire. Resolves to the outcome. */
function settle(sent, request, { status, body }) {
  return db.changeItem(sent.id, ['entries', 'conflicts'], (found, writes) => {
    const fresh = found || sent;
    if (request.kind === 'measure' && status >= 200 && status < 300) {
      // Recorded (or recorded before: a replay). Nothing of it is cached as an entry.
      writes.remove('outbox', fresh.id);
      return 'applied';
    }
    if (status >= 200 && status < 300) {
      writes.put('entries', body.entry);
      const pending = { id: fresh.id, op: fresh.op, payload: fresh.payload, base_version: request.base_version };
      if (sameRequest(pending, request)) {
        writes.remove('outbox', fresh.id);
        return 'applied';
      }
      // Edited while on the wire: the edit goes next, on the version this write made.
      Object.assign(fresh, { inflight: null, base_version: body.entry.version });
      writes.put('outbox', fresh);
      return fresh.state === 'waiting' ? 'applied, edited since' : 'applied';
    }
    if (status === 409 && request.kind !== 'measure') {
      // The patient's own latest text (or their deletion, mine: null) becomes a conflict
      // copy; the server's copy is cached. Both stay until the patient chooses.
      writes.put('conflicts', { id: uuid(), entry_id: fresh.id, mine: fresh.op === 'put' ? fresh.payload : null, theirs: body.current, saved_at: Date.now() });
      if (body.current) writes.put('entries', body.current);
      writes.remove('outbox', fresh.id);
      return 'ok';
    }
    if (status === 404 && request.op === 'delete') {
      writes.remove('outbox', fresh.id);
      writes.remove('entries', fresh.id);
      return 'ok';
    }
    if (status === 401) {
      Object.assign(fresh, { state: 'auth' });
      writes.put('outbox', fresh);
      return 'auth';
    }
    if (status >= 400 && status < 500 && status !== 408 && status !== 429) {
      // Not applied: the patient fixes it; the next send is a new request.
      Object.assign(fresh, { state: 'invalid', inflight: null, errors: body.fields || { '': [body.message || body.error || 'The server could not accept this entry.'] } });
      writes.put('outbox', fresh);
      return 'invalid';
    }
    delay(fresh);
    writes.put('outbox', fresh);
    return 'retry';
  });
}

/** Batches on the wire at once, and the most items (and bytes of text) in one. Items of
 * one entry are one outbox item (keyed by the entry's id), in one batch at a time, so an
 * entry's writes keep their order. */
const IN_FLIGHT = 2;
const BATCH_ITEMS = 50;
/** Characters of text, up to 3 bytes each in UTF-8: under the server's 8 MB per batch. */
const BATCH_TEXT = 2 * 1024 * 1024;
/** Whether the server takes batches (an older release answers 404): one by one if not. */
let batches = true;

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
  confirmed = null; // every run asks the server whose session this is before its first send
  // Taken over (below) only when the server confirms whose session this is.
  if (!adopted && await db.hasOwnerlessWords()) await sessionIsOwner().catch(() => false);
  // Oldest first, in batches, a couple at a time. The first stop (logged out, offline,
  // server trouble) ends the claiming; batches already on the wire are settled before the
  // run ends. An item edited while on the wire goes back to the front of the queue.
  const queue = (await db.outboxItems()).map((item) => ({ id: item.id, force, size: size(item) }));
  const run = { sent: 0, applied: 0, invalid: false, stop: null, queue };
  const worker = async () => {
    while (queue.length && !run.stop) {
      if (!batches) {
        const { id, force: again } = queue.shift();
        await deliver(id, again, run);
      } else {
        await deliverBatch(takeBatch(queue), run);
      }
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  if (run.stop === 'not owner') await markAll('auth');
  const problem = { 'not owner': 'auth', auth: 'auth', retry: 'server', offline: 'offline' }[run.stop];
  state.offline = run.stop === 'offline';
  state.problem = problem === 'offline' ? null : problem || (run.invalid ? 'invalid' : null);
  return { sent: run.sent, applied: run.applied, problem: problem || state.problem };
}

function size(item) {
  return item.payload ? JSON.stringify(item.payload).length : 0;
}

/** The next batch from the front of the queue: up to BATCH_ITEMS, and BATCH_TEXT of text
 * unless its first item alone is larger. */
function takeBatch(queue) {
  const batch = [queue.shift()];
  let text = batch[0].size;
  while (queue.length && batch.length < BATCH_ITEMS && text + queue[0].size <= BATCH_TEXT) {
    text += queue[0].size;
    batch.push(queue.shift());
  }
  return batch;
}

/** Record one outcome in the run; true when the item must go again (edited on the wire). */
function count(outcome, run) {
  if (outcome === 'auth' || outcome === 'retry') {
    run.stop = run.stop || outcome;
    return false;
  }
  run.sent += 1;
  if (outcome.startsWith('applied')) run.applied += 1;
  if (outcome === 'invalid') run.invalid = true;
  return outcome === 'applied, edited since';
}

/** Send queued items in one batch and settle each by its own answer (a transaction per
 * item to claim it, one to settle it). Items edited while on the wire go back to the
 * front of the queue; without a batch endpoint they are sent one by one. */
async function deliverBatch(taken, run) {
  let items;
  let answers;
  try {
    // Before sending: another person may have logged in since the last send.
    if (!(await ownerConfirmed())) {
      run.stop = run.stop || 'not owner';
      return;
    }
    items = (await Promise.all(taken.map(({ id, force }) => claim(id, force)))).filter(Boolean);
    if (!items.length) return;
    answers = await sendBatch(items.map((item) => item.inflight));
  } catch (error) {
    // fetch rejects only when the network is unreachable.
    run.stop = run.stop || 'offline';
    await Promise.all(taken.map(({ id }) => postpone(id)));
    return;
  }
  if (!answers) {
    // An older server, or a batch too large to take whole: these go one by one.
    for (const item of items) if (!run.stop) await deliver(item.id, true, run);
    return;
  }
  const outcomes = await Promise.all(items.map((item, n) => settle(item, item.inflight, answers[n])));
  const again = items.filter((item, n) => count(outcomes[n], run));
  run.queue.unshift(...again.map((item) => ({ id: item.id, force: true, size: size(item) })));
}

function postpone(id) {
  return db.changeItem(id, [], (item, writes) => {
    if (!item) return;
    delay(item);
    writes.put('outbox', item);
  }).catch(() => {});
}

/** Send one outbox item until the server has settled it (again, if the patient edited it
 * while it was on the wire), or until the run stops. */
async function deliver(id, force, run) {
  for (let again = force; ; again = true) {
    try {
      // Before sending: another person may have logged in since the last send.
      if (!(await ownerConfirmed())) {
        run.stop = run.stop || 'not owner';
        return;
      }
      const item = await claim(id, again);
      if (!item) return;
      const outcome = await settle(item, item.inflight, await send(item.inflight));
      if (!count(outcome, run)) return;
    } catch (error) {
      // fetch rejects only when the network is unreachable.
      run.stop = run.stop || 'offline';
      await postpone(id);
      return;
    }
  }
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
 * A device with no cursor asks only for the entries it keeps, and a cursor at now.
 * Resolves to how many entries changed and how many of them are gone (in the Trash or
 * deleted for good), or null when the server said no. */
export async function pullChanges() {
  // Another account's entries must not be stored as this one's.
  if (!(await sessionIsOwner())) return null;
  let since = (await db.setting('cursor')) || '';
  let first = !since;
  let changed = 0;
  let gone = 0;
  for (let page = 0; page < 50; page += 1) {
    const query = first ? `latest=${db.CACHED_ENTRIES}` : `since=${encodeURIComponent(since)}`;
    const response = await fetch(`${API}/entries?${query}`, { credentials: 'same-origin', cache: 'no-store' });
    if (response.status === 400 && !first) {
      // The server no longer reads our cursor (a release changed its format): start over
      // rather than read nothing, forever.
      first = true;
      await db.saveSetting('cursor', '');
      continue;
    }
    if (!response.ok) return null;
    const body = await response.json();
    const deleted = body.entries.filter((entry) => entry.deleted).map((entry) => entry.id);
    changed += body.entries.length;
    gone += deleted.length;
    // A first pull names every entry worth keeping: a copy it does not name may be long
    // gone from the server (its tombstone too), so it must not linger.
    await db.storeEntries(body.entries.filter((entry) => !entry.deleted), deleted, { replace: first });
    for (const entry of body.entries) if (entry.purged) await forgetPurged(entry.id);
    first = false;
    since = body.next || since;
    await db.saveSetting('cursor', since);
    if (!body.has_more) break;
  }
  await db.pruneEntries();
  return { changed, gone };
}
