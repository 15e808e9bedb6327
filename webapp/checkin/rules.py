"""Check posted answers for one questionnaire step, without trusting the browser."""

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Protocol

SKIP = "skip"
TALK_PREFIX = "talk_"
CONTROL_FIELDS = frozenset({"csrf_token", "action"})


class MultiMapping(Protocol):
    def getlist(self, key: str) -> list[str]: ...
    def keys(self) -> Iterable[str]: ...


@dataclass
class StepInput:
    """What one step's form said: scores (None = skipped), talk ticks and problems."""

    answers: dict[str, int | None] = field(default_factory=dict)
    talk: set[str] = field(default_factory=set)
    chosen: set[str] = field(default_factory=set)  # items with a score or an explicit skip
    errors: dict[str, str] = field(default_factory=dict)  # item id (or "_form") -> problem code

    @property
    def ok(self) -> bool:
        return not self.errors


def parse_score(raw: str, allowed: Collection[int] = range(11)) -> int | None:
    """Turn one posted value into a score 0-10 (one of `allowed`) or None (skip); ValueError otherwise."""
    value = raw.strip()
    if value in ("", SKIP):
        return None
    if not value.isdigit() or not value.isascii():
        raise ValueError(value)
    score = int(value)
    if not 0 <= score <= 10 or score not in allowed:
        raise ValueError(value)
    return score


def parse_step(item_ids: Sequence[str], data: MultiMapping, allowed: Collection[int] = range(11)) -> StepInput:
    """Parse a step: every item may be scored (0-10, or a face's value), skipped, and ticked
    'hier wil ik over praten'."""
    result = StepInput()
    fields = set(CONTROL_FIELDS) | set(item_ids) | {TALK_PREFIX + i for i in item_ids}
    if any(key not in fields for key in data.keys()):
        result.errors["_form"] = "unknown_field"
    for item_id in item_ids:
        values = data.getlist(item_id)
        if len(values) > 1:
            result.errors[item_id] = "invalid"
            continue
        try:
            result.answers[item_id] = parse_score(values[0], allowed) if values else None
            if values and values[0].strip():
                result.chosen.add(item_id)
        except ValueError:
            result.errors[item_id] = "invalid"
        talk = data.getlist(TALK_PREFIX + item_id)
        if talk:
            if talk != ["1"]:
                result.errors[item_id] = "invalid"
            else:
                result.talk.add(item_id)
    return result


EVENT_YEARS_BACK = 10  # the year list on the life-event screen goes back this far


def event_years(today: date) -> list[int]:
    """The years a resident can pick for when the life-event happened, newest first."""
    return list(range(today.year, today.year - EVENT_YEARS_BACK - 1, -1))


def parse_event_month(month: str, year: str, today: date) -> date | None:
    """When the life-event happened: the first of the chosen month, or None when both are left at
    "weet ik niet". ValueError with a problem code: "half" (one of the two), "invalid", "future"."""
    month, year = (month or "").strip(), (year or "").strip()
    if not month and not year:
        return None
    if not month or not year:
        raise ValueError("half")
    if not (month.isascii() and month.isdigit() and year.isascii() and year.isdigit()) or len(year) != 4:
        raise ValueError("invalid")
    if not 1 <= int(month) <= 12 or int(year) not in event_years(today):
        raise ValueError("invalid")
    when = date(int(year), int(month), 1)
    if when > today:
        raise ValueError("future")
    return when

