"""The reminder job (`flask send-reminders`, from cron): every due e-mail reminder, once.

Unlike the services this commits, batch by batch: a claim must be visible to every other run and
node before its mail goes out, and one failed mail must not undo the others. The claim is the unique
row (resident, date, channel) in reminder_sent: whoever inserts it (or takes over a failed or
abandoned claim with a conditional UPDATE) sends; everyone else skips it. A batch of 500 costs a fixed
number of queries: one to read earlier claims, one INSERT .. ON CONFLICT DO NOTHING RETURNING for the
new claims, one UPDATE per outcome and one INSERT of audit events; the mails share one SMTP
connection. Logs hold counts and error class names only, never an address or a resident.
"""

from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import func, select, update
from sqlalchemy.dialects import postgresql, sqlite

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
    locale: str | None = None


@dataclass
class Report:
    counts: Counter = field(default_factory=Counter)  # verzonden, mislukt, al_gedaan

    def line(self) -> str:
        return (f"Herinneringen: {self.counts['verzonden']} verzonden, {self.counts['mislukt']} mislukt "
                f"(volgende keer opnieuw), {self.counts['al_gedaan']} al eerder of door een andere taak verstuurd.")


def due_reminders(today: date) -> list[Due]:
    """Every resident who wants an e-mail, has a verified address and whose next check-in is today
    or past; one query, however many residents."""
    wants_mail = select(Resident.id).where(Resident.reminder == Channel.EMAIL)
    rank = func.row_number().over(partition_by=Checkin.resident_id,
                                  order_by=(Checkin.completed_at.desc(), Checkin.id.desc())).label("rank")
    latest = (select(Checkin.resident_id, Checkin.completed_at, Checkin.life_event, Checkin.next_checkin_on,
                     Checkin.next_checkin_by, rank)
              .where(Checkin.resident_id.in_(wants_mail)).subquery())
    rows = db.session.execute(
        select(Resident.id, Resident.public_id, Resident.created_at, Resident.reminder_locale, User.email,
               latest.c.completed_at, latest.c.life_event, latest.c.next_checkin_on, latest.c.next_checkin_by)
        .join(User, User.id == Resident.user_id)
        .outerjoin(latest, (latest.c.resident_id == Resident.id) & (latest.c.rank == 1))
        .where(Resident.reminder == Channel.EMAIL, User.is_enabled, User.email.is_not(None),
               User.email_verified_at.is_not(None))
        .order_by(Resident.id))
    due = []
    for resident_id, public_id, created_at, locale, email, completed_at, event, planned, planned_by in rows:
        nxt = rules.next_checkin(local_day(completed_at) if completed_at else None, event, planned, planned_by,
                                 local_day(created_at))
        if rules.is_due(nxt.on, today):
            due.append(Due(resident_id, public_id, email, nxt.on, locale))
    return due


def _earlier_claims(batch: list[Due]) -> dict[tuple[int, date], ReminderSent]:
    ids = [d.resident_id for d in batch]
    return {(claim.resident_id, claim.due_on): claim for claim in db.session.scalars(
        select(ReminderSent).where(ReminderSent.channel == Channel.EMAIL, ReminderSent.resident_id.in_(ids)))}


def _insert_claims(batch: list[Due]) -> dict[int, int]:
    """Claim every reminder of the batch nobody claimed before, in one statement: resident id -> claim id.

    ON CONFLICT DO NOTHING: a row another run inserted first stays theirs, and is not returned.
    """
    if not batch:
        return {}
    dialect = postgresql if db.engine.dialect.name == "postgresql" else sqlite
    now = clock.now()
    table = ReminderSent.__table__
    statement = (dialect.insert(table)
                 .values([{"resident_id": d.resident_id, "due_on": d.on, "channel": Channel.EMAIL.value,
                           "status": "bezig", "attempts": 1, "claimed_at": now} for d in batch])
                 .on_conflict_do_nothing(index_elements=["resident_id", "due_on", "channel"])
                 .returning(table.c.resident_id, table.c.id))
    return dict(db.session.execute(statement).all())


