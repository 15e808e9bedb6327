"""The reminder job (`flask send-reminders`, from cron): every due e-mail reminder, once.

Unlike the services this commits, row by row: a claim must be visible to every other run and node
before its mail goes out, and one failed mail must not undo the others. The claim is the unique row
(resident, date, channel) in reminder_sent: whoever inserts it (or takes over a failed or abandoned
claim with a conditional UPDATE) sends; everyone else skips it. Logs hold counts and error class
names only, never an address or a resident.
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from flask import current_app
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from webapp.core import audit, clock, mail
from webapp.core.extensions import db
from webapp.core.models import Checkin, ReminderSent, Resident, User
from webapp.core.models._base import as_utc
from webapp.reminders import labels, rules
from webapp.reminders.rules import Channel
from webapp.reminders.service import local_day

BATCH = 500


@dataclass
class Due:
    resident_id: int
    resident_public_id: str
    email: str
    on: date


@dataclass
class Report:
    counts: Counter = field(default_factory=Counter)  # verzonden, mislukt, al_gedaan

    def line(self) -> str:
        return (f"Herinneringen: {self.counts['verzonden']} verzonden, {self.counts['mislukt']} mislukt "
                f"(volgende keer opnieuw), {self.counts['al_gedaan']} al eerder of door een andere taak verstuurd.")


def due_reminders(today: date) -> list[Due]:
    """Every resident who wants an e-mail, has a verified address and whose next check-in is today
    or past; two queries, however many residents."""
    wants_mail = select(Resident.id).where(Resident.reminder == Channel.EMAIL)
    rank = func.row_number().over(partition_by=Checkin.resident_id,
                                  order_by=(Checkin.completed_at.desc(), Checkin.id.desc())).label("rank")
    latest = (select(Checkin.resident_id, Checkin.completed_at, Checkin.life_event, Checkin.next_checkin_on,
                     Checkin.next_checkin_by, rank)
              .where(Checkin.resident_id.in_(wants_mail)).subquery())
    rows = db.session.execute(
        select(Resident.id, Resident.public_id, Resident.created_at, User.email, latest.c.completed_at,
               latest.c.life_event, latest.c.next_checkin_on, latest.c.next_checkin_by)
        .join(User, User.id == Resident.user_id)
        .outerjoin(latest, (latest.c.resident_id == Resident.id) & (latest.c.rank == 1))
        .where(Resident.reminder == Channel.EMAIL, User.is_enabled, User.email.is_not(None),
               User.email_verified_at.is_not(None)))
    due = []
    for resident_id, public_id, created_at, email, completed_at, event, planned, planned_by in rows:
        nxt = rules.next_checkin(local_day(completed_at) if completed_at else None, event, planned, planned_by,
                                 local_day(created_at))
        if rules.is_due(nxt.on, today):
            due.append(Due(resident_id, public_id, email, nxt.on))
    return due


def _earlier_claims(due: list[Due]) -> dict[tuple[int, date], ReminderSent]:
    claims = {}
    ids = [d.resident_id for d in due]
    for start in range(0, len(ids), BATCH):
        for claim in db.session.scalars(select(ReminderSent).where(
                ReminderSent.channel == Channel.EMAIL, ReminderSent.resident_id.in_(ids[start:start + BATCH]))):
            claims[claim.resident_id, claim.due_on] = claim
    return claims


def _claim(item: Due, earlier: ReminderSent | None) -> int | None:
    """Take this reminder for this run: the claim's id, or None when another run has (or had) it."""
    now = clock.now()
    if earlier is None:
        claim = ReminderSent(resident_id=item.resident_id, due_on=item.on, channel=Channel.EMAIL, status="bezig",
                             attempts=1, claimed_at=now)
        db.session.add(claim)
        try:
            db.session.commit()
        except IntegrityError:
            db.session.rollback()  # another run inserted it first: theirs to send
            return None
        return claim.id
    minutes = (now - as_utc(earlier.claimed_at)).total_seconds() / 60
    if not rules.may_retry(earlier.status, earlier.attempts, minutes):
        return None
    taken = db.session.execute(
        update(ReminderSent)
        .where(ReminderSent.id == earlier.id, ReminderSent.status == earlier.status,
               ReminderSent.attempts == earlier.attempts)
        .values(status="bezig", attempts=ReminderSent.attempts + 1, claimed_at=now)
        .execution_options(synchronize_session=False))
    db.session.commit()
    return earlier.id if taken.rowcount == 1 else None


def send_due(today: date, link: str) -> Report:
    """Send every due reminder that no run has sent yet; a failure is recorded and retried next run."""
    report = Report()
    due = due_reminders(today)
    earlier = _earlier_claims(due)
    db.session.commit()  # end the read transaction: every claim below is its own
    body = labels.REMINDER_BODY.format(link=link)
    for item in due:
        claim_id = _claim(item, earlier.get((item.resident_id, item.on)))
        if claim_id is None:
            report.counts["al_gedaan"] += 1
            continue
        try:
            mail.send(item.email, labels.REMINDER_SUBJECT, body)
        except mail.MailError as error:
            db.session.execute(update(ReminderSent).where(ReminderSent.id == claim_id)
                               .values(status="mislukt", error=str(error)[:100]))
            report.counts["mislukt"] += 1
        else:
            db.session.execute(update(ReminderSent).where(ReminderSent.id == claim_id)
                               .values(status="verzonden", sent_at=clock.now(), error=None))
            audit.record("reminder.mail", db.session.get(Resident, item.resident_id), object_type="reminder")
            report.counts["verzonden"] += 1
        db.session.commit()
    current_app.logger.info("reminders: %d sent, %d failed, %d skipped", report.counts["verzonden"],
                            report.counts["mislukt"], report.counts["al_gedaan"])
    return report
