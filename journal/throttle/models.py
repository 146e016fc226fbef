"""The table behind ``DatabaseStorage``: one row per rate-limit window in use."""
import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from journal.extensions import db


class RateLimitCounter(db.Model):
    """How many hits a key (a limit and whom it counts: an address, an account) has in its window.

    Keys never hold an email address in clear: callers pass digests.
    """

    __tablename__ = "rate_limit_counters"

    key: Mapped[str] = mapped_column(sa.String(255), primary_key=True)
    count: Mapped[int] = mapped_column(sa.Integer)
    #: Seconds since the epoch: the window ends here and the next hit starts a new one.
    expires_at: Mapped[float] = mapped_column(sa.Float, index=True)
