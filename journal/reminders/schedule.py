"""Local wall-clock times to UTC moments, daylight saving and quiet hours included."""
from datetime import date, datetime, time, timedelta, timezone

from journal.timeutil import zone


def moment_at(day: date, at: time, tz_name: str) -> datetime:
    """``at`` on local ``day`` as a UTC moment.

    A time that does not exist that day (skipped by the spring change) falls an hour
    later; a time that happens twice (the autumn change) is the first of the two — so a
    daily reminder has exactly one moment per local day.
    """
    local = datetime.combine(day, at, tzinfo=zone(tz_name))
    return local.astimezone(timezone.utc)


def recent_days(now: datetime, tz_name: str) -> tuple[date, date]:
    """Yesterday and today in the person's zone: a run just after midnight still sends
    yesterday's late reminder if an earlier run missed it."""
    today = now.astimezone(zone(tz_name)).date()
    return today - timedelta(days=1), today


def in_quiet_hours(moment: datetime, quiet_from: time | None, quiet_until: time | None,
                   tz_name: str) -> bool:
    if quiet_from is None or quiet_until is None or quiet_from == quiet_until:
        return False
    local = moment.astimezone(zone(tz_name)).time().replace(tzinfo=None)
    if quiet_from < quiet_until:
        return quiet_from <= local < quiet_until
    return local >= quiet_from or local < quiet_until  # over midnight, e.g. 22:00–07:00


def after_quiet_hours(moment: datetime, quiet_from: time | None, quiet_until: time | None,
                      tz_name: str) -> datetime:
    """``moment``, or the end of the quiet hours it falls in."""
    if not in_quiet_hours(moment, quiet_from, quiet_until, tz_name):
        return moment
    local_day = moment.astimezone(zone(tz_name)).date()
    for day in (local_day, local_day + timedelta(days=1)):
        end = moment_at(day, quiet_until, tz_name)
        if end > moment:
            return end
    return moment
