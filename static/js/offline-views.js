// What the device knows, drawn into the page: entries waiting in the outbox, conflict
// copies to compare, and (offline) the cached journal and entries. Text via textContent.
import { formatWhen } from './dates.js';
import * as db from './db.js';
import { el } from './dom.js';
import { storeFlash } from './flash.js';
import { deleteEntry, saveEntry, settleConflict, syncOutbox } from './outbox.js';

const when = (entry) => formatWhen(entry);

function entryCard(entry, { href, note, headingLevel = 'h3' }) {
  const card = el('article', { class: 'card entry-card' });
  const heading = el(headingLevel, { class: 'card-title' });
  heading.append(el('a', { href }, when(entry)));
  card.append(heading);
  if (note) card.append(el('p', { class: 'meta device-note' }, note));
  if (entry.mood) card.append(el('p', { class: 'meta' }, `Mood ${entry.mood}/10`));
  if (entry.insights) card.append(el('p', { class: 'excerpt user-text', dir: 'auto' }, entry.insights.slice(0, 240)));
  const steps = entry.action_steps || [];
  if (steps.length) card.append(el('p', { class: 'meta' }, `${steps.length} action step${steps.length === 1 ? '' : 's'}`));
  return card;
}

const NOTES = {
  waiting: 'Saved on this device, not yet synced.',
  retry: 'Saved on this device, not yet synced. Retrying soon.',
  auth: 'Saved on this device. Log in again to sync it.',
  invalid: 'Kept on this device, not saved yet. Needs your attention: open it to fix or discard it.',
};

/** The outbox and any conflict copies, in every [data-outbox-list] on the page. */
export async function renderOutbox() {
  const targets = document.querySelectorAll('[data-outbox-list]');
  if (!targets.length) return;
  const items = await db.outboxItems();
  const conflicts = await db.all('conflicts');
  // "Your journal is empty" is not true while entries wait on this device.
  document.querySelectorAll('[data-outbox-list] ~ p.empty').forEach((p) => { p.hidden = items.length > 0; });
  targets.forEach((target) => {
    target.replaceChildren();
    if (items.length) {
      const section = el('section', { class: 'outbox', 'aria-labelledby': 'outbox-heading' });
      section.append(el('h2', { id: 'outbox-heading' }, 'On this device, not yet synced'));
      const list = el('ol', { class: 'cards entry-list' });
      items.forEach((item) => {
        const li = el('li', { 'data-outbox-item': item.id });
        if (item.kind === 'measure') {
          li.append(el('p', { class: 'card meta' }, `A questionnaire (${item.title || item.payload.instrument}) answered on this device. ${NOTES[item.state] || NOTES.waiting}`));
        } else if (item.op === 'delete') {
          li.append(el('p', { class: 'card meta' }, 'An entry moved to the Trash on this device, not yet synced.'));
        } else {
          li.append(entryCard(item.payload, { href: `/entries/new?draft=${item.id}`, note: NOTES[item.state] || NOTES.waiting }));
        }
        list.append(li);
      });
      section.append(list);
      target.append(section);
    }
    if (conflicts.length) target.append(renderConflicts(conflicts));
  });
}

function renderConflicts(conflicts) {
  const section = el('section', { class: 'conflicts', 'aria-labelledby': 'conflicts-heading' });
  section.append(el('h2', { id: 'conflicts-heading' }, 'Changed on two devices'));
  section.append(el('p', {}, 'These entries were edited in two places. Both versions are kept: compare them and choose, or merge them by hand.'));
  conflicts.forEach((conflict, n) => {
    const box = el('div', { class: 'card conflict', 'data-conflict': conflict.id });
    const pair = el('div', { class: 'conflict-pair' });
    const theirs = el('div');
    const serverState = conflict.purged ? ' (deleted for good)' : (conflict.theirs?.deleted ? ' (moved to Trash)' : '');
    theirs.append(el('h3', {}, `On the server${serverState}`));
    theirs.append(el('p', { class: 'user-text', dir: 'auto' }, conflict.theirs ? conflict.theirs.insights || '(no text)' : '(deleted)'));
    const mine = el('div');
    mine.append(el('h3', {}, 'Your copy from this device'));
    mine.append(el('p', { class: 'user-text', dir: 'auto' }, conflict.mine ? conflict.mine.insights || '(no text)' : '(you moved it to the Trash)'));
    pair.append(theirs, mine);
    box.append(pair);
    const actions = el('p', { class: 'actions' });
    if (conflict.mine) actions.append(el('a', { class: 'button', href: `/entries/new?conflict=${conflict.id}` }, `Merge copy ${n + 1} by hand`));
    const keepMine = el('button', { type: 'button', class: 'button' }, `Keep my copy ${n + 1}`);
    keepMine.addEventListener('click', async () => {
      const base = conflict.theirs ? conflict.theirs.version : null;
      if (conflict.mine) await saveEntry(conflict.entry_id, conflict.mine, base);
      else if (conflict.theirs) await deleteEntry(conflict.entry_id, base);
      await db.remove('conflicts', conflict.id);
      document.dispatchEvent(new CustomEvent('journal:outbox-changed'));
      syncOutbox({ force: true }).finally(() => document.dispatchEvent(new CustomEvent('journal:outbox-changed')));
    });
    const keepTheirs = el('button', { type: 'button', class: 'button' }, `Keep the server version ${n + 1}`);
    keepTheirs.addEventListener('click', async () => {
      await db.remove('conflicts', conflict.id);
      if (conflict.theirs) settleConflict(conflict.entry_id);
      document.dispatchEvent(new CustomEvent('journal:outbox-changed'));
    });
    actions.append(keepMine, keepTheirs);
    box.append(actions);
    section.append(box);
  });
  return section;
}

