"""A resident's finished check-ins as every feature reads them: newest first, with their pillar scores."""

from flask import has_app_context
from sqlalchemy import and_, event, or_, select
from sqlalchemy.orm import Session, selectinload

from webapp.core import scoring
from webapp.core.definitions import questionnaire_for
from webapp.core.extensions import db
from webapp.core.models import Checkin, Resident


def answers_of(checkin: Checkin) -> dict[str, int | None]:
    return {a.item_id: a.score for a in checkin.answers}


def scores_from_answers(checkin: Checkin) -> dict[str, float | None]:
    """Derive the pillar scores from the raw answers (KeyError: the questionnaire version is unknown)."""
    questionnaire = questionnaire_for(checkin)
    return scoring.pillar_scores(questionnaire.form_item_ids(checkin.form), answers_of(checkin))


def scores_of(checkin: Checkin) -> dict[str, float | None]:
    """The pillar scores kept with the check-in; derived from its answers when none were kept."""
    if checkin.scores is not None:
        return dict(checkin.scores)
    return scores_from_answers(checkin)


@event.listens_for(Session, "before_flush")
def _score_new_checkins(session: Session, _context, _instances) -> None:
    """Score every new check-in once, from its answers, in the flush that stores it.

    Every way a check-in is made (submit, home visit, demo, tests) passes through here, so the
    caseload and Impact read scores without loading answers.
    """
    if not has_app_context():
        return
    for obj in session.new:
        if isinstance(obj, Checkin) and obj.scores is None:
            try:
                obj.scores = scores_from_answers(obj)
            except KeyError:  # a questionnaire version this installation does not know: stays unscored
                pass


def checkins_of(resident: Resident) -> list[Checkin]:
    """All finished check-ins of a resident with their answers (two queries), newest first."""
    return list(
        db.session.scalars(
            select(Checkin)
            .options(selectinload(Checkin.answers))
            .where(Checkin.resident_id == resident.id)
            .order_by(Checkin.completed_at.desc(), Checkin.id.desc())
        )
    )


def previous_of(checkin: Checkin) -> Checkin | None:
    """The check-in before this one."""
    return db.session.scalar(
        select(Checkin)
        .where(
            Checkin.resident_id == checkin.resident_id,
            or_(
                Checkin.completed_at < checkin.completed_at,
                and_(
                    Checkin.completed_at == checkin.completed_at,
                    Checkin.id < checkin.id,
                ),
            ),
        )
        .order_by(Checkin.completed_at.desc(), Checkin.id.desc())
        .limit(1)
    )
