"""Drafts and finished check-ins: start, save a step, submit exactly once, read back with scores."""

from datetime import date, datetime

from sqlalchemy import bindparam, select, update
from sqlalchemy.exc import IntegrityError, InvalidRequestError
from sqlalchemy.orm.attributes import set_committed_value

from webapp.core import audit, metrics
from webapp.core.definitions import QUESTIONNAIRE_ID, current_questionnaire, questionnaire_for
from webapp.core.extensions import db
from webapp.core.i18n import locale
from webapp.core.labels import CheckinMode
from webapp.core.models import Answer, Checkin, Draft, Resident, User
from webapp.core.models._base import utcnow
from webapp.core.questionnaires import NO_LIFE_EVENT
from webapp.core.transactions import savepoint
from webapp.results import chartjobs


def open_draft(resident: Resident, coach: User | None = None) -> Draft | None:
    """The unfinished check-in, if any (the newest): the resident's own, or one done with this coach."""
    return db.session.scalar(
        select(Draft)
        .outerjoin(Checkin, Checkin.draft_id == Draft.id)
        .where(Draft.resident_id == resident.id, Checkin.id.is_(None),
               Draft.coach_id == coach.id if coach else Draft.coach_id.is_(None))
        .order_by(Draft.updated_at.desc(), Draft.id.desc())
        .limit(1)
    )


def start_draft(resident: Resident, form: str, coach: User | None = None) -> Draft:
    """Resume the open check-in, or start a new one on the newest questionnaire."""
    existing = open_draft(resident, coach)
    if existing is not None:
        return existing
    questionnaire = current_questionnaire()
    draft = Draft(
        resident_id=resident.id,
        questionnaire_id=QUESTIONNAIRE_ID,
        questionnaire_version=questionnaire.version,
        form=form,
        coach_id=coach.id if coach else None,
        answers={},
        talk_items=[],
    )
    db.session.add(draft)
    db.session.flush()
    audit.record("checkin.start", resident, draft)
    return draft


def discard_draft(resident: Resident, draft: Draft) -> None:
    """Throw away an unfinished check-in at the resident's request."""
    audit.record("checkin.discard", resident, draft)
    db.session.delete(draft)
    db.session.flush()


def set_life_event(draft: Draft, event_id: str, happened_on: date | None = None) -> None:
    """What happened, and when (the first of the month; None when not known or nothing happened)."""
    draft.life_event = event_id
    draft.life_event_on = None if event_id == NO_LIFE_EVENT else happened_on
    draft.steps_done = max(draft.steps_done, 1)
    db.session.flush()


class DraftConflict(RuntimeError):
    """The draft kept changing under us (many tabs at once); nothing was saved."""


class DraftClosed(RuntimeError):
    """Another tab submitted the draft (`checkin_id` is then its check-in) or threw it away while
    this screen was open: nothing was saved, and the screen must not bring the answers back."""

    def __init__(self, draft_id: str, checkin_id: str | None):
        super().__init__(draft_id)
        self.checkin_id = checkin_id


def save_step(draft: Draft, step: int, item_ids, answers: dict, talk: set, *, finished: bool,
              chosen: set | None = None) -> None:
    """Store one pillar's answers in the draft.

    finished: the resident pressed "Volgende", so unanswered items count as skipped and the
    next step opens. Otherwise (going back, autosave) only the items in `chosen` are stored,
    so untouched questions stay unanswered instead of showing "Sla over".

    One UPDATE that only applies to the version of the draft this request read (the draft's
    optimistic lock). When another tab saved in between, it changes nothing; then the draft is
    read again and this step is merged into the fresh copy, unless that tab submitted the draft
    or threw it away (DraftClosed). This is the write of every screen and every autosave: as a
    plain statement it needs no SAVEPOINT to survive a lost race (two or three statements more,
    on PostgreSQL round trips) and none of the ORM's flush; the draft object is then given the
    stored values, as if it had been loaded with them.
    """
    for _attempt in range(3):
        values = _merged_step(draft, step, item_ids, answers, talk, finished=finished, chosen=chosen)
        values.update(updated_at=utcnow(), version=draft.version + 1)
        saved = db.session.execute(_SAVE_STEP, {"row_id": draft.id, "seen_version": draft.version, **values})
        if saved.rowcount == 1:
            for name, value in values.items():
                set_committed_value(draft, name, value)
            return
        _read_again(draft)  # the other tab's version: merge this step into it
    raise DraftConflict(draft.public_id)


