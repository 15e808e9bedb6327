"""Accounts and the people whose data the app holds."""

from datetime import date, datetime

from flask_login import UserMixin
from sqlalchemy import Date, DateTime, ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.core.extensions import db
from webapp.core.labels import COACH_ROLES, STAFF_ROLES, CodePurpose, Role
from webapp.core.models._base import new_public_id, new_resident_number, utcnow


class User(UserMixin, db.Model):
    """A login. Residents are linked to exactly one Resident record; staff have roles."""

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True, default=new_public_id)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    # The main role; a coach may hold both coach roles (see UserRole).
    role: Mapped[str] = mapped_column(String(20), default=Role.BEWONER)
    display_name: Mapped[str | None] = mapped_column(String(100))
    organisation: Mapped[str | None] = mapped_column(String(100))
    phone: Mapped[str | None] = mapped_column(String(40))
    # Residents type this code to share their data with this coach.
    coach_code: Mapped[str | None] = mapped_column(String(16), unique=True)
    is_enabled: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # An optional e-mail address (residents), for a password reset by mail once it is verified.
    email: Mapped[str | None] = mapped_column(String(254))
    email_verified_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The second factor (TOTP): the secret, when its first code was accepted, and the last time step
    # a code was used for, so that no code works twice.
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_confirmed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    totp_last_step: Mapped[int | None]

    resident: Mapped["Resident | None"] = relationship(back_populates="user")
    extra_roles: Mapped[list["UserRole"]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, lazy="selectin"
    )
    recovery_codes: Mapped[list["RecoveryCode"]] = relationship(cascade="all, delete-orphan", passive_deletes=True)
    passkeys: Mapped[list["Passkey"]] = relationship(cascade="all, delete-orphan", passive_deletes=True,
                                                     order_by="Passkey.created_at")

    def get_id(self) -> str:
        """Identify the session by the public id, never the database id."""
        return self.public_id

    @property
    def is_active(self) -> bool:
        return self.is_enabled

    @property
    def roles(self) -> frozenset[str]:
        """Every role this user holds."""
        return frozenset({self.role, *(r.role for r in self.extra_roles)})

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles & set(roles))

    @property
    def is_coach(self) -> bool:
        return self.has_role(*COACH_ROLES)

    @property
    def has_totp(self) -> bool:
        return self.totp_confirmed_at is not None

    @property
    def has_passkey(self) -> bool:
        return bool(self.passkeys)

    @property
    def needs_second_factor(self) -> bool:
        """Staff open health data only with two factors (NEN 7510); residents who turned it on too."""
        return self.has_role(*STAFF_ROLES) or self.has_totp

    @property
    def role_label(self) -> str:
        """Roles as one string for the audit trail, e.g. 'ouderencoach+welzijnscoach'."""
        return "+".join(sorted(self.roles))


class UserRole(db.Model):
    """An extra role, for a coach who works both as ouderencoach and as welzijnscoach."""

    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[str] = mapped_column(String(20), primary_key=True)


class Resident(db.Model):
    """The data subject: a resident, with or without a login of their own."""

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True, default=new_resident_number)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"), unique=True
    )
    display_name: Mapped[str | None] = mapped_column(String(100))
    birth_year: Mapped[int | None]
    wijk: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # How the resident wants to hear that the next check-in is due: "geen" or "email" (verified only).
    reminder: Mapped[str] = mapped_column(String(20), default="geen", server_default="geen")
    # The language the resident used when choosing the reminder: the mail is written in it.
    reminder_locale: Mapped[str | None] = mapped_column(String(10))
    # A phone number the coach recorded for the call list ("Bellijst"); optional.
    phone: Mapped[str | None] = mapped_column(String(30))
    # The form a coach chose for this resident: "eenvoudig" (easy-read, faces) or None (the usual one).
    preferred_form: Mapped[str | None] = mapped_column(String(20))

    user: Mapped[User | None] = relationship(back_populates="resident")
    relations: Mapped[list["CoachRelation"]] = relationship(
        back_populates="resident", cascade="all, delete-orphan", passive_deletes=True
    )


class CoachRelation(db.Model):
    """A coach may see a resident's data: shared by the resident, or enrolled with consent."""

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True, default=new_public_id)
    coach_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("resident.id", ondelete="CASCADE"), index=True)
    origin: Mapped[str] = mapped_column(String(20))  # a RelationOrigin
    consent_date: Mapped[date | None] = mapped_column(Date)
    consent_method: Mapped[str | None] = mapped_column(String(20))
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Who ended it: "coach" (may undo it for 30 days), "bewoner" (stopped sharing), "overgedragen".
    ended_by: Mapped[str | None] = mapped_column(String(20))
    # Set when the beheerder moved the resident from a coach who left: the resident is told.
    moved_from_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    resident: Mapped[Resident] = relationship(back_populates="relations")
    coach: Mapped[User] = relationship(foreign_keys=[coach_id])
    moved_from: Mapped[User | None] = relationship(foreign_keys=[moved_from_id])

    @property
    def is_active(self) -> bool:
        return self.ended_at is None


class _PrintedCode:
    """What a one-time code printed on paper keeps: its hash (never the code), who printed it, until
    when it works and when it was used."""

    id: Mapped[int] = mapped_column(primary_key=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ActivationCode(_PrintedCode, db.Model):
    """A one-time code staff print for a resident: to activate an enrolled resident's own login,
    or to set a new password when the resident forgot theirs (see CodePurpose)."""

    resident_id: Mapped[int] = mapped_column(ForeignKey("resident.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[str] = mapped_column(String(20), default=CodePurpose.ACTIVATIE, server_default="activatie")


class StaffResetCode(_PrintedCode, db.Model):
    """A one-time code the beheerder prints for a staff member who forgot the password. It sets the
    password only: the second factor stays, so the code alone opens no staff account (see
    accounts.service.issue_staff_reset_code for the rules that keep it so)."""

    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)


class RecoveryCode(db.Model):
    """One of ten one-time codes for logging in when the phone with the authenticator app is lost."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Passkey(db.Model):
    """A passkey (WebAuthn credential): log in with a fingerprint, face or the phone's PIN. Only the
    public key is stored; the private key never leaves the resident's device."""

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True, default=new_public_id)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    # The authenticator's credential id, base64url (the browser names the passkey by it).
    credential_id: Mapped[str] = mapped_column(String(1400), unique=True)
    public_key: Mapped[bytes] = mapped_column(LargeBinary)
    sign_count: Mapped[int] = mapped_column(default=0)
    # Where it was added, e.g. "iPhone" or "Android", so the owner can tell two passkeys apart.
    device: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
