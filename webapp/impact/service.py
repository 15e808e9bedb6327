"""Gather the rows behind the organisation figures, release them once with noise, and keep them.

Every rule that hides small groups, the noise and the arithmetic live in impact/rules.py; this
module picks the residents who count, counts, asks those rules, and keeps each release (with what
it cost) in ImpactRelease, so the same question gets the same answer and the month's privacy
budget is never overspent.
"""

import json
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from webapp.core import clock
from webapp.core.definitions import definitions
from webapp.core.extensions import db
from webapp.core.i18n import one_decimal
from webapp.core.labels import CheckinMode, ReferralStatus, RelationOrigin
from webapp.core.models import Activity, Checkin, CoachRelation, ImpactRelease, Referral, Resident
from webapp.core.models._base import as_utc
from webapp.core.questionnaires import NO_LIFE_EVENT
from webapp.core.transactions import savepoint
from webapp.impact import rules as impact
from webapp.impact.rules import Contribution, Estimate, Figures, ScoredCheckin

OUTCOMES = tuple(s for s in ReferralStatus if s != ReferralStatus.VOORGESTELD)  # referred, not only suggested

OTHER_WIJKEN = "overig"  # the residents of smaller wijken, and those without one, as one group


@dataclass(frozen=True)
class Filters:
    period: str | None = None  # "2026" or "2026-K3"; None for everything
    wijk: str | None = None  # a name from wijk_groups(), or OTHER_WIJKEN

    @property
    def days(self) -> tuple[date, date] | None:
        return impact.period_bounds(self.period) if self.period else None


class BudgetSpent(Exception):  # noqa: N818 - a state, not a failure
    """This month's privacy budget cannot pay for a new release; kept releases still show."""


class NotReleased(Exception):  # noqa: N818 - a state, not a failure
    """Asked for kept figures only (make=False), and this month has no release of them yet."""


def counted():
    """Which residents count towards the figures: those an attacker cannot plant with a free account.

    A resident counts once a coach enrolled them, or once they filled in a check-in together with a
    coach (at a home visit) or on paper that a coach typed in. Registration stays open; an account
    made on the home page adds to no figure until a coach has met the resident.
    """
    enrolled = select(CoachRelation.resident_id).where(CoachRelation.origin == RelationOrigin.INGESCHREVEN)
    met = select(Checkin.resident_id).where(Checkin.mode.in_((CheckinMode.SAMEN, CheckinMode.PAPIER)))
    return Resident.id.in_(enrolled) | Resident.id.in_(met)


def _budget_month() -> str:
    return clock.now().astimezone(UTC).strftime("%Y-%m")


def spent(month: str | None = None) -> float:
    """The epsilon the Impact page spent this month (or in `month`)."""
    return db.session.scalar(select(func.coalesce(func.sum(ImpactRelease.epsilon), 0.0))
                             .where(ImpactRelease.month == (month or _budget_month()))) or 0.0


@dataclass(frozen=True)
class Release:
    """A kept release: its noisy payload, and which release it is (the version the caches key on)."""

    payload: dict
    version: tuple[int, str]  # (id, when made): an id alone comes back on SQLite once every row is gone
    made_at: datetime


CACHE_SIZE = 128  # kept payloads, figures and charts per worker; a release is a few kilobytes


def cached(key: tuple, compute: Callable[[], object]) -> object:
    """What `compute` gives for `key`, worked out once per worker. Keys hold a release's version, so a
    new release (next month, or after one was withdrawn) never meets an old entry; nothing in it
    names a resident, so keeping it outlives no erasure."""
    store = current_app.extensions.setdefault("veerkracht_impact_cache", OrderedDict())
    if key in store:
        store.move_to_end(key)
        return store[key]
    value = store[key] = compute()
    while len(store) > CACHE_SIZE:
        store.popitem(last=False)
    return value


