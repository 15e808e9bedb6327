"""Who needs attention now? Flags, sorting and filtering of a coach's caseload, as plain values."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from webapp.core import scoring
from webapp.core.questionnaires import NO_LIFE_EVENT
from webapp.core.scoring import WORTH_DISCUSSING
from webapp.reminders.rules import next_checkin

FLAG_DROP = "daling"        # a pillar dropped 2 points or more since the check-in before
FLAG_TALK = "praten"        # items marked "hier wil ik over praten" at the latest check-in
FLAG_OVERDUE = "te_laat"    # no check-in for longer than planned
FLAG_NO_NEWS = "geen_nieuws"  # a referral without news for more than four weeks
FLAG_VERY_LOW = "erg_laag"    # a very low score on how one feels or on meaning (the safety net)
FLAGS = (FLAG_VERY_LOW, FLAG_DROP, FLAG_TALK, FLAG_OVERDUE, FLAG_NO_NEWS)
SORTS = ("aandacht", "naam", "laatste", "volgende", "daling")


@dataclass
class Row:
    """One resident on the caseload page."""

    resident_public_id: str
    name: str
    wijk: str | None
    life_event: str | None
    last_checkin: date | None
    due: date | None
    changes: dict[str, float | None] = field(default_factory=dict)
    talk_count: int = 0
    flags: set[str] = field(default_factory=set)
    coaches: dict[str, str] = field(default_factory=dict)  # every coach following: public id -> name


def flags_for(changes: dict[str, float | None], talk_count: int, due: date, today: date,
              quiet_referrals: int = 0, very_low: bool = False) -> set[str]:
    """The reasons this resident may need attention now (rules of thumb, not a diagnosis)."""
    flags = {FLAG_NO_NEWS} if quiet_referrals else set()
    if very_low:
        flags.add(FLAG_VERY_LOW)
    if any(change is not None and change <= -WORTH_DISCUSSING for change in changes.values()):
        flags.add(FLAG_DROP)
    if talk_count:
        flags.add(FLAG_TALK)
    if due < today:
        flags.add(FLAG_OVERDUE)
    return flags


@dataclass(frozen=True)
class Latest:
    """The facts of a resident's latest check-in that the caseload needs."""

    day: date  # its local date
    life_event: str | None
    planned: date | None  # next_checkin_on
    planned_by: str | None  # next_checkin_by
    scores: Mapping[str, float | None]
    talk_count: int


@dataclass(frozen=True)
class Summary:
    """What the caseload keeps per resident (the ResidentSummary row), independent of today."""

    last_checkin_on: date | None
    due_on: date
    life_event: str | None
    changes: dict[str, float | None]
    largest_drop: float
    has_drop: bool
    talk_count: int
    is_very_low: bool
    oldest_open_news_at: datetime | None


def summarise(latest: Latest | None, previous_scores: Mapping[str, float | None] | None, since: date,
              life_event: str | None, oldest_open_news_at: datetime | None,
              very_low_pillars: Sequence[str] = (), very_low_threshold: float | None = None) -> Summary:
    """A resident's summary from their latest check-in, the scores of the one before, the day their
    account began, their latest named life-event and the oldest news of their open referrals."""
    due = next_checkin(latest.day if latest else None, latest.life_event if latest else None,
                       latest.planned if latest else None, latest.planned_by if latest else None, since).on
    scores = dict(latest.scores) if latest else {}
    changes = scoring.changes(scores, previous_scores) if latest and previous_scores is not None else {}
    fallen = [change for change in changes.values() if change is not None]
    very_low = very_low_threshold is not None and bool(scoring.very_low(scores, very_low_pillars, very_low_threshold))
    return Summary(
        last_checkin_on=latest.day if latest else None, due_on=due, life_event=life_event, changes=changes,
        largest_drop=min(fallen, default=0.0),
        has_drop=any(change <= -WORTH_DISCUSSING for change in fallen),
        talk_count=latest.talk_count if latest else 0, is_very_low=very_low,
        oldest_open_news_at=oldest_open_news_at,
    )


