"""All models, imported here so Alembic and the app see one metadata."""

from webapp.models.audit import AuditEvent
from webapp.models.checkins import Answer, ChartImage, Draft, Measurement
from webapp.models.people import ROLES, Resident, User

__all__ = ["ROLES", "Answer", "AuditEvent", "ChartImage", "Draft", "Measurement", "Resident", "User"]
