"""Welzijn op Recept: a verwijzer refers a patient to the welzijnscoaches, and hears back."""

from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.core.extensions import db
from webapp.core.labels import WorStatus
from webapp.core.models._base import new_public_id, utcnow


class WorReferral(db.Model):
    """A referral from the GP practice: only what a welzijnscoach needs to call the person.

    The free text is health-adjacent: only the verwijzer who made it and the organisation's
    welzijnscoaches see it (webapp/core/permissions.py). The verwijzer hears back only what the
    resident chose at the first conversation (`sharing`).
    """

    audit_type = "wor_referral"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True, default=new_public_id)
    referrer_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    # Sent through a practice's referral link with its practice code (no account): the practice is the
    # source, nobody is its maker (referrer_id stays empty), and the reference is what the practice quotes.
    practice_id: Mapped[int | None] = mapped_column(ForeignKey("wor_practice.id", ondelete="SET NULL"), index=True)
    reference: Mapped[str | None] = mapped_column(String(20), unique=True)
    patient_name: Mapped[str] = mapped_column(String(100))
    contact: Mapped[str] = mapped_column(String(100))
    reason: Mapped[str] = mapped_column(Text)
    life_event: Mapped[str | None] = mapped_column(String(40))
    urgency: Mapped[str] = mapped_column(String(20))  # a WorUrgency
    status: Mapped[str] = mapped_column(String(20), default=WorStatus.ONTVANGEN)
    not_started_reason: Mapped[str | None] = mapped_column(String(20))  # a WorNotStarted
    coach_note: Mapped[str | None] = mapped_column(Text)  # for coaches only, e.g. why it did not start
    coach_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    resident_id: Mapped[int | None] = mapped_column(ForeignKey("resident.id", ondelete="CASCADE"), index=True)
    sharing: Mapped[str | None] = mapped_column(String(20))  # a WorSharing, chosen by the resident
    feedback_note: Mapped[str | None] = mapped_column(String(300))  # only shown with WorSharing.STATUS_NOTITIE
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    picked_up_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # At the close (afgerond), in a few taps: did things improve (a WorImproved), roughly how many hours
    # of coaching it took, and what the coach judges was avoided or postponed (price list ids, or
    # ["weet_niet"]). Words only for the verwijzer; the hours and avoided items only in the figures.
    improved: Mapped[str | None] = mapped_column(String(20))
    coaching_hours: Mapped[int | None] = mapped_column(Integer)
    avoided: Mapped[list[str] | None] = mapped_column(JSON)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)

    attempts: Mapped[list["WorContactAttempt"]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, order_by="WorContactAttempt.at")


class WorPractice(db.Model):
    """A huisartsenpraktijk or wijkteam that refers through the public referral link with its practice code.

    The code is shown once when made or renewed, like a password; only its hash is kept. A practice
    is switched off, never deleted, so its referrals keep their source.
    """

    audit_type = "wor_practice"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True, default=new_public_id)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    kind: Mapped[str] = mapped_column(String(20))  # a WorPracticeKind
    code_hash: Mapped[str] = mapped_column(String(64))
    code_set_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class WorContactAttempt(db.Model):
    """One try of the welzijnscoach to reach the referred person."""

    id: Mapped[int] = mapped_column(primary_key=True)
    referral_id: Mapped[int] = mapped_column(ForeignKey("wor_referral.id", ondelete="CASCADE"), index=True)
    coach_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    outcome: Mapped[str] = mapped_column(String(20))  # a WorAttemptOutcome
    note: Mapped[str | None] = mapped_column(String(300))


class WorPrice(db.Model):
    """The beheerder's amount and source for one line of the Rendementsmeter's price list; it overrides
    webapp/data/rendement.yaml for that line (the file keeps the names, units and ids)."""

    item_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    low: Mapped[int] = mapped_column(Integer)
    high: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(300))
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
