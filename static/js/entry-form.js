// The entry form, enhanced: steps are added and removed on the device, and saving goes
// to the outbox first (so no word is lost), then straight to the server when it can.
import { watchLength } from './char-count.js';
import * as db from './db.js';
import { offerDiscard } from './discard.js';
import { el } from './dom.js';
import { announceDraft, dropDraft, keepDrafts, loadDraft } from './draft.js';
import { storeFlash } from './flash.js';
import { saveEntry, syncOutbox, uuid } from './outbox.js';
import { askToKeep } from './storage.js';

function stepRows(form) {
  return [...form.querySelectorAll('.step-row')];
}

function field(labelText, input) {
  const wrap = el('div', { class: 'field' });
  wrap.append(el('label', { for: input.id }, labelText), input);
  return wrap;
}

function buildStepRow(n, step = {}) {
  const prefix = `action_steps-${n}-`;
  const row = el('div', { class: 'step-row' });
  row.append(el('input', { type: 'hidden', id: `${prefix}id`, name: `${prefix}id`, value: step.id || '' }));
  const text = el('input', { type: 'text', id: `${prefix}text`, name: `${prefix}text`, maxlength: '500', required: '' });
  text.value = step.text || '';
  row.append(field(`Step ${n + 1}`, text));
  const due = el('input', { type: 'date', id: `${prefix}due_date`, name: `${prefix}due_date` });
  due.value = step.due_date || '';
  row.append(field('Due (optional)', due));
  const doneWrap = el('div', { class: 'field checkbox-field' });
  const done = el('input', { type: 'checkbox', id: `${prefix}done`, name: `${prefix}done`, value: 'y' });
  done.checked = Boolean(step.done);
  doneWrap.append(done, document.createTextNode(' '), el('label', { for: done.id }, 'Done'));
  row.append(doneWrap);
  row.append(el('button', { type: 'submit', name: 'remove_step', value: String(n), class: 'button', formnovalidate: '' }, `Remove step ${n + 1}`));
  return row;
}

/** Re-draw the step rows from data, numbered 1..n (ids in names follow the order). */
function renderSteps(form, steps) {
  const fieldset = form.querySelector('.action-steps');
  stepRows(form).forEach((row) => row.remove());
  fieldset.querySelector('.empty')?.remove();
  const addButton = fieldset.querySelector('button[name="add_step"]');
  steps.forEach((step, n) => addButton.before(buildStepRow(n, step)));
  if (!steps.length) addButton.before(el('p', { class: 'empty' }, 'No action steps yet.'));
}

function readSteps(form) {
  return stepRows(form).map((row) => ({
    id: row.querySelector('input[name$="-id"]').value || uuid(),
    text: row.querySelector('input[name$="-text"]').value,
    due_date: row.querySelector('input[name$="-due_date"]').value || null,
    done: row.querySelector('input[name$="-done"]').checked,
  }));
}

/** The form as the sync API's JSON, with the care team's choices when the form has them
 * (they travel in the same outbox item, so a save that waits offline keeps them). */
export function readForm(form) {
  const data = new FormData(form);
  const mood = data.get('mood');
  const payload = {
    insights: data.get('insights') || '',
    mood: mood ? Number(mood) : null,
    emotions: data.getAll('emotions'),
    dosing_session_id: data.get('dosing_session_id') || null,
    written_at: data.get('written_at') || new Date().toISOString(),
    action_steps: readSteps(form),
  };
  if (data.has('share_choice')) payload.share_with = data.getAll('share_with');
  if (data.get('prompt')) payload.answers_prompt = data.get('prompt');
  return payload;
}

/** Put an entry (outbox payload or cached copy) into the form. */
export function fillForm(form, entry) {
  form.querySelector('[name="insights"]').value = entry.insights || '';
  form.querySelectorAll('[name="mood"]').forEach((r) => { r.checked = Number(r.value) === entry.mood; });
  const emotions = new Set(entry.emotions || []);
  form.querySelectorAll('[name="emotions"]').forEach((c) => { c.checked = emotions.has(c.value); });
  const session = form.querySelector('[name="dosing_session_id"]');
  if (session) session.value = entry.dosing_session_id || '';
  const written = form.querySelector('[name="written_at"]');
  const local = entry.written_at_local || entry.written_at || '';
  if (written) written.value = /Z|[+-]\d\d:\d\d$/.test(local) ? '' : local.slice(0, 16);
  renderSteps(form, entry.action_steps || []);
  if (Array.isArray(entry.share_with)) {
    const chosen = new Set(entry.share_with);
    form.querySelectorAll('[name="share_with"]').forEach((c) => { c.checked = chosen.has(c.value); });
  }
  // What is filled in below the first note must not be hidden in the fold.
  const more = form.querySelector('[data-more-fields]');
  if (more && ((entry.emotions || []).length || (entry.action_steps || []).length || entry.dosing_session_id)) {
    more.open = true;
  }
}

