"""Gather the rows behind the organisation figures; the arithmetic lives in domain/impact.py."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from flask_babel import format_decimal
from flask_babel import gettext as _
from sqlalchemy import select

from webapp.catalogue import questionnaire_for
from webapp.domain import impact, scoring
from webapp.domain.impact import Checkin, Estimate
from webapp.extensions import db
from webapp.models import Activity, Answer, Measurement, Referral, Resident
from webapp.models._base import as_utc

OUTCOMES = ("aangemeld", "gestart", "afgerond", "gestopt")
NO_EVENT = "geen"


@dataclass(frozen=True)
class Filters:
    start: date | None = None  # first day, inclusive, in the organisation's time zone
    end: date | None = None  # last day, inclusive
    wijk: str | None = None


@dataclass
class Figures:
    """Everything on the Impact page: counts are None and estimates suppressed below ten residents."""

    pillars: list[str]
    months: list[tuple[str, int | None]]  # (YYYY-MM, check-ins) — hidden when fewer than ten residents
    residents: int | None  # residents with a check-in
    by_event: list[tuple[str, int | None]]  # (life-event id, residents)
    change: dict[str, Estimate]  # per pillar, first -> latest check-in
    change_residents: int | None  # residents with two or more check-ins
    change_by_event: list[tuple[str, dict[str, Estimate]]] = field(default_factory=list)
    change_by_activity: list[tuple[str, dict[str, Estimate]]] = field(default_factory=list)
    outcomes: list[tuple[str, int | None]] = field(default_factory=list)  # (status, residents)
    referred: int | None = None


def wijken() -> list[str]:
    """The wijken residents live in, for the filter (names of areas, not of people)."""
    return sorted(w for w in db.session.scalars(select(Resident.wijk).distinct()) if w)


def _bounds(filters: Filters, timezone) -> tuple[datetime | None, datetime | None]:
    start = datetime.combine(filters.start, time.min, timezone) if filters.start else None
    end = datetime.combine(filters.end + timedelta(days=1), time.min, timezone) if filters.end else None
    return start, end


def _within(column, filters: Filters, timezone):
    start, end = _bounds(filters, timezone)
    conditions = []
    if start is not None:
        conditions.append(column >= start)
    if end is not None:
        conditions.append(column < end)
    if filters.wijk:
        conditions.append(Resident.wijk == filters.wijk)
    return conditions


def _checkins(filters: Filters, timezone) -> tuple[list[Checkin], dict]:
    """Every finished check-in in the period and wijk, not yet scored, and its row by key."""
    rows = db.session.execute(
        select(Measurement.id, Measurement.resident_id, Measurement.completed_at, Measurement.life_event,
               Measurement.form, Measurement.questionnaire_id, Measurement.questionnaire_version)
        .join(Resident, Resident.id == Measurement.resident_id)
        .where(*_within(Measurement.completed_at, filters, timezone))
    ).all()
    checkins = [Checkin(key=row.id, resident=row.resident_id, at=as_utc(row.completed_at).astimezone(timezone),
                        life_event=row.life_event, scores={}) for row in rows]
    return checkins, {row.id: row for row in rows}


def _score(needed: Iterable[Checkin], rows: dict) -> None:
    """Fill in the pillar scores of only the check-ins the figures compare, from their raw answers."""
    wanted = {checkin.key: checkin for checkin in needed}
    keys = sorted(wanted)
    answers: dict[int, dict[str, int | None]] = {key: {} for key in keys}
    for start in range(0, len(keys), 500):  # stay under every database's parameter limit
        for measurement_id, item_id, score in db.session.execute(
                select(Answer.measurement_id, Answer.item_id, Answer.score)
                .where(Answer.measurement_id.in_(keys[start:start + 500]))):
            answers[measurement_id][item_id] = score
    for key, checkin in wanted.items():
        row = rows[key]
        checkin.scores.update(scoring.pillar_scores(questionnaire_for(row).form_item_ids(row.form), answers[key]))


def _first_named_events(residents: list[int]) -> dict[int, str]:
    """Per resident: the life-event of their earliest check-in that named one."""
    named: dict[int, str] = {}
    for start in range(0, len(residents), 500):  # stay under every database's parameter limit
        for resident, event in db.session.execute(
                select(Measurement.resident_id, Measurement.life_event)
                .where(Measurement.resident_id.in_(residents[start:start + 500]),
                       Measurement.life_event.is_not(None), Measurement.life_event != NO_EVENT)
                .order_by(Measurement.completed_at.desc())):
            named[resident] = event  # newest first, so the earliest is written last
    return named


def _referrals(filters: Filters, timezone) -> list[tuple[int, str, str, datetime]]:
    """(resident, activity name, status, referred at) for referrals made in the period and wijk."""
    rows = db.session.execute(
        select(Referral.resident_id, Activity.name, Activity.organisation, Referral.status, Referral.created_at)
        .join(Activity, Activity.id == Referral.activity_id)
        .join(Resident, Resident.id == Referral.resident_id)
        .where(*_within(Referral.created_at, filters, timezone))
    ).all()
    return [(r.resident_id, f"{r.name} ({r.organisation})", r.status, as_utc(r.created_at).astimezone(timezone))
            for r in rows]


def figures(filters: Filters, pillars: list[str], event_ids: list[str], timezone) -> Figures:
    """Compute every figure on the Impact page for this period and wijk."""
    checkins, rows = _checkins(filters, timezone)
    by_resident: dict[int, list[Checkin]] = {}
    for checkin in sorted(checkins, key=lambda c: c.at):
        by_resident.setdefault(checkin.resident, []).append(checkin)

    # Check-ins per month, hidden where fewer than ten residents checked in that month.
    months = _months(checkins)

    # Residents by the life-event that brought them in: the first one they named, in any check-in.
    named = _first_named_events(list(by_resident))
    first_event = {resident: named.get(resident, NO_EVENT) for resident in by_resident}
    event_counts = {event: 0 for event in event_ids}
    for event in first_event.values():
        event_counts[event] = event_counts.get(event, 0) + 1
    shown_events = impact.suppress_counts(event_counts)

    # Referrals: outcomes, and each referred resident's check-ins just before and after.
    outcome_residents: dict[str, set[int]] = {status: set() for status in OUTCOMES}
    activity_pairs: dict[str, dict[int, tuple[Checkin, Checkin]]] = {}
    for resident, activity, status, at in _referrals(filters, timezone):
        if status not in outcome_residents:
            continue  # only suggested: not referred yet
        outcome_residents[status].add(resident)
        activity_pairs.setdefault(activity, {})
        pair = impact.around(by_resident.get(resident, []), at)
        if pair is not None and resident not in activity_pairs[activity]:
            activity_pairs[activity][resident] = pair
    referred = {resident for residents in outcome_residents.values() for resident in residents}

    pairs = impact.first_and_latest(checkins)
    _score([c for pair in [*pairs.values(), *(p for group in activity_pairs.values() for p in group.values())]
            for c in pair], rows)
    change_by_event = []
    for event in event_counts:
        group = [pair for resident, pair in pairs.items() if first_event[resident] == event]
        change_by_event.append((event, impact.change_per_pillar(group, pillars)))

    return Figures(
        pillars=pillars,
        months=months,
        residents=impact.total({"all": len(by_resident)}),
        by_event=list(shown_events.items()),
        change=impact.change_per_pillar(pairs.values(), pillars),
        change_residents=impact.total({"all": len(pairs)}),
        change_by_event=change_by_event,
        change_by_activity=[(name, impact.change_per_pillar(activity_pairs[name].values(), pillars))
                            for name in sorted(activity_pairs, key=str.casefold)],
        outcomes=list(impact.suppress_counts({s: len(r) for s, r in outcome_residents.items()},
                                             with_total=False).items()),
        referred=impact.total({"all": len(referred)}),
    )


def _months(checkins: list[Checkin]) -> list[tuple[str, int | None]]:
    residents: dict[str, set[int]] = {}
    counts: dict[str, int] = {}
    for checkin in checkins:
        key = impact.month_key(checkin.at)
        residents.setdefault(key, set()).add(checkin.resident)
        counts[key] = counts.get(key, 0) + 1
    if not counts:
        return []
    # From the first to the last month with check-ins: months in between show even when empty.
    first, last = min(counts), max(counts)
    return [(key, counts[key] if len(residents.get(key, ())) >= impact.MIN_GROUP else None)
            for key in impact.months_between(first, last)]


@dataclass(frozen=True)
class Labels:
    """Names in the reader's language for everything the figures refer to by id."""

    months: dict[str, str]
    pillars: dict[str, str]
    events: dict[str, str]
    outcomes: dict[str, str]


