"""When is a resident's next check-in? The one rule every page, the A4 summary, the caseload and the
reminder job use, as plain values; and which reminders are due."""

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from webapp.core.questionnaires import NO_LIFE_EVENT

AFTER_LIFE_EVENT = timedelta(weeks=6)  # the normal rhythm after a life-event
WAAKVLAM = timedelta(weeks=13)         # the low-frequency "waakvlam" contact otherwise
BEFORE_FIRST = timedelta(weeks=6)      # registered or enrolled, no check-in yet
RHYTHMS = {"gewoon": AFTER_LIFE_EVENT, "waakvlam": WAAKVLAM}  # the coach's choice at a visit
MAX_ATTEMPTS = 5      # a reminder that failed this often is not tried again
STALE_CLAIM = timedelta(minutes=30)  # a claim this old was left by a job that died: try again
SNOOZE = timedelta(weeks=1)          # "Komt het nu niet goed uit?": the link in a reminder moves it a week
SNOOZE_LINK_VALID = timedelta(days=60)


class Source(StrEnum):
    """Where the date comes from."""

    AFGESPROKEN = "afgesproken"  # agreed with the coach at a visit
    GEKOZEN = "gekozen"          # chosen by the resident
    RITME = "ritme"              # the default rhythm


class Choice(StrEnum):
    """The resident's answer to "Wanneer wilt u weer even kijken?"."""

    TWEE_WEKEN = "twee_weken"
    ZES_WEKEN = "zes_weken"
    DRIE_MAANDEN = "drie_maanden"
    DATUM = "datum"


class Channel(StrEnum):
    """How a resident wants to be reminded."""

    GEEN = "geen"
    EMAIL = "email"


@dataclass(frozen=True)
class NextCheckin:
    on: date
    source: Source


def add_months(day: date, months: int) -> date:
    """The same day `months` later, or the month's last day when it is shorter (31 Jan -> 30 Apr)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def chosen_date(choice: str, today: date, own_date: date | None = None) -> date:
    """The date a resident's choice stands for."""
    if choice == Choice.TWEE_WEKEN:
        return today + timedelta(weeks=2)
    if choice == Choice.ZES_WEKEN:
        return today + timedelta(weeks=6)
    if choice == Choice.DRIE_MAANDEN:
        return add_months(today, 3)
    if choice == Choice.DATUM and own_date is not None:
        return own_date
    raise ValueError(choice)


def rhythm_date(today: date, rhythm: str | None) -> date:
    """The date a visit's rhythm gives when the coach leaves the date empty."""
    return today + RHYTHMS.get(rhythm or "gewoon", AFTER_LIFE_EVENT)


def next_checkin(last_checkin: date | None, life_event: str | None, planned: date | None,
                 planned_by: str | None, since: date) -> NextCheckin:
    """The next check-in, from the latest check-in only (a new check-in replaces any earlier plan).

    A date set with that check-in wins (by the resident: "gekozen"; at a visit: "afgesproken");
    otherwise six weeks after a life-event check-in and 13 weeks ("waakvlam") after any other;
    without any check-in, six weeks after the resident's account began.
    """
    if last_checkin is None:
        return NextCheckin(since + BEFORE_FIRST, Source.RITME)
    if planned is not None:
        return NextCheckin(planned, Source.GEKOZEN if planned_by == "bewoner" else Source.AFGESPROKEN)
    after_event = life_event is not None and life_event != NO_LIFE_EVENT
    return NextCheckin(last_checkin + (AFTER_LIFE_EVENT if after_event else WAAKVLAM), Source.RITME)


def is_due(next_on: date, today: date) -> bool:
    """A reminder goes out on the day itself, or at the first run after it."""
    return next_on <= today


def may_retry(status: str, attempts: int, claimed_minutes_ago: float) -> bool:
    """Whether an earlier claim on this reminder may be taken over: it failed (not too often yet),
    or a job claimed it and died before it could say how it went."""
    if status == "mislukt":
        return attempts < MAX_ATTEMPTS
    if status == "bezig":
        return claimed_minutes_ago >= STALE_CLAIM.total_seconds() / 60 and attempts < MAX_ATTEMPTS
    return False


def snoozed_date(due_on: date, today: date) -> date:
    """The date a reminder's "a week later" link gives: a week from today, or from the date itself
    when that is still ahead."""
    return max(due_on, today) + SNOOZE


PHONE_DIGITS = (10, 15)  # a Dutch number has 10 digits; with a country code up to 15


def phone_number(text: str | None) -> str | None:
    """A phone number as the coach typed it, tidied ("06 12345678", "+31 6 1234 5678"); None when
    empty. ValueError when it is not a phone number (letters, too few or too many digits)."""
    cleaned = " ".join((text or "").split())
    if not cleaned:
        return None
    if any(c not in "0123456789 +-()" for c in cleaned) or "+" in cleaned[1:]:
        raise ValueError(cleaned)
    digits = sum(c.isdigit() for c in cleaned)
    if not PHONE_DIGITS[0] <= digits <= PHONE_DIGITS[1]:
        raise ValueError(cleaned)
    return cleaned[:30]


def tel_link(phone: str) -> str:
    """The number for a tel: link: digits and a leading +."""
    return ("+" if phone.startswith("+") else "") + "".join(c for c in phone if c.isdigit())
