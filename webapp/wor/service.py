"""Welzijn op Recept: a referral comes in, a welzijnscoach picks it up, tries to reach the person,
enrols them at the first conversation, and the verwijzer hears back what the resident allowed."""

from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from pathlib import Path

import yaml
from flask_babel import gettext as _
from sqlalchemy import case, func, select

from webapp.accounts import service as people
from webapp.core import audit, clock
from webapp.core.extensions import db
from webapp.core.labels import WorAttemptOutcome, WorNotStarted, WorSharing, WorStatus, WorUrgency
from webapp.core.models import (
    Activity,
    CoachRelation,
    Referral,
    Resident,
    User,
    WorContactAttempt,
    WorPractice,
    WorPrice,
    WorReferral,
)
from webapp.core.models._base import as_utc
from webapp.wor import rules
from webapp.wor.rules import OPEN, can_move

DOUBLE_SUBMIT = timedelta(minutes=10)
PRICE_FILE = Path(__file__).resolve().parent.parent / "data" / "rendement.yaml"


class WorError(ValueError):
    """A step that is not allowed now; str() names the problem (see labels.PROBLEMS)."""


def linked_resident(referral: WorReferral) -> Resident | None:
    """The resident the referral is linked to, if any. The session holds it only while someone
    does: a page that needs it twice keeps it, so that it is read once."""
    return db.session.get(Resident, referral.resident_id) if referral.resident_id else None


def _audit(action: str, referral: WorReferral) -> None:
    audit.record(action, linked_resident(referral), referral)


def _move(referral: WorReferral, new: str) -> None:
    if not can_move(referral.status, new):
        raise WorError("step")
    referral.status = new
    referral.updated_at = clock.now()
    db.session.flush()
    _audit("wor.status", referral)


def create(source: User | WorPractice, patient_name: str, contact: str, reason: str, life_event: str | None,
           urgency: str) -> WorReferral:
    """A verwijzer (or a practice through its referral link) refers a patient who agreed to it (the form
    checked the tick). The same referral sent twice within minutes by the same verwijzer or practice (a
    double click, a resend after a dropped connection) is stored once."""
    now = clock.now()
    by_practice = isinstance(source, WorPractice)
    maker = WorReferral.practice_id if by_practice else WorReferral.referrer_id
    same = db.session.scalar(select(WorReferral).where(
        maker == source.id, WorReferral.patient_name == patient_name.strip()[:100],
        WorReferral.contact == contact.strip()[:100], WorReferral.created_at >= now - DOUBLE_SUBMIT))
    if same is not None and same.reason == reason.strip()[:1000]:
        return same
    referral = WorReferral(referrer_id=None if by_practice else source.id,
                           practice_id=source.id if by_practice else None,
                           reference=new_reference() if by_practice else None,
                           patient_name=patient_name.strip()[:100],
                           contact=contact.strip()[:100], reason=reason.strip()[:1000],
                           life_event=life_event or None, urgency=urgency, created_at=now, updated_at=now)
    db.session.add(referral)
    db.session.flush()
    _audit("wor.create", referral)
    return referral


def new_reference() -> str:
    """A reference the practice can quote on the phone, e.g. "WOR-ABCD-EFGH" (31^8 possibilities)."""
    return "WOR-" + people.new_code(2)


def referrals_by(referrer: User) -> list[WorReferral]:
    """The verwijzer's own referrals, newest first; nobody else's."""
    return list(db.session.scalars(select(WorReferral).where(WorReferral.referrer_id == referrer.id)
                                   .order_by(WorReferral.created_at.desc(), WorReferral.id.desc())))


def new_referrals() -> list[WorReferral]:
    """The queue: referrals nobody has picked up (or that were given back): those the verwijzer asked
    to be quick about first, then the oldest first."""
    quick_first = case((WorReferral.urgency == WorUrgency.SNEL, 0), else_=1)
    return list(db.session.scalars(
        select(WorReferral).where(WorReferral.coach_id.is_(None),
                                  WorReferral.status.in_((WorStatus.ONTVANGEN, WorStatus.CONTACT_GELEGD)))
        .order_by(quick_first, WorReferral.created_at, WorReferral.id)))


def open_referrals_of(coach: User) -> list[WorReferral]:
    """The referrals this coach picked up and has not finished, oldest first."""
    return list(db.session.scalars(
        select(WorReferral).where(WorReferral.coach_id == coach.id, WorReferral.status.in_(OPEN))
        .order_by(WorReferral.created_at, WorReferral.id)))


