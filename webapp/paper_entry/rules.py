"""Check the answers a coach types in from a paper questionnaire, without trusting the browser.

Plain Python: every value is checked before anything is stored, and every problem gets a code that
labels.py turns into a Dutch message.
"""

import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

BLANK = "-"  # the resident left this question empty on paper
KEY_PATTERN = re.compile(r"[A-Za-z0-9_-]{16}")  # a draft's public id (new_public_id: 12 random bytes)
CONTROL_FIELDS = frozenset({"csrf_token", "key", "form", "filled_on", "life_event", "lang"})


@dataclass
class PaperInput:
    """What the page said: the answers (None = left empty on paper), the date, the life event, problems."""

    answers: dict[str, int | None] = field(default_factory=dict)
    filled_on: date | None = None
    life_event: str | None = None
    errors: dict[str, str] = field(default_factory=dict)  # item id, "filled_on", "life_event" or "_form"

    @property
    def ok(self) -> bool:
        return not self.errors


def parse_answer(raw: str | None, allowed: Collection[int]) -> int | None:
    """One typed answer: a score the form allows, or BLANK (None). KeyError: nothing typed;
    ValueError: anything else."""
    value = (raw or "").strip()
    if not value:
        raise KeyError("missing")
    if value == BLANK:
        return None
    if not value.isascii() or not value.isdigit() or int(value) not in allowed:
        raise ValueError(value)
    return int(value)


def parse_date(raw: str | None) -> date:
    """The day it was filled in: 2027-03-01 (a date field) or 1-3-2027 (typed). ValueError otherwise."""
    value = (raw or "").strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return date.fromisoformat(value)
    match = re.fullmatch(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})", value)
    if match:
        day, month, year = (int(part) for part in match.groups())
        return date(year, month, day)
    raise ValueError(value)


def check_date(raw: str | None, today: date, earliest: date) -> tuple[date | None, str | None]:
    """The date and None, or None and why not: missing, invalid, future, before the enrolment."""
    if not (raw or "").strip():
        return None, "date_missing"
    try:
        filled_on = parse_date(raw)
    except ValueError:
        return None, "date_invalid"
    if filled_on > today:
        return None, "date_future"
    if filled_on < earliest:
        return None, "date_too_early"
    return filled_on, None


def parse_paper(item_ids: Sequence[str], data: Mapping[str, str], allowed: Collection[int], *,
                today: date, earliest: date, life_events: Collection[str]) -> PaperInput:
    """Parse the whole page: one answer for every item (a value or BLANK), the date, the life event."""
    result = PaperInput()
    if any(key not in CONTROL_FIELDS and key not in item_ids for key in data):
        result.errors["_form"] = "unknown_field"
    for item_id in item_ids:
        try:
            result.answers[item_id] = parse_answer(data.get(item_id), allowed)
        except KeyError:
            result.errors[item_id] = "missing"
        except ValueError:
            result.errors[item_id] = "invalid"
    result.filled_on, date_error = check_date(data.get("filled_on"), today, earliest)
    if date_error:
        result.errors["filled_on"] = date_error
    event = (data.get("life_event") or "").strip()
    if event and event not in life_events:
        result.errors["life_event"] = "life_event_invalid"
    result.life_event = event or None
    return result
