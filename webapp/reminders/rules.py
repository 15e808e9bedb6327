"""When is a resident's next check-in? The one rule every page, the A4 summary, the caseload and the
reminder job use, as plain values; and which reminders are due."""

import base64
import binascii
import calendar
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.asymmetric import ec

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
    PUSH = "push"  # a notification on a phone: on for every device with a subscription, beside the choice above


MAIL_CHOICES = (Channel.GEEN, Channel.EMAIL)  # the resident's radio choice; push is switched on per device


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


# Web push. A subscription is what the phone's browser gives: the push service's address for this phone
# (endpoint) and the two keys the message is encrypted with (RFC 8291).
MAX_ENDPOINT = 800        # FCM, Mozilla, Apple and Windows addresses are 150-400 characters
P256DH_BYTES = 65         # an uncompressed P-256 point: 0x04, x, y
AUTH_BYTES = 16
# The push services of the browsers people use; the job POSTs to the endpoint, so only to these (never to
# an address in the organisation's own network). PUSH_HOSTS in the configuration may replace the list.
PUSH_HOSTS = ("fcm.googleapis.com", "push.services.mozilla.com", "push.apple.com", "notify.windows.com")
TEST_HOST = "127.0.0.1"   # the tests' own push service, only with TESTING


class BadSubscription(ValueError):
    """Why a subscription is refused: "adres" (endpoint) or "sleutel" (keys)."""


@dataclass(frozen=True)
class Subscription:
    endpoint: str
    p256dh: str
    auth: str


def _base64url(text: object, size: int) -> bytes:
    if not isinstance(text, str) or not 0 < len(text) <= 2 * size:
        raise BadSubscription("sleutel")
    try:
        raw = base64.urlsafe_b64decode(text.rstrip("=") + "=" * (-len(text.rstrip("=")) % 4))
    except (binascii.Error, ValueError):
        raise BadSubscription("sleutel") from None
    if len(raw) != size or base64.urlsafe_b64encode(raw).rstrip(b"=").decode() != text.rstrip("="):
        raise BadSubscription("sleutel")
    return raw


def _allowed_host(host: str, hosts: Iterable[str]) -> bool:
    return any(host == allowed or host.endswith("." + allowed) for allowed in hosts)


def push_subscription(endpoint: object, p256dh: object, auth: object, hosts: Iterable[str] = PUSH_HOSTS,
                      testing: bool = False) -> Subscription:
    """A browser's push subscription, checked: an https address at a known push service (plain http to
    127.0.0.1 only when testing), of a sane length, and keys of the right size (p256dh a point on P-256).
    BadSubscription otherwise."""
    if not isinstance(endpoint, str) or not 0 < len(endpoint) <= MAX_ENDPOINT or endpoint != endpoint.strip():
        raise BadSubscription("adres")
    try:
        parts = urlsplit(endpoint)
        host = (parts.hostname or "").lower()
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        raise BadSubscription("adres") from None
    local = testing and host == TEST_HOST and parts.scheme in ("http", "https")
    if parts.username or parts.password or not (local or (parts.scheme == "https" and _allowed_host(host, hosts))):
        raise BadSubscription("adres")
    point = _base64url(p256dh, P256DH_BYTES)
    try:
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point)
    except ValueError:
        raise BadSubscription("sleutel") from None
    _base64url(auth, AUTH_BYTES)
    return Subscription(endpoint, p256dh.rstrip("="), auth.rstrip("="))


class PushOutcome(StrEnum):
    """How one push to one device went."""

    AFGELEVERD = "afgeleverd"  # the push service took it (201)
    WEG = "weg"                # 404/410: the phone unsubscribed or the subscription expired: delete it
    MISLUKT = "mislukt"        # 5xx, 429, a timeout, no connection: try again at the next run


def push_outcome(status: int | None) -> PushOutcome:
    """A push service's answer (None: no answer, e.g. a timeout) as what to do next."""
    if status is not None and 200 <= status < 300:
        return PushOutcome.AFGELEVERD
    if status in (404, 410):
        return PushOutcome.WEG
    return PushOutcome.MISLUKT


def reminder_outcome(outcomes: Iterable[PushOutcome]) -> PushOutcome:
    """One resident's reminder over all their devices: sent when one device got it (the others are not
    tried again: that would send it twice to the first); tried again when none got it and one may yet;
    gone when every device is gone."""
    outcomes = set(outcomes)
    if PushOutcome.AFGELEVERD in outcomes:
        return PushOutcome.AFGELEVERD
    if PushOutcome.MISLUKT in outcomes:
        return PushOutcome.MISLUKT
    return PushOutcome.WEG
