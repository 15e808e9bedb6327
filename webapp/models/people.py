"""Accounts and the people whose data the app holds."""

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.extensions import db
from webapp.models._base import new_public_id, utcnow

ROLES = ("bewoner", "ouderencoach", "welzijnscoach", "beheerder")


class User(UserMixin, db.Model):
    """A login. Residents are linked to exactly one Resident record."""

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True, default=new_public_id)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20), default="bewoner")
    is_enabled: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    resident: Mapped["Resident | None"] = relationship(back_populates="user")

    def get_id(self) -> str:
        """Identify the session by the public id, never the database id."""
        return self.public_id

    @property
    def is_active(self) -> bool:
        return self.is_enabled


class Resident(db.Model):
    """The data subject: a resident, with or without a login of their own."""

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True, default=new_public_id)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"), unique=True
    )
    display_name: Mapped[str | None] = mapped_column(String(100))
    birth_year: Mapped[int | None]
    wijk: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    user: Mapped[User | None] = relationship(back_populates="resident")
