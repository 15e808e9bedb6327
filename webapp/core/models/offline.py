"""A home visit prepared for a tablet without network: one row per visit, one check-in at most."""

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from webapp.core.extensions import db
from webapp.core.models._base import new_public_id, utcnow


class OfflineVisit(db.Model):
    """The visit key the server handed out with a visit bundle, and what became of it.

    The public id is the check-in's idempotency key: the device sends it with the answers, and the
    upload first claims the row (sent_at from NULL to now, one UPDATE) before it makes the check-in.
    A retry, a reload, a second tab or a second device that got the same key finds the claim taken
    and makes nothing; checkin_id is unique, so one visit never points at two check-ins. Holds no
    answers and no encryption key: those live only on the device.
    """

    __tablename__ = "offline_visit"
    audit_type = "offline_visit"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True, default=new_public_id)
    resident_id: Mapped[int] = mapped_column(ForeignKey("resident.id", ondelete="CASCADE"), index=True)
    coach_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    questionnaire_id: Mapped[str] = mapped_column(String(50))
    questionnaire_version: Mapped[int]
    form: Mapped[str] = mapped_column(String(20))
    prepared_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    checkin_id: Mapped[int | None] = mapped_column(
        ForeignKey("measurement.id", ondelete="SET NULL"), unique=True
    )
