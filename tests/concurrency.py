"""Two requests of one patient at once, for real: a twin write holds the database until
the test lets it commit, while a request runs in another thread."""
import threading
import time
from contextlib import contextmanager

from journal.extensions import db


@contextmanager
def twin_write(app, write):
    """Run ``write()`` (a call of the write path) in another thread, with its own request
    context and database session; it commits only when the ``with`` block ends, holding
    what it locked until then."""
    written, release, failed = threading.Event(), threading.Event(), []

    def run():
        with app.test_request_context():
            try:
                write()
                db.session.flush()
            except Exception as error:  # surfaced to the test below
                failed.append(error)
                written.set()
                return
            written.set()
            release.wait(30)
            db.session.commit()
            db.session.remove()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    assert written.wait(30) and not failed, failed
    try:
        yield
    finally:
        release.set()
        thread.join(30)


class InThread:
    """Runs ``call()`` in a thread; ``result()`` waits for it."""

    def __init__(self, call):
        self.value, self.error = None, None
        self.thread = threading.Thread(target=self._run, args=(call,), daemon=True)
        self.thread.start()

    def _run(self, call):
        try:
            self.value = call()
        except Exception as error:  # re-raised in result()
            self.error = error

    def still_waiting(self, seconds: float = 0.5) -> bool:
        """True when the call has not finished after ``seconds`` (it waits on a lock)."""
        time.sleep(seconds)
        return self.thread.is_alive()

    def result(self):
        self.thread.join(30)
        if self.error is not None:
            raise self.error
        return self.value
