"""Organisation figures: released with differential privacy, and every rule that hides small groups.

How the figures stay safe, all in this module:
- only residents whose records nobody can plant cheaply count (the service picks them; see README);
- each resident adds to at most one cell of every table (contribution bounds in `tally`), and a
  change counts as at most CHANGE_LIMIT points, so one resident's weight on any figure is known;
- every count, sum and sum of squares gets Laplace noise from OpenDP (`release_tally`), scaled to
  that weight and to the share of the release's epsilon (STATS); a release is made once per period
  and month and kept, so asking again gains nothing (the service keeps it and the budget);
- wijk views come from one noisy partition: "all wijken" is the sum of the wijk groups' noisy
  tallies, so subtracting shown wijken from the total only yields noise (`combine`);
- every table of a view comes from that one noisy tally, so no exact n stands next to an exact
  count (`view_figures`);
- on top of the noise, every group under MIN_GROUP (10) shows "te weinig gegevens", with
  secondary suppression where a total is shown (hidden_keys) and the wijk filter offering only
  wijken of 10 or more, the rest pooled (wijk_groups);
- periods are whole years or quarters, never free dates (period_options, period_bounds).

Plain functions on plain values; the service gathers the rows, the views show the result.
"""

import functools
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import opendp.prelude as dp

from webapp.core.privacy import MIN_GROUP  # groups smaller than this are shown as "te weinig gegevens"

dp.enable_features("contrib")  # OpenDP's Laplace mechanism on vectors sits behind this flag


@dataclass(frozen=True)
class Estimate:
    """A mean with its 95% confidence interval over `n` residents; all None when suppressed."""

    n: int | None
    mean: float | None = None
    low: float | None = None
    high: float | None = None

    @property
    def suppressed(self) -> bool:
        return self.n is None

    @property
    def uncertain(self) -> bool:
        """Enough residents, but the interval too wide to say anything: "te onzeker" (no mean shown)."""
        return self.n is not None and self.mean is None

    @property
    def shown(self) -> bool:
        return self.mean is not None


SUPPRESSED = Estimate(n=None)
# A 95% interval wider than this many points (half of the -4 to +4 a change can be) says nothing a
# reader can use, so its mean is not shown: on the noise of a small group most read "-4,0 tot 4,0".
WIDEST_INTERVAL = 4.0
# A row of its own (an activity) is listed only when its noisy count is this many standard
# deviations of its noise above MIN_GROUP: with less, a row might be noise around nobody at all.
LISTED_SDS = 2.0


def wijk_groups(sizes: Mapping[str | None, int], other: str, minimum: int = MIN_GROUP) -> list[str]:
    """The wijken to offer as a filter: those with `minimum` or more residents, plus `other` for the rest.

    When the rest (smaller wijken, no wijk) holds 1 to 9 residents, the smallest offered wijken
    join it, so that "all" minus the offered wijken never shows a small group.
    """
    offered = {wijk: n for wijk, n in sizes.items() if wijk and n >= minimum}
    rest = sum(sizes.values()) - sum(offered.values())
    for wijk, n in sorted(offered.items(), key=lambda item: item[1]):
        if not 0 < rest < minimum:
            break
        del offered[wijk]
        rest += n
    return sorted(offered, key=str.casefold) + ([other] if rest >= minimum else [])


def count_if_enough(count: int, residents: int, minimum: int = MIN_GROUP) -> int | None:
    """A count about `residents` people, or None when they are too few to show."""
    return count if residents >= minimum else None


# --- Student's t distribution, so the interval is right for small groups too (no SciPy needed) ---

def _incomplete_beta(a: float, b: float, x: float) -> float:
    """Regularised incomplete beta I_x(a, b) by Lentz's continued fraction."""
    if x <= 0:
        return 0.0
    if x >= 1:
        return 1.0
    if x > (a + 1) / (a + b + 2):
        return 1.0 - _incomplete_beta(b, a, 1.0 - x)
    front = math.exp(math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)) / a
    tiny = 1e-300
    c, d = 1.0, 1.0 - (a + b) * x / (a + 1)
    d = 1.0 / (d if abs(d) > tiny else tiny)
    result = d
    for m in range(1, 300):
        for numerator in (m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m)),
                          -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1))):
            d = 1.0 + numerator * d
            d = 1.0 / (d if abs(d) > tiny else tiny)
            c = 1.0 + numerator / c
            c = c if abs(c) > tiny else tiny
            result *= c * d
        if abs(c * d - 1.0) < 1e-15:
            break
    return front * result


