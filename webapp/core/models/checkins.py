"""Check-ins: drafts in progress, finished check-ins, their answers and charts."""

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, DateTime, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.core.extensions import db
from webapp.core.labels import CheckinMode
from webapp.core.models._base import new_public_id, utcnow


class Draft(db.Model):
    """A check-in in progress, saved on every step so nothing is lost."""

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True, default=new_public_id)
    resident_id: Mapped[int] = mapped_column(
        ForeignKey("resident.id", ondelete="CASCADE"), index=True
    )
    questionnaire_id: Mapped[str] = mapped_column(String(50))
    questionnaire_version: Mapped[int]
    form: Mapped[str] = mapped_column(String(20))
    # Set when a coach runs the check-in together with the resident (home visit).
    coach_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    life_event: Mapped[str | None] = mapped_column(String(50))
    # When it happened: the first of the month the resident gave, or None for "weet ik niet".
    life_event_on: Mapped[date | None] = mapped_column(Date)
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    talk_items: Mapped[list[str]] = mapped_column(JSON, default=list)
    # The last screen as typed ("Bent u naar ... geweest?"), kept until "Klaar": raw form values.
    followups: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    steps_done: Mapped[int] = mapped_column(default=0)
    # Optimistic locking: two tabs saving at once must not overwrite each other's answers.
    # checkin.service.save_step writes a screen (answers, talk_items, steps_done, updated_at, version)
    # with a Core UPDATE that checks the version itself: no ORM flush, so no attribute events either.
    version: Mapped[int] = mapped_column(default=1, server_default="1")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )

    checkin: Mapped["Checkin | None"] = relationship(back_populates="draft")

    __mapper_args__ = {"version_id_col": version}


class Checkin(db.Model):
    """A finished check-in: raw answers are stored, pillar scores are derived from them and kept."""

    # The first version called a finished check-in a "measurement": the table, its columns and
    # the audit trail keep that name, the code says check-in.
    __tablename__ = "measurement"
    audit_type = "measurement"
    __table_args__ = (Index("ix_measurement_resident_completed", "resident_id", "completed_at"),
                      # The first check-in of all (Impact's periods) without reading every row.
                      Index("ix_measurement_completed_at", "completed_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True, default=new_public_id)
    resident_id: Mapped[int] = mapped_column(ForeignKey("resident.id", ondelete="CASCADE"))
    # Unique: a draft becomes at most one check-in, even when submitted twice at once.
    draft_id: Mapped[int | None] = mapped_column(
        ForeignKey("draft.id", ondelete="SET NULL"), unique=True
    )
    questionnaire_id: Mapped[str] = mapped_column(String(50))
    questionnaire_version: Mapped[int]
    form: Mapped[str] = mapped_column(String(20))
    life_event: Mapped[str | None] = mapped_column(String(50))
    life_event_on: Mapped[date | None] = mapped_column(Date)  # the month it happened; None: not known
    mode: Mapped[str] = mapped_column(String(20), default=CheckinMode.ZELF)  # zelf, samen or papier
    # The coach who did it together with the resident, or who typed in the paper answers.
    coach_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    completed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    plan_important: Mapped[str | None] = mapped_column(Text)
    plan_pillar: Mapped[str | None] = mapped_column(String(20))
    plan_step: Mapped[str | None] = mapped_column(Text)
    plan_helper: Mapped[str | None] = mapped_column(Text)
    plan_saved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    coach_notes: Mapped[str | None] = mapped_column(Text)
    next_checkin_on: Mapped[date | None] = mapped_column(Date)
    rhythm: Mapped[str | None] = mapped_column(String(20))  # "gewoon" (6 weeks) or "waakvlam" (3 months)
    # Who set next_checkin_on: "coach" (agreed at a visit) or "bewoner" (chosen on the result page).
    next_checkin_by: Mapped[str | None] = mapped_column(String(20))
    # Pillar scores {pillar id: score or None}, derived from the answers once, when the check-in is
    # stored (see webapp.core.history); None when its questionnaire version is not known here.
    scores: Mapped[dict[str, float | None] | None] = mapped_column(JSON)
    # The conversation as it is being typed (raw form values), kept until "Gesprek opslaan" or
    # "Plan opslaan": nothing typed is lost when the connection or the session drops.
    conversation_draft: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    draft: Mapped[Draft | None] = relationship(back_populates="checkin")
    answers: Mapped[list["Answer"]] = relationship(
        back_populates="checkin", cascade="all, delete-orphan", passive_deletes=True
    )


class Answer(db.Model):
    """One raw answer: a score 0-10, or None when skipped."""

    __table_args__ = (
        db.UniqueConstraint("measurement_id", "item_id", name="uq_answer_measurement_item"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    checkin_id: Mapped[int] = mapped_column(
        "measurement_id", ForeignKey("measurement.id", ondelete="CASCADE")
    )
    item_id: Mapped[str] = mapped_column(String(50))
    score: Mapped[int | None]
    wants_to_talk: Mapped[bool] = mapped_column(default=False)

    checkin: Mapped[Checkin] = relationship(back_populates="answers")


class ChartImage(db.Model):
    """A drawn spider chart, kept so the same chart is never drawn twice."""

    id: Mapped[int] = mapped_column(primary_key=True)
    cache_key: Mapped[str] = mapped_column(String(200), unique=True)
    checkin_id: Mapped[int] = mapped_column(
        "measurement_id", ForeignKey("measurement.id", ondelete="CASCADE"), index=True
    )
    compare_id: Mapped[int | None] = mapped_column(
        ForeignKey("measurement.id", ondelete="CASCADE"), index=True
    )
    svg: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ChartJob(db.Model):
    """A spider chart to draw outside the request: a check-in was sent while a chart runner is set up
    (CHART_JOBS). `flask draw-charts` claims it, draws the chart the result page shows (this check-in
    against the one before, in the language it was sent in), stores it and deletes the job."""

    __table_args__ = (UniqueConstraint("measurement_id", "locale"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    checkin_id: Mapped[int] = mapped_column("measurement_id", ForeignKey("measurement.id", ondelete="CASCADE"))
    locale: Mapped[str] = mapped_column(String(5))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # Set when a runner takes the job; a claim older than the runner's time-out is taken over.
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    attempts: Mapped[int] = mapped_column(default=0)
