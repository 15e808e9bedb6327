"""Check an offline visit's upload without trusting the device; describe scoring for the device."""

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from webapp.core import scoring

UPLOAD_FIELDS = frozenset({"visit", "questionnaire", "version", "form", "life_event", "answers", "talk",
                           "conversation", "finished_at"})
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
                  _finished_at(payload.get("finished_at"), now))


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
