"""The install offer: once, after the first saved entry, never on a first visit, never
again after "Not now". Chromium's beforeinstallprompt is simulated with a synthetic event."""
from tests.browser.conftest import PHONE, assert_accessible, log_in, write_entry

#: A stand-in for Chromium's BeforeInstallPromptEvent; prompt() is recorded.
INSTALL_PROMPT = """() => {
  const event = new Event('beforeinstallprompt', { cancelable: true });
  event.prompt = () => { window.promptedToInstall = true; return Promise.resolve(); };
  event.userChoice = Promise.resolve({ outcome: 'accepted', platform: 'web' });
  window.dispatchEvent(event);
  return event.defaultPrevented;
}"""


def offer(page):
    return page.locator("[data-install-offer]")


def test_install_is_offered_once_after_the_first_saved_entry_and_not_after_dismissal(
        live_server, new_context, make_user):
    patient = make_user(display_name="Robin")
    page = new_context(PHONE).new_page()
    log_in(page, live_server.url, patient.email)
    page.get_by_role("heading", name="Your journal").wait_for()
    # A first visit: the browser's own banner is held back, and nothing is offered yet.
    assert page.evaluate(INSTALL_PROMPT) is True
    page.wait_for_timeout(200)
    assert offer(page).count() == 0

    write_entry(page, "The first one.")
    page.get_by_text("Entry saved.").wait_for()
    page.evaluate(INSTALL_PROMPT)
    offer(page).get_by_role("heading", name="Keep the journal on your home screen").wait_for()
    assert_accessible(page, "install offer")
    offer(page).get_by_role("button", name="Not now").click()
    assert offer(page).count() == 0

    write_entry(page, "The second one.")
    page.get_by_text("Entry saved.").wait_for()
    page.evaluate(INSTALL_PROMPT)
    page.wait_for_timeout(200)
    assert offer(page).count() == 0


def test_the_offer_opens_the_browsers_install_prompt(live_server, new_context, make_user):
    patient = make_user(display_name="Robin")
    page = new_context(PHONE).new_page()
    log_in(page, live_server.url, patient.email)
    write_entry(page, "The first one.")
    page.get_by_text("Entry saved.").wait_for()
    page.evaluate(INSTALL_PROMPT)
    offer(page).get_by_role("button", name="Install the app").click()
    page.wait_for_timeout(200)
    assert page.evaluate("window.promptedToInstall") is True
    assert offer(page).count() == 0


def test_on_an_iphone_the_offer_shows_the_add_to_home_screen_steps(live_server, new_context, make_user):
    patient = make_user(display_name="Robin")
    iphone = {**PHONE, "user_agent": ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
                                      "(KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1")}
    page = new_context(iphone).new_page()
    log_in(page, live_server.url, patient.email)
    page.get_by_role("heading", name="Your journal").wait_for()
    assert offer(page).count() == 0
    write_entry(page, "The first one.")
    page.get_by_text("Entry saved.").wait_for()
    steps = offer(page).locator("ol li")
    steps.first.wait_for()
    assert [steps.nth(i).inner_text() for i in range(3)] == [
        "Tap Share in Safari’s toolbar.", "Choose Add to Home Screen.",
        "Tap Add. The journal is now on your home screen."]
    assert_accessible(page, "install steps for iPhone")