def csv_rows(data: Figures, labels: Labels) -> tuple[list[str], list[list]]:
    """The figures of the page as rows: hidden groups say "te weinig gegevens" here too."""
    hidden = _("te weinig gegevens")

    def count(value):
        return hidden if value is None else value

    def estimate_rows(part: str, group: str, estimates: dict[str, Estimate]):
        for pillar in data.pillars:
            e = estimates[pillar]
            yield ([part, group, labels.pillars[pillar], hidden, hidden, hidden, hidden] if e.suppressed else
                   [part, group, labels.pillars[pillar], e.n, _two(e.mean), _two(e.low), _two(e.high)])

    rows: list[list] = []
    part = _("Check-ins per maand")
    rows += [[part, labels.months[key], "", "", count(n), "", ""] for key, n in data.months]
    part = _("Bewoners per levensgebeurtenis")
    rows += [[part, labels.events.get(event, event), "", "", count(n), "", ""] for event, n in data.by_event]
    rows.append([part, _("Totaal"), "", "", count(data.residents), "", ""])
    rows += estimate_rows(_("Verandering eerste tot laatste check-in"), _("Alle bewoners"), data.change)
    for event, estimates in data.change_by_event:
        rows += estimate_rows(_("Verandering per levensgebeurtenis"), labels.events.get(event, event), estimates)
    for name, estimates in data.change_by_activity:
        rows += estimate_rows(_("Verandering voor en na een activiteit"), name, estimates)
    part = _("Verwijzingen")
    rows += [[part, labels.outcomes[status], "", "", count(n), "", ""] for status, n in data.outcomes]
    header = [_("onderdeel"), _("groep"), _("pijler"), _("aantal bewoners"), _("waarde"),
              _("ondergrens 95%"), _("bovengrens 95%")]
    return header, rows


def _two(value: float) -> str:
    return format_decimal(value, format="0.00")
