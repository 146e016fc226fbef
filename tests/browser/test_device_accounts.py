"""One phone, two patients: what the device keeps belongs to the account that wrote it."""
import sqlalchemy as sa

from journal.auth.models import User
from journal.extensions import db
from tests.browser.conftest import (open_page, PASSWORD, PHONE, SAVED_ANYWHERE, SAVED_PAGE, WAIT, assert_accessible,
                                    device_text, entries_in_db, log_in, register_in_browser, sync_status,
                                    wait_for_service_worker, wait_until, wait_until_forgotten, write_entry)

ADA = "ada@example.org"
BO = "bo@example.org"
ADAS_WORDS = "Ada's words, written on the bus with no signal."


def user_id(email):
    db.session.expire_all()
    return db.session.scalar(sa.select(User.id).where(User.email == email))


def ada_writes_offline_and_her_session_ends(context, page, base):
    """Ada writes an entry offline; her session then ends without the logout button (the
    cookie expires, the browser is closed). Returns the entry's id."""
    register_in_browser(page, base, ADA, name="Ada")
    wait_for_service_worker(page)
    context.set_offline(True)
    page.reload()
    write_entry(page, ADAS_WORDS)
    sync_status(page).filter(has_text="1 waiting").wait_for()
    draft = page.locator("[data-outbox-item]").first.get_attribute("data-outbox-item")
    context.clear_cookies()
    context.set_offline(False)
    return draft


def wait_for_own_offline_pages(page):
    """This page's account has its journal and entry form saved for offline use."""
    for path in ("/", "/entries/new"):
        wait_until(page, f"({SAVED_PAGE})('{path}').then(Boolean)")


def test_the_next_patient_on_a_phone_sees_nothing_of_the_last_and_the_words_wait_for_their_owner(
        live_server, new_context):
    base = live_server.url
    context = new_context(PHONE)
    page = context.new_page()
    draft = ada_writes_offline_and_her_session_ends(context, page, base)

    # Bo logs in on the same browser: nothing of Ada's is shown to him or sent as his.
    register_in_browser(page, base, BO, name="Bo")
    sync_status(page).filter(has_text="All synced").wait_for(timeout=WAIT)
    page.wait_for_load_state("networkidle")
    assert entries_in_db() == []
    assert page.get_by_text(ADAS_WORDS).count() == 0
    assert page.locator("[data-outbox-item]").count() == 0
    assert page.get_by_text("On this device, not yet synced").count() == 0

    # Offline too: his saved journal, the offline page and the entry form know nothing of hers.
    wait_for_own_offline_pages(page)
    context.set_offline(True)
    page.reload()
    page.get_by_role("heading", name="Your journal").wait_for()
    sync_status(page).filter(has_text="Offline. All synced so far.").wait_for()
    assert page.get_by_text(ADAS_WORDS).count() == 0
    page.goto(f"{base}/entries/{draft}")
    page.get_by_text("This page is not saved on this device.").wait_for()
    sync_status(page).filter(has_text="Offline. All synced so far.").wait_for()
    assert page.get_by_text(ADAS_WORDS).count() == 0
    assert_accessible(page, "offline page, another account's entry")
    page.goto(f"{base}/entries/new?draft={draft}")
    page.locator("[data-entry-form][data-ready]").wait_for()
    assert page.get_by_label("Insights").input_value() == ""
    sync_status(page).filter(has_text="Offline. All synced so far.").wait_for()

    # Bo logs out: his data leaves the phone, Ada's words waiting to sync do not.
    context.set_offline(False)
    page.goto(f"{base}/")
    page.get_by_role("button", name="Log out").click()
    page.get_by_text("You are logged out.").wait_for()
    assert ADAS_WORDS in device_text(page)

    # Ada logs back in: her entry is there, intact, then syncs into her journal once.
    for writes in ("**/api/v1/entries/*", "**/api/v1/batch"):
        context.route(writes, lambda route: route.abort())
    log_in(page, base, ADA)
    page.locator("[data-outbox-item]").filter(has_text=ADAS_WORDS).wait_for()
    for writes in ("**/api/v1/entries/*", "**/api/v1/batch"):
        context.unroute(writes)
    sync_status(page).filter(has_text="All synced").wait_for(timeout=WAIT)  # the next retry
    page.wait_for_load_state("networkidle")
    [entry] = entries_in_db()
    assert entry.insights == ADAS_WORDS and entry.owner_id == user_id(ADA)
    assert str(entry.id) == draft


