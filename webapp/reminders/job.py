"""The reminder job (`flask send-reminders`, from cron): every due reminder, once per channel.

Channels: an e-mail (the resident's choice, to a verified address) and a web push notification (to
every phone the resident switched notifications on for); a resident may have both.

Unlike the services this commits, batch by batch: a claim must be visible to every other run and
node before its mail goes out, and one failed mail must not undo the others. The claim is the unique
row (resident, date, channel) in reminder_sent: whoever inserts it (or takes over a failed or
abandoned claim with a conditional UPDATE) sends; everyone else skips it. A batch of 500 costs a fixed
number of queries: one to read earlier claims, one INSERT .. ON CONFLICT DO NOTHING RETURNING for the
new claims, one SELECT of the phones to push to, one UPDATE per outcome, one DELETE of phones the push
service no longer knows and one INSERT of audit events; the mails share one SMTP connection, the
pushes go out a few at a time (push.Sender). A push to a phone that is gone (404/410) deletes that
subscription; a 5xx or a timeout is retried at the next run, like a failed mail. Logs hold counts and
error class names only, never an address, an endpoint or a resident.
"""

from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import delete, exists, false, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from webapp.core import audit, clock, mail
from webapp.core.extensions import db
from webapp.core.models import Checkin, PushSubscription, ReminderSent, Resident, User
from webapp.core.models._base import as_utc
from webapp.reminders import labels, push, rules
from webapp.reminders.rules import Channel, PushOutcome
from webapp.reminders.service import local_day

BATCH = 500


@dataclass
class Due:
    resident_id: int
    resident_public_id: str
    email: str | None
    on: date
    locale: str | None = None
    channel: Channel = Channel.EMAIL


@dataclass
class Report:
    counts: Counter = field(default_factory=Counter)  # verzonden, mislukt, al_gedaan, uitgezet

    def line(self) -> str:
        text = (f"Herinneringen: {self.counts['verzonden']} verzonden, {self.counts['mislukt']} mislukt "
                f"(volgende keer opnieuw), {self.counts['al_gedaan']} al eerder of door een andere taak verstuurd.")
        if self.counts["uitgezet"]:
            text += f" {self.counts['uitgezet']} telefoon(s) bestaan niet meer bij de pushdienst: meldingen uitgezet."
        return text


def channels() -> tuple[Channel, ...]:
    """The channels this installation can send on: e-mail with a mail server, push with VAPID keys."""
    return tuple(c for c, on in ((Channel.EMAIL, mail.configured()), (Channel.PUSH, push.configured())) if on)


def due_reminders(today: date, on: tuple[Channel, ...] = (Channel.EMAIL,)) -> list[Due]:
    """Every reminder due today or earlier, one per resident and channel: an e-mail for a resident who
    chose it and has a verified address, a push for one with a phone that has notifications on. One
    query, however many residents."""
    wants_mail = ((Resident.reminder == Channel.EMAIL) & User.email.is_not(None)
                  & User.email_verified_at.is_not(None)) if Channel.EMAIL in on else None
    wants_push = (exists().where(PushSubscription.resident_id == Resident.id)
                  if Channel.PUSH in on else None)
    wanted = [c for c in (wants_mail, wants_push) if c is not None]
    if not wanted:
        return []
    wants = (select(Resident.id).join(User, User.id == Resident.user_id).where(or_(*wanted)))
    rank = func.row_number().over(partition_by=Checkin.resident_id,
                                  order_by=(Checkin.completed_at.desc(), Checkin.id.desc())).label("rank")
    latest = (select(Checkin.resident_id, Checkin.completed_at, Checkin.life_event, Checkin.next_checkin_on,
                     Checkin.next_checkin_by, rank)
              .where(Checkin.resident_id.in_(wants)).subquery())
    rows = db.session.execute(
        select(Resident.id, Resident.public_id, Resident.created_at, Resident.reminder_locale, User.email,
               false() if wants_mail is None else wants_mail, false() if wants_push is None else wants_push,
               latest.c.completed_at, latest.c.life_event, latest.c.next_checkin_on, latest.c.next_checkin_by)
        .join(User, User.id == Resident.user_id)
        .outerjoin(latest, (latest.c.resident_id == Resident.id) & (latest.c.rank == 1))
        .where(User.is_enabled, or_(*wanted))
        .order_by(Resident.id))
    due = []
    for (resident_id, public_id, created_at, locale, email, mail_on, push_on, completed_at, event, planned,
         planned_by) in rows:
        nxt = rules.next_checkin(local_day(completed_at) if completed_at else None, event, planned, planned_by,
                                 local_day(created_at))
        if rules.is_due(nxt.on, today):
            if mail_on:
                due.append(Due(resident_id, public_id, email, nxt.on, locale, Channel.EMAIL))
            if push_on:
                due.append(Due(resident_id, public_id, None, nxt.on, locale, Channel.PUSH))
    return due


def _earlier_claims(batch: list[Due]) -> dict[tuple[int, date, str], ReminderSent]:
    ids = {d.resident_id for d in batch}
    kinds = {d.channel.value for d in batch}
    return {(claim.resident_id, claim.due_on, claim.channel): claim for claim in db.session.scalars(
        select(ReminderSent).where(ReminderSent.channel.in_(kinds), ReminderSent.resident_id.in_(ids)))}


