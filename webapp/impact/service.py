"""Gather the rows behind the organisation figures. Every rule that hides small groups, and
the arithmetic, live in impact/rules.py; this module only counts and asks those rules."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from flask_babel import format_decimal
from flask_babel import gettext as _
from sqlalchemy import func, select

from webapp.core import clock, scoring
from webapp.core.definitions import questionnaire_for
from webapp.core.extensions import db
from webapp.core.labels import ReferralStatus
from webapp.core.models import Activity, Answer, Checkin, Referral, Resident
from webapp.core.models._base import as_utc
from webapp.core.questionnaires import NO_LIFE_EVENT
from webapp.impact import rules as impact
from webapp.impact.rules import Estimate, ScoredCheckin

OUTCOMES = tuple(s for s in ReferralStatus if s != ReferralStatus.VOORGESTELD)  # referred, not only suggested

OTHER_WIJKEN = "overig"  # the residents of smaller wijken, and those without one, as one group


@dataclass(frozen=True)
class Filters:
    period: str | None = None  # "2026" or "2026-K3"; None for everything
    wijk: str | None = None  # a name from wijk_groups(), or OTHER_WIJKEN

    @property
    def days(self) -> tuple[date, date] | None:
        return impact.period_bounds(self.period) if self.period else None


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


def wijk_groups() -> list[str]:
    """The wijken offered in the filter: those with ten or more residents.

    Everyone else (smaller wijken, no wijk) forms OTHER_WIJKEN. When that rest holds 1 to 9
    residents, the smallest offered wijken join it, so that "all" minus the offered wijken never
    shows a small group.
    """
    sizes = dict(db.session.execute(select(Resident.wijk, func.count(Resident.id)).group_by(Resident.wijk)).all())
    return impact.wijk_groups(sizes, OTHER_WIJKEN)


def period_choices(timezone) -> list[str]:
    """Years and quarters from the first check-in to today."""
    first = db.session.scalar(select(func.min(Checkin.completed_at)))
    this_year = clock.now().astimezone(timezone).year
    first_year = as_utc(first).astimezone(timezone).year if first else this_year
    return impact.period_options(first_year, this_year)


def _local_midnight(day: date, timezone) -> datetime:
    """The start of a local day, in UTC (pytz zones need localize; a plain tzinfo would give LMT)."""
    naive = datetime.combine(day, time.min)
    local = timezone.localize(naive) if hasattr(timezone, "localize") else naive.replace(tzinfo=timezone)
    return local.astimezone(UTC)


def _within(column, filters: Filters, timezone, wijken: list[str]):
    conditions = []
    if filters.days:
        first, last = filters.days
        conditions += [column >= _local_midnight(first, timezone),
                       column < _local_midnight(last + timedelta(days=1), timezone)]
    if filters.wijk == OTHER_WIJKEN:
        named = [w for w in wijken if w != OTHER_WIJKEN]
        conditions.append(Resident.wijk.is_(None) | Resident.wijk.not_in(named))
    elif filters.wijk:
        conditions.append(Resident.wijk == filters.wijk)
    return conditions


def _population(filters: Filters, timezone, wijken: list[str]) -> int:
    """Residents with a check-in in this view."""
    return db.session.scalar(
        select(func.count(func.distinct(Checkin.resident_id)))
        .join(Resident, Resident.id == Checkin.resident_id)
        .where(*_within(Checkin.completed_at, filters, timezone, wijken))) or 0


def too_small(filters: Filters, timezone, wijken: list[str]) -> bool:
    """Whether this view, or what it leaves out of a wider view, holds 1 to 9 residents."""
    population = _population(filters, timezone, wijken)
    wider = {Filters(), Filters(period=filters.period), Filters(wijk=filters.wijk)} - {filters}
    return impact.view_too_small(population, [_population(view, timezone, wijken) for view in wider])


def _checkins(filters: Filters, timezone, wijken: list[str]) -> tuple[list[ScoredCheckin], dict]:
    """Every finished check-in in the view, not yet scored, and its row by key."""
    rows = db.session.execute(
        select(Checkin.id, Checkin.resident_id, Checkin.completed_at, Checkin.life_event,
               Checkin.form, Checkin.questionnaire_id, Checkin.questionnaire_version)
        .join(Resident, Resident.id == Checkin.resident_id)
        .where(*_within(Checkin.completed_at, filters, timezone, wijken))
    ).all()
    checkins = [ScoredCheckin(key=row.id, resident=row.resident_id, at=as_utc(row.completed_at).astimezone(timezone),
                        life_event=row.life_event, scores={}) for row in rows]
    return checkins, {row.id: row for row in rows}


def _score(needed: Iterable[ScoredCheckin], rows: dict) -> None:
    """Fill in the pillar scores of only the check-ins the figures compare, from their raw answers.

    A check-in of a questionnaire version this installation no longer knows stays unscored, so
    it counts as a check-in but is left out of the changes.
    """
    wanted = {checkin.key: checkin for checkin in needed}
    keys = sorted(wanted)
    answers: dict[int, dict[str, int | None]] = {key: {} for key in keys}
    for start in range(0, len(keys), 500):  # stay under every database's parameter limit
        for checkin_id, item_id, score in db.session.execute(
                select(Answer.checkin_id, Answer.item_id, Answer.score)
                .where(Answer.checkin_id.in_(keys[start:start + 500]))):
            answers[checkin_id][item_id] = score
    for key, checkin in wanted.items():
        row = rows[key]
        try:
            items = questionnaire_for(row).form_item_ids(row.form)
        except KeyError:
            continue
        checkin.scores.update(scoring.pillar_scores(items, answers[key]))


def _first_named_events(residents: list[int]) -> dict[int, str]:
    """Per resident: the life-event of their earliest check-in that named one."""
    named: dict[int, str] = {}
    for start in range(0, len(residents), 500):
        for resident, event in db.session.execute(
                select(Checkin.resident_id, Checkin.life_event)
                .where(Checkin.resident_id.in_(residents[start:start + 500]),
                       Checkin.life_event.is_not(None), Checkin.life_event != NO_LIFE_EVENT)
                .order_by(Checkin.completed_at.desc())):
            named[resident] = event  # newest first, so the earliest is written last
    return named


def _referrals(filters: Filters, timezone, wijken: list[str]) -> list[tuple[int, int, str, str, datetime]]:
    """(resident, activity id, activity label, status, referred at) for referrals made in the view, oldest first."""
    rows = db.session.execute(
        select(Referral.resident_id, Activity.id, Activity.name, Activity.organisation, Referral.status,
               Referral.created_at)
        .join(Activity, Activity.id == Referral.activity_id)
        .join(Resident, Resident.id == Referral.resident_id)
        .where(*_within(Referral.created_at, filters, timezone, wijken))
        .order_by(Referral.created_at, Referral.id)
    ).all()
    return [(r.resident_id, r.id, f"{r.name} ({r.organisation})", r.status,
             as_utc(r.created_at).astimezone(timezone)) for r in rows]


def figures(filters: Filters, pillars: list[str], event_ids: list[str], timezone,
            wijken: list[str]) -> Figures | None:
    """Every figure on the Impact page for this view; None when the view itself is too small to show."""
    if too_small(filters, timezone, wijken):
        return None
    checkins, rows = _checkins(filters, timezone, wijken)
    by_resident: dict[int, list[ScoredCheckin]] = {}
    for checkin in sorted(checkins, key=lambda c: c.at):
        by_resident.setdefault(checkin.resident, []).append(checkin)

    # Residents by the life-event that brought them in: the first one they named, in any check-in.
    named = _first_named_events(list(by_resident))
    first_event = {resident: named.get(resident, NO_LIFE_EVENT) for resident in by_resident}
    event_counts = dict.fromkeys(event_ids, 0)
    for event in first_event.values():
        event_counts[event] = event_counts.get(event, 0) + 1

    # Referrals: outcomes, and each referred resident's check-ins just before and after the first referral.
    outcome_residents: dict[str, set[int]] = {status: set() for status in OUTCOMES}
    activity_pairs: dict[int, dict[int, tuple[ScoredCheckin, ScoredCheckin]]] = {}
    activity_labels: dict[int, str] = {}
    for resident, activity, label, status, at in _referrals(filters, timezone, wijken):
        if status not in outcome_residents:
            continue  # only suggested: not referred yet
        outcome_residents[status].add(resident)
        activity_labels[activity] = label
        pair = impact.around(by_resident.get(resident, []), at)
        if pair is not None:
            activity_pairs.setdefault(activity, {}).setdefault(resident, pair)
    referred = {resident for residents in outcome_residents.values() for resident in residents}

    pairs = impact.first_and_latest(checkins)
    _score([c for pair in [*pairs.values(), *(p for group in activity_pairs.values() for p in group.values())]
            for c in pair], rows)
    by_event = impact.change_per_group(
        {event: [pair for resident, pair in pairs.items() if first_event[resident] == event] for event in event_counts},
        pillars)
    # Activities are not a breakdown of one total (a resident may try several): each stands alone,
    # and only activities with ten or more compared residents are listed at all.
    listed = impact.large_enough(activity_pairs)
    return Figures(
        pillars=pillars,
        months=_months(checkins, filters, impact.month_key(clock.now().astimezone(timezone))),
        residents=impact.total({"all": len(by_resident)}),
        by_event=list(impact.suppress_counts(event_counts).items()),
        change=impact.change_per_pillar(pairs.values(), pillars),
        change_residents=impact.total({"all": len(pairs)}),
        change_by_event=list(by_event.items()),
        change_by_activity=[(activity_labels[a], impact.change_per_pillar(listed[a].values(), pillars))
                            for a in sorted(listed, key=lambda a: activity_labels[a].casefold())],
        outcomes=list(impact.suppress_counts({s: len(r) for s, r in outcome_residents.items()}).items()),
        referred=impact.total({"all": len(referred)}),
    )


def _months(checkins: list[ScoredCheckin], filters: Filters, this_month: str) -> list[tuple[str, int | None]]:
    """Check-ins per month over the chosen period up to this month (or from the first to the last
    month with check-ins)."""
    residents: dict[str, set[int]] = {}
    counts: dict[str, int] = {}
    for checkin in checkins:
        key = impact.month_key(checkin.at)
        residents.setdefault(key, set()).add(checkin.resident)
        counts[key] = counts.get(key, 0) + 1
    if filters.days:
        first, last = (impact.month_key(day) for day in filters.days)
        last = min(last, max(this_month, first))
    elif counts:
        first, last = min(counts), max(counts)
    else:
        return []
    return [(key, impact.count_if_enough(counts.get(key, 0), len(residents.get(key, ()))))
            for key in impact.months_between(first, last)]


@dataclass(frozen=True)
class Labels:
    """Names in the reader's language for everything the figures refer to by id."""

    months: dict[str, str]
    pillars: dict[str, str]
    events: dict[str, str]
    outcomes: dict[str, str]


def csv_rows(data: Figures | None, labels: Labels | None) -> tuple[list[str], list[list]]:
    """The figures of the page as rows: hidden groups say "te weinig gegevens" here too."""
    hidden = _("te weinig gegevens")
    header = [_("onderdeel"), _("groep"), _("pijler"), _("aantal bewoners"), _("waarde"),
              _("ondergrens 95%"), _("bovengrens 95%")]
    if data is None or labels is None:  # the whole view is too small to show
        return header, [[_("Alle cijfers"), "", "", hidden, hidden, "", ""]]

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
    rows.append([part, _("Verwezen, in totaal"), "", "", count(data.referred), "", ""])
    return header, rows


def _two(value: float) -> str:
    """One decimal, as on the page: more digits would let two downloads be subtracted more exactly."""
    return format_decimal(round(value, 1), format="0.0")