def test_deleting_an_account_wipes_its_journal_from_the_phone_but_not_another_accounts_words(
        live_server, new_context):
    base = live_server.url
    context = new_context(PHONE)
    page = context.new_page()
    ada_writes_offline_and_her_session_ends(context, page, base)

    register_in_browser(page, base, BO, name="Bo")
    wait_for_service_worker(page)
    sync_status(page).filter(has_text="All synced").wait_for(timeout=WAIT)
    page.wait_for_load_state("networkidle")
    write_entry(page, "Bo's entry, soon deleted with his account.")
    page.get_by_text("Entry saved.").wait_for()
    page.get_by_role("link", name="Journal", exact=True).click()
    wait_until(page, f"({SAVED_ANYWHERE})('/').then((html) => html.includes('soon deleted'))")
    assert "soon deleted" in device_text(page)

    open_page(page, "Account")
    page.get_by_role("link", name="Delete my account").click()
    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_role("button", name="Delete my account for good").click()
    page.get_by_text("Your account and everything in it have been deleted.").wait_for()
    wait_until_forgotten(page, "soon deleted")
    assert ADAS_WORDS in device_text(page)

    log_in(page, base, ADA)
    sync_status(page).filter(has_text="All synced").wait_for(timeout=WAIT)
    [entry] = entries_in_db()
    assert entry.insights == ADAS_WORDS and entry.owner_id == user_id(ADA)



#: What the release before this one left on a phone: one database for everybody, its
#: outbox items naming no owner.
OWNERLESS_OUTBOX = """async (id) => {
  const req = indexedDB.open('integration-journal', 1);
  req.onupgradeneeded = () => {
    const idb = req.result;
    idb.createObjectStore('outbox', { keyPath: 'id' }).createIndex('saved_at', 'saved_at');
    idb.createObjectStore('entries', { keyPath: 'id' }).createIndex('written_at', 'written_at');
    idb.createObjectStore('conflicts', { keyPath: 'id' });
    idb.createObjectStore('meta');
  };
  const idb = await new Promise((resolve) => { req.onsuccess = () => resolve(req.result); });
  const payload = { insights: 'Written before the update.', mood: 5, emotions: [], dosing_session_id: null,
                    written_at: new Date().toISOString(), action_steps: [] };
  await new Promise((resolve) => {
    const tx = idb.transaction('outbox', 'readwrite');
    tx.objectStore('outbox').put({ id, saved_at: Date.now(), base_version: null, inflight: null, op: 'put',
                                   payload, state: 'waiting', errors: null, attempts: 0, next_try: 0 });
    tx.oncomplete = resolve;
  });
  idb.close();
}"""


def test_words_waiting_from_before_accounts_had_their_own_data_reach_the_next_login(live_server, new_context,
                                                                                      make_user):
    patient = make_user()
    page = new_context(PHONE).new_page()
    page.goto(f"{live_server.url}/login")
    draft = "7f1c2a3e-5b4d-4e6f-8a9b-0c1d2e3f4a5b"
    page.evaluate(OWNERLESS_OUTBOX, draft)
    log_in(page, live_server.url, patient.email)
    sync_status(page).filter(has_text="All synced").wait_for(timeout=WAIT)
    page.wait_for_load_state("networkidle")
    [entry] = entries_in_db()
    assert str(entry.id) == draft and entry.owner_id == patient.id
    assert "integration-journal" not in [d["name"] for d in page.evaluate("indexedDB.databases()")]