def _take_over(earlier: ReminderSent) -> bool:
    """Take a failed or abandoned claim for this run (a conditional UPDATE: one run wins)."""
    minutes = (clock.now() - as_utc(earlier.claimed_at)).total_seconds() / 60
    if not rules.may_retry(earlier.status, earlier.attempts, minutes):
        return False
    taken = db.session.execute(
        update(ReminderSent)
        .where(ReminderSent.id == earlier.id, ReminderSent.status == earlier.status,
               ReminderSent.attempts == earlier.attempts)
        .values(status="bezig", attempts=ReminderSent.attempts + 1, claimed_at=clock.now())
        .execution_options(synchronize_session=False))
    return taken.rowcount == 1


def claim(batch: list[Due]) -> list[tuple[Due, int]]:
    """The reminders of this batch that this run sends, each with its claim id; committed, so every
    other run sees them before a mail goes out."""
    earlier = _earlier_claims(batch)
    fresh = [d for d in batch if (d.resident_id, d.on) not in earlier]
    claimed = _insert_claims(fresh)
    mine = [(d, claimed[d.resident_id]) for d in fresh if d.resident_id in claimed]
    for d in batch:
        claim_row = earlier.get((d.resident_id, d.on))
        if claim_row is not None and _take_over(claim_row):
            mine.append((d, claim_row.id))
    db.session.commit()
    return mine


def message(item: Due, link: str, snooze_link: str | None) -> tuple[str, str]:
    """Subject and body in the language the resident chose the reminder in; no health data."""
    with force_locale(item.locale or "nl"):
        subject = str(labels.REMINDER_SUBJECT)
        body = str(labels.REMINDER_BODY).format(link=link)
        if snooze_link:
            body += "\n" + str(labels.REMINDER_SNOOZE).format(link=snooze_link)
    return subject, body


def send_due(today: date, link: str, snooze_link: Callable[[Due], str] | None = None) -> Report:
    """Send every due reminder that no run has sent yet; a failure is recorded and retried next run."""
    report = Report()
    due = due_reminders(today)
    db.session.commit()  # end the read transaction: every claim below is its own
    with mail.Outbox() as outbox:
        for start in range(0, len(due), BATCH):
            batch = due[start:start + BATCH]
            mine = claim(batch)
            report.counts["al_gedaan"] += len(batch) - len(mine)
            sent, failed = [], defaultdict(list)
            for item, claim_id in mine:
                try:
                    outbox.send(item.email, *message(item, link, snooze_link(item) if snooze_link else None))
                except mail.MailError as error:
                    failed[str(error)[:100]].append(claim_id)
                else:
                    sent.append((item, claim_id))
            _record(sent, failed)
            report.counts["verzonden"] += len(sent)
            report.counts["mislukt"] += sum(len(ids) for ids in failed.values())
    current_app.logger.info("reminders: %d sent, %d failed, %d skipped", report.counts["verzonden"],
                            report.counts["mislukt"], report.counts["al_gedaan"])
    return report


def _record(sent: list[tuple[Due, int]], failed: dict[str, list[int]]) -> None:
    """How the batch went: one UPDATE per outcome, one INSERT of audit events; committed."""
    if sent:
        db.session.execute(update(ReminderSent).where(ReminderSent.id.in_([claim_id for _, claim_id in sent]))
                           .values(status="verzonden", sent_at=clock.now(), error=None)
                           .execution_options(synchronize_session=False))
        audit.record_many("reminder.mail", [item.resident_public_id for item, _ in sent], object_type="reminder")
    for error, ids in failed.items():
        db.session.execute(update(ReminderSent).where(ReminderSent.id.in_(ids))
                           .values(status="mislukt", error=error).execution_options(synchronize_session=False))
    db.session.commit()