def referrer_names(referrals: list[WorReferral]) -> dict[int, str]:
    """{referral id: who referred}: the verwijzer's name and practice, or the practice that used its
    practice code (nobody's name: no account made it)."""
    user_ids = {r.referrer_id for r in referrals if r.referrer_id}
    users = {u.id: (u.display_name or u.username) + (f" ({u.organisation})" if u.organisation else "")
             for u in db.session.scalars(select(User).where(User.id.in_(user_ids)))} if user_ids else {}
    practices = practice_names(referrals)
    names = {r.id: users[r.referrer_id] for r in referrals if r.referrer_id in users}
    names.update({r.id: _("%(practice)s (via praktijkcode)", practice=practices[r.practice_id])
                  for r in referrals if r.practice_id in practices})
    return names


def practice_names(referrals: list[WorReferral]) -> dict[int, str]:
    """{practice id: name} of the practices whose code sent these referrals."""
    ids = {r.practice_id for r in referrals if r.practice_id}
    return dict(db.session.execute(select(WorPractice.id, WorPractice.name).where(WorPractice.id.in_(ids))).all()) \
        if ids else {}


def pick_up(coach: User, referral: WorReferral) -> bool:
    """The coach takes the referral; False when a colleague already has it."""
    if referral.coach_id is not None:
        return referral.coach_id == coach.id
    referral.coach_id, referral.picked_up_at = coach.id, clock.now()
    referral.updated_at = referral.picked_up_at
    db.session.flush()
    _audit("wor.pick_up", referral)
    return True


def record_attempt(coach: User, referral: WorReferral, outcome: str, note: str | None) -> WorContactAttempt:
    """A try to reach the person; the first conversation moves the referral to "contact gelegd"."""
    if referral.status not in (WorStatus.ONTVANGEN, WorStatus.CONTACT_GELEGD):
        raise WorError("step")
    attempt = WorContactAttempt(referral_id=referral.id, coach_id=coach.id, at=clock.now(),
                                outcome=WorAttemptOutcome(outcome), note=(note or "").strip()[:300] or None)
    db.session.add(attempt)
    referral.updated_at = attempt.at
    db.session.flush()
    _audit("wor.attempt", referral)
    if outcome == WorAttemptOutcome.BEREIKT and referral.status == WorStatus.ONTVANGEN:
        _move(referral, WorStatus.CONTACT_GELEGD)
    return attempt


def _check_linkable(referral: WorReferral) -> None:
    if referral.resident_id is not None or referral.status not in (WorStatus.ONTVANGEN, WorStatus.CONTACT_GELEGD):
        raise WorError("step")


def _attach(referral: WorReferral, resident: Resident, sharing: str, action: str) -> None:
    """The first conversation links the referral to the resident: contact gelegd, linked, in begeleiding."""
    if referral.status == WorStatus.ONTVANGEN:
        _move(referral, WorStatus.CONTACT_GELEGD)  # the first conversation is a contact
    referral.resident_id, referral.sharing = resident.id, WorSharing(sharing)
    db.session.flush()
    _audit(action, referral)
    _move(referral, WorStatus.IN_BEGELEIDING)


def enrol(coach: User, referral: WorReferral, display_name: str, birth_year: int | None, wijk: str | None,
          consent_date: date, consent_method: str, sharing: str) -> Resident:
    """The first conversation: enrol the resident with their consent (the existing enrolment), link
    the referral, and record what the resident lets the verwijzer hear."""
    _check_linkable(referral)
    resident = people.enrol_resident(coach, display_name, birth_year, wijk, consent_date, consent_method)
    _attach(referral, resident, sharing, "wor.link")
    return resident


# Linking to a resident who is already in Veerkracht. Who may be linked follows the one permission rule
# (core.permissions.can_link_wor_referral): only a resident the coach may see, that is one they follow now
# (enrolled by them, or sharing with them). Veerkracht has no organisation-wide list of residents, so a
# resident whom only a colleague follows is neither found nor linked: the coach gives the referral back to
# the queue for that colleague, or the resident shares with this coach first.
LINK_SEARCH_LIMIT = 20


def linkable_residents(coach: User, name: str | None) -> list[Resident]:
    """The residents this coach follows now whose name holds every word typed, by name; at most 20."""
    name_expr = func.lower(func.coalesce(Resident.display_name, User.username, Resident.public_id))
    statement = (select(Resident).outerjoin(User, User.id == Resident.user_id)
                 .join(CoachRelation, CoachRelation.resident_id == Resident.id)
                 .where(CoachRelation.coach_id == coach.id, CoachRelation.ended_at.is_(None)))
    for word in (name or "").lower().split()[:5]:
        statement = statement.where(name_expr.contains(word, autoescape=True))
    return list(db.session.scalars(statement.order_by(name_expr, Resident.id).limit(LINK_SEARCH_LIMIT)))


