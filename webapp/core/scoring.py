"""Pillar scores from raw answers, and how they changed."""

from collections.abc import Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal

WORTH_DISCUSSING = 2.0  # a rule of thumb, not a clinical threshold


def _one_decimal(value: Decimal) -> float:
    return float(value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def pillar_score(item_ids: Sequence[str], answers: Mapping[str, int | None]) -> float | None:
    """Mean of the answered items, one decimal; None when fewer than half were answered."""
    scores = [answers[i] for i in item_ids if answers.get(i) is not None]
    if not item_ids or len(scores) * 2 < len(item_ids):
        return None
    return _one_decimal(Decimal(sum(scores)) / Decimal(len(scores)))


def pillar_scores(
    form_items: Mapping[str, Sequence[str]], answers: Mapping[str, int | None]
) -> dict[str, float | None]:
    """Score every pillar of a form: {pillar id: score or None}."""
    return {pillar: pillar_score(items, answers) for pillar, items in form_items.items()}


def changes(
    current: Mapping[str, float | None], previous: Mapping[str, float | None] | None
) -> dict[str, float | None]:
    """Change per pillar since the previous check-in; None where either side has no score."""
    result: dict[str, float | None] = {}
    for pillar, score in current.items():
        before = previous.get(pillar) if previous else None
        if score is None or before is None:
            result[pillar] = None
        else:
            result[pillar] = _one_decimal(Decimal(str(score)) - Decimal(str(before)))
    return result


def worth_discussing(change: float | None) -> bool:
    """A change of two points or more is worth talking about (either direction)."""
    return change is not None and abs(change) >= WORTH_DISCUSSING


def lowest_pillars(scores: Mapping[str, float | None], limit: int = 2) -> list[str]:
    """The pillars scoring lowest, at most `limit`; none when every score is the same."""
    scored = [(s, p) for p, s in scores.items() if s is not None]
    if len({s for s, _ in scored}) < 2:
        return []
    top = max(s for s, _ in scored)
    ranked = sorted((s, i, p) for i, (s, p) in enumerate(scored) if s < top)
    return [p for _, _, p in ranked[:limit]]


def very_low(scores: Mapping[str, float | None], pillars: Sequence[str], threshold: float) -> list[str]:
    """The given pillars scoring at or below the threshold (the safety net's rule; not a diagnosis)."""
    return [p for p in pillars if scores.get(p) is not None and scores[p] <= threshold]


# How a resident reads a change (issue 17): words, not "+0,5". Under one point is "about the
# same" (one answer one step up or down in the short form); from one point "a little"; from
# WORTH_DISCUSSING (two points) plainly better or worse, the same rule of thumb as above.
SAME_BELOW = 1.0


def change_word(change: float | None) -> str | None:
    """The change in one word: beter, iets_beter, gelijk, iets_minder, minder (None: nothing to compare)."""
    if change is None:
        return None
    if abs(change) < SAME_BELOW:
        return "gelijk"
    if abs(change) < WORTH_DISCUSSING:
        return "iets_beter" if change > 0 else "iets_minder"
    return "beter" if change > 0 else "minder"


def whole_score(score: float | None) -> int | None:
    """A pillar score as a whole number, rounded half up as a Dutch school report is (6,5 -> 7)."""
    if score is None:
        return None
    return int(Decimal(str(score)).quantize(Decimal("1"), rounding=ROUND_HALF_UP))
