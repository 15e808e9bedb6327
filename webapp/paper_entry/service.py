"""Answers from the paper questionnaire become one normal check-in, marked "op papier ingevuld".

The idempotency is the check-in's own: the page carries a fresh draft id; saving makes the draft
with that id and submits it, and a draft becomes at most one check-in (Checkin.draft_id is unique).
A double click, a reload of the POST or a second tab sends the same id again, finds the draft and
answers with the check-in it already became; two at once collide on the draft's unique public id.
"""

from datetime import date, datetime, time

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from webapp.checkin import service as drafts
from webapp.core import audit, clock
from webapp.core.definitions import QUESTIONNAIRE_ID, current_questionnaire
from webapp.core.extensions import db
from webapp.core.labels import CheckinMode
from webapp.core.models import Checkin, Draft, Resident, User
from webapp.core.models._base import as_utc
from webapp.core.transactions import savepoint
from webapp.paper_entry.rules import PaperInput

REVIEW_STEP = 7  # every screen of the check-in counts as done (checkin/views.py)
NOON = time(12, 0)  # the hour is not on paper: midday of the day it was filled in


class PaperRefused(Exception):
    """The page's id belongs to something else: nothing was stored."""


def earliest_date(resident: Resident) -> date:
    """The first day a paper check-in may carry: the day the resident was enrolled or registered."""
    return as_utc(resident.created_at).astimezone(clock.timezone()).date()


def completed_at(filled_on: date) -> datetime:
    """Midday of the day it was filled in, in the organisation's time zone; never later than now."""
    return min(datetime.combine(filled_on, NOON, tzinfo=clock.timezone()), clock.now())


def _paper_draft(key: str) -> Draft | None:
    return db.session.scalar(select(Draft).where(Draft.public_id == key))


def _saved_before(coach: User, resident: Resident, draft: Draft) -> Checkin:
    """The check-in this page already made; PaperRefused when the id is someone else's draft."""
    checkin = drafts.checkin_for_draft(draft)
    if (draft.resident_id != resident.id or draft.coach_id != coach.id or checkin is None
            or checkin.mode != CheckinMode.PAPIER):
        raise PaperRefused(draft.public_id)
    return checkin


def save_paper(coach: User, resident: Resident, key: str, form: str, entry: PaperInput) -> tuple[Checkin, bool]:
    """Store the typed-in answers as one check-in (created=True), or return the one this page made before."""
    existing = _paper_draft(key)
    if existing is not None:
        return _saved_before(coach, resident, existing), False
    questionnaire = current_questionnaire()
    when = completed_at(entry.filled_on)
    draft = Draft(
        public_id=key, resident_id=resident.id, questionnaire_id=QUESTIONNAIRE_ID,
        questionnaire_version=questionnaire.version, form=form, coach_id=coach.id,
        life_event=entry.life_event, life_event_on=None, answers=dict(entry.answers), talk_items=[],
        steps_done=REVIEW_STEP, created_at=when,
    )
    try:
        with savepoint():
            db.session.add(draft)
            db.session.flush()
    except IntegrityError:
        winner = _paper_draft(key)  # the same page, sent twice at once: the first one made it
        if winner is None:
            raise
        return _saved_before(coach, resident, winner), False
    checkin = drafts.submit_draft(resident, draft, mode=CheckinMode.PAPIER, completed_at=when)
    audit.record("checkin.paper", resident, checkin)
    return checkin, True