function clearErrors(form) {
  form.querySelectorAll('.js-error').forEach((p) => p.remove());
  form.querySelectorAll('[aria-invalid="true"]').forEach((i) => i.removeAttribute('aria-invalid'));
  document.querySelector('[data-form-problem]')?.remove();
}

/** The server's refusal, said as what it is: what to fix to save the entry. The messages
 * go next to their fields and, as links to them, in a summary on top. */
export function showErrors(form, fields) {
  clearErrors(form);
  const summary = el('div', { class: 'error-summary', role: 'alert', tabindex: '-1', 'data-form-problem': '' });
  summary.append(el('p', {}, 'To save this entry:'));
  const list = el('ul');
  Object.entries(fields || {}).forEach(([name, messages]) => {
    const inputName = name.replace(/^action_steps\.(\d+)\.(\w+)$/, 'action_steps-$1-$2');
    const input = inputName && form.querySelector(`[name="${CSS.escape(inputName)}"]`);
    const text = (messages || []).join(' ');
    const item = el('li');
    if (input) {
      const id = `${input.id || inputName}-js-error`;
      const p = el('p', { class: 'error js-error', id }, text);
      const container = input.closest('fieldset.field, .field') || input.parentElement;
      container.append(p);
      input.setAttribute('aria-invalid', 'true');
      input.setAttribute('aria-describedby', [input.getAttribute('aria-describedby'), id].filter(Boolean).join(' '));
      if (input.id) item.append(el('a', { href: `#${input.id}` }, text));
      else item.textContent = text;
    } else {
      item.textContent = text;
    }
    list.append(item);
  });
  summary.append(list, el('p', {}, 'Your words stay on this device until you save or discard them.'));
  form.before(summary);
  summary.focus();
}

function message(form, text, kind = 'info') {
  document.querySelector('[data-form-problem]')?.remove();
  const p = el('p', { class: `flash flash-${kind}`, role: 'status', 'data-form-problem': '' }, text);
  form.before(p);
}

async function onSubmit(form, event, context) {
  const button = event.submitter;
  if (button?.name === 'add_step' || button?.name === 'remove_step') {
    event.preventDefault();
    const steps = readSteps(form);
    if (button.name === 'add_step' && steps.length < 50) steps.push({ id: '', text: '', due_date: null, done: false });
    if (button.name === 'remove_step') steps.splice(Number(button.value), 1);
    renderSteps(form, steps);
    const rows = stepRows(form);
    if (button.name === 'add_step') rows[rows.length - 1]?.querySelector('input[type="text"]').focus();
    else form.querySelector('button[name="add_step"]').focus();
    return;
  }
  event.preventDefault();
  const payload = readForm(form);
  // An entry reopened from the outbox keeps the time it was first written.
  if (!form.querySelector('[name="written_at"]')?.value && context.writtenAt) payload.written_at = context.writtenAt;
  // Sharing is sent only when it is the patient's choice: a new entry, ticks they made or
  // saved before. An edit otherwise leaves it alone (the ticks on a page from the device's
  // cache may be older than a change made since).
  if (!context.shareChosen) delete payload.share_with;
  if (!payload.answers_prompt && context.answersPrompt) payload.answers_prompt = context.answersPrompt;
  await saveEntry(context.id, payload, context.baseVersion);
  // The outbox holds the words now: the draft has done its job.
  context.drafts?.stop();
  await dropDraft(context.draftSlot);
  // Now there is something on the device to lose.
  askToKeep();
  if (context.conflictId) await db.remove('conflicts', context.conflictId);
  await syncOutbox({ force: true });
  const left = await db.get('outbox', context.id);
  document.dispatchEvent(new CustomEvent('journal:outbox-changed'));
  if (!left) {
    storeFlash(context.isNew ? 'Entry saved.' : 'Entry updated.');
    window.location.assign(`/entries/${context.id}`);
  } else if (left.state === 'invalid') {
    showErrors(form, left.errors);
    offerDiscard(form, context.id);
  } else if (left.state === 'auth') {
    message(form, 'Saved on this device. Your login has expired: log in again and it will sync.', 'warning');
  } else {
    storeFlash('Saved on this device. It will sync when the network is back.');
    window.location.assign('/');
  }
}

