"""The sociale kaart: local activities (after Open Referral HSDS, with Dutch fields)."""

from datetime import date, datetime

from sqlalchemy import JSON, Date, DateTime, ForeignKey, String, Text
from sqlalchemy import false as sa_false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.core.extensions import db
from webapp.core.labels import OPEN_REFERRAL_STATUSES, ReferralStatus
from webapp.core.models._base import new_public_id, utcnow

ACTIVITY_STATUSES = ("actief", "gepauzeerd", "gestopt")
COSTS = ("gratis", "bijdrage")
LOCATION_KINDS = ("adres", "thuis", "online")
JOIN_ROUTES = ("zelf", "coach", "huisarts")


class Activity(db.Model):
    """Something that already exists locally and can help: a walking group, an eettafel, a buddy."""

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True, default=new_public_id)
    name: Mapped[str] = mapped_column(String(150))
    organisation: Mapped[str] = mapped_column(String(150))
    organisation_url: Mapped[str | None] = mapped_column(String(255))
    organisation_phone: Mapped[str | None] = mapped_column(String(40))
    organisation_email: Mapped[str | None] = mapped_column(String(150))
    description: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default="actief")
    pillars: Mapped[list[str]] = mapped_column(JSON, default=list)
    life_events: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Only for people after one of those life-events (a carers' café); otherwise for everyone, and
    # the life-events say whom it helps most.
    for_event_only: Mapped[bool] = mapped_column(default=False, server_default=sa_false())
    eligibility: Mapped[str | None] = mapped_column(Text)
    min_age: Mapped[int | None]
    max_age: Mapped[int | None]
    cost: Mapped[str] = mapped_column(String(20), default="gratis")
    cost_cents: Mapped[int | None]
    schedule: Mapped[str | None] = mapped_column(String(200))
    location_kind: Mapped[str] = mapped_column(String(10), default="adres")
    address: Mapped[str | None] = mapped_column(String(150))
    postcode: Mapped[str | None] = mapped_column(String(10))
    city: Mapped[str | None] = mapped_column(String(80))
    wijk: Mapped[str | None] = mapped_column(String(80))
    wheelchair: Mapped[bool] = mapped_column(default=False)
    hearing_loop: Mapped[bool] = mapped_column(default=False)
    public_transport: Mapped[bool] = mapped_column(default=False)
    how_to_join: Mapped[str] = mapped_column(String(20), default="zelf")
    contact_person: Mapped[str | None] = mapped_column(String(100))
    last_verified_on: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)




class Referral(db.Model):
    """A suggestion the resident wants to try: voorgesteld -> aangemeld -> gestart -> afgerond or gestopt."""

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True, default=new_public_id)
    resident_id: Mapped[int] = mapped_column(ForeignKey("resident.id", ondelete="CASCADE"), index=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("activity.id", ondelete="CASCADE"))
    checkin_id: Mapped[int | None] = mapped_column("measurement_id", ForeignKey("measurement.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(20), default=ReferralStatus.VOORGESTELD)
    stop_reason: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # Last news: a status change or a follow-up answer ("no news for four weeks" is a caseload flag).
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    followup_rating: Mapped[int | None]  # 1-5, asked at the next check-in
    followup_text: Mapped[str | None] = mapped_column(Text)
    followup_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    activity: Mapped[Activity] = relationship()

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_REFERRAL_STATUSES