def t_cdf(t: float, df: int) -> float:
    """P(T <= t) for Student's t with `df` degrees of freedom."""
    tail = 0.5 * _incomplete_beta(df / 2, 0.5, df / (df + t * t))
    return 1.0 - tail if t >= 0 else tail


@functools.lru_cache(maxsize=1024)
def t_quantile(p: float, df: int) -> float:
    """The t value with P(T <= t) = p (0.5 < p < 1), by bisection to 1e-9."""
    low, high = 0.0, 1000.0
    while high - low > 1e-9:
        middle = (low + high) / 2
        if t_cdf(middle, df) < p:
            low = middle
        else:
            high = middle
    return (low + high) / 2


# --- counts ---

def hidden_keys(sizes: Mapping[str, int], minimum: int = MIN_GROUP) -> set[str]:
    """Which groups of a breakdown to hide, when its total is shown too.

    Every group under `minimum` is hidden; then, while the hidden groups together hold between
    1 and `minimum` - 1 residents (so the total minus the shown groups would reveal them), the
    smallest shown group is hidden as well.
    """
    hidden = {key for key, n in sizes.items() if n < minimum}
    shown = sorted((n, key) for key, n in sizes.items() if key not in hidden)
    while shown and 0 < sum(sizes[key] for key in hidden) < minimum:
        hidden.add(shown.pop(0)[1])
    return hidden


def suppress_counts(counts: Mapping[str, int], minimum: int = MIN_GROUP) -> dict[str, int | None]:
    """The counts of a breakdown with a total, with `hidden_keys` replaced by None."""
    hidden = hidden_keys(counts, minimum)
    return {key: (None if key in hidden else n) for key, n in counts.items()}


def total(counts: Mapping[str, int], minimum: int = MIN_GROUP) -> int | None:
    value = sum(counts.values())
    return value if value >= minimum else None


# --- changes between check-ins ---

@dataclass(frozen=True)
class ScoredCheckin:
    """One finished check-in as the figures need it: no answers, no names."""

    resident: int
    at: datetime
    life_event: str | None
    scores: Mapping[str, float | None]
    key: int = 0  # the caller's id for it, e.g. to score only the check-ins that are compared


def first_and_latest(checkins: Iterable[ScoredCheckin]) -> dict[int, tuple[ScoredCheckin, ScoredCheckin]]:
    """Per resident with two or more check-ins: their first and their latest."""
    by_resident: dict[int, list[ScoredCheckin]] = {}
    for checkin in checkins:
        by_resident.setdefault(checkin.resident, []).append(checkin)
    pairs = {}
    for resident, own in by_resident.items():
        if len(own) >= 2:
            own.sort(key=lambda c: c.at)
            pairs[resident] = (own[0], own[-1])
    return pairs


def around(checkins: Sequence[ScoredCheckin], moment: datetime) -> tuple[ScoredCheckin, ScoredCheckin] | None:
    """A resident's latest check-in at or before `moment` and latest after it, if both exist."""
    before = [c for c in checkins if c.at <= moment]
    after = [c for c in checkins if c.at > moment]
    if not before or not after:
        return None
    return max(before, key=lambda c: c.at), max(after, key=lambda c: c.at)


# --- differential privacy: what one resident adds, the noise, and the figures drawn from the noise ---

CHANGE_LIMIT = 4.0  # a change of more than 4 points counts as 4: this bounds one resident's weight

# Per table: its share of one release's epsilon, one resident's largest weight on it (the L1
# sensitivity: each resident adds to at most one cell, so 1 for a count, 6 x CHANGE_LIMIT for
# six pillar sums, 6 x CHANGE_LIMIT squared for six sums of squares), and whether it counts.
# The shares add up to 1, so by sequential composition one release costs its epsilon; the wijk
# groups hold different residents, so by parallel composition all of them together cost it once.
# Most goes to the mean change, the point of the page.
STATS: dict[str, tuple[float, float, bool]] = {
    "residents": (0.05, 1, True),
    "months": (0.04, 1, True),
    "events": (0.06, 1, True),
    "outcomes": (0.04, 1, True),
    "change_n": (0.04, 1, True),
    "change_sum": (0.35, 6 * CHANGE_LIMIT, False),
    "spread": (0.05, 6 * CHANGE_LIMIT ** 2, False),
    "event_n": (0.04, 1, True),
    "event_sum": (0.23, 6 * CHANGE_LIMIT, False),
    "activity_n": (0.03, 1, True),
    "activity_sum": (0.07, 6 * CHANGE_LIMIT, False),
}
PARTITION_SHARE = 0.25  # the noisy wijk sizes that decide the wijk filter cost this part of a release

