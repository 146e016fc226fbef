// Starts the offline app on every page: the service worker, the sync status, the
// enhanced forms, the device's lists, push renewal, and a logout that leaves nothing of
// the account behind (and nothing of another account's lost). Code that only some pages
// or moments need is imported when they come, so a first visit downloads little.
import { deletedAccount, forgetAccount, namesAccount, pageAccount } from './account.js';
import * as db from './db.js';
import { showStoredFlash } from './flash.js';
import { offerInstall } from './install.js';
import { pullChanges, refreshToken, state, syncOutbox } from './outbox.js';
import { forgetJournalPage, keepPages, wipePages } from './saved-pages.js';
import { showPersistence } from './storage.js';

const SYNC_EVERY = 30 * 1000;
const account = pageAccount();
// The offline page with no account to show (nobody logged in last) shows nothing stored.
const isPatient = Boolean(document.querySelector('[data-sync-status]')) && Boolean(account);
db.useAccount(isPatient ? account : null);

async function registerServiceWorker() {
  if (!('serviceWorker' in navigator)) return;
  try {
    await navigator.serviceWorker.register('/sw.js', { scope: '/' });
    navigator.serviceWorker.addEventListener('message', (event) => {
      if (event.data === 'sync-outbox') sync();
    });
    const registration = await navigator.serviceWorker.ready;
    if (!navigator.serviceWorker.controller) registration.active?.postMessage('claim');
    // Offline, the worker opens the saved pages of the account whose page came last.
    if (namesAccount()) await tellWorker(account);
    // A page just saved (the safety plan) is fetched again for offline use: the copy kept
    // before would show the old words.
    if (isPatient) await keepPages(account, Boolean(document.querySelector('[data-refresh-offline-copy]')));
  } catch (error) {
    // The app still works online without it.
  }
}

async function showStatus() {
  const box = document.querySelector('[data-sync-status]');
  if (!box) return;
  const items = await db.outboxItems();
  const conflicts = await db.count('conflicts');
  let text = 'All synced.';
  let kind = 'ok';
  if (items.some((i) => i.state === 'invalid')) {
    // Refused by the server (a missing mood, too long): not a fault of the sync.
    text = 'Not saved yet: an entry needs your attention. Open it to fix or discard it.'; kind = 'problem';
  } else if (items.some((i) => i.state === 'auth') || state.problem === 'auth') {
    text = `Sync problem: log in again to sync ${items.length} waiting ${items.length === 1 ? 'entry' : 'entries'}.`; kind = 'problem';
  } else if (items.length && state.problem === 'server') {
    text = `Sync problem: the server is not answering. ${items.length} waiting; trying again soon.`; kind = 'problem';
  } else if (items.length) {
    text = `${items.length} waiting to sync${!navigator.onLine || state.offline ? ' (offline)' : ''}.`; kind = 'waiting';
  } else if (!navigator.onLine || state.offline) {
    text = 'Offline. All synced so far.'; kind = 'waiting';
  }
  if (conflicts) text += ` ${conflicts} changed on two devices: see your journal.`;
  const line = box.querySelector('[data-sync-text]');
  if (line.textContent !== text) line.textContent = text;
  box.dataset.state = kind;
  box.hidden = false;
}

let offlineViews = null;
/** The device's own views (what waits to sync, entries changed on two devices, the offline
 * page) load their code only when there is something to draw: an online journal with
 * nothing waiting, the page opened most, has none. */
function views() {
  offlineViews ??= import('./offline-views.js');
  return offlineViews;
}

async function drawOutbox() {
  if (!document.querySelector('[data-outbox-list]')) return;
  // Once drawn, the list is drawn again when nothing is left, so that it empties.
  if (!offlineViews && !(await db.count('outbox')) && !(await db.count('conflicts'))) return;
  await (await views()).renderOutbox();
}

async function refreshViews() {
  await Promise.all([showStatus(), drawOutbox()]);
}

let pulling = false;
async function sync({ force = false } = {}) {
  if (!isPatient) return;
  const result = await syncOutbox({ force });
  if (result.applied && showsServerList()) {
    // The journal was drawn before these entries reached the server: draw it again,
    // or they would vanish from the outbox list without appearing in the journal.
    window.location.reload();
    return;
  }
  if (!result.problem && navigator.onLine && !pulling) {
    pulling = true;
    try {
      const pulled = await pullChanges();
      // Entries gone from the journal: the saved page must not keep showing their words,
      // even if fetching it again fails.
      if (pulled?.gone) await forgetJournalPage(account);
      // Changed entries: refresh the saved journal and form pages for offline use too.
      if (pulled?.changed || result.applied) await keepPages(account, true);
    } catch (error) {
      // Offline again: the device copy stays as it was.
    } finally {
      pulling = false;
    }
  }
  await refreshViews();
  await scheduleRetry();
}

function showsServerList() {
  const typing = document.activeElement?.matches?.('input, textarea, select');
  return window.location.pathname === '/' && !typing;
}

