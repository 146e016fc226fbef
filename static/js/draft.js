// The entry being written, kept on this device as the patient types (not only on Save):
// closing the app, a crash or a flat battery loses nothing. It lives in the account's own
// database (db.js), so it is wiped with the account's data at logout, and it is removed
// once the entry is saved (to the outbox, which then holds the words).
import { formatWhen } from './dates.js';
import * as db from './db.js';
import { el } from './dom.js';

const WAIT_MS = 300;
const key = (slot) => `draft:${slot}`;

/** The draft kept for this form ("new", or the id of the entry being edited), if any. */
export const loadDraft = (slot) => db.setting(key(slot)).catch(() => undefined);

/** Forget the draft: the entry is saved, or the patient let it go. */
export const dropDraft = (slot) => db.remove('meta', key(slot)).catch(() => {});

/** Keep the form's words as the patient types: shortly after each change, and at once
 * when the page is hidden or closed. ``read`` gives what to keep. */
export function keepDrafts(form, slot, read) {
  let timer = null;
  let stopped = false;
  const save = () => {
    window.clearTimeout(timer);
    if (stopped) return Promise.resolve();
    return db.saveSetting(key(slot), { ...read(), kept_at: new Date().toISOString() }).catch(() => {});
  };
  const soon = () => { window.clearTimeout(timer); timer = window.setTimeout(save, WAIT_MS); };
  form.addEventListener('input', soon);
  form.addEventListener('change', soon);
  window.addEventListener('pagehide', save);
  document.addEventListener('visibilitychange', () => { if (document.visibilityState === 'hidden') save(); });
  return { stop() { stopped = true; window.clearTimeout(timer); } };
}

/** Say that a kept draft is back in the form, with a way to let it go. */
export function announceDraft(form, draft, onDiscard) {
  const note = el('div', { class: 'flash draft-note', 'data-draft-note': '' });
  const when = formatWhen({ written_at: draft.kept_at }, '');
  const from = when ? ` from ${when}` : '';
  note.append(el('p', { role: 'status' }, `Your unsaved draft${from} is back. It stays on this device until you save it.`));
  const discard = el('button', { type: 'button', class: 'button' }, 'Discard the draft');
  discard.addEventListener('click', async () => {
    await onDiscard();
    note.replaceChildren(el('p', { role: 'status' }, 'Draft discarded.'));
  });
  note.append(discard);
  form.before(note);
}