Tally = dict[str, dict[str, float]]  # table -> cell -> count or sum


@dataclass(frozen=True)
class Contribution:
    """What one counted resident adds to a period's figures: at most one cell of every table."""

    month: str  # the month of their first check-in in the period
    event: str  # the life-event that brought them in
    change: Mapping[str, float] | None = None  # first to latest check-in, when every pillar is scored on both
    activity: str | None = None  # the activity of their first referral in the period ...
    activity_change: Mapping[str, float] | None = None  # ... and the change around that referral
    outcome: str | None = None  # the state of their latest referral in the period


def pillar_changes(before: ScoredCheckin, after: ScoredCheckin, pillars: Sequence[str]) -> dict[str, float] | None:
    """Per pillar the change from `before` to `after`; None unless every pillar is scored on both.

    One set of residents for all six pillars, so the n of one pillar cannot be played against another.
    """
    changes = {}
    for pillar in pillars:
        old, new = before.scores.get(pillar), after.scores.get(pillar)
        if old is None or new is None:
            return None
        changes[pillar] = new - old
    return changes


def limited(change: float) -> float:
    return max(-CHANGE_LIMIT, min(CHANGE_LIMIT, change))


def _cell(group: str, pillar: str) -> str:
    return f"{group}|{pillar}"


def tally(contributions: Iterable[Contribution], cells: Mapping[str, Sequence[str]],
          pillars: Sequence[str]) -> Tally:
    """The exact counts and sums of one group of residents, every public cell present, zero or not.

    `cells` names the cells ("months", "events", "outcomes", "activities") from public lists, never
    from the data, so which cells exist gives nothing away.
    """
    counts = {"residents": ["all"], "months": cells["months"], "events": cells["events"], "outcomes": cells["outcomes"],
              "change_n": ["all"], "event_n": cells["events"], "activity_n": cells["activities"]}
    sums = {"change_sum": ["all"], "spread": ["all"], "event_sum": cells["events"],
            "activity_sum": cells["activities"]}
    result: Tally = {name: dict.fromkeys(keys, 0) for name, keys in counts.items()}
    result |= {name: {_cell(key, p): 0.0 for key in keys for p in pillars} for name, keys in sums.items()}

    def add(table: str, key: str, amount: float = 1) -> None:
        if key in result[table]:  # a cell outside the public list (an old life-event) is left out
            result[table][key] += amount

    for c in contributions:
        add("residents", "all")
        add("months", c.month)
        add("events", c.event)
        if c.outcome is not None:
            add("outcomes", c.outcome)
        if c.change is not None:
            add("change_n", "all")
            add("event_n", c.event)
            for pillar in pillars:
                value = limited(c.change[pillar])
                add("change_sum", _cell("all", pillar), value)
                add("spread", _cell("all", pillar), value * value)
                add("event_sum", _cell(c.event, pillar), value)
        if c.activity is not None and c.activity_change is not None and c.activity in result["activity_n"]:
            add("activity_n", c.activity)
            for pillar in pillars:
                add("activity_sum", _cell(c.activity, pillar), limited(c.activity_change[pillar]))
    return result


def noise_scale(table: str, epsilon: float) -> float:
    """The Laplace scale of one table's noise in a release of `epsilon`."""
    share, sensitivity, _is_count = STATS[table]
    return sensitivity / (share * epsilon)


@functools.lru_cache(maxsize=64)
def _laplace(scale: float, counts: bool):
    kind = int if counts else float
    atom = dp.atom_domain(T=kind) if counts else dp.atom_domain(T=kind, nan=False)
    return dp.m.make_laplace(dp.vector_domain(atom), dp.l1_distance(T=kind), scale=scale)


