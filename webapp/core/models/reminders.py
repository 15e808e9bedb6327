"""Reminders that went out (or are going out): one row per resident, date and channel."""

from datetime import date, datetime

from sqlalchemy import Date, DateTime, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from webapp.core.extensions import db
from webapp.core.models._base import new_public_id, utcnow


class ReminderSent(db.Model):
    """The claim on one reminder. The unique key (resident, date, channel) is what makes two runs, or
    two nodes at once, send it only once: whoever inserts the row sends, the other skips it.

    Holds no address and no text, only when and how it went ("bezig", "verzonden", "mislukt").
    """

    __tablename__ = "reminder_sent"
    __table_args__ = (UniqueConstraint("resident_id", "due_on", "channel"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("resident.id", ondelete="CASCADE"))
    due_on: Mapped[date] = mapped_column(Date)
    channel: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20))
    attempts: Mapped[int] = mapped_column(default=0)
    claimed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    error: Mapped[str | None] = mapped_column(String(100))  # the error's class name, nothing personal


class ReminderCall(db.Model):
    """A coach ticked "gebeld" on the call list: the resident was called about a due check-in."""

    __tablename__ = "reminder_call"
    audit_type = "reminder_call"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True, default=new_public_id)
    resident_id: Mapped[int] = mapped_column(ForeignKey("resident.id", ondelete="CASCADE"), index=True)
    coach_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    due_on: Mapped[date] = mapped_column(Date)  # the check-in date the call was about
    called_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    note: Mapped[str | None] = mapped_column(String(200))


class PushSubscription(db.Model):
    """A phone (or browser) that gets the resident's reminders as a notification (web push).

    The endpoint is the push service's address for that phone; it belongs to one account only, so a
    phone that a second resident logs in on is refused rather than sent someone else's reminders.
    Holds nothing about the phone besides what a push needs; deleted with the resident.
    """

    __tablename__ = "push_subscription"

    id: Mapped[int] = mapped_column(primary_key=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("resident.id", ondelete="CASCADE"), index=True)
    endpoint: Mapped[str] = mapped_column(String(800), unique=True)
    p256dh: Mapped[str] = mapped_column(String(100))
    auth: Mapped[str] = mapped_column(String(50))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
