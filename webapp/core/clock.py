"""The one clock: the current time, and today's date where the organisation is.

Replaceable in tests (app.config["CLOCK"]) so timeouts need no sleeps. Every page takes "today"
from here, so no page uses the UTC date where another uses the local one.
"""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context

DEFAULT_TIMEZONE = "Europe/Amsterdam"


def now() -> datetime:
    """Return the current time (timezone-aware)."""
    clock = current_app.config.get("CLOCK") if has_app_context() else None
    return clock() if clock else datetime.now(UTC)


def timezone() -> ZoneInfo:
    """The organisation's time zone (BABEL_DEFAULT_TIMEZONE)."""
    name = current_app.config.get("BABEL_DEFAULT_TIMEZONE") if has_app_context() else None
    return ZoneInfo(name or DEFAULT_TIMEZONE)


def today() -> date:
    """Today's date in the organisation's time zone (not in UTC: just after midnight they differ)."""
    return now().astimezone(timezone()).date()


def local_day(moment: datetime) -> date:
    """A stored moment as a date where the organisation is. SQLite hands datetimes back naive: they
    are UTC, never the server's local time (which .astimezone() would assume)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(timezone()).date()


def months_between(earlier: date, later: date) -> int:
    """Whole months from one date to a later one (0 within the same month)."""
    return max(0, (later.year - earlier.year) * 12 + later.month - earlier.month - (later.day < earlier.day))
