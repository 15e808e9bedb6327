"""A resident's one next check-in date, and their reminder settings. Flushes, never commits."""

import hashlib
from dataclasses import dataclass
from datetime import date

from flask_babel import get_locale
from itsdangerous import BadData
from sqlalchemy import case, delete, func, or_, select
from sqlalchemy.exc import IntegrityError

from webapp.core import audit, clock, mail
from webapp.core.extensions import db
from webapp.core.models import (
    Checkin,
    PushSubscription,
    ReminderCall,
    ReminderSent,
    Resident,
    ResidentSummary,
    User,
)
from webapp.core.tokens import serializer
from webapp.reminders import push, rules
from webapp.reminders.rules import BadSubscription, Channel, NextCheckin

local_day = clock.local_day  # a stored moment as a date where the organisation is


def latest_checkin(resident: Resident) -> Checkin | None:
    return db.session.scalar(
        select(Checkin).where(Checkin.resident_id == resident.id)
        .order_by(Checkin.completed_at.desc(), Checkin.id.desc()).limit(1))


NOT_LOOKED_UP = object()  # the caller has not looked up the latest check-in (None: there is none)


def next_checkin(resident: Resident, latest: Checkin | None | object = NOT_LOOKED_UP) -> NextCheckin:
    """The resident's next check-in: the one date every page shows (see rules.next_checkin).

    `latest` is the resident's latest check-in when the caller has it already, or None when they
    know there is none: then it is not looked up again."""
    latest = latest_checkin(resident) if latest is NOT_LOOKED_UP else latest
    if latest is None:
        return rules.next_checkin(None, None, None, None, local_day(resident.created_at))
    return rules.next_checkin(local_day(latest.completed_at), latest.life_event, latest.next_checkin_on,
                              latest.next_checkin_by, local_day(resident.created_at))


def date_for_checkin(resident: Resident, checkin: Checkin) -> date | None:
    """The next date as a check-in's own page shows it: today's plan for the latest check-in, the
    date once set for an older one (history, not a plan)."""
    latest = latest_checkin(resident)
    if latest is not None and latest.id == checkin.id:
        return next_checkin(resident, latest).on
    return checkin.next_checkin_on


def choose(resident: Resident, day: date) -> bool:
    """The resident picks the date of their next check-in; False without any check-in yet."""
    latest = latest_checkin(resident)
    if latest is None:
        return False
    latest.next_checkin_on, latest.next_checkin_by = day, "bewoner"
    db.session.flush()
    audit.record("next_checkin.choose", resident, latest)
    return True


def can_mail(resident: Resident) -> bool:
    """E-mail reminders need a mail server and a verified address."""
    user = resident.user
    return mail.configured() and user is not None and bool(user.email) and user.email_verified_at is not None


def set_reminder(resident: Resident, channel: str) -> bool:
    """Store how the resident wants to be reminded; False (nothing changed) for e-mail without a verified address."""
    if channel == Channel.EMAIL and not can_mail(resident):
        return False
    resident.reminder = Channel(channel)
    resident.reminder_locale = str(get_locale() or "nl") if channel != Channel.GEEN or phone_marks(resident) else None
    db.session.flush()
    audit.record("reminder.set", resident, resident)
    return True


def status_counts() -> dict[str, int]:
    """How many reminders are sent, failed or being sent (for /metrics), in one query."""
    return dict(db.session.execute(select(ReminderSent.status, func.count()).group_by(ReminderSent.status)).all())


QUEUE_STATES = ("wachtend", "opnieuw", "bezig")


def queue_counts(today: date) -> dict[str, int]:
    """The reminder job's queue (for /metrics): reminders due and not sent yet, by state, e-mails and
    pushes together (one item per resident, date and channel, as the job claims them).

    `wachtend`: due, no run has taken it yet; `opnieuw`: failed, tried again at the next run (fewer
    than MAX_ATTEMPTS tries so far); `bezig`: a run is sending it now (or died doing so: taken over
    after STALE_CLAIM). Reminders given up after MAX_ATTEMPTS are not counted. One query per channel,
    on the next dates the caseload keeps (ResidentSummary.due_on) and the job's claims in reminder_sent.
    """
    wants = {
        Channel.EMAIL: (Resident.reminder == Channel.EMAIL) & User.email.is_not(None)
        & User.email_verified_at.is_not(None),
        Channel.PUSH: select(PushSubscription.id).where(PushSubscription.resident_id == Resident.id).exists(),
    }
    counts = dict.fromkeys(QUEUE_STATES, 0)
    for channel, wanted in wants.items():
        claimed = (ReminderSent.resident_id == Resident.id) & (ReminderSent.due_on == ResidentSummary.due_on) & (
            ReminderSent.channel == channel)
        state = case((ReminderSent.id.is_(None), "wachtend"), (ReminderSent.status == "mislukt", "opnieuw"),
                     else_=ReminderSent.status)
        rows = db.session.execute(
            select(state, func.count())
            .select_from(Resident)
            .join(User, User.id == Resident.user_id)
            .join(ResidentSummary, ResidentSummary.resident_id == Resident.id)
            .outerjoin(ReminderSent, claimed)
            .where(wanted, User.is_enabled, ResidentSummary.due_on <= today,
                   or_(ReminderSent.id.is_(None), ReminderSent.status == "bezig",
                       (ReminderSent.status == "mislukt") & (ReminderSent.attempts < rules.MAX_ATTEMPTS)))
            .group_by(state)).all()
        for name, count in rows:
            counts[name] += count
    return counts


SNOOZE_SALT = "reminder-snooze"


