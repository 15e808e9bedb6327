"""What the caseload shows per resident, kept current on every change instead of derived per page."""

from datetime import date, datetime

from sqlalchemy import JSON, Date, DateTime, Float, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from webapp.core.extensions import db
from webapp.core.models._base import utcnow


class ResidentSummary(db.Model):
    """One row per resident: dates, changes and the facts behind the caseload's flags.

    Written in the same transaction as the check-in, plan, next date or referral it follows from
    (webapp/caseload/summaries.py); `rebuild` recomputes every row from scratch. Flags that depend
    on today (late, no news) are decided when the page is read, from the dates kept here.
    """

    resident_id: Mapped[int] = mapped_column(ForeignKey("resident.id", ondelete="CASCADE"), primary_key=True)
    last_checkin_on: Mapped[date | None] = mapped_column(Date)  # local date of the latest check-in
    due_on: Mapped[date] = mapped_column(Date, index=True)  # the next check-in (reminders.rules.next_checkin)
    life_event: Mapped[str | None] = mapped_column(String(50))  # the latest life-event reported
    changes: Mapped[dict[str, float | None]] = mapped_column(JSON, default=dict)  # per pillar since the one before
    largest_drop: Mapped[float] = mapped_column(Float, default=0.0)  # the lowest change, 0 when none fell
    has_drop: Mapped[bool] = mapped_column(default=False)  # a pillar fell two points or more
    talk_count: Mapped[int] = mapped_column(default=0)  # "hier wil ik over praten" at the latest check-in
    is_very_low: Mapped[bool] = mapped_column(default=False)  # the safety net's rule at the latest check-in
    oldest_open_news_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # of open referrals
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)
