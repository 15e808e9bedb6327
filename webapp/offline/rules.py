"""Check an offline visit's upload without trusting the device; describe scoring for the device."""

import math
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from webapp.checkin.rules import parse_event_month
from webapp.core import scoring
from webapp.core.questionnaires import NO_LIFE_EVENT
from webapp.referrals.rules import parse_rating

UPLOAD_FIELDS = frozenset({"visit", "questionnaire", "version", "form", "life_event", "event_month", "event_year",
                           "answers", "talk", "conversation", "finished_at", "followups"})
FOLLOWUP_TEXT_LIMIT = 1000  # as the online "Wilt u er iets over vertellen?"
# The conversation at the visit, as on the result page (results/forms.py VisitForm): field -> max length.
CONVERSATION_LIMITS = {"plan_important": 1000, "plan_step": 500, "plan_helper": 500, "coach_notes": 2000}
RHYTHMS = ("gewoon", "waakvlam")


class UploadError(ValueError):
    """The upload is refused; `code` names the problem (labels.UPLOAD_ERRORS has the words)."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class UploadSpec:
    """What the visit was prepared with: the only questionnaire, items and answers it may send."""

    questionnaire_id: str
    version: int
    form: str
    item_ids: Sequence[str]
    allowed_scores: Collection[int]
    life_events: Collection[str]


@dataclass
class Upload:
    visit: str
    life_event: str
    answers: dict[str, int | None]
    talk: set[str]
    conversation: dict[str, str | None] = field(default_factory=dict)
    finished_at: datetime | None = None
    life_event_on: date | None = None
    # "Bent u naar ... geweest? Hoe was het?": referral public id -> (rating 1-5 or None, text or None)
    followups: dict[str, tuple[int | None, str | None]] = field(default_factory=dict)


def visit_key(payload: object) -> str:
    """The visit key of an upload (to find the visit before the rest is checked)."""
    if not isinstance(payload, Mapping):
        raise UploadError("not_json")
    key = payload.get("visit")
    if not isinstance(key, str) or not 8 <= len(key) <= 32 or not key.isascii():
        raise UploadError("visit_missing")
    return key


def _score(value: object, allowed: Collection[int]) -> int | None:
    if value is None:
        return None
    # bool is an int in Python; true/false is not an answer.
    if isinstance(value, bool) or not isinstance(value, int) or value not in allowed:
        raise UploadError("out_of_range")
    return value


def _conversation(raw: object) -> dict[str, str | None]:
    if raw is None:
        return {}
    if not isinstance(raw, Mapping) or set(raw) - {*CONVERSATION_LIMITS, "rhythm"}:
        raise UploadError("unknown_field")
    result: dict[str, str | None] = {}
    for name, limit in CONVERSATION_LIMITS.items():
        text = raw.get(name)
        if text is None:
            continue
        if not isinstance(text, str):
            raise UploadError("unknown_field")
        if len(text) > limit:
            raise UploadError("too_long")
        result[name] = text.strip() or None
    rhythm = raw.get("rhythm")
    if rhythm is not None:
        if rhythm not in RHYTHMS:
            raise UploadError("unknown_field")
        result["rhythm"] = rhythm
    return result


def _finished_at(raw: object, now: datetime) -> datetime | None:
    if raw is None:
        return None
    try:
        when = datetime.fromisoformat(str(raw).replace("Z", "+00:00"))
    except ValueError:
        raise UploadError("unknown_field") from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    # The tablet's clock may be off: never in the future, and only for a visit of the last 30 days.
    if when > now or (now - when).days > 30:
        return None
    return when


def _event_month(payload: Mapping, life_event: str, today: date) -> date | None:
    """When the life-event happened, checked as on the online screen ("weet ik niet" is fine)."""
    month, year = payload.get("event_month") or "", payload.get("event_year") or ""
    if not isinstance(month, str | int) or not isinstance(year, str | int) or isinstance(month, bool) \
            or isinstance(year, bool):
        raise UploadError("event_date")
    if life_event == NO_LIFE_EVENT:
        return None
    try:
        return parse_event_month(str(month), str(year), today)
    except ValueError:
        raise UploadError("event_date") from None


def _followups(raw: object) -> dict[str, tuple[int | None, str | None]]:
    """The follow-up answers as the device kept them: {"hoe_<id>": "1".."5" or "", "toelichting_<id>": text}."""
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise UploadError("followup")
    result: dict[str, list] = {}
    for name, value in raw.items():
        kind, _, referral = str(name).partition("_")
        if kind not in ("hoe", "toelichting") or not 8 <= len(referral) <= 32 or not referral.isascii() \
                or not referral.replace("-", "").replace("_", "").isalnum() or not isinstance(value, str):
            raise UploadError("followup")
        answer = result.setdefault(referral, [None, None])
        if kind == "hoe":
            try:
                answer[0] = parse_rating(value)
            except ValueError:
                raise UploadError("followup") from None
        elif len(value) > FOLLOWUP_TEXT_LIMIT:
            raise UploadError("too_long")
        else:
            answer[1] = value.strip() or None
    return {referral: (rating, text) for referral, (rating, text) in result.items()}


def parse_upload(payload: object, spec: UploadSpec, now: datetime) -> Upload:
    """Check everything the device sent against what the visit was prepared with; UploadError otherwise."""
    key = visit_key(payload)
    assert isinstance(payload, Mapping)
    if set(payload) - UPLOAD_FIELDS:
        raise UploadError("unknown_field")
    if (payload.get("questionnaire"), payload.get("version"), payload.get("form")) != (
        spec.questionnaire_id, spec.version, spec.form
    ):
        raise UploadError("wrong_version")
    life_event = payload.get("life_event")
    if not isinstance(life_event, str) or life_event not in spec.life_events:
        raise UploadError("life_event")
    answers_in = payload.get("answers")
    if not isinstance(answers_in, Mapping):
        raise UploadError("not_json")
    if set(answers_in) - set(spec.item_ids):
        raise UploadError("unknown_item")
    answers = {item: _score(answers_in.get(item), spec.allowed_scores) for item in spec.item_ids}
    if all(score is None for score in answers.values()):
        raise UploadError("empty")
    talk_in = payload.get("talk") or []
    if not isinstance(talk_in, list) or any(not isinstance(i, str) or i not in spec.item_ids for i in talk_in):
        raise UploadError("unknown_item")
    return Upload(key, life_event, answers, set(talk_in), _conversation(payload.get("conversation")),
                  _finished_at(payload.get("finished_at"), now), _event_month(payload, life_event, now.date()),
                  _followups(payload.get("followups")))


def scoring_definition(form_items: Mapping[str, Sequence[str]]) -> dict:
    """How the device scores, as data (core/scoring.py's rule): the mean of the answered items of a
    pillar, one decimal rounded half up, no score when fewer than half were answered."""
    return {
        "pillars": {pillar: list(items) for pillar, items in form_items.items()},
        "min_answered": "half",
        "decimals": 1,
        "rounding": "half_up",
        "worth_discussing": scoring.WORTH_DISCUSSING,
    }


CHART_SIZE, CHART_UNIT = 340, 12  # the device's spider web: 340 px square, 12 px per point of the 0-10 scale


def chart_point(index: int, count: int, value: float) -> tuple[float, float]:
    """Where `value` lies on the axis of pillar `index` of `count` (the first points up, clockwise)."""
    angle = -math.pi / 2 + 2 * math.pi * index / count
    centre, distance = CHART_SIZE / 2, CHART_UNIT * value
    return round(centre + distance * math.cos(angle), 1), round(centre + distance * math.sin(angle), 1)


def chart_frame(count: int) -> dict:
    """The spider web's rings and axes, drawn in the kept visit page; the device adds the scores."""
    def polygon(value: float) -> str:
        return " ".join("{},{}".format(*chart_point(i, count, value)) for i in range(count))
    return {"size": CHART_SIZE, "rings": [polygon(ring) for ring in (2, 4, 6, 8, 10)],
            "axes": [(chart_point(i, count, 10), chart_point(i, count, 11.6)) for i in range(count)]}
