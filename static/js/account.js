// Which account's data on this device a page may use. A page from the server, or a saved
// copy of one, names its patient in <meta name="journal-user"> (empty: nobody's). The
// offline page is shared by every account and has no such line: it uses the account of
// the last page, remembered here. The server's session is still asked before anything is
// sent or stored (outbox.js): a saved page can be older than the session.
const CURRENT = 'journal-account';

function remember(id) {
  try {
    if (id) localStorage.setItem(CURRENT, id);
    else localStorage.removeItem(CURRENT);
  } catch (error) {
    // Storage blocked: the page's own line still says whose it is.
  }
}

const line = () => document.querySelector('meta[name="journal-user"]');

/** Whether the page says whose it is (every page but the offline one). */
export const namesAccount = () => Boolean(line());

/** The user id whose device data this page shows and syncs, or null. */
export function pageAccount() {
  if (line()) {
    remember(line().content);
    return line().content || null;
  }
  try {
    return localStorage.getItem(CURRENT);
  } catch (error) {
    return null;
  }
}

/** After a wipe: the offline page must not open the account's (now empty) data. */
export function forgetAccount(id) {
  try {
    if (localStorage.getItem(CURRENT) === id) remember(null);
  } catch (error) {
    // Nothing remembered.
  }
}

/** An account the server says is gone (just deleted): its data must leave this device. */
export function deletedAccount() {
  return document.querySelector('meta[name="journal-wipe-account"]')?.content || null;
}