def _read_again(draft: Draft) -> None:
    """The draft as another tab left it; DraftClosed when that tab submitted it or threw it away."""
    public_id = draft.public_id
    try:
        db.session.refresh(draft)
    except InvalidRequestError:  # the row is gone
        raise DraftClosed(public_id, None) from None
    if (checkin := checkin_for_draft(draft)) is not None:
        raise DraftClosed(public_id, checkin.public_id)


_DRAFTS = Draft.__table__
_SAVE_STEP = (
    update(_DRAFTS)
    .where(_DRAFTS.c.id == bindparam("row_id"), _DRAFTS.c.version == bindparam("seen_version"))
    .values({name: bindparam(name) for name in ("answers", "talk_items", "steps_done", "updated_at", "version")})
)


def _merged_step(draft: Draft, step: int, item_ids, answers: dict, talk: set, *, finished: bool,
                 chosen: set | None) -> dict:
    """The draft's answers, talk items and steps done with this step merged in."""
    stored = item_ids if finished or chosen is None else [i for i in item_ids if i in chosen]
    merged = dict(draft.answers or {})
    merged.update({item_id: answers.get(item_id) for item_id in stored})
    kept = [i for i in (draft.talk_items or []) if i not in item_ids]
    steps_done = max(draft.steps_done, step + 1) if finished else draft.steps_done
    return {"answers": merged, "talk_items": kept + [i for i in item_ids if i in talk], "steps_done": steps_done}


# The draft, its resident and the id of the check-in it became (if submitted) in one statement,
# built once: every screen of the wizard needs all three.
_DRAFT_QUERY = (
    select(Draft, Resident, Checkin.public_id)
    .join(Resident, Resident.id == Draft.resident_id)
    .outerjoin(Checkin, Checkin.draft_id == Draft.id)
    .where(Draft.public_id == bindparam("public_id"))
)


def draft_and_resident(public_id: str | None) -> tuple[Draft, Resident, str | None] | None:
    """The draft, its resident and the public id of its check-in once submitted; None if unknown."""
    if not public_id:
        return None
    row = db.session.execute(_DRAFT_QUERY, {"public_id": public_id}).first()
    return None if row is None else (row.Draft, row.Resident, row.public_id)
def keep_followups(draft: Draft, values: dict) -> None:
    """Keep the last screen's answers as typed (raw), until "Klaar" checks and stores them."""
    draft.followups = values or None
    draft.updated_at = utcnow()
    db.session.flush()


def checkin_for_draft(draft: Draft) -> Checkin | None:
    return db.session.scalar(select(Checkin).where(Checkin.draft_id == draft.id))


def submit_draft(resident: Resident, draft: Draft, *, mode: str | None = None,
                 completed_at: datetime | None = None) -> Checkin:
    """Turn a draft into exactly one check-in, however often it is submitted.

    `mode` defaults to "samen" for a draft with a coach, else "zelf"; `completed_at` to now (a check-in
    typed in from paper gets the day it was filled in).
    """
    existing = checkin_for_draft(draft)
    if existing is not None:
        return existing
    questionnaire = questionnaire_for(draft)
    talk = set(draft.talk_items or [])
    stored = draft.answers or {}
    checkin = Checkin(
        resident_id=resident.id,
        draft_id=draft.id,
        questionnaire_id=draft.questionnaire_id,
        questionnaire_version=draft.questionnaire_version,
        form=draft.form,
        life_event=draft.life_event,
        life_event_on=draft.life_event_on,
        mode=mode or (CheckinMode.SAMEN if draft.coach_id else CheckinMode.ZELF),
        coach_id=draft.coach_id,
        started_at=completed_at or draft.created_at,
        completed_at=completed_at or utcnow(),
        answers=[
            Answer(item_id=item_id, score=stored.get(item_id), wants_to_talk=item_id in talk)
            for item_id in questionnaire.forms[draft.form].items
        ],
    )
    try:
        with savepoint():  # undo only this insert: the follow-ups and audit of this request stay
            db.session.add(checkin)
            db.session.flush()
    except IntegrityError:
        # Another request (second tab, double tap) finished this draft first.
        winner = checkin_for_draft(draft)
        if winner is None:
            raise
        return winner
    # The answers now live in the check-in; keep no second copy in the draft.
    draft.answers = {}
    draft.talk_items = []
    draft.followups = None
    db.session.flush()
    audit.record("checkin.create", resident, checkin)
    metrics.record_checkin(checkin.mode)
    chartjobs.enqueue(checkin, locale())  # drawn by the chart runner, where one is set up
    return checkin


def set_preferred_form(resident: Resident, form: str | None) -> None:
    """The form a coach chose for this resident (None: the usual one); audited."""
    resident.preferred_form = form
    db.session.flush()
    audit.record("resident.form", resident, resident)