let retryTimer = null;
/** Retry when the earliest backed-off item is due (1 s, 2 s, 4 s … up to 5 minutes). */
async function scheduleRetry() {
  window.clearTimeout(retryTimer);
  const due = (await db.outboxItems()).filter((i) => i.state === 'waiting' || i.state === 'retry')
    .map((i) => i.next_try || 0);
  if (!due.length) return;
  const wait = Math.max(1000, Math.min(...due) - Date.now());
  retryTimer = window.setTimeout(() => sync(), Math.min(wait, SYNC_EVERY));
}

async function registerBackgroundSync() {
  try {
    const registration = await navigator.serviceWorker?.ready;
    await registration?.sync?.register('journal-outbox');
  } catch (error) {
    // No Background Sync here (Safari, Firefox): online events and the timer cover it.
  }
}

/** Offline, "Move to Trash" on a page loaded before the network went is queued on the
 * device instead of failing to post. */
function trashOffline() {
  document.addEventListener('submit', (event) => {
    const match = (event.target.getAttribute('action') || '').match(/^\/entries\/([0-9a-f-]{36})\/delete$/);
    if (!match || navigator.onLine) return;
    event.preventDefault();
    views().then((module) => module.trashOnDevice(match[1], event.target));
  }, true);
}

function showLogoutNote(form, text) {
  let note = document.querySelector('[data-logout-note]');
  if (!note) {
    note = document.createElement('p');
    note.className = 'error-summary';
    note.setAttribute('role', 'alert');
    note.dataset.logoutNote = '';
    form.before(note);
  }
  note.textContent = text;
}

function guardLogout() {
  const form = document.querySelector('[data-logout-form]');
  if (!form) return;
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!navigator.onLine) {
      // The server must end the session too, or the next person is still logged in.
      showLogoutNote(form, 'You are offline. Log out when the network is back, so this device is really logged out.');
      return;
    }
    const waiting = isPatient ? await db.count('outbox') : 0;
    if (waiting && form.dataset.confirmed !== 'yes') {
      form.dataset.confirmed = 'yes';
      const them = waiting === 1 ? 'it' : 'them';
      showLogoutNote(form, `${waiting} ${waiting === 1 ? 'entry has' : 'entries have'} not synced yet. Logging out deletes ${them} from this device. Press "Log out anyway" to log out, or stay and let ${them} sync.`);
      form.querySelector('button').textContent = 'Log out anyway';
      return;
    }
    // Only this account's: another's words may still wait here for their owner.
    await wipeAccount(account);
    form.submit();
  });
}

/** Tell the service worker whose pages it may keep and open offline (null: nobody's). */
async function tellWorker(id, forget = null) {
  if (!('serviceWorker' in navigator)) return;
  const registration = await navigator.serviceWorker.getRegistration();
  registration?.active?.postMessage({ type: 'account', account: id, forget });
}

/** Remove an account's data from this device: its IndexedDB and its saved pages. */
async function wipeAccount(id) {
  if (!id) return;
  forgetAccount(id);
  // First, so that a page the worker is fetching for the account is not kept after all.
  await tellWorker(null, id);
  await Promise.all([db.wipe(id), wipePages(id)]);
}

/** The offline page when nobody's data is on this device: the logged-out page, not a
 * patient's navigation, sync line and "Write a new entry". */
function showLoggedOut() {
  const nobody = document.querySelector('[data-offline-nobody]');
  if (!nobody || account) return;
  document.body.classList.remove('has-tabs');
  document.body.classList.add('logged-out');
  document.querySelector('[data-offline-page]')?.remove();
  document.querySelector('[data-sync-status]')?.remove();
  document.querySelector('.tab-bar')?.remove();
  document.querySelectorAll('.site-nav .in-tabs').forEach((item) => item.remove());
  nobody.hidden = false;
}

/** A browser that had notifications on gets its push subscription back if it dropped it.
 * Only a browser that allows notifications can have had them: the others skip push.js. */
function renewPush() {
  if ('Notification' in window && Notification.permission === 'granted') {
    import('./push.js').then(({ renew }) => renew());
  }
}

/** A form's code loads only on a page with that form: the journal page, opened most,
 * has none, and a first visit should not download it. */
async function enhanceForms() {
  if (document.querySelector('form[data-questionnaire]')) {
    (await import('./measure-form.js')).enhanceQuestionnaire();
  }
  if (document.querySelector('[data-entry-form]')) await (await import('./entry-form.js')).enhanceEntryForm();
}

async function start() {
  showLoggedOut();
  // The server names an account it just deleted: nothing of it may stay here.
  await wipeAccount(deletedAccount());
  showStoredFlash();
  if (isPatient) offerInstall();
  registerServiceWorker();
  renewPush();
  guardLogout();
  showPersistence();
  if (!isPatient) return;
  trashOffline();
  await enhanceForms();
  if (document.querySelector('[data-offline-page]')) await (await views()).renderOfflinePage();
  await refreshViews();
  document.addEventListener('journal:outbox-changed', refreshViews);
  window.addEventListener('online', () => sync({ force: true }));
  window.addEventListener('offline', () => { state.offline = true; showStatus(); });
  window.setInterval(() => sync(), SYNC_EVERY);
  if (await db.count('outbox')) registerBackgroundSync();
  document.addEventListener('journal:outbox-changed', registerBackgroundSync);
  if (navigator.onLine) refreshToken().catch(() => {});
  sync({ force: true });
}

start();
