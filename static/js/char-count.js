// A live count beside a field with a limit (data-max-chars). Nothing is cut at the limit:
// the patient sees how much room is left and, past it, by how much, and the server still
// refuses what is too long, with its message. Screen readers hear the count only when
// its meaning changes (close to the limit, over it, back within it), never per key.
import { el } from './dom.js';

const NEAR = 0.9;
const QUIET_MS = 1000;

// The server counts characters (code points): an emoji is one, not two UTF-16 units.
const lengthOf = (text) => [...text].length;
const characters = (n) => `${n.toLocaleString('en')} ${n === 1 ? 'character' : 'characters'}`;

function describe(count, max) {
  if (count > max) {
    return { state: 'over', text: `${characters(count - max)} too many. Shorten it, or split it into two entries, to save it.` };
  }
  return { state: count >= max * NEAR ? 'near' : 'ok', text: `${characters(max - count)} left` };
}

/** Show and keep up to date the count for ``field``. */
export function watchLength(field) {
  const max = Number(field.dataset.maxChars);
  if (!max || field.dataset.counted) return;
  field.dataset.counted = 'true';
  // The page brings the line (templates/_form.html), so nothing moves when counting starts.
  let line = document.getElementById(`${field.id}-count`);
  if (!line) {
    line = el('p', { class: 'hint char-count', id: `${field.id}-count` });
    field.after(line);
    field.setAttribute('aria-describedby', [field.getAttribute('aria-describedby'), line.id].filter(Boolean).join(' '));
  }
  const spoken = el('p', { class: 'visually-hidden', 'aria-live': 'polite' });
  line.after(spoken);

  let said = 'ok';
  let timer = null;
  const update = () => {
    const { state, text } = describe(lengthOf(field.value), max);
    line.textContent = text;
    line.classList.toggle('error', state === 'over');
    window.clearTimeout(timer);
    if (state === said) return;
    timer = window.setTimeout(() => {
      spoken.textContent = said === 'over' ? `Back within the limit: ${text}.` : text;
      said = state;
    }, QUIET_MS);
  };
  field.addEventListener('input', update);
  update();
}
