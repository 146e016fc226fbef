// The Reminders page's "notifications on this device" panel. Subscribing happens only
// after a tap (iOS requires it), and on iPhone/iPad only from the Home Screen app.
import { iosOutsideHomeScreen, isOn, pushSupported, turnOff, turnOn } from './push.js';

const panel = document.querySelector('[data-push-panel]');

async function show() {
  const status = panel.querySelector('[data-push-status]');
  const button = panel.querySelector('[data-push-subscribe]');
  const steps = panel.querySelector('[data-push-ios-steps]');
  panel.hidden = false;
  if (iosOutsideHomeScreen()) {
    status.textContent = 'To get notifications on this iPhone or iPad, add the journal to your Home Screen first:';
    steps.hidden = false;
    button.hidden = true;
    return;
  }
  if (!pushSupported()) {
    status.textContent = 'This browser cannot show notifications from the journal.';
    button.hidden = true;
    return;
  }
  if (Notification.permission === 'denied') {
    status.textContent = 'Notifications are blocked for this site in the browser settings.';
    button.hidden = true;
    return;
  }
  const on = await isOn();
  status.textContent = on ? 'Notifications are on for this device.' : 'Notifications are off for this device.';
  button.textContent = on ? 'Turn off notifications on this device' : 'Turn on notifications on this device';
  button.dataset.on = on ? '1' : '';
  button.hidden = false;
}

if (panel) {
  panel.querySelector('[data-push-subscribe]').addEventListener('click', async (event) => {
    const button = event.currentTarget;
    button.disabled = true;
    try {
      if (button.dataset.on) await turnOff(); else await turnOn();
    } catch (error) {
      panel.querySelector('[data-push-status]').textContent = 'That did not work. Please try again.';
    }
    button.disabled = false;
    await show();
  });
  show();
}