def _insert_claims(batch: list[Due]) -> dict[tuple[int, str], int]:
    """Claim every reminder of the batch nobody claimed before, in one statement: (resident id, channel)
    -> claim id.

    ON CONFLICT DO NOTHING: a row another run inserted first stays theirs, and is not returned.
    """
    if not batch:
        return {}
    dialect = postgresql if db.engine.dialect.name == "postgresql" else sqlite
    now = clock.now()
    table = ReminderSent.__table__
    statement = (dialect.insert(table)
                 .values([{"resident_id": d.resident_id, "due_on": d.on, "channel": d.channel.value,
                           "status": "bezig", "attempts": 1, "claimed_at": now} for d in batch])
                 .on_conflict_do_nothing(index_elements=["resident_id", "due_on", "channel"])
                 .returning(table.c.resident_id, table.c.channel, table.c.id))
    return {(resident_id, channel): claim_id for resident_id, channel, claim_id in db.session.execute(statement)}


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
    fresh = [d for d in batch if (d.resident_id, d.on, d.channel) not in earlier]
    claimed = _insert_claims(fresh)
    mine = [(d, claimed[d.resident_id, d.channel]) for d in fresh if (d.resident_id, d.channel) in claimed]
    for d in batch:
        claim_row = earlier.get((d.resident_id, d.on, d.channel))
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


@dataclass
class Outcome:
    """How a batch went: the claims sent, those to try again (by error), the phones that are gone."""

    sent: list[tuple[Due, int]] = field(default_factory=list)
    failed: defaultdict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    gone: list[int] = field(default_factory=list)  # subscription ids


def _mail(outbox: mail.Outbox, mine: list[tuple[Due, int]], link: str,
          snooze_link: Callable[[Due], str] | None, outcome: Outcome) -> None:
    for item, claim_id in mine:
        try:
            outbox.send(item.email, *message(item, link, snooze_link(item) if snooze_link else None))
        except mail.MailError as error:
            outcome.failed[str(error)[:100]].append(claim_id)
        else:
            outcome.sent.append((item, claim_id))


def _push(sender: push.Sender, mine: list[tuple[Due, int]], link: str, outcome: Outcome) -> None:
    """Push each claimed reminder to every phone of its resident (one SELECT for the whole batch)."""
    if not mine:
        return
    phones = defaultdict(list)
    for resident_id, *phone in db.session.execute(
            select(PushSubscription.resident_id, PushSubscription.id, PushSubscription.endpoint,
                   PushSubscription.p256dh, PushSubscription.auth)
            .where(PushSubscription.resident_id.in_({item.resident_id for item, _ in mine}))):
        phones[resident_id].append(push.Phone(*phone))  # plain values: nothing to reload after the commit
    db.session.commit()  # no transaction held open while the push services answer
    data = {locale: push.payload(link, locale) for locale in {item.locale for item, _ in mine}}
    results = sender.deliver((phone, data[item.locale]) for item, _ in mine for phone in phones[item.resident_id])
    for item, claim_id in mine:
        mine_results = [results[phone.id] for phone in phones[item.resident_id]]
        outcome.gone += [phone.id for phone in phones[item.resident_id] if results[phone.id][0] == PushOutcome.WEG]
        result = rules.reminder_outcome(result for result, _error in mine_results)
        if result == PushOutcome.AFGELEVERD:
            outcome.sent.append((item, claim_id))
        else:  # tried again at the next run if a phone is left (a gone phone is deleted below)
            errors = sorted({error for _result, error in mine_results if error}) or ["push: geen telefoon"]
            outcome.failed[errors[0][:100]].append(claim_id)


def send_due(today: date, link: str, snooze_link: Callable[[Due], str] | None = None,
             on: tuple[Channel, ...] | None = None) -> Report:
    """Send every due reminder that no run has sent yet, on every channel this installation has (or
    `on`); a failure is recorded and retried next run."""
    report = Report()
    on = channels() if on is None else on
    due = due_reminders(today, on)
    db.session.commit()  # end the read transaction: every claim below is its own
    sender = push.Sender.from_config() if Channel.PUSH in on and due else None
    with mail.Outbox() as outbox:
        for start in range(0, len(due), BATCH):
            batch = due[start:start + BATCH]
            mine = claim(batch)
            report.counts["al_gedaan"] += len(batch) - len(mine)
            outcome = Outcome()
            _mail(outbox, [m for m in mine if m[0].channel == Channel.EMAIL], link, snooze_link, outcome)
            if sender is not None:
                _push(sender, [m for m in mine if m[0].channel == Channel.PUSH], link, outcome)
            _record(outcome)
            report.counts["verzonden"] += len(outcome.sent)
            report.counts["mislukt"] += sum(len(ids) for ids in outcome.failed.values())
            report.counts["uitgezet"] += len(outcome.gone)
    current_app.logger.info("reminders: %d sent, %d failed, %d skipped, %d phones gone", report.counts["verzonden"],
                            report.counts["mislukt"], report.counts["al_gedaan"], report.counts["uitgezet"])
    return report


AUDIT_ACTIONS = {Channel.EMAIL: "reminder.mail", Channel.PUSH: "reminder.push"}


def _record(outcome: Outcome) -> None:
    """How the batch went: one UPDATE per outcome, one DELETE of gone phones, one INSERT of audit
    events; committed."""
    if outcome.sent:
        db.session.execute(update(ReminderSent)
                           .where(ReminderSent.id.in_([claim_id for _, claim_id in outcome.sent]))
                           .values(status="verzonden", sent_at=clock.now(), error=None)
                           .execution_options(synchronize_session=False))
        for channel, action in AUDIT_ACTIONS.items():
            if whose := [item.resident_public_id for item, _ in outcome.sent if item.channel == channel]:
                audit.record_many(action, whose, object_type="reminder")
    for error, ids in outcome.failed.items():
        db.session.execute(update(ReminderSent).where(ReminderSent.id.in_(ids))
                           .values(status="mislukt", error=error).execution_options(synchronize_session=False))
    if outcome.gone:
        db.session.execute(delete(PushSubscription).where(PushSubscription.id.in_(outcome.gone))
                           .execution_options(synchronize_session=False))
    db.session.commit()
