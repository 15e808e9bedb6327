"""Home visits: the next check-in date agreed with the coach.

Starting a visit is the check-in's own draft with a coach (checkin.service.start_draft); the
conversation at the kitchen table is saved with the result (results.service.save_visit).
"""

from datetime import date

from sqlalchemy import select

from webapp.core.extensions import db
from webapp.core.models import Checkin, Resident


def next_checkin(resident: Resident) -> date | None:
    """The next check-in date agreed at the latest check-in that set one."""
    return db.session.scalar(
        select(Checkin.next_checkin_on)
        .where(Checkin.resident_id == resident.id, Checkin.next_checkin_on.is_not(None))
        .order_by(Checkin.completed_at.desc())
        .limit(1)
    )