def _released(key: str, cost: float, build: Callable[[], dict], make: bool = True) -> Release:
    """This month's release under `key`: the kept one, or a new one when the budget can pay for it.

    A release is made once and kept, so asking again (or on another worker) gains nothing. With
    `make` False only a kept one is given (else NotReleased): nothing is spent.
    """
    month = _budget_month()
    query = select(ImpactRelease.id, ImpactRelease.created_at).where(ImpactRelease.month == month,
                                                                     ImpactRelease.key == key)
    kept = db.session.execute(query).first()
    if kept is None and not make:
        raise NotReleased
    if kept is None:
        if spent(month) + cost > current_app.config["IMPACT_BUDGET"] + 1e-9:
            raise BudgetSpent
        payload = build()
        try:
            with savepoint():
                release = ImpactRelease(month=month, key=key, epsilon=cost, payload=json.dumps(payload))
                db.session.add(release)
                db.session.flush()
                kept = (release.id, release.created_at)
        except IntegrityError:  # another request released it a moment ago: that one is the answer
            kept = db.session.execute(query).first()
    release_id, created_at = kept
    made_at = as_utc(created_at)
    version = (release_id, made_at.isoformat())
    payload = cached(("payload", version), lambda: json.loads(
        db.session.scalar(select(ImpactRelease.payload).where(ImpactRelease.id == release_id))))
    return Release(payload, version, made_at)


def _epsilon() -> float:
    return current_app.config["IMPACT_EPSILON"]


def _wijk_sizes(make: bool = True) -> dict[str | None, int]:
    """The noisy number of counted residents per wijk, released once a month: the wijk filter's basis."""
    def build() -> dict:
        exact = dict(db.session.execute(select(Resident.wijk, func.count(Resident.id))
                                        .where(counted()).group_by(Resident.wijk)).all())
        noisy = impact.release_counts({wijk or "": n for wijk, n in exact.items()},
                                      impact.PARTITION_SHARE * _epsilon())
        return {"sizes": {wijk: max(0, n) for wijk, n in noisy.items()}}

    sizes = _released("wijken", impact.PARTITION_SHARE * _epsilon(), build, make).payload["sizes"]
    return {wijk or None: n for wijk, n in sizes.items()}


def wijk_groups(make: bool = True) -> list[str]:
    """The wijken offered in the filter: those with ten or more counted residents, by the noisy sizes.

    Everyone else (smaller wijken, no wijk) forms OTHER_WIJKEN. When that rest holds 1 to 9
    residents, the smallest offered wijken join it, so that "all" minus the offered wijken never
    shows a small group. Raises BudgetSpent when this month's budget cannot pay for the sizes
    (NotReleased, with `make` False, when they are not made yet).
    """
    return impact.wijk_groups(_wijk_sizes(make), OTHER_WIJKEN)


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


def _within(column, filters: Filters, timezone):
    conditions = [counted()]
    if filters.days:
        first, last = filters.days
        conditions += [column >= _local_midnight(first, timezone),
                       column < _local_midnight(last + timedelta(days=1), timezone)]
    return conditions


def _referrals(filters: Filters, timezone) -> dict[int, list[tuple[str, str, datetime]]]:
    """Per counted resident: (activity key, status, referred at) of referrals made in the period, oldest first."""
    rows = db.session.execute(
        select(Referral.resident_id, Referral.activity_id, Referral.status, Referral.created_at)
        .join(Resident, Resident.id == Referral.resident_id)
        .where(*_within(Referral.created_at, filters, timezone), Referral.status.in_(OUTCOMES))
        .order_by(Referral.created_at, Referral.id)
    ).all()
    result: dict[int, list[tuple[str, str, datetime]]] = {}
    for row in rows:
        result.setdefault(row.resident_id, []).append(
            (str(row.activity_id), row.status, as_utc(row.created_at).astimezone(timezone)))
    return result


