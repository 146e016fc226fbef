// Web Push for reminders: subscribe this browser after a tap, and on every page open
// subscribe again if the browser dropped the subscription (the server upserts it).
const TURNED_ON = 'journal-push-on';

export function pushSupported() {
  return 'serviceWorker' in navigator && 'PushManager' in window && 'Notification' in window;
}

/** iPhone and iPad allow push only to an app added to the Home Screen. */
export function iosOutsideHomeScreen() {
  const ios = /iPad|iPhone|iPod/.test(navigator.userAgent)
    || (navigator.platform === 'MacIntel' && navigator.maxTouchPoints > 1);
  const standalone = window.matchMedia('(display-mode: standalone)').matches || navigator.standalone === true;
  return ios && !standalone;
}

function csrfToken() {
  return document.querySelector('meta[name="csrf-token"]')?.content || '';
}

async function post(path, body) {
  const response = await fetch(path, {
    method: 'POST',
    credentials: 'same-origin',
    redirect: 'manual',
    headers: { 'Content-Type': 'application/json', 'X-CSRFToken': csrfToken(), Accept: 'application/json' },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`push subscription answered ${response.status}`);
}

function keyBytes(base64url) {
  const text = atob(base64url.replace(/-/g, '+').replace(/_/g, '/'));
  return Uint8Array.from(text, (char) => char.charCodeAt(0));
}

async function subscription(create) {
  const registration = await navigator.serviceWorker.ready;
  const existing = await registration.pushManager.getSubscription();
  if (existing || !create) return existing;
  const answer = await fetch('/reminders/push-key', { credentials: 'same-origin', redirect: 'manual' });
  if (!answer.ok) throw new Error('no push key');
  const { publicKey } = await answer.json();
  return registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(publicKey) });
}

/** After the person's tap: ask for permission, subscribe, tell the server. */
export async function turnOn() {
  if ((await Notification.requestPermission()) !== 'granted') return false;
  await post('/reminders/push-subscriptions', (await subscription(true)).toJSON());
  localStorage.setItem(TURNED_ON, '1');
  return true;
}

export async function turnOff() {
  localStorage.removeItem(TURNED_ON);
  const existing = await subscription(false);
  if (!existing) return;
  await post('/reminders/push-subscriptions/delete', { endpoint: existing.endpoint });
  await existing.unsubscribe();
}

export async function isOn() {
  return pushSupported() && Notification.permission === 'granted' && Boolean(await subscription(false));
}

/** On open: a browser that had notifications on gets its subscription back if it lost it. */
export async function renew() {
  if (!pushSupported() || !localStorage.getItem(TURNED_ON) || Notification.permission !== 'granted') return;
  if (!document.querySelector('meta[name="csrf-token"]')) return;
  try {
    await post('/reminders/push-subscriptions', (await subscription(true)).toJSON());
  } catch (error) {
    // Logged out or offline: the next open tries again.
  }
}
