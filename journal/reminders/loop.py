"""``make run``: the same work as ``send-reminders``, once a minute in a background thread
of the single development process, so reminders work on a fresh machine without cron."""
import logging
import threading
import time

from flask import Flask

from journal.extensions import db
from journal.reminders.send import send_due
from journal.timeutil import utcnow

log = logging.getLogger("journal.reminders")


def start(app: Flask) -> threading.Event:
    """Start the loop; set the returned event to stop it."""
    stop = threading.Event()
    every = float(app.config["REMINDER_LOOP_SECONDS"])
    threading.Thread(target=_run, args=(app, stop, every), name="journal-reminders", daemon=True).start()
    return stop


def _run(app: Flask, stop: threading.Event, every: float) -> None:
    # On the minute, like cron: a reminder at 08:00 goes out at 08:00, not at 08:00:59.
    while not stop.wait(every - time.time() % every):
        with app.app_context():
            try:
                send_due(utcnow())
            except Exception as error:  # the loop outlives a bad minute; the type only, no data
                log.error("Reminder run failed: %s", type(error).__name__)
                db.session.rollback()
            finally:
                db.session.remove()
