// Whether the browser keeps this device's journal: it may clear a site's storage when
// space runs low (unsynced entries included) unless it has promised not to, which is
// "persistent storage". We ask once there is something to lose, and the Account page
// says what the browser answered.

/** Ask the browser to keep the journal's data (after a save to the outbox). Not awaited:
 * Firefox asks the patient, and the save must not wait for their answer. Asking again
 * once the browser has decided changes nothing and shows nothing. */
export function askToKeep() {
  navigator.storage?.persist?.().catch(() => {
    // Not offered here: the Account page says so.
  });
}

/** Fill in the Account page's line (its text without JavaScript: unknown). */
export async function showPersistence() {
  const line = document.querySelector('[data-storage-persistence]');
  if (!line) return;
  let kept = null;
  try {
    kept = navigator.storage?.persisted ? await navigator.storage.persisted() : null;
  } catch (error) {
    kept = null;
  }
  if (kept === null) {
    line.textContent = 'This browser does not say whether it will keep the journal saved on this device.';
  } else if (kept) {
    line.textContent = 'This browser has promised to keep the journal saved on this device (persistent storage).';
  } else {
    line.textContent = 'This browser has not promised to keep the journal saved on this device: it may clear it '
      + 'when space runs low, with any entries not yet synced. Let them sync when you can.';
  }
}
