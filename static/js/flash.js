// A message for the next page: set before a page navigates away ("Discarded."), shown
// once by the page that comes next.
import { el } from './dom.js';

const FLASH_KEY = 'journal-flash';

export function storeFlash(text) {
  sessionStorage.setItem(FLASH_KEY, text);
}

export function showStoredFlash() {
  const text = sessionStorage.getItem(FLASH_KEY);
  if (!text) return;
  sessionStorage.removeItem(FLASH_KEY);
  document.querySelector('main')?.prepend(el('p', { class: 'flash flash-success', role: 'status' }, text));
}
