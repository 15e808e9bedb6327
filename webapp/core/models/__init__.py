"""All models, imported here so Alembic and the app see one metadata."""

from webapp.core.models.activities import (
    ACTIVITY_STATUSES,
    COSTS,
    JOIN_ROUTES,
    LOCATION_KINDS,
    Activity,
    Referral,
)
from webapp.core.models.audit import AuditEvent
from webapp.core.models.checkins import Answer, ChartImage, Checkin, Draft
from webapp.core.models.impact import ImpactRelease
from webapp.core.models.people import (
    ActivationCode,
    CoachRelation,
    RecoveryCode,
    Resident,
    User,
    UserRole,
)

__all__ = [
    "ACTIVITY_STATUSES", "COSTS", "JOIN_ROUTES", "LOCATION_KINDS",
    "Activity", "Referral",
    "ActivationCode", "Answer", "AuditEvent",
    "ChartImage", "CoachRelation", "ImpactRelease", "RecoveryCode", "Draft", "Checkin", "Resident", "User", "UserRole",
]