def add_noise(values: Sequence[float], sensitivity: float, epsilon: float, counts: bool) -> list[float]:
    """`values` with Laplace noise from OpenDP, so that one resident (weight `sensitivity`) costs `epsilon`."""
    if not values:
        return []
    scale = sensitivity / epsilon
    measurement = _laplace(scale, counts)
    spent = measurement.map(int(sensitivity) if counts else float(sensitivity))
    if spent > epsilon * (1 + 1e-9):  # OpenDP's own accounting must agree with ours
        raise ValueError(f"noise too small: {spent} > {epsilon}")
    return list(measurement([int(v) for v in values] if counts else [float(v) for v in values]))


def release_tally(exact: Tally, epsilon: float) -> Tally:
    """The tally with calibrated noise on every cell: what may be published, and all that is kept."""
    noisy: Tally = {}
    for table, cells in exact.items():
        share, sensitivity, counts = STATS[table]
        keys = sorted(cells)
        noisy[table] = dict(zip(keys, add_noise([cells[k] for k in keys], sensitivity, share * epsilon, counts),
                                strict=True))
    return noisy


def release_counts(counts: Mapping[str, int], epsilon: float) -> dict[str, int]:
    """Counts where each resident is in one cell, with noise costing `epsilon` (e.g. wijk sizes)."""
    keys = sorted(counts)
    return dict(zip(keys, add_noise([counts[k] for k in keys], 1, epsilon, True), strict=True))


def combine(tallies: Iterable[Tally]) -> Tally:
    """Cell by cell sum of noisy tallies: a wider view is made of the groups, never released apart."""
    result: Tally = {}
    for one in tallies:
        for table, cells in one.items():
            target = result.setdefault(table, {})
            for key, value in cells.items():
                target[key] = target.get(key, 0) + value
    return result


@dataclass
class Figures:
    """Everything on the Impact page for one view, drawn from its noisy tally.

    Counts are None and estimates suppressed when under ten residents.
    """

    pillars: list[str]
    months: list[tuple[str, int | None]]  # (YYYY-MM, residents whose first check-in in the period it was)
    residents: int | None  # residents with a check-in
    by_event: list[tuple[str, int | None]]  # (life-event id, residents)
    change: dict[str, Estimate]  # per pillar, first -> latest check-in
    change_residents: int | None  # residents with two or more check-ins, every pillar scored
    change_by_event: list[tuple[str, dict[str, Estimate]]] = field(default_factory=list)
    change_by_activity: list[tuple[str, dict[str, Estimate]]] = field(default_factory=list)  # (activity key, ...)
    outcomes: list[tuple[str, int | None]] = field(default_factory=list)  # (status, residents)
    referred: int | None = None
    epsilon: float | None = None  # what the release these figures come from cost
    activity_minimum: int = MIN_GROUP  # an activity is listed from this many residents (LISTED_SDS)


def _count(value: float) -> int:
    return max(0, round(value))


def _estimate(total: float, n: float, spread: float, sum_noise: float, n_noise: float,
              at_most: int | None = None) -> Estimate:
    """A noisy mean with a 95% interval that holds both the spread between residents and the noise.

    `at_most`: the noisy size of a group this one lies within (residents with a change among those
    after a life-event), so that the page never shows a subgroup larger than its group."""
    size = _count(n) if at_most is None else min(_count(n), at_most)
    if size < max(MIN_GROUP, 2):
        return SUPPRESSED
    mean = max(-CHANGE_LIMIT, min(CHANGE_LIMIT, total / n))
    variance = spread / n + (sum_noise + mean * mean * n_noise) / (n * n)
    margin = t_quantile(0.975, size - 1) * math.sqrt(variance)
    low, high = max(-CHANGE_LIMIT, mean - margin), min(CHANGE_LIMIT, mean + margin)
    if high - low > WIDEST_INTERVAL:
        return Estimate(n=size)  # "te onzeker"
    return Estimate(n=size, mean=mean, low=low, high=high)


def _spread(noisy: Tally, pillar: str) -> float:
    """The variance of the changes between residents, from the noisy sums and sums of squares."""
    n = noisy["change_n"]["all"]
    if n < 2:
        return CHANGE_LIMIT ** 2
    total, squares = noisy["change_sum"][_cell("all", pillar)], noisy["spread"][_cell("all", pillar)]
    return max(0.0, min(CHANGE_LIMIT ** 2, (squares - total * total / n) / (n - 1)))