@dataclass(frozen=True)
class Snooze:
    """What a reminder's "a week later" link is about: whose check-in, on which date, and the new date."""

    resident: Resident
    due_on: date
    new_on: date
    current: bool  # False: the date changed since the mail (moved already, or a new check-in)
    has_checkin: bool  # without any check-in there is no date to move: the first check-in is due


def snooze_token(resident_public_id: str, due_on: date) -> str:
    return serializer(SNOOZE_SALT).dumps([resident_public_id, due_on.isoformat()])


def read_snooze(token: str) -> Snooze | None:
    """The snooze a link stands for; None for a changed, expired or unknown link (or an erased resident)."""
    try:
        public_id, day = serializer(SNOOZE_SALT).loads(token, max_age=int(rules.SNOOZE_LINK_VALID.total_seconds()))
        due_on = date.fromisoformat(day)
    except (BadData, ValueError, TypeError):
        return None
    resident = db.session.scalar(select(Resident).where(Resident.public_id == public_id))
    if resident is None:
        return None
    latest = latest_checkin(resident)
    current = latest is not None and next_checkin(resident, latest).on == due_on
    return Snooze(resident, due_on, rules.snoozed_date(due_on, clock.today()), current, latest is not None)


def snooze(found: Snooze) -> bool:
    """Move the check-in a week, once: False when the date changed since the reminder (nothing changes)."""
    if not found.current:
        return False
    latest = latest_checkin(found.resident)
    latest.next_checkin_on, latest.next_checkin_by = found.new_on, "bewoner"
    db.session.flush()
    audit.record("reminder.snooze", found.resident, latest)
    return True


@dataclass(frozen=True)
class CallInfo:
    """What the call list shows beside a resident: the number to call and whether it was done."""

    phone: str | None
    called_at: object | None = None  # when, for the resident's current date
    called_by: str | None = None
    note: str | None = None


def call_info(due: dict[str, date]) -> dict[str, CallInfo]:
    """For the residents on the call list ({resident number: due date}): their phone number and the
    latest call about that date; two queries however long the list."""
    if not due:
        return {}
    people = db.session.execute(select(Resident.id, Resident.public_id, Resident.phone)
                                .where(Resident.public_id.in_(due))).all()
    number_of = {resident_id: public_id for resident_id, public_id, _phone in people}
    info = {public_id: CallInfo(phone) for _id, public_id, phone in people}
    calls = db.session.execute(
        select(ReminderCall, func.coalesce(User.display_name, User.username))
        .outerjoin(User, User.id == ReminderCall.coach_id)
        .where(ReminderCall.resident_id.in_(number_of)).order_by(ReminderCall.called_at))
    for call, coach_name in calls:
        public_id = number_of[call.resident_id]
        if call.due_on == due[public_id]:
            info[public_id] = CallInfo(info[public_id].phone, call.called_at, coach_name, call.note)
    return info


def record_call(coach: User, resident: Resident, note: str | None) -> ReminderCall:
    """The coach called the resident about their current next check-in ("gebeld", audited)."""
    call = ReminderCall(resident_id=resident.id, coach_id=coach.id, due_on=next_checkin(resident).on,
                        called_at=clock.now(), note=(note or "").strip()[:200] or None)
    db.session.add(call)
    db.session.flush()
    audit.record("reminder.call", resident, call)
    return call


def set_phone(resident: Resident, phone: str | None) -> None:
    """The number the coach may call (tidied by rules.phone_number), or none."""
    resident.phone = phone
    db.session.flush()
    audit.record("resident.phone", resident, resident)


def phone_marks(resident: Resident) -> list[str]:
    """A fingerprint (SHA-256, hex) of the push address of every phone the resident switched notifications
    on for: the page's script tells from it whether this phone is one of them, without the page holding
    the addresses (a shared phone may get another account's notifications)."""
    return [hashlib.sha256(endpoint.encode()).hexdigest() for endpoint in db.session.scalars(
        select(PushSubscription.endpoint).where(PushSubscription.resident_id == resident.id))]


def push_on(resident: Resident, endpoint: object, p256dh: object, auth: object, testing: bool = False) -> None:
    """Store this phone's push subscription for the resident (again: its keys are renewed).

    BadSubscription("adres" / "sleutel") for an address or keys that are not right, and
    BadSubscription("ander_account") for a phone that gets another account's reminders; nothing changes.
    """
    found = rules.push_subscription(endpoint, p256dh, auth, push.hosts(), testing)
    phone = db.session.scalar(select(PushSubscription).where(PushSubscription.endpoint == found.endpoint))
    if phone is None:
        phone = PushSubscription(resident_id=resident.id, endpoint=found.endpoint)
        try:
            with db.session.begin_nested():  # two posts at once from one phone: the second finds the first
                db.session.add(phone)
                phone.p256dh, phone.auth = found.p256dh, found.auth
        except IntegrityError:
            phone = db.session.scalar(select(PushSubscription).where(PushSubscription.endpoint == found.endpoint))
    if phone is None or phone.resident_id != resident.id:
        raise BadSubscription("ander_account")
    phone.p256dh, phone.auth = found.p256dh, found.auth
    resident.reminder_locale = str(get_locale() or "nl")  # the notification's language
    db.session.flush()
    audit.record("reminder.push_on", resident, resident)


def push_off(resident: Resident, endpoint: str | None) -> int:
    """Notifications off on one phone (its endpoint) or, without one, on all; how many were switched off.
    Only ever the resident's own: another account's phone stays as it is."""
    statement = delete(PushSubscription).where(PushSubscription.resident_id == resident.id)
    if endpoint:
        statement = statement.where(PushSubscription.endpoint == endpoint)
    removed = db.session.execute(statement.execution_options(synchronize_session=False)).rowcount
    audit.record("reminder.push_off", resident, resident)
    return removed
