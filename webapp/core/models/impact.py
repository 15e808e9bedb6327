"""Released Impact figures: kept, so the same question gets the same noisy answer."""

from datetime import datetime

from sqlalchemy import DateTime, Float, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from webapp.core.extensions import db
from webapp.core.models._base import utcnow


class ImpactRelease(db.Model):
    """One differentially private release: noisy tallies only, never an exact figure or a resident.

    Its epsilon counts against the month's privacy budget; the sum over a month's rows is what
    the Impact page spent that month.
    """

    __table_args__ = (UniqueConstraint("month", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[str] = mapped_column(String(7), index=True)  # YYYY-MM, in UTC: the budget's period
    key: Mapped[str] = mapped_column(String(40))  # "wijken", or "periode:2026-K3" / "periode:alles"
    epsilon: Mapped[float] = mapped_column(Float)
    payload: Mapped[str] = mapped_column(Text)  # JSON
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
