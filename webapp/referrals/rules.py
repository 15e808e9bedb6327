"""The referral path: voorgesteld -> aangemeld -> gestart -> afgerond, or gestopt on the way."""

from webapp.core.labels import ReferralStatus

NEXT = {
    ReferralStatus.VOORGESTELD: (ReferralStatus.AANGEMELD, ReferralStatus.GESTOPT),
    ReferralStatus.AANGEMELD: (ReferralStatus.GESTART, ReferralStatus.GESTOPT),
    ReferralStatus.GESTART: (ReferralStatus.AFGEROND, ReferralStatus.GESTOPT),
    ReferralStatus.AFGEROND: (),
    ReferralStatus.GESTOPT: (),
}
NO_NEWS_DAYS = 28  # an open referral without news for four weeks deserves a phone call


def can_move(current: str, new: str) -> bool:
    """Whether a referral may go from `current` to `new` (never back, never past the end)."""
    return new in NEXT.get(current, ())


def parse_rating(raw: str | None) -> int | None:
    """A follow-up answer 1-5, or None when left empty; ValueError for anything else."""
    value = (raw or "").strip()
    if not value:
        return None
    if value not in {"1", "2", "3", "4", "5"}:
        raise ValueError(value)
    return int(value)