def _cells(filters: Filters, event_ids: list[str], timezone) -> dict[str, list[str]]:
    """The public cells of every table: months of the period, life-events, outcomes, the catalogue."""
    this_month = impact.month_key(clock.now().astimezone(timezone))
    if filters.days:
        first, last = (impact.month_key(day) for day in filters.days)
        last = min(last, max(this_month, first))
    else:
        oldest = db.session.scalar(select(func.min(Checkin.completed_at)))
        first = impact.month_key(as_utc(oldest).astimezone(timezone)) if oldest else this_month
        last = max(this_month, first)
    return {"months": impact.months_between(first, last), "events": list(event_ids),
            "outcomes": [str(s) for s in OUTCOMES],
            "activities": [str(a) for a in db.session.scalars(select(Activity.id).order_by(Activity.id))]}


def _ends(filters: Filters, timezone) -> tuple[dict[int, list[ScoredCheckin]], dict[int, str | None]]:
    """Per counted resident with a check-in in the period: their first and latest check-in there (one
    when they have one), with the kept scores; and each resident's wijk. One query: the database
    numbers each resident's check-ins both ways and returns only the two ends."""
    order = (Checkin.completed_at, Checkin.id)
    ranked = (select(Checkin.id, Checkin.resident_id, Checkin.completed_at, Checkin.scores, Checkin.questionnaire_id,
                     Checkin.questionnaire_version, Resident.wijk,
                     func.row_number().over(partition_by=Checkin.resident_id, order_by=order).label("up"),
                     func.row_number().over(partition_by=Checkin.resident_id,
                                            order_by=tuple(c.desc() for c in order)).label("down"))
              .join(Resident, Resident.id == Checkin.resident_id)
              .where(*_within(Checkin.completed_at, filters, timezone)).subquery())
    ends: dict[int, list[ScoredCheckin]] = {}
    wijk_of: dict[int, str | None] = {}
    for row in db.session.execute(select(ranked).where((ranked.c.up == 1) | (ranked.c.down == 1))
                                  .order_by(ranked.c.resident_id, ranked.c.up)):
        ends.setdefault(row.resident_id, []).append(_scored(row))
        wijk_of[row.resident_id] = row.wijk
    return ends, wijk_of


def _scored(row) -> ScoredCheckin:
    """A check-in with its kept scores. One of a questionnaire version this installation no longer
    knows stays unscored: it counts as a check-in but is left out of the changes."""
    known = (row.questionnaire_id, row.questionnaire_version) in definitions().questionnaires
    return ScoredCheckin(key=row.id, resident=row.resident_id, at=as_utc(row.completed_at), life_event=None,
                         scores=(row.scores or {}) if known else {})


def _first_named_events(filters: Filters, timezone) -> dict[int, str]:
    """Per counted resident with a check-in in the period: the life-event of their earliest check-in
    that named one (in any period). One query."""
    in_period = (select(Checkin.resident_id).join(Resident, Resident.id == Checkin.resident_id)
                 .where(*_within(Checkin.completed_at, filters, timezone)))
    ranked = (select(Checkin.resident_id, Checkin.life_event,
                     func.row_number().over(partition_by=Checkin.resident_id,
                                            order_by=(Checkin.completed_at, Checkin.id)).label("rank"))
              .where(Checkin.resident_id.in_(in_period), Checkin.life_event.is_not(None),
                     Checkin.life_event != NO_LIFE_EVENT).subquery())
    return dict(db.session.execute(select(ranked.c.resident_id, ranked.c.life_event).where(ranked.c.rank == 1)).all())


