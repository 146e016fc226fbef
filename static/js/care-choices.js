// Carries the care-team choices of the entry form (who to share with, which prompt it
// answers) to the server after entry-form.js saved the entry through the sync API,
// whose payload is the entry alone. Choices are remembered on submit and sent from the
// entry page the form leads to; when the save waits offline they lapse, and the entry
// stays private: the safe way round.
const KEY = 'journal-care-choices';
const FRESH_MS = 2 * 60 * 1000;

function remember(event) {
  const form = event.target.closest?.('[data-entry-form]');
  if (!form) return;
  const submitter = event.submitter;
  if (submitter && (submitter.name === 'add_step' || submitter.name === 'remove_step')) return;
  const data = new FormData(form);
  if (!data.has('share_choice') && !data.get('prompt')) return;
  sessionStorage.setItem(KEY, JSON.stringify({
    from: window.location.pathname,
    entryId: form.dataset.entryId || null,
    at: Date.now(),
    shareChoice: data.has('share_choice'),
    shareWith: data.getAll('share_with'),
    prompt: data.get('prompt') || '',
  }));
}

function referrerPath() {
  try {
    return new URL(document.referrer).pathname;
  } catch (error) {
    return '';
  }
}

async function sendPending() {
  const raw = sessionStorage.getItem(KEY);
  if (!raw) return;
  sessionStorage.removeItem(KEY);
  const match = window.location.pathname.match(/^\/entries\/([0-9a-f-]{36})$/);
  let pending;
  try {
    pending = JSON.parse(raw);
  } catch (error) {
    return;
  }
  if (!match || Date.now() - pending.at > FRESH_MS || referrerPath() !== pending.from) return;
  if (pending.entryId && pending.entryId !== match[1]) return;
  const body = new URLSearchParams();
  body.append('csrf_token', document.querySelector('meta[name="csrf-token"]')?.content || '');
  if (pending.shareChoice) body.append('share_choice', '1');
  pending.shareWith.forEach((id) => body.append('share_with', id));
  if (pending.prompt) body.append('prompt', pending.prompt);
  const response = await fetch(`/care/entries/${match[1]}/choices`, {
    method: 'POST', body, credentials: 'same-origin',
  });
  if (response.ok) window.location.reload();
}

// Capture phase: runs before the form's own submit handler prevents the default.
document.addEventListener('submit', remember, true);
sendPending();