/** On the offline page: the cached journal, or the cached entry the address names. */
export async function renderOfflinePage() {
  const page = document.querySelector('[data-offline-page]');
  if (!page) return;
  const view = page.querySelector('[data-offline-view]');
  const match = window.location.pathname.match(/^\/entries\/([0-9a-f-]{36})$/);
  if (match) {
    const entry = (await db.get('entries', match[1])) || (await db.get('outbox', match[1]))?.payload;
    if (entry) {
      view.replaceChildren(renderEntry(entry, match[1]));
      return;
    }
  }
  const list = page.querySelector('[data-cached-list]');
  const entries = await db.cachedEntries();
  list.replaceChildren();
  if (window.location.pathname === '/' || entries.length) {
    const heading = el('h2', {}, 'Your recent entries on this device');
    const ol = el('ol', { class: 'cards entry-list' });
    entries.forEach((entry) => {
      const li = el('li');
      li.append(entryCard(entry, { href: `/entries/${entry.id}` }));
      ol.append(li);
    });
    list.append(heading, entries.length ? ol : el('p', { class: 'empty' }, 'No entries are saved on this device yet.'));
  }
}

function renderEntry(entry, id) {
  const article = el('article', { class: 'entry' });
  article.append(el('h1', {}, when(entry)));
  if (entry.mood) article.append(el('p', { class: 'mood-line' }, `Mood ${entry.mood}/10`));
  if ((entry.emotions || []).length) {
    const tags = el('p', { class: 'tags' });
    entry.emotions.forEach((e) => tags.append(el('span', { class: 'tag' }, e)));
    article.append(tags);
  }
  article.append(entry.insights ? el('div', { class: 'user-text insights', dir: 'auto' }, entry.insights) : el('p', { class: 'empty' }, 'No text.'));
  article.append(el('h2', {}, 'Action steps'));
  const steps = entry.action_steps || [];
  if (steps.length) {
    const ul = el('ul', { class: 'steps' });
    steps.forEach((s) => {
      const due = s.due_date ? ` (due ${s.due_date})` : '';
      ul.append(el('li', { class: `step${s.done ? ' done' : ''}` }, `${s.done ? '✓ ' : ''}${s.text}${due}`));
    });
    article.append(ul);
  } else {
    article.append(el('p', { class: 'empty' }, 'No action steps.'));
  }
  const actions = el('p', { class: 'actions' });
  actions.append(el('a', { class: 'button', href: `/entries/${id}/edit` }, 'Edit'));
  const trash = el('button', { type: 'button', class: 'button' }, 'Move to Trash');
  trash.addEventListener('click', () => trashOnDevice(id, actions));
  actions.append(trash);
  article.append(actions);
  return article;
}

/** Queue moving an entry to the Trash from this device (offline), or say why it cannot
 * be (a note before ``place``): an entry not on the server yet has nothing to trash there. */
export async function trashOnDevice(id, place) {
  const cached = await db.get('entries', id);
  const queued = await db.get('outbox', id);
  if (!cached || (queued && !queued.base_version)) {
    place.before(el('p', { class: 'flash flash-info', role: 'status' },
      'You are offline and this entry is not on the server yet. Move it to the Trash when you are back online.'));
    return;
  }
  await deleteEntry(id, queued?.base_version || cached.version);
  await db.remove('entries', id);
  storeFlash('Moved to Trash on this device. It syncs when the network is back.');
  window.location.assign('/');
}
