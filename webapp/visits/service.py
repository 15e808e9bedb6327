"""Home visits: the long check-in started by a coach, the conversation, and the next check-in date."""

from datetime import date, timedelta

from sqlalchemy import select

from webapp.core import audit
from webapp.core.extensions import db
from webapp.core.models import Measurement, Resident
from webapp.results.service import save_plan

RHYTHM_WEEKS = {"gewoon": 6, "waakvlam": 13}  # 13 weeks: the low-frequency "waakvlam" contact


def save_visit(resident: Resident, measurement: Measurement, values: dict, today: date) -> None:
    """The home-visit conversation: the plan plus the coach's notes and the next check-in date."""
    save_plan(resident, measurement, values)
    measurement.coach_notes = values.get("coach_notes") or None
    measurement.rhythm = values.get("rhythm") or "gewoon"
    measurement.next_checkin_on = values.get("next_checkin_on") or (
        today + timedelta(weeks=RHYTHM_WEEKS[measurement.rhythm])
    )
    db.session.flush()
    audit.record("visit.update", resident, measurement)


def next_checkin(resident: Resident) -> date | None:
    """The next check-in date agreed at the latest check-in that set one."""
    return db.session.scalar(
        select(Measurement.next_checkin_on)
        .where(Measurement.resident_id == resident.id, Measurement.next_checkin_on.is_not(None))
        .order_by(Measurement.completed_at.desc())
        .limit(1)
    )
