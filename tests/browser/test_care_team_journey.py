"""Patient on a phone and therapist on a laptop, through the whole care-team journey."""
import re
from datetime import timedelta

from journal.auth.models import THERAPIST
from journal.timeutil import utcnow
from tests.browser.conftest import open_page, DESKTOP, PHONE, assert_accessible, assert_no_horizontal_scroll
from tests.conftest import PASSWORD
from tests.factories import create_entry


def log_in(page, base_url: str, email: str) -> None:
    page.goto(f"{base_url}/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def test_invite_link_share_comment_and_revoke(live_server, new_context, make_user):
    base = live_server.url
    patient = make_user(display_name="Robin")
    therapist = make_user(THERAPIST, display_name="Dr. Lee")
    create_entry(patient, insights="The one I share: the river was grief.", mood=4,
                 written_at=utcnow() - timedelta(days=2), steps=["Walk by the river"])
    create_entry(patient, insights="The one I keep: a private dream.", mood=7, written_at=utcnow() - timedelta(days=1))
    phone = new_context(PHONE).new_page()
    laptop = new_context(DESKTOP).new_page()

    # The therapist creates an invitation code.
    log_in(laptop, base, therapist.email)
    laptop.wait_for_url(re.compile(r"/therapist/$"))
    assert_accessible(laptop, "therapist dashboard, empty")
    laptop.get_by_role("link", name="Invite a patient").first.click()
    laptop.get_by_role("button", name="Create an invitation code").click()
    code = laptop.locator(".invite-code code").first.inner_text()
    assert re.fullmatch(r"[A-Z0-9]{3}-[A-Z0-9]{3}", code)
    assert_accessible(laptop, "invitations")

    # The patient types it (lower case, no dash), reads the consent screen and accepts.
    log_in(phone, base, patient.email)
    open_page(phone, "Care team")
    phone.get_by_role("link", name="Add a therapist").click()
    phone.get_by_label("Invitation code").fill(code.lower().replace("-", ""))
    phone.get_by_role("button", name="Continue").click()
    phone.get_by_role("heading", name="They will not see").wait_for()
    assert_accessible(phone, "consent screen")
    phone.get_by_role("button", name="Add Dr. Lee to my care team").click()
    phone.get_by_text("Dr. Lee is now in your care team").wait_for()

    # The patient shares one of the two entries from the journal list.
    phone.get_by_role("link", name="Journal", exact=True).click()
    card = phone.locator(".entry-card", has_text="The one I share")
    card.get_by_role("button", name=re.compile("Share with care team")).click()
    phone.get_by_text("Entry shared with your care team.").wait_for()
    assert phone.locator(".entry-card", has_text="The one I share").get_by_text("Shared with Dr. Lee").count() == 1
    assert phone.locator(".entry-card", has_text="The one I keep").get_by_text("Private", exact=True).count() == 1
    assert_no_horizontal_scroll(phone)
    assert_accessible(phone, "journal with sharing")

    # The therapist sees exactly that entry, and leaves a comment.
    laptop.get_by_role("link", name="Patients").click()
    assert_accessible(laptop, "dashboard with a patient")
    laptop.get_by_role("link", name="Robin").click()
    laptop.locator(".shared-entry").first.wait_for()  # count() would not wait for the page
    assert laptop.get_by_text("The one I share").count() == 1
    assert laptop.get_by_text("The one I keep").count() == 0
    assert laptop.locator(".shared-entry").count() == 1
    assert laptop.locator("svg.mood-svg").count() == 1
    assert_accessible(laptop, "patient page")
    laptop.get_by_role("link", name="Prepare for session").click()
    assert laptop.get_by_text("The one I share").count() == 1
    assert_accessible(laptop, "prepare for session")
    laptop.get_by_role("link", name="← Robin").click()
    laptop.locator(".shared-entry .card-title a").first.click()
    entry_url = laptop.url
    laptop.get_by_label("Comment for the patient").fill("What did the river want you to know?")
    laptop.get_by_role("button", name="Add comment").click()
    laptop.get_by_text("Comment added.").wait_for()
    assert_accessible(laptop, "shared entry with comment")

    # The patient sees the comment, marked new, and the read in the access log.
    phone.reload()
    assert phone.locator(".entry-card", has_text="The one I share").get_by_text("New comment").count() == 1
    phone.locator(".entry-card", has_text="The one I share").get_by_role("link").first.click()
    comment = phone.locator(".comment", has_text="What did the river want you to know?")
    comment.wait_for()
    assert comment.get_by_text("New", exact=True).count() == 1
    assert_accessible(phone, "entry with comment")
    phone_entry_url = phone.url
    open_page(phone, "Care team")
    phone.get_by_role("link", name=re.compile("access log")).click()
    assert phone.locator("tbody tr", has_text="Dr. Lee").count() >= 1
    assert_accessible(phone, "access log")

    # The patient revokes; the therapist's very next request is a 404.
    phone.goto(phone_entry_url)
    phone.get_by_role("button", name=re.compile("Stop sharing")).click()
    phone.get_by_text("Entry is private again.").wait_for()
    response = laptop.goto(entry_url)
    assert response.status == 404
    assert laptop.get_by_text("The one I share").count() == 0
    assert response.headers["cache-control"] == "no-store"


def test_answering_a_prompt_and_sharing_from_the_script_enhanced_form(live_server, phone, make_user):
    """entry-form.js saves through the sync API; the care choices travel in the same PUT."""
    import sqlalchemy as sa

    from journal.care.models import Share
    from journal.extensions import db
    from journal.care.models import ReflectionPrompt
    from tests.factories import create_link

    patient = make_user(display_name="Robin")
    therapist = make_user(THERAPIST, display_name="Dr. Lee")
    create_link(patient, therapist)
    db.session.add(ReflectionPrompt(therapist_id=therapist.id, patient_id=patient.id,
                                    text="What did the grief you met want you to know?"))
    db.session.commit()
    log_in(phone, live_server.url, patient.email)
    phone.get_by_role("link", name="New entry").first.click()
    phone.get_by_role("link", name=re.compile("Answer")).click()
    phone.get_by_label("Insights").fill("That it was love, looking for somewhere to go.")
    phone.get_by_label("6", exact=True).check()
    phone.get_by_label("Share with Dr. Lee").check()
    phone.get_by_role("button", name="Save entry").click()
    phone.get_by_text("Shared with Dr. Lee").wait_for()
    db.session.expire_all()
    prompt = db.session.scalar(sa.select(ReflectionPrompt))
    assert prompt.answered_at is not None
    assert db.session.scalar(sa.select(Share.entry_id)) == prompt.answer_entry_id


def test_sharing_and_answering_a_prompt_offline_reach_the_server_when_it_syncs(live_server, new_context,
                                                                               make_user):
    """Saved with no signal, the entry waits in the outbox with its sharing choice and the
    prompt it answers; when the network is back all three arrive together."""
    import sqlalchemy as sa

    from journal.care.models import Share
    from journal.entries.models import Entry
    from journal.extensions import db
    from journal.care.models import ReflectionPrompt
    from tests.browser.test_offline import WAIT, sync_status, wait_for_service_worker
    from tests.factories import create_link

    patient = make_user(display_name="Robin")
    therapist = make_user(THERAPIST, display_name="Dr. Lee")
    create_link(patient, therapist)
    prompt = ReflectionPrompt(therapist_id=therapist.id, patient_id=patient.id, text="What did the grief want?")
    db.session.add(prompt)
    db.session.commit()
    context = new_context(PHONE)
    phone = context.new_page()
    log_in(phone, live_server.url, patient.email)
    wait_for_service_worker(phone)
    phone.goto(f"{live_server.url}/entries/new?prompt={prompt.id}")
    phone.locator("[data-entry-form][data-ready]").wait_for()

    context.set_offline(True)
    phone.get_by_label("Insights").fill("Written in the valley: it wanted to be held.")
    phone.get_by_label("5", exact=True).check()
    phone.get_by_label("Share with Dr. Lee").check()
    phone.get_by_role("button", name="Save entry").click()
    phone.get_by_text("Saved on this device, not yet synced.").first.wait_for()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Entry)) == 0

    context.set_offline(False)
    sync_status(phone).filter(has_text="All synced").wait_for(timeout=WAIT)
    db.session.expire_all()
    [entry] = db.session.scalars(sa.select(Entry)).all()
    assert entry.insights == "Written in the valley: it wanted to be held."
    assert db.session.scalar(sa.select(Share.therapist_id).where(Share.entry_id == entry.id)) == therapist.id
    prompt = db.session.get(ReflectionPrompt, prompt.id)
    assert prompt.answered_at is not None and prompt.answer_entry_id == entry.id


def test_removing_a_therapist_asks_first_and_says_it_ends_access_and_unshares(live_server, phone, make_user):
    from tests.factories import create_link, share_entry

    patient = make_user(display_name="Robin")
    therapist = make_user(THERAPIST, display_name="Dr. Lee")
    create_link(patient, therapist)
    share_entry(create_entry(patient, insights="Shared with Dr. Lee"), therapist)
    log_in(phone, live_server.url, patient.email)
    open_page(phone, "Care team")
    phone.get_by_role("link", name=re.compile("Remove Dr. Lee")).click()
    phone.get_by_role("heading", name="Remove Dr. Lee from your care team?").wait_for()
    assert phone.get_by_text("cannot be undone").count() == 1
    assert phone.get_by_text("Every entry you shared with Dr. Lee is unshared.").count() == 1
    assert_accessible(phone, "remove a therapist")
    phone.get_by_role("link", name="Keep Dr. Lee").click()
    phone.get_by_role("heading", name="Your care team").wait_for()
    phone.get_by_role("link", name=re.compile("Remove Dr. Lee")).click()
    phone.get_by_role("button", name="Yes, remove Dr. Lee").click()
    phone.get_by_text("Dr. Lee is no longer in your care team").wait_for()
