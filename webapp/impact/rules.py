"""Organisation figures: counts and mean changes, and every rule that hides small groups.

Where small groups are hidden, all in this module:
- every group under MIN_GROUP (10) residents shows "te weinig gegevens" (suppress_counts, mean_ci);
- where a total is shown, further groups are hidden until the hidden ones hold 10 or more
  (secondary suppression, hidden_keys), so no hidden group follows from total minus the rest;
- a filtered view is hidden altogether when it, or what it leaves out of a wider view, holds
  1 to 9 residents (view_too_small);
- the wijk filter offers only wijken of 10 or more, the rest pooled (wijk_groups);
- a month shows its check-ins only with 10 or more residents (count_if_enough);
- activities are listed only with 10 or more compared residents (large_enough);
- periods are whole years or quarters, never free dates (period_options, period_bounds).

Plain functions on plain values; the service gathers the rows, the views show the result.
"""

import functools
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

MIN_GROUP = 10  # groups smaller than this are shown as "te weinig gegevens"


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


SUPPRESSED = Estimate(n=None)


def view_too_small(population: int, wider_populations: Iterable[int], minimum: int = MIN_GROUP) -> bool:
    """Whether a filtered view holds too few residents, or leaves 1 to 9 out of a wider view."""
    if population < minimum:
        return True
    return any(0 < wider - population < minimum for wider in wider_populations)


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


def large_enough(groups: Mapping, minimum: int = MIN_GROUP) -> dict:
    """Only the groups (each a collection of residents) with `minimum` or more members."""
    return {key: group for key, group in groups.items() if len(group) >= minimum}


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


def mean_ci(values: Sequence[float], minimum: int = MIN_GROUP) -> Estimate:
    """Mean and 95% t-interval of `values`; suppressed when fewer than `minimum` values."""
    n = len(values)
    if n < max(minimum, 2):
        return SUPPRESSED
    mean = sum(values) / n
    sd = math.sqrt(sum((v - mean) ** 2 for v in values) / (n - 1))
    margin = t_quantile(0.975, n - 1) * sd / math.sqrt(n)
    return Estimate(n=n, mean=mean, low=mean - margin, high=mean + margin)


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


def change_per_pillar(pairs: Iterable[tuple[ScoredCheckin, ScoredCheckin]],
                      pillars: Sequence[str]) -> dict[str, Estimate]:
    """Mean change (later minus earlier) per pillar over the residents scored on both sides."""
    differences: dict[str, list[float]] = {pillar: [] for pillar in pillars}
    for before, after in pairs:
        for pillar in pillars:
            old, new = before.scores.get(pillar), after.scores.get(pillar)
            if old is not None and new is not None:
                differences[pillar].append(new - old)
    return {pillar: mean_ci(values) for pillar, values in differences.items()}


def change_per_group(groups: Mapping[str, Sequence[tuple[ScoredCheckin, ScoredCheckin]]],
                     pillars: Sequence[str]) -> dict[str, dict[str, Estimate]]:
    """Mean change per pillar for groups that together make up a shown total (e.g. per life-event).

    Per pillar the groups are suppressed with `hidden_keys`, so no hidden group can be worked
    out from the total and the shown groups.
    """
    changes = {key: change_per_pillar(pairs, pillars) for key, pairs in groups.items()}
    for pillar in pillars:
        sizes = {key: _scored(groups[key], pillar) for key in groups}
        for key in hidden_keys(sizes):
            changes[key][pillar] = SUPPRESSED
    return changes


def _scored(pairs: Sequence[tuple[ScoredCheckin, ScoredCheckin]], pillar: str) -> int:
    return sum(1 for before, after in pairs
               if before.scores.get(pillar) is not None and after.scores.get(pillar) is not None)


def around(checkins: Sequence[ScoredCheckin], moment: datetime) -> tuple[ScoredCheckin, ScoredCheckin] | None:
    """A resident's latest check-in at or before `moment` and latest after it, if both exist."""
    before = [c for c in checkins if c.at <= moment]
    after = [c for c in checkins if c.at > moment]
    if not before or not after:
        return None
    return max(before, key=lambda c: c.at), max(after, key=lambda c: c.at)


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
