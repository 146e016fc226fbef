"""The phone app shell: a one-line header, a tab bar, the page heading near the top, and
every page passing axe-core in both colour schemes."""
import pytest

from journal.auth.models import THERAPIST
from tests.browser.conftest import (PHONE, DESKTOP, assert_accessible, assert_no_horizontal_scroll, log_in,
                                    sync_status, WAIT)
from tests.factories import create_entry, create_link, create_session, share_entry

PHONE_390 = {**PHONE, "viewport": {"width": 390, "height": 844}}


def patient_pages(patient, therapist):
    session = create_session(patient)
    entry = create_entry(patient, insights="The river was grief, and then relief.", steps=["Walk by the river"],
                         dosing_session=session)
    create_link(patient, therapist)
    share_entry(entry, therapist)
    trashed = create_entry(patient, insights="An old one", deleted=True)
    assert trashed
    return {"journal": "/", "entry": f"/entries/{entry.id}", "new entry": "/entries/new",
            "steps": "/steps/", "more": "/more", "care team": "/care/", "access log": "/care/access-log",
            "sessions": "/sessions/", "trash": "/trash", "account": "/account", "help": "/help"}


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_patient_pages_put_the_heading_in_the_first_fifth_of_the_screen(live_server, new_context, make_user,
                                                                       scheme):
    patient = make_user(display_name="Robin")
    pages = patient_pages(patient, make_user(THERAPIST, display_name="Dr. Lee"))
    page = new_context(PHONE_390, color_scheme=scheme).new_page()
    log_in(page, live_server.url, patient.email)
    page.wait_for_url(f"{live_server.url}/")
    for label, path in pages.items():
        page.goto(live_server.url + path)
        heading = page.locator("main h1")
        top = heading.bounding_box()["y"]
        assert top < 0.2 * 844, f"{label}: the heading starts {top}px down"
        tabs = page.get_by_role("navigation", name="Tabs")
        assert tabs.is_visible(), label
        assert_no_horizontal_scroll(page)
        assert_accessible(page, f"{label} ({scheme})")


def test_tab_bar_marks_the_current_tab_and_more_holds_the_rest(live_server, phone, make_user):
    patient = make_user(display_name="Robin")
    log_in(phone, live_server.url, patient.email)
    tabs = phone.get_by_role("navigation", name="Tabs")
    assert tabs.get_by_role("link", name="Journal").get_attribute("aria-current") == "page"
    tabs.get_by_role("link", name="Steps").click()
    phone.get_by_role("heading", name="Action steps").wait_for()
    assert tabs.get_by_role("link", name="Steps").get_attribute("aria-current") == "page"
    tabs.get_by_role("link", name="More").click()
    for name in ("Sessions", "Care team", "Trash", "Account", "Get help now"):
        assert phone.get_by_role("main").get_by_role("link", name=name).count() == 1, name


def test_sync_line_is_quiet_when_all_is_well(live_server, phone, make_user):
    patient = make_user(display_name="Robin")
    log_in(phone, live_server.url, patient.email)
    sync_status(phone).filter(has_text="All synced").wait_for(timeout=WAIT)
    # Only a tick shows; the words are there for screen readers.
    box = phone.locator("[data-sync-status]").bounding_box()
    header = phone.locator(".site-header").bounding_box()
    assert box["y"] + box["height"] <= header["y"] + header["height"]
    assert header["height"] < 60


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_therapist_pages_pass_axe_in_both_schemes(live_server, new_context, make_user, scheme):
    patient = make_user(display_name="Robin")
    therapist = make_user(THERAPIST, display_name="Dr. Lee")
    pages = patient_pages(patient, therapist)
    entry_path = pages["entry"].replace("/entries/", "/therapist/entries/")
    laptop = new_context(DESKTOP, color_scheme=scheme).new_page()
    log_in(laptop, live_server.url, therapist.email)
    laptop.wait_for_url(f"{live_server.url}/therapist/")
    for path in ("/therapist/", f"/therapist/patients/{patient.id}", f"/therapist/patients/{patient.id}/prepare",
                 entry_path, "/therapist/invitations"):
        laptop.goto(live_server.url + path)
        assert_accessible(laptop, f"{path} ({scheme})")
