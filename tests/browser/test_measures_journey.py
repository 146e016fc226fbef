"""Sam on a phone and Dr. Rivera on a laptop, through the measures journey of issue 8:
a dosing session, the baseline and the evening MEQ-30, a care link, and what the therapist sees."""
from datetime import date

from journal.auth.models import THERAPIST
from tests.browser.conftest import DESKTOP, PHONE, assert_accessible, log_in, open_page
from tests.browser.test_measures_offline import answer_every_question


def test_a_session_its_questionnaires_and_what_the_therapist_sees(live_server, new_context, make_user):
    base = live_server.url
    sam = make_user(display_name="Sam")
    rivera = make_user(THERAPIST, display_name="Dr. Rivera")
    phone = new_context(PHONE).new_page()
    laptop = new_context(DESKTOP).new_page()

    # Sam records today's dosing session; the journal says what is due.
    log_in(phone, base, sam.email)
    open_page(phone, "Sessions")
    phone.get_by_role("link", name="Record a session").click()
    phone.get_by_label("Date of the session").fill(date.today().isoformat())
    phone.get_by_label("Psilocybin").check()
    phone.get_by_role("button", name="Save session").click()
    phone.goto(f"{base}/")
    phone.get_by_role("link", name="Before your Psilocybin session: 3 short questionnaires").click()

    # Baseline PHQ-9 with item 9 above 0: the safety screen, then the next questionnaire.
    phone.get_by_role("heading", name="PHQ-9").wait_for()
    answer_every_question(phone, lambda number: 1 if number == 9 else 0)
    phone.locator("[data-safety-screen]").first.wait_for(state="visible")
    phone.goto(f"{base}/measures/")
    phone.get_by_role("link", name="The evening of your Psilocybin session: 1 short questionnaire").click()
    phone.get_by_role("heading", name="MEQ-30").wait_for()
    answer_every_question(phone, lambda number: 4)
    phone.get_by_text("Your answers meet the published rule for a \"complete\" mystical experience").wait_for()
    assert_accessible(phone, "MEQ-30 result")

    # Sam adds Dr. Rivera: the consent screen says the schedule's questionnaires are seen.
    log_in(laptop, base, rivera.email)
    laptop.get_by_role("link", name="Invite a patient").first.click()
    laptop.get_by_role("button", name="Create an invitation code").click()
    code = laptop.locator(".invite-code code").first.inner_text()
    phone.goto(f"{base}/care/join")
    phone.get_by_label("Invitation code").fill(code)
    phone.get_by_role("button", name="Continue").click()
    phone.get_by_text("Your answers and scores on the questionnaires your measurement schedule asks for").wait_for()
    phone.get_by_role("button", name="Add Dr. Rivera to my care team").click()
    phone.get_by_text("Dr. Rivera is now in your care team").wait_for()

    # Dr. Rivera: the flag on the dashboard, the chart, the MEQ-30 in Prepare for session.
    laptop.get_by_role("link", name="Patients").click()
    alert = laptop.locator(".safety-alert")
    alert.wait_for()
    assert "Several days" in alert.inner_text() and "Sam" in alert.inner_text()
    assert_accessible(laptop, "dashboard with a safety flag")
    laptop.get_by_role("link", name="Sam").first.click()
    laptop.locator("svg.outcome-svg").first.wait_for()
    assert_accessible(laptop, "patient page with outcomes")
    laptop.get_by_role("link", name="Prepare for session").click()
    prep = laptop.locator("#prep-measures-heading").locator("xpath=..")
    prep.wait_for()
    assert "MEQ-30" in prep.inner_text() and "met" in prep.inner_text()
    assert_accessible(laptop, "prepare with measures")
