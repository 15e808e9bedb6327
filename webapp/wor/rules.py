"""Welzijn op Recept, plain rules: the status path, waiting days, and what the verwijzer hears back."""

from dataclasses import dataclass
from datetime import date

from webapp.core.labels import WorSharing, WorStatus

NEXT = {
    WorStatus.ONTVANGEN: (WorStatus.CONTACT_GELEGD, WorStatus.NIET_GESTART),
    WorStatus.CONTACT_GELEGD: (WorStatus.IN_BEGELEIDING, WorStatus.NIET_GESTART),
    WorStatus.IN_BEGELEIDING: (WorStatus.AFGEROND,),
    WorStatus.AFGEROND: (),
    WorStatus.NIET_GESTART: (),
}
OPEN = (WorStatus.ONTVANGEN, WorStatus.CONTACT_GELEGD, WorStatus.IN_BEGELEIDING)
# Before the first conversation the verwijzer sees how far the coach got: the patient agreed to be
# referred. From then on, only what the resident chose (WorSharing).
BEFORE_CONSENT = (WorStatus.ONTVANGEN, WorStatus.CONTACT_GELEGD, WorStatus.NIET_GESTART)


def can_move(current: str, new: str) -> bool:
    """Whether a referral may go from `current` to `new` (never back, never past the end)."""
    return new in NEXT.get(current, ())


def waiting_days(received: date, today: date) -> int:
    """Whole days since the referral came in (0 on the day itself)."""
    return max(0, (today - received).days)


@dataclass(frozen=True)
class Feedback:
    """What the verwijzer may read about one of their own referrals."""

    status: str | None       # a WorStatus, or None when the resident chose no feedback
    not_started: str | None  # a WorNotStarted, only with status NIET_GESTART
    note: str | None         # only when the resident agreed to a short note
    withheld: bool           # the resident chose that the verwijzer hears nothing more


def feedback(status: str, sharing: str | None, not_started: str | None, note: str | None) -> Feedback:
    """The status and, only with the resident's choice, a short note; never answers or scores."""
    if status in BEFORE_CONSENT:
        return Feedback(status, not_started if status == WorStatus.NIET_GESTART else None, None, False)
    if sharing == WorSharing.STATUS:
        return Feedback(status, None, None, False)
    if sharing == WorSharing.STATUS_NOTITIE:
        return Feedback(status, None, (note or None), False)
    return Feedback(None, None, None, True)
