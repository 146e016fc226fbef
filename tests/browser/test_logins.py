"""Logins in a real browser: an idle logoff never loses words waiting in the outbox."""
from datetime import timedelta

import sqlalchemy as sa

from journal.extensions import db
from journal.logins.models import LoginSession
from journal.timeutil import utcnow
from tests.browser.conftest import PHONE, register_in_browser
from tests.browser.test_offline import WAIT, entries_in_db, sync_status, wait_for_service_worker, write_entry


def test_an_idle_logoff_keeps_waiting_words_until_the_next_login(live_server, new_context):
    context = new_context(PHONE)
    page = context.new_page()
    register_in_browser(page, live_server.url, "idle@example.org")
    wait_for_service_worker(page)
    context.set_offline(True)
    write_entry(page, "Written just before my login timed out.")
    sync_status(page).filter(has_text="1 waiting").wait_for()
    db.session.execute(sa.update(LoginSession).values(last_seen_at=utcnow() - timedelta(hours=13)))
    db.session.commit()
    context.set_offline(False)
    sync_status(page).filter(has_text="Sync problem: log in again").wait_for(timeout=WAIT)
    assert entries_in_db() == []
    page.goto(f"{live_server.url}/login")
    page.get_by_label("Email").fill("idle@example.org")
    page.get_by_label("Password").fill("a quiet walk by the river")
    page.get_by_role("button", name="Log in").click()
    sync_status(page).filter(has_text="All synced").wait_for(timeout=WAIT)
    assert [entry.insights for entry in entries_in_db()] == ["Written just before my login timed out."]