def link(referral: WorReferral, resident: Resident, sharing: str) -> None:
    """The first conversation with someone already in Veerkracht: link the referral to that resident (no
    second enrolment), record what the resident lets the verwijzer hear, and go to "in begeleiding".
    The caller checked that the coach may see the resident; nothing is stored when a step is refused."""
    _check_linkable(referral)
    if sharing not in WorSharing.values():
        raise WorError("sharing")
    _attach(referral, resident, sharing, "wor.link_existing")


def release(coach: User, referral: WorReferral) -> None:
    """The coach gives a referral back to the queue (a colleague follows the person already, or someone
    else should take it); only before a resident is linked. Its contact attempts stay with it."""
    if referral.coach_id != coach.id:
        raise WorError("not_yours")
    _check_linkable(referral)
    referral.coach_id, referral.picked_up_at = None, None
    referral.updated_at = clock.now()
    db.session.flush()
    _audit("wor.release", referral)


def not_started(referral: WorReferral, reason: str | None, note: str | None) -> None:
    """The coaching does not start: a reason from the list (the verwijzer sees it), a note for coaches."""
    if reason not in WorNotStarted.values():
        raise WorError("reason")
    if not can_move(referral.status, WorStatus.NIET_GESTART):
        raise WorError("step")
    referral.not_started_reason = reason
    referral.coach_note = (note or "").strip()[:1000] or None
    _move(referral, WorStatus.NIET_GESTART)


@cache
def file_prices() -> tuple[rules.PriceItem, ...]:
    """The price list as the file has it, read once per process (a broken file fails loudly)."""
    return rules.parse_price_list(yaml.safe_load(PRICE_FILE.read_text(encoding="utf-8")))


def prices() -> tuple[rules.PriceItem, ...]:
    """The price list with the beheerder's amounts and sources in place of the file's."""
    overrides = {p.item_id: (p.low, p.high, p.source) for p in db.session.scalars(select(WorPrice))}
    return rules.with_overrides(file_prices(), overrides)


def avoidable() -> list[rules.PriceItem]:
    """The price list's lines a coach can tick at the close (not the coach's own hourly rate)."""
    return [item for item in prices() if not item.hourly_rate]


def close(referral: WorReferral, improved: str | None, hours: int | None, avoided: list[str]) -> None:
    """The coaching ended: afgerond, with whether things improved, the hours it took, and what the coach
    judges was avoided or postponed. Checked here too, so nothing half is stored."""
    problems = rules.close_problems(improved, hours, avoided, {item.id for item in avoidable()})
    if problems:
        raise WorError(problems[0])
    if not can_move(referral.status, WorStatus.AFGEROND):
        raise WorError("step")
    referral.improved, referral.coaching_hours = improved, hours
    referral.avoided = sorted(set(avoided))
    referral.closed_at = clock.now()
    _move(referral, WorStatus.AFGEROND)


def set_feedback_note(referral: WorReferral, note: str | None) -> None:
    """The short note for the verwijzer, only when the resident agreed to one."""
    text = (note or "").strip()
    if referral.sharing != WorSharing.STATUS_NOTITIE:
        raise WorError("no_note")
    if not text or len(text) > 300:
        raise WorError("note")
    referral.feedback_note = text
    referral.updated_at = clock.now()
    db.session.flush()
    _audit("wor.note", referral)


def activities_of(referrals: list[WorReferral]) -> dict[int, tuple[str, ...]]:
    """{resident id: names of the activities (sociale kaart) the resident chose}, oldest first, each once."""
    ids = {r.resident_id for r in referrals if r.resident_id}
    chosen: dict[int, list[str]] = {}
    if ids:
        for resident_id, name in db.session.execute(
                select(Referral.resident_id, Activity.name).join(Activity, Activity.id == Referral.activity_id)
                .where(Referral.resident_id.in_(ids)).order_by(Referral.created_at, Referral.id)):
            names = chosen.setdefault(resident_id, [])
            if name not in names:
                names.append(name)
    return {resident_id: tuple(names) for resident_id, names in chosen.items()}


def feedback_for(referrals: list[WorReferral]) -> dict[int, rules.Feedback]:
    """{referral id: what its verwijzer may read}, as the resident's choice allows at this moment."""
    chosen = activities_of(referrals)
    return {r.id: rules.feedback(r.status, r.sharing, r.not_started_reason, r.feedback_note,
                                 chosen.get(r.resident_id, ()), r.improved) for r in referrals}


def set_sharing(referral: WorReferral, sharing: str) -> None:
    """The resident (or the coach with the resident) changes what the verwijzer hears back; at once."""
    if referral.resident_id is None:
        raise WorError("not_linked")
    if sharing not in WorSharing.values():
        raise WorError("step")
    if referral.sharing == sharing:
        return
    referral.sharing = WorSharing(sharing)
    referral.updated_at = clock.now()
    db.session.flush()
    _audit("wor.sharing", referral)


