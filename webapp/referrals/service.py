"""Referrals: the resident (or their coach) tries a suggested activity; status and follow-up."""

from datetime import datetime, timedelta

from sqlalchemy import select

from webapp.core import audit, clock
from webapp.core.extensions import db
from webapp.core.labels import OPEN_REFERRAL_STATUSES, ReferralStatus
from webapp.core.models import Activity, Checkin, Referral, Resident, User
from webapp.core.models._base import as_utc
from webapp.referrals.rules import NO_NEWS_DAYS, can_move


class ReferralError(ValueError):
    """A status change that is not allowed, or a stop without a reason."""


def referrals_of(resident: Resident) -> list[Referral]:
    return list(db.session.scalars(
        select(Referral).where(Referral.resident_id == resident.id).order_by(Referral.created_at.desc())
    ))


def open_referrals(resident: Resident) -> list[Referral]:
    return [r for r in referrals_of(resident) if r.status in OPEN_REFERRAL_STATUSES]


def propose(resident: Resident, activity: Activity, checkin: Checkin | None, by: User) -> Referral:
    """"Dit wil ik proberen": one open referral per activity, however often it is tapped."""
    for referral in open_referrals(resident):
        if referral.activity_id == activity.id:
            return referral
    referral = Referral(resident_id=resident.id, activity_id=activity.id,
                        checkin_id=checkin.id if checkin else None, created_by_id=by.id,
                        updated_at=clock.now())
    db.session.add(referral)
    db.session.flush()
    audit.record("referral.create", resident, referral)
    return referral


def change_status(resident: Resident, referral: Referral, new: str, reason: str | None) -> None:
    if not can_move(referral.status, new):
        raise ReferralError(new)
    if new == ReferralStatus.GESTOPT and not (reason or "").strip():
        raise ReferralError("reason")
    referral.status = new
    if new == ReferralStatus.GESTOPT:
        referral.stop_reason = (reason or "").strip()[:1000]
    referral.updated_at = clock.now()
    db.session.flush()
    audit.record("referral.update", resident, referral)


def save_followup(resident: Resident, referral: Referral, rating: int | None, text: str | None) -> None:
    """The answer to "Bent u naar ... geweest? Hoe was het?" at the next check-in."""
    if rating is None and not (text or "").strip():
        return
    referral.followup_rating = rating
    referral.followup_text = (text or "").strip()[:1000] or None
    referral.followup_at = referral.updated_at = clock.now()
    db.session.flush()
    audit.record("referral.followup", resident, referral)


def without_news(updated_at: datetime, now: datetime) -> bool:
    return as_utc(updated_at) < now - timedelta(days=NO_NEWS_DAYS)
