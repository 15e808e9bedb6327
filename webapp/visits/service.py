"""Home visits: where the coach goes on after taking the tablet back."""

from sqlalchemy import select

from webapp.core.definitions import VISIT_FORM
from webapp.core.extensions import db
from webapp.core.labels import EASY_FORMS
from webapp.core.models import Checkin, Draft, Resident


def visit_form(resident: Resident) -> str:
    """The form for a check-in together, online or without network: the long one, or the easy-read
    one the coach chose for this resident."""
    return resident.preferred_form if resident.preferred_form in EASY_FORMS else VISIT_FORM


def checkin_of_draft(draft_public_id: str) -> Checkin | None:
    """The finished check-in of a home-visit draft ("Klaar" was tapped), if there is one yet."""
    return db.session.scalar(select(Checkin).join(Draft, Draft.id == Checkin.draft_id)
                             .where(Draft.public_id == draft_public_id))


def resident_of_draft(draft_public_id: str) -> Resident | None:
    """The resident whose check-in this draft is (None when the draft was thrown away)."""
    return db.session.scalar(select(Resident).join(Draft, Draft.resident_id == Resident.id)
                             .where(Draft.public_id == draft_public_id))