def flags_of(summary, today: date, news_cutoff: datetime) -> set[str]:
    """The flags of a kept summary today: the same rules as flags_for, with late and no-news decided now.

    `news_cutoff`: open referrals with news older than this count as without news.
    """
    flags = set()
    if summary.is_very_low:
        flags.add(FLAG_VERY_LOW)
    if summary.has_drop:
        flags.add(FLAG_DROP)
    if summary.talk_count:
        flags.add(FLAG_TALK)
    if summary.due_on < today:
        flags.add(FLAG_OVERDUE)
    if summary.oldest_open_news_at is not None and summary.oldest_open_news_at < news_cutoff:
        flags.add(FLAG_NO_NEWS)
    return flags


def filter_rows(rows: list[Row], flag: str | None = None, life_event: str | None = None,
                wijk: str | None = None, coach: str | None = None, name: str | None = None) -> list[Row]:
    """Filter the caseload; `name` finds residents whose name holds every typed word (any case)."""
    words = (name or "").casefold().split()
    return [
        row for row in rows
        if (not flag or flag in row.flags)
        and (not life_event or row.life_event == life_event)
        and (not wijk or (row.wijk or "").casefold() == wijk.casefold())
        and (not coach or coach in row.coaches)
        and all(word in row.name.casefold() for word in words)
    ]


@dataclass
class ReferralRow:
    """One activity a resident this coach follows is trying, on the referrals overview."""

    referral_public_id: str
    resident_public_id: str
    resident_name: str
    activity_name: str
    status: str
    since: date
    last_news: date
    quiet: bool                      # open, and no news for four weeks
    rating: int | None = None        # "hoe was het?" 1-5
    followup: str | None = None


REFERRAL_FILTERS = ("open", "zonder_nieuws", "afgelopen", "alles")


def filter_referrals(rows: list[ReferralRow], which: str, open_statuses: frozenset[str]) -> list[ReferralRow]:
    """Open ones (the default), quiet ones, finished ones, or all; oldest news first."""
    chosen = {
        "open": [r for r in rows if r.status in open_statuses],
        "zonder_nieuws": [r for r in rows if r.quiet],
        "afgelopen": [r for r in rows if r.status not in open_statuses],
    }.get(which, rows)
    return sorted(chosen, key=lambda r: (r.last_news, r.resident_name.casefold()))


def sort_rows(rows: list[Row], sort: str) -> list[Row]:
    """Sort; the default puts the residents with the most reasons for attention first."""
    far = date.max
    if sort == "naam":
        return sorted(rows, key=lambda r: r.name.casefold())
    if sort == "laatste":
        return sorted(rows, key=lambda r: (r.last_checkin is not None, r.last_checkin or date.min), reverse=True)
    if sort == "volgende":
        return sorted(rows, key=lambda r: (r.due or far, r.name.casefold()))
    if sort == "daling":  # the largest drop in any pillar first
        return sorted(rows, key=lambda r: (min((c for c in r.changes.values() if c is not None), default=0.0),
                                           r.name.casefold()))
    return sorted(rows, key=lambda r: (-len(r.flags), r.due or far, r.name.casefold()))


def call_list(rows: list[Row], today: date) -> list[Row]:
    """The "bellijst": who is overdue, then who is due from today to Sunday; earliest date first."""
    week_end = today + timedelta(days=6 - today.weekday())
    due = [row for row in rows if row.due is not None and row.due <= week_end]
    return sorted(due, key=lambda r: (r.due, r.name.casefold()))


def paginate(rows: list, page: int, per_page: int = 25) -> tuple[list, int, int]:
    """Return (rows on this page, this page number, number of pages)."""
    pages = max(1, -(-len(rows) // per_page))
    page = min(max(1, page), pages)
    return rows[(page - 1) * per_page: page * per_page], page, pages


@dataclass
class Entry:
    checkin: object
    life_event: str | None       # the life-event this check-in follows (the latest one reported)
    weeks_since_event: int | None


def timeline(checkins: list) -> list[Entry]:
    """Newest first. A life-event counts from the month the resident said it happened, or else
    from the check-in where it was first reported."""
    entries = []
    current_event, happened = None, None
    for checkin in sorted(checkins, key=lambda m: (m.completed_at, m.id)):
        if checkin.life_event not in (None, NO_LIFE_EVENT, current_event):
            current_event = checkin.life_event
            happened = getattr(checkin, "life_event_on", None) or checkin.completed_at.date()
        weeks = max(0, (checkin.completed_at.date() - happened).days // 7) if happened else None
        entries.append(Entry(checkin, current_event, weeks))
    return list(reversed(entries))
