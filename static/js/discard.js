// Letting go of an entry the server refused: a "Discard" button on the entry form, then a
// confirmation in the page (a mistaken tap must not lose words), then it leaves the outbox.
import * as db from './db.js';
import { el } from './dom.js';
import { storeFlash } from './flash.js';

function question(item) {
  // An edit refused by the server leaves the journal's copy as it was; a new entry was
  // never in the journal at all.
  return item.base_version
    ? ['Discard these changes for good?', 'Your journal keeps the entry as it was before them.']
    : ['Discard this entry for good?', 'It is not in your journal, and it cannot be brought back.'];
}

function confirmation(item, onDiscard, onKeep) {
  const [ask, consequence] = question(item);
  const group = el('div', { class: 'notice discard-confirm', role: 'group', 'aria-labelledby': 'discard-question' });
  const text = el('p', { id: 'discard-question' });
  text.append(el('strong', {}, ask), document.createTextNode(` ${consequence}`));
  const actions = el('p', { class: 'actions' });
  const yes = el('button', { type: 'button', class: 'button danger' }, 'Yes, discard it');
  const keep = el('button', { type: 'button', class: 'button' }, 'Keep it');
  yes.addEventListener('click', onDiscard);
  keep.addEventListener('click', onKeep);
  actions.append(yes, keep);
  group.append(text, actions);
  return { group, keep };
}

/** Offer to discard outbox item ``id`` (refused by the server) from ``form``'s actions. */
export function offerDiscard(form, id) {
  if (form.querySelector('[data-discard]')) return;
  const actions = form.querySelector('.actions');
  const button = el('button', { type: 'button', class: 'button danger', 'data-discard': '' }, 'Discard this entry');
  button.addEventListener('click', async () => {
    const item = await db.get('outbox', id);
    if (!item) return;
    const { group, keep } = confirmation(item, async () => {
      // The outbox never sends a refused item again unless it is saved again, so nothing
      // is on its way to the server.
      await db.remove('outbox', id);
      document.dispatchEvent(new CustomEvent('journal:outbox-changed'));
      storeFlash('Discarded. Nothing of it was kept on this device.');
      window.location.assign('/');
    }, () => {
      group.remove();
      button.hidden = false;
      button.focus();
    });
    button.hidden = true;
    actions.after(group);
    keep.focus();
  });
  actions.append(button);
}
