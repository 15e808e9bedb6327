"""A resident's finished check-ins as every feature reads them: newest first, with their pillar scores."""

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import selectinload

from webapp.core import scoring
from webapp.core.definitions import questionnaire_for
from webapp.core.extensions import db
from webapp.core.models import Measurement, Resident


def answers_of(measurement: Measurement) -> dict[str, int | None]:
    return {a.item_id: a.score for a in measurement.answers}


def scores_of(measurement: Measurement) -> dict[str, float | None]:
    """Derive the pillar scores from the stored raw answers."""
    questionnaire = questionnaire_for(measurement)
    return scoring.pillar_scores(questionnaire.form_item_ids(measurement.form), answers_of(measurement))


def measurements_of(resident: Resident) -> list[Measurement]:
    """All finished check-ins of a resident with their answers (two queries), newest first."""
    return list(
        db.session.scalars(
            select(Measurement)
            .options(selectinload(Measurement.answers))
            .where(Measurement.resident_id == resident.id)
            .order_by(Measurement.completed_at.desc(), Measurement.id.desc())
        )
    )


def previous_of(measurement: Measurement) -> Measurement | None:
    """The check-in before this one."""
    return db.session.scalar(
        select(Measurement)
        .where(
            Measurement.resident_id == measurement.resident_id,
            or_(
                Measurement.completed_at < measurement.completed_at,
                and_(
                    Measurement.completed_at == measurement.completed_at,
                    Measurement.id < measurement.id,
                ),
            ),
        )
        .order_by(Measurement.completed_at.desc(), Measurement.id.desc())
        .limit(1)
    )