def view_figures(noisy: Tally, groups: int, epsilon: float, pillars: Sequence[str],
                 cells: Mapping[str, Sequence[str]]) -> Figures | None:
    """The page's figures from a view's noisy tally (the sum of `groups` released groups).

    Nothing here looks at an exact figure: hiding, totals and intervals are drawn from the noise
    alone, so they cost no privacy. None when the view holds fewer than ten residents.
    """

    def noise(table: str) -> float:  # variance of a cell's noise, summed over the groups
        return groups * 2 * noise_scale(table, epsilon) ** 2

    # Totals are their own noisy cell (or the unrounded sum of the cells), never a sum of cells cut at zero.
    residents = total({"all": _count(noisy["residents"]["all"])})
    if residents is None:
        return None
    events = {e: _count(noisy["events"][e]) for e in cells["events"]}
    spread = {p: _spread(noisy, p) for p in pillars}

    def estimates(table: str, key: str, n: float, at_most: int | None = None) -> dict[str, Estimate]:
        return {p: _estimate(noisy[f"{table}_sum"][_cell(key, p)], n, spread[p], noise(f"{table}_sum"),
                             noise(f"{table}_n"), at_most) for p in pillars}

    # Post-processing of the noise only (no privacy spent): a subgroup is never shown larger than
    # its group, nor shown where its group is hidden; a row needs a count clearly above the noise.
    change_n = noisy["change_n"]["all"]
    shown_events = suppress_counts(events)
    hidden_events = hidden_keys({e: _count(noisy["event_n"][e]) for e in cells["events"]})
    hidden_events |= {e for e, n in shown_events.items() if n is None}
    by_event = {e: ({p: SUPPRESSED for p in pillars} if e in hidden_events else
                    estimates("event", e, noisy["event_n"][e], events[e])) for e in cells["events"]}
    clearly = MIN_GROUP + round(LISTED_SDS * math.sqrt(noise("activity_n")))  # the page names this number
    listed = [a for a in cells["activities"] if _count(noisy["activity_n"][a]) >= clearly]
    outcomes = {s: _count(noisy["outcomes"][s]) for s in cells["outcomes"]}
    referred = _count(sum(noisy["outcomes"].values()))
    return Figures(
        pillars=list(pillars),
        months=[(m, count_if_enough(_count(noisy["months"][m]), _count(noisy["months"][m]))) for m in cells["months"]],
        residents=residents,
        by_event=list(shown_events.items()),
        change=estimates("change", "all", change_n, residents),
        change_residents=total({"all": min(_count(change_n), residents)}),
        change_by_event=list(by_event.items()),
        change_by_activity=[(a, estimates("activity", a, noisy["activity_n"][a])) for a in listed],
        outcomes=list(suppress_counts(outcomes).items()),
        referred=total({"all": referred}),
        epsilon=epsilon,
        activity_minimum=clearly,
    )


def month_key(moment: datetime) -> str:
    return f"{moment.year:04d}-{moment.month:02d}"


def months_between(first: str, last: str) -> list[str]:
    """Every month key from `first` to `last`, inclusive, so empty months show too."""
    year, month = map(int, first.split("-"))
    end = tuple(map(int, last.split("-")))
    keys = []
    while (year, month) <= end:
        keys.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return keys


def period_options(first_year: int, last_year: int) -> list[str]:
    """The periods one can choose, newest first: each year and each of its quarters (e.g. 2026-K2)."""
    options = []
    for year in range(last_year, first_year - 1, -1):
        options.append(str(year))
        options += [f"{year}-K{quarter}" for quarter in (4, 3, 2, 1)]
    return options


def period_bounds(period: str) -> tuple[date, date] | None:
    """First and last day of a period key ("2026" or "2026-K3"); None when it is not one."""
    year_part, _, quarter_part = period.partition("-K")
    if not (year_part.isdigit() and len(year_part) == 4 and 2000 <= int(year_part) <= 2100):
        return None
    year = int(year_part)
    if not quarter_part:
        return date(year, 1, 1), date(year, 12, 31)
    if quarter_part not in {"1", "2", "3", "4"}:
        return None
    first_month = 3 * int(quarter_part) - 2
    last_day = date(year + 1, 1, 1) if first_month == 10 else date(year, first_month + 3, 1)
    return date(year, first_month, 1), last_day - timedelta(days=1)
