// Offering to put the journal on the home screen: once, after the first saved entry (when
// the patient has seen what the app is for), never on a first visit, and never again
// after "Not now". Android and desktop Chromium: the browser's own install prompt
// (beforeinstallprompt). iPhone and iPad: Safari has no prompt, so the steps, illustrated.
import { el } from './dom.js';

const STATE = 'journal-install-offer';  // 'shown' | 'dismissed' | 'installed' on this device
const SVG = 'http://www.w3.org/2000/svg';
let deferred = null;

function remembered() {
  try { return localStorage.getItem(STATE); } catch (error) { return 'unavailable'; }
}
function remember(value) {
  try { localStorage.setItem(STATE, value); } catch (error) { /* nothing to remember with */ }
}

const standalone = () => window.matchMedia?.('(display-mode: standalone)').matches || navigator.standalone === true;
const isIos = () => /iPhone|iPad|iPod/.test(navigator.userAgent)
  || (navigator.platform === 'MacIntel' && navigator.maxTouchPoints > 1);

/** The moment: this page says an entry was just saved. */
const justSaved = () => [...document.querySelectorAll('.flash-success')]
  .some((p) => p.textContent.trim() === 'Entry saved.');

function icon(paths) {
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('class', 'install-icon');
  svg.setAttribute('aria-hidden', 'true');
  paths.forEach((d) => {
    const path = document.createElementNS(SVG, 'path');
    path.setAttribute('d', d);
    svg.append(path);
  });
  return svg;
}
const SHARE = ['M12 3v12', 'M8 7l4-4 4 4', 'M6 11H5v10h14V11h-1'];
const ADD = ['M4 4h16v16H4z', 'M12 8v8M8 12h8'];

function offer(body) {
  const box = el('section', { class: 'install-offer', 'aria-labelledby': 'install-heading', 'data-install-offer': '' });
  box.append(el('h2', { id: 'install-heading' }, 'Keep the journal on your home screen'));
  box.append(el('p', {}, 'It opens like an app, full screen, and works with no network: quicker to reach after a session.'));
  box.append(...body);
  const notNow = el('button', { type: 'button', class: 'button' }, 'Not now');
  notNow.addEventListener('click', () => {
    remember('dismissed');
    box.remove();
  });
  const actions = box.querySelector('.actions') || el('p', { class: 'actions' });
  actions.append(notNow);
  box.append(actions);
  const main = document.querySelector('main');
  const flash = [...main.querySelectorAll('.flash')].pop();
  if (flash) flash.after(box); else main.prepend(box);
  remember('shown');
}

function offerPrompt() {
  const actions = el('p', { class: 'actions' });
  const install = el('button', { type: 'button', class: 'button primary' }, 'Install the app');
  install.addEventListener('click', async () => {
    const event = deferred;
    deferred = null;
    if (!event) return;
    await event.prompt();
    const choice = await event.userChoice;
    remember(choice?.outcome === 'accepted' ? 'installed' : 'dismissed');
    document.querySelector('[data-install-offer]')?.remove();
  });
  actions.append(install);
  offer([actions]);
}

function offerIosSteps() {
  const steps = el('ol', { class: 'install-steps' });
  const step = (svg, before, strong, after) => {
    const li = el('li');
    li.append(svg, document.createTextNode(before), el('strong', {}, strong), document.createTextNode(after));
    return li;
  };
  steps.append(step(icon(SHARE), 'Tap ', 'Share', ' in Safari’s toolbar.'));
  steps.append(step(icon(ADD), 'Choose ', 'Add to Home Screen', '.'));
  steps.append(step(icon(['M5 12l5 5 9-10']), 'Tap ', 'Add', '. The journal is now on your home screen.'));
  offer([steps]);
}

function maybeOffer() {
  if (remembered() || standalone() || !justSaved() || document.querySelector('[data-install-offer]')) return;
  if (deferred) offerPrompt();
  else if (isIos()) offerIosSteps();
}

/** Listen for the browser's install prompt and offer it when the moment comes. */
export function offerInstall() {
  window.addEventListener('beforeinstallprompt', (event) => {
    event.preventDefault();  // no mini-infobar on a first visit: we ask at a better moment
    deferred = event;
    maybeOffer();
  });
  window.addEventListener('appinstalled', () => {
    remember('installed');
    document.querySelector('[data-install-offer]')?.remove();
  });
  maybeOffer();
}