def referrals_of_resident(resident: Resident) -> list[WorReferral]:
    """The GP referrals linked to this resident, newest first (the resident's own page, the coach's page)."""
    return list(db.session.scalars(select(WorReferral).where(WorReferral.resident_id == resident.id)
                                   .order_by(WorReferral.created_at.desc(), WorReferral.id.desc())))


def record_download(action: str, referral: WorReferral) -> None:
    """The verwijzer downloaded the feedback (PDF or FHIR): in the resident's access log once linked."""
    _audit(action, referral)


def record_feedback_views(referrals: list[WorReferral]) -> None:
    """The verwijzer read the feedback on linked referrals: a line in those residents' access logs."""
    ids = [r.resident_id for r in referrals if r.resident_id]
    if ids:
        audit.record_many("wor.feedback_view", list(db.session.scalars(
            select(Resident.public_id).where(Resident.id.in_(ids)))))


def record_queue_view(referrals: list[WorReferral]) -> None:
    """The coach's queue: one audit row per referral shown (by the resident when linked)."""
    residents = {r.resident_id for r in referrals if r.resident_id}
    if residents:
        audit.record_many("wor.queue", list(db.session.scalars(
            select(Resident.public_id).where(Resident.id.in_(residents)))))
    for referral in referrals:
        if not referral.resident_id:
            audit.record("wor.queue", None, referral)


def view(referral: WorReferral) -> None:
    """A welzijnscoach opened the referral (by the resident's access log once linked)."""
    _audit("wor.view", referral)


def save_prices(beheerder: User, values: dict[str, tuple[int, int, str]]) -> int:
    """Store the beheerder's amounts and sources where they differ from what holds now; audited with who
    changed it. Returns how many lines changed."""
    current = {item.id: (item.low, item.high, item.source) for item in prices()}
    stored = {p.item_id: p for p in db.session.scalars(select(WorPrice))}
    changed = 0
    for item_id, (low, high, source) in values.items():
        if current.get(item_id) == (low, high, source):
            continue
        row = stored.get(item_id) or WorPrice(item_id=item_id)
        row.low, row.high, row.source = low, high, source
        row.updated_by_id, row.updated_at = beheerder.id, clock.now()
        db.session.add(row)
        changed += 1
    if changed:
        db.session.flush()
        audit.record("wor.prices", None, object_type="wor_price")
    return changed


def last_price_change() -> WorPrice | None:
    """The latest change by a beheerder, to show who changed the list and when."""
    return db.session.scalar(select(WorPrice).order_by(WorPrice.updated_at.desc()).limit(1))


def closed_cases(timezone) -> list[rules.ClosedCase]:
    """Every closed referral with its outcome, as the figures need it (quarter, source, hours, avoided). The
    source is the practice: the verwijzer's organisation, or the practice whose code sent it, so a practice
    that refers both ways (by name) is one group."""
    rows = db.session.execute(
        select(WorReferral.closed_at, func.coalesce(WorPractice.name, User.organisation), WorReferral.resident_id,
               WorReferral.coaching_hours, WorReferral.avoided)
        .outerjoin(User, User.id == WorReferral.referrer_id)
        .outerjoin(WorPractice, WorPractice.id == WorReferral.practice_id)
        .where(WorReferral.status == WorStatus.AFGEROND, WorReferral.closed_at.is_not(None),
               WorReferral.resident_id.is_not(None), WorReferral.coaching_hours.is_not(None)))
    return [rules.ClosedCase(rules.quarter_key(as_utc(closed_at).astimezone(timezone).date()),
                             (organisation or "").strip(), resident_id, hours, tuple(avoided or ()))
            for closed_at, organisation, resident_id, hours, avoided in rows]


@dataclass(frozen=True)
class OnResidentPage:
    """A linked referral as the coach's page of the resident shows it: the practice, not the person."""

    referral: WorReferral
    practice: str | None      # the verwijzer's organisation or the practice of the code; never a name
    handled_by_me: bool       # this coach handles it: links to the note, the choice and the close
    coach_name: str | None    # the colleague who handles it otherwise


def referrals_on_resident_page(coach: User, resident: Resident) -> list[OnResidentPage]:
    """The referrals linked to this resident, newest first, for a welzijnscoach who may see them."""
    referrals = referrals_of_resident(resident)
    practices = dict(db.session.execute(select(User.id, User.organisation).where(
        User.id.in_({r.referrer_id for r in referrals if r.referrer_id}))).all()) if referrals else {}
    by_code = practice_names(referrals)
    coaches = people.names_of({r.coach_id for r in referrals if r.coach_id and r.coach_id != coach.id})
    return [OnResidentPage(r, (by_code.get(r.practice_id) or practices.get(r.referrer_id) or "").strip() or None,
                           r.coach_id == coach.id, coaches.get(r.coach_id)) for r in referrals]
