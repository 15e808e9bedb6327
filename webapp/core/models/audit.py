"""The audit trail: append-only, pseudonymous ids only."""

from datetime import datetime

from sqlalchemy import DateTime, String
from sqlalchemy.orm import Mapped, mapped_column

from webapp.core.extensions import db
from webapp.core.models._base import utcnow


class AuditEvent(db.Model):
    """Who did what to whose data, when and from where. Never edited or deleted by the app."""

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    actor_public_id: Mapped[str | None] = mapped_column(String(32))
    actor_role: Mapped[str | None] = mapped_column(String(60))
    action: Mapped[str] = mapped_column(String(40))
    resident_public_id: Mapped[str | None] = mapped_column(String(32), index=True)
    object_type: Mapped[str | None] = mapped_column(String(40))
    object_public_id: Mapped[str | None] = mapped_column(String(32))
    ip: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(255))