def _around_first_referral(filters: Filters, timezone) -> dict[int, tuple[ScoredCheckin, ScoredCheckin]]:
    """Per counted resident referred in the period: their latest check-in (in the period) at or before
    their first referral there, and their latest one after it, when both exist. One query."""
    referred = (select(Referral.resident_id, Referral.created_at,
                       func.row_number().over(partition_by=Referral.resident_id,
                                              order_by=(Referral.created_at, Referral.id)).label("rank"))
                .join(Resident, Resident.id == Referral.resident_id)
                .where(*_within(Referral.created_at, filters, timezone), Referral.status.in_(OUTCOMES)).subquery())
    first = select(referred.c.resident_id, referred.c.created_at).where(referred.c.rank == 1).subquery()
    after = Checkin.completed_at > first.c.created_at
    ranked = (select(Checkin.id, Checkin.resident_id, Checkin.completed_at, Checkin.scores, Checkin.questionnaire_id,
                     Checkin.questionnaire_version, after.label("after"),
                     func.row_number().over(partition_by=(Checkin.resident_id, after),
                                            order_by=(Checkin.completed_at.desc(), Checkin.id.desc())).label("rank"))
              .join(first, first.c.resident_id == Checkin.resident_id)
              .join(Resident, Resident.id == Checkin.resident_id)
              .where(*_within(Checkin.completed_at, filters, timezone)).subquery())
    sides: dict[int, dict[bool, ScoredCheckin]] = {}
    for row in db.session.execute(select(ranked).where(ranked.c.rank == 1)):
        sides.setdefault(row.resident_id, {})[bool(row.after)] = _scored(row)
    return {resident: (own[False], own[True]) for resident, own in sides.items() if len(own) == 2}


def _contributions(filters: Filters, pillars: list[str], timezone) -> dict[int, tuple[str | None, Contribution]]:
    """Per counted resident with a check-in in the period: their wijk and what they add to the figures.

    Four queries whatever the number of residents: the database picks the check-ins compared (first
    and latest; around the first referral), the kept scores come with them; no answer is read.
    """
    ends, wijk_of = _ends(filters, timezone)
    named = _first_named_events(filters, timezone)  # the life-event that brought them in
    referrals = _referrals(filters, timezone)
    around = _around_first_referral(filters, timezone)
    result = {}
    for resident, own in ends.items():
        referred = referrals.get(resident)
        pair = around.get(resident) if referred else None
        result[resident] = (wijk_of[resident], Contribution(
            month=impact.month_key(as_utc(own[0].at).astimezone(timezone)),
            event=named.get(resident, NO_LIFE_EVENT),
            change=impact.pillar_changes(own[0], own[-1], pillars) if len(own) >= 2 else None,
            activity=referred[0][0] if pair else None,
            activity_change=impact.pillar_changes(*pair, pillars) if pair else None,
            outcome=referred[-1][1] if referred else None,
        ))
    return result


def _period_release(filters: Filters, pillars: list[str], event_ids: list[str], timezone,
                    wijken: list[str], make: bool = True) -> Release:
    """This month's release of a period: one noisy tally per wijk group, from one partition."""
    def build() -> dict:
        cells = _cells(filters, event_ids, timezone)
        named = {w for w in wijken if w != OTHER_WIJKEN}
        groups: dict[str, list[Contribution]] = {w: [] for w in [*sorted(named), OTHER_WIJKEN]}
        for wijk, contribution in _contributions(filters, pillars, timezone).values():
            groups[wijk if wijk in named else OTHER_WIJKEN].append(contribution)
        return {"epsilon": _epsilon(), "cells": cells, "pillars": pillars,
                "groups": {g: impact.release_tally(impact.tally(members, cells, pillars), _epsilon())
                           for g, members in groups.items()}}

    return _released(f"periode:{filters.period or 'alles'}", _epsilon(), build, make)


@dataclass(frozen=True)
class View:
    """The figures of one view, and the release they come from (how fresh they are)."""

    data: Figures | None
    version: tuple[int, str]
    made_at: datetime