/** Bring back the words typed here before the page was closed, and keep them from now on. */
async function restoreDraft(form, context, editMatch) {
  if (context.conflictId) return;
  context.draftSlot = context.isNew && !editMatch && !new URLSearchParams(window.location.search).get('draft')
    ? 'new' : context.id;
  const draft = await loadDraft(context.draftSlot);
  if (draft?.payload) {
    if (context.draftSlot === 'new') {
      // The same id as before: a save of the restored draft is still one entry.
      context.id = draft.id;
      const hidden = form.querySelector('[name="entry_id"]');
      if (hidden) hidden.value = draft.id;
    } else if (draft.base_version !== undefined) {
      // Saved against the version it was typed on: a change made since is a conflict, not lost.
      context.baseVersion = draft.base_version;
    }
    fillForm(form, draft.payload);
    if (draft.share_chosen) context.shareChosen = true;
    announceDraft(form, draft, async () => {
      context.drafts?.stop();
      await dropDraft(context.draftSlot);
      window.location.reload();
    });
  }
  context.drafts = keepDrafts(form, context.draftSlot, () => {
    const payload = readForm(form);
    if (!form.querySelector('[name="written_at"]')?.value) delete payload.written_at;
    return { id: context.id, base_version: context.baseVersion, share_chosen: context.shareChosen, payload };
  });
}

function nameThePage(name) {
  const heading = document.querySelector('main h1');
  if (heading) heading.textContent = name;
  document.title = `${name} · Integration Journal`;
}

/** Enhance the entry form on this page, if there is one. */
export async function enhanceEntryForm() {
  const form = document.querySelector('[data-entry-form]');
  if (!form) return;
  const params = new URLSearchParams(window.location.search);
  const editMatch = window.location.pathname.match(/^\/entries\/([0-9a-f-]{36})\/edit$/);
  const context = {
    id: form.dataset.entryId || (editMatch && editMatch[1]) || params.get('draft') || uuid(),
    baseVersion: form.dataset.entryVersion ? Number(form.dataset.entryVersion) : null,
    isNew: !form.dataset.entryId && !editMatch,
    conflictId: params.get('conflict'),
  };
  context.shareChosen = context.isNew;
  if (params.get('draft') || (editMatch && !form.dataset.entryId)) {
    // An outbox item, or (offline) a cached entry, opened in the form.
    const item = await db.get('outbox', context.id);
    const cached = await db.get('entries', context.id);
    if (item) {
      context.writtenAt = item.payload?.written_at;
      context.baseVersion = item.base_version;
      context.isNew = !item.base_version;
      context.shareChosen = context.isNew || Array.isArray(item.payload?.share_with);
      context.answersPrompt = item.payload?.answers_prompt;
      fillForm(form, item.payload || cached || {});
      if (item.state === 'invalid') {
        showErrors(form, item.errors);
        offerDiscard(form, context.id);
      }
    } else if (cached) {
      context.baseVersion = cached.version;
      context.isNew = false;
      context.shareChosen = false;
      fillForm(form, cached);
    }
  }
  // Offline, an edit opens the saved "New entry" page: it must say what it is.
  if (editMatch || !context.isNew) nameThePage('Edit entry');
  if (context.conflictId) {
    const conflict = await db.get('conflicts', context.conflictId);
    if (conflict) {
      context.id = conflict.entry_id;
      context.baseVersion = conflict.theirs ? conflict.theirs.version : null;
      context.isNew = !conflict.theirs;
      context.shareChosen = Array.isArray(conflict.mine.share_with);
      context.answersPrompt = conflict.mine.answers_prompt;
      fillForm(form, conflict.mine);
    }
  }
  await restoreDraft(form, context, editMatch);
  form.addEventListener('change', (event) => {
    if (event.target.name === 'share_with') context.shareChosen = true;
  });
  form.querySelectorAll('[data-max-chars]').forEach(watchLength);
  form.dataset.ready = 'true';  // filled from the device: safe to type (tests wait for it)
  form.addEventListener('submit', (event) => {
    onSubmit(form, event, context).catch(() => {
      // Storage failed: fall back to a plain form post so nothing is lost online.
      form.submit();
    });
  });
}
