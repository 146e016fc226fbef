"""Timezone-aware UTC timestamps that survive SQLite (which has no time zones)."""
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import sqlalchemy as sa


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class UTCDateTime(sa.types.TypeDecorator):
    """Stores naive UTC, always hands back aware UTC datetimes.

    SQLite drops tzinfo and PostgreSQL's ``timestamptz`` keeps it; storing naive
    UTC in both makes comparisons and keyset cursors behave the same everywhere.
    """

    impl = sa.DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(timezone.utc).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=timezone.utc)


def zone(name: str | None) -> ZoneInfo:
    """The user's zone, falling back to UTC for unknown names."""
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def local_date(moment: datetime, tz_name: str | None) -> date:
    return moment.astimezone(zone(tz_name)).date()
