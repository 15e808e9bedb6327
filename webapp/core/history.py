"""A resident's finished check-ins as every feature reads them: newest first, with their pillar scores."""

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import selectinload

from webapp.core import scoring
from webapp.core.definitions import questionnaire_for
from webapp.core.extensions import db
from webapp.core.models import Checkin, Resident


def answers_of(checkin: Checkin) -> dict[str, int | None]:
    return {a.item_id: a.score for a in checkin.answers}


def scores_of(checkin: Checkin) -> dict[str, float | None]:
    """Derive the pillar scores from the stored raw answers."""
    questionnaire = questionnaire_for(checkin)
    return scoring.pillar_scores(questionnaire.form_item_ids(checkin.form), answers_of(checkin))


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
