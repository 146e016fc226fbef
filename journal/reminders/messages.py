"""What a lock screen shows: never entry text, substances or names — counts at most."""
from dataclasses import dataclass

from journal.reminders.models import CARE, DAILY, DIGEST, MEASURES, SAFETY, STEPS

TITLE = "Integration Journal"


@dataclass(frozen=True)
class Notice:
    title: str
    body: str
    #: Path inside the app that a tap opens.
    path: str


def notice_for(kind: str, path: str, count: int = 0) -> Notice:
    if kind == DAILY:
        body = "A moment to write in your journal?"
    elif kind == STEPS:
        body = "You have an action step due today."
    elif kind == MEASURES:
        body = "A check-in is due in your journal."
    elif kind == CARE:
        body = "You have a new note in your journal."
    elif kind == SAFETY:
        body = "A patient's answer needs your attention."
    elif kind == DIGEST:
        body = (f"{count} patients shared new entries." if count != 1
                else "1 patient shared new entries.")
    else:
        body = "You have a reminder in your journal."
    return Notice(TITLE, body, path)
