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
from webapp.core.models.checkins import Answer, ChartImage, ChartJob, Checkin, Draft
from webapp.core.models.impact import ImpactRelease
from webapp.core.models.offline import OfflineVisit
from webapp.core.models.people import (
    ActivationCode,
    CoachRelation,
    Passkey,
    RecoveryCode,
    Resident,
    StaffResetCode,
    User,
    UserRole,
)
from webapp.core.models.reminders import PushSubscription, ReminderCall, ReminderSent
from webapp.core.models.sessions import LoginSession
from webapp.core.models.summaries import ResidentSummary
from webapp.core.models.wor import WorContactAttempt, WorPractice, WorPrice, WorReferral

__all__ = [
    "ACTIVITY_STATUSES", "COSTS", "JOIN_ROUTES", "LOCATION_KINDS",
    "Activity", "Referral",
    "ActivationCode", "Answer", "AuditEvent",
    "ChartImage", "ChartJob", "CoachRelation", "ImpactRelease", "LoginSession", "Passkey", "RecoveryCode", "Draft",
    "Checkin",
    "OfflineVisit", "PushSubscription",
    "ReminderCall", "ReminderSent", "Resident", "ResidentSummary", "StaffResetCode", "User", "UserRole",
    "WorContactAttempt", "WorPractice", "WorPrice", "WorReferral",
]