def view(filters: Filters, pillars: list[str], event_ids: list[str], timezone, wijken: list[str],
         make: bool = True) -> View:
    """Every figure on the Impact page for this view (data None when the view is too small to show).

    Drawn from this month's release of the period: "all wijken" adds up the wijk groups' noisy
    tallies, so a wijk view and the total never differ by an exact figure. The figures of a view
    are worked out once per release (they change only with it). Raises BudgetSpent (with `make`
    False: NotReleased when this month has no release of the period yet).
    """
    release = _period_release(filters, pillars, event_ids, timezone, wijken, make)

    def compute() -> Figures | None:
        payload = release.payload
        if filters.wijk is None:
            chosen = list(payload["groups"].values())
        elif filters.wijk == OTHER_WIJKEN:  # the pool of the release (the same partition as `wijken`)
            chosen = [payload["groups"][OTHER_WIJKEN]]
        else:
            chosen = [payload["groups"][filters.wijk]]
        return impact.view_figures(impact.combine(chosen), len(chosen), payload["epsilon"], pillars,
                                   payload["cells"])

    data = cached(("figures", release.version, filters.wijk, tuple(pillars)), compute)
    if data is None:
        return View(None, release.version, release.made_at)
    names = {str(a.id): f"{a.name} ({a.organisation})" for a in db.session.execute(
        select(Activity.id, Activity.name, Activity.organisation)
        .where(Activity.id.in_([int(key) for key, _e in data.change_by_activity])))} if data.change_by_activity else {}
    named = sorted(((names[key], estimates) for key, estimates in data.change_by_activity if key in names),
                   key=lambda item: item[0].casefold())
    return View(replace(data, change_by_activity=named), release.version, release.made_at)


def figures(filters: Filters, pillars: list[str], event_ids: list[str], timezone,
            wijken: list[str]) -> Figures | None:
    """Every figure on the Impact page for this view; None when the view is too small to show."""
    return view(filters, pillars, event_ids, timezone, wijken).data


@dataclass(frozen=True)
class Labels:
    """Names in the reader's language for everything the figures refer to by id."""

    months: dict[str, str]
    pillars: dict[str, str]
    events: dict[str, str]
    outcomes: dict[str, str]


def csv_rows(data: Figures | None, labels: Labels | None) -> tuple[list[str], list[list]]:
    """The figures of the page as rows: hidden groups say "te weinig gegevens" here too."""
    hidden, uncertain = _("te weinig gegevens"), _("te onzeker")
    header = [_("onderdeel"), _("groep"), _("pijler"), _("aantal bewoners"), _("waarde"),
              _("ondergrens 95%"), _("bovengrens 95%")]
    if data is None or labels is None:  # the whole view is too small to show
        return header, [[_("Alle cijfers"), "", "", hidden, hidden, "", ""]]

    def count(value):
        return hidden if value is None else value

    def estimate_rows(part: str, group: str, estimates: dict[str, Estimate]):
        for pillar in data.pillars:
            e = estimates[pillar]
            if e.suppressed:
                yield [part, group, labels.pillars[pillar], hidden, hidden, hidden, hidden]
            elif e.uncertain:
                yield [part, group, labels.pillars[pillar], e.n, uncertain, uncertain, uncertain]
            else:
                yield [part, group, labels.pillars[pillar], e.n, _two(e.mean), _two(e.low), _two(e.high)]

    rows: list[list] = []
    part = _("Bewoners per maand van hun eerste check-in")
    rows += [[part, labels.months[key], "", "", count(n), "", ""] for key, n in data.months]
    part = _("Bewoners per levensgebeurtenis")
    rows += [[part, labels.events.get(event, event), "", "", count(n), "", ""] for event, n in data.by_event]
    rows.append([part, _("Totaal"), "", "", count(data.residents), "", ""])
    rows += estimate_rows(_("Verandering eerste tot laatste check-in"), _("Alle bewoners"), data.change)
    for event, estimates in data.change_by_event:
        rows += estimate_rows(_("Verandering per levensgebeurtenis"), labels.events.get(event, event), estimates)
    for name, estimates in data.change_by_activity:
        rows += estimate_rows(_("Verandering voor en na een activiteit"), name, estimates)
    part = _("Verwijzingen naar activiteiten")
    rows += [[part, labels.outcomes[status], "", "", count(n), "", ""] for status, n in data.outcomes]
    rows.append([part, _("Verwezen, in totaal"), "", "", count(data.referred), "", ""])
    return header, rows


def _two(value: float) -> str:
    """One decimal, as on the page: more digits would let two downloads be subtracted more exactly."""
    return one_decimal(value)
