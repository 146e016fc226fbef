"""Repeated controls (check off, share, unshare, restore, delete) say which thing they act on.

A screen reader's list of buttons must not read "Mark done:" five times: each name carries
the step's text or the entry's date and first words.
"""
from collections import Counter
from html.parser import HTMLParser

from journal.extensions import db
from tests.factories import create_entry, create_link, share_entry


class ButtonNames(HTMLParser):
    """The accessible names of a page's buttons and links: their text, without aria-hidden parts."""

    def __init__(self):
        super().__init__()
        self.names, self._stack, self._hidden = [], [], 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("button", "a"):
            self._stack.append([tag, ""])
        if attrs.get("aria-hidden") == "true":
            self._hidden += 1
            self._stack.append(["hidden", ""])

    def handle_endtag(self, tag):
        if self._stack and self._stack[-1][0] == "hidden" and tag == "span":
            self._stack.pop()
            self._hidden -= 1
        elif self._stack and self._stack[-1][0] == tag:
            self.names.append(" ".join(self._stack.pop()[1].split()))

    def handle_data(self, data):
        if not self._hidden:
            for item in self._stack:
                if item[0] != "hidden":
                    item[1] += data


def names(html: str) -> list[str]:
    parser = ButtonNames()
    parser.feed(html)
    return parser.names


def assert_no_repeats(found: list[str], *starts: str) -> None:
    repeated = [name for name, n in Counter(found).items() if n > 1 and name.startswith(starts)]
    assert not repeated, repeated


def test_check_off_buttons_name_their_step(patient_client, patient):
    entry = create_entry(patient, steps=["call Anna", "walk by the river"])
    for page in (patient_client.get("/steps/"), patient_client.get(f"/entries/{entry.id}")):
        found = names(page.get_data(as_text=True))
        assert "Mark done: call Anna" in found and "Mark done: walk by the river" in found
    patient_client.submit(f"/steps/{entry.action_steps[0].id}/toggle")
    assert "Mark not done: call Anna" in names(patient_client.get("/steps/").get_data(as_text=True))


def test_share_buttons_name_the_entry_by_date_and_first_words(patient_client, patient, therapist):
    create_link(patient, therapist)
    create_entry(patient, insights="Morning walk, the light on the water")
    shared = create_entry(patient, insights="Evening call with my sister")
    share_entry(shared, therapist)
    found = names(patient_client.get("/").get_data(as_text=True))
    assert any(n.startswith("Share with care team") and "Morning walk" in n for n in found), found
    assert any(n.startswith("Stop sharing") and "Evening call" in n for n in found), found
    assert_no_repeats(found, "Share", "Stop sharing")


def test_trash_buttons_name_the_entry(patient_client, patient):
    create_entry(patient, insights="First of the day", deleted=True)
    create_entry(patient, insights="Second of the day", deleted=True)
    db.session.commit()
    found = names(patient_client.get("/trash").get_data(as_text=True))
    assert any(n.startswith("Restore") and "First of the day" in n for n in found), found
    assert any(n.startswith("Delete for good") and "Second of the day" in n for n in found), found
    assert_no_repeats(found, "Restore", "Delete for good")
