"""Welzijn op Recept, plain rules: the status path, waiting days, and what the verwijzer hears back."""

from dataclasses import dataclass, replace
from datetime import date

from webapp.core.labels import WorImproved, WorSharing, WorStatus
from webapp.core.privacy import MIN_GROUP

NEXT = {
    WorStatus.ONTVANGEN: (WorStatus.CONTACT_GELEGD, WorStatus.NIET_GESTART),
    WorStatus.CONTACT_GELEGD: (WorStatus.IN_BEGELEIDING, WorStatus.NIET_GESTART),
    WorStatus.IN_BEGELEIDING: (WorStatus.AFGEROND,),
    WorStatus.AFGEROND: (),
    WorStatus.NIET_GESTART: (),
}
OPEN = (WorStatus.ONTVANGEN, WorStatus.CONTACT_GELEGD, WorStatus.IN_BEGELEIDING)
# Before the first conversation the verwijzer sees how far the coach got: the patient agreed to be
# referred. From then on, only what the resident chose (WorSharing).
BEFORE_CONSENT = (WorStatus.ONTVANGEN, WorStatus.CONTACT_GELEGD, WorStatus.NIET_GESTART)


def can_move(current: str, new: str) -> bool:
    """Whether a referral may go from `current` to `new` (never back, never past the end)."""
    return new in NEXT.get(current, ())


def waiting_days(received: date, today: date) -> int:
    """Whole days since the referral came in (0 on the day itself)."""
    return max(0, (today - received).days)


@dataclass(frozen=True)
class Feedback:
    """What the verwijzer may read about one of their own referrals; never answers or scores."""

    status: str | None       # a WorStatus, or None when the resident chose no feedback
    not_started: str | None  # a WorNotStarted, only with status NIET_GESTART
    note: str | None         # only when the resident agreed to a short note
    withheld: bool           # the resident chose that the verwijzer hears nothing more
    started: bool | None = None          # did the coaching start; None while that is not known yet
    activities: tuple[str, ...] = ()     # names of the activities the resident chose (with STATUS_NOTITIE)
    improved: str | None = None          # a WorImproved, at the close (with STATUS or STATUS_NOTITIE)


def feedback(status: str, sharing: str | None, not_started: str | None, note: str | None,
             activities: tuple[str, ...] | list[str] = (), improved: str | None = None) -> Feedback:
    """What the resident's choice (WorSharing) lets the verwijzer read.

    Before the first conversation: how far the coach got (the patient agreed to be referred), and
    the reason when it did not start. From then on GEEN: nothing; STATUS: the status, that it
    started, and at the close whether things improved, in words; STATUS_NOTITIE: also the short
    note and the activities chosen.
    """
    if status in BEFORE_CONSENT:
        stopped = status == WorStatus.NIET_GESTART
        return Feedback(status, not_started if stopped else None, None, False, started=False if stopped else None)
    if sharing not in (WorSharing.STATUS, WorSharing.STATUS_NOTITIE):
        return Feedback(None, None, None, True)
    words = improved if status == WorStatus.AFGEROND and improved in WorImproved.values() else None
    if sharing == WorSharing.STATUS:
        return Feedback(status, None, None, False, started=True, improved=words)
    return Feedback(status, None, (note or None), False, started=True, activities=tuple(activities), improved=words)


# --- closing a case: what the coach records in a few taps ---

MAX_HOURS = 200
NOTHING, UNKNOWN = "niets", "weet_niet"  # the two avoided-choices that stand alone, next to the price list ids


def close_problems(improved: str | None, hours: int | None, avoided: list[str], known: set[str]) -> list[str]:
    """What is wrong with a close (keys of labels.PROBLEMS); empty when it may be stored."""
    problems = []
    if improved not in WorImproved.values():
        problems.append("improved")
    if hours is None or not 0 <= hours <= MAX_HOURS:
        problems.append("hours")
    chosen = set(avoided)
    if not chosen or not chosen <= known | {NOTHING, UNKNOWN}:
        problems.append("avoided")
    elif len(chosen) > 1 and chosen & {NOTHING, UNKNOWN}:
        problems.append("avoided_alone")
    return problems


# --- the Rendementsmeter's price list (data: webapp/data/rendement.yaml, amounts overridable) ---

MAX_AMOUNT = 1_000_000
MAX_SOURCE = 300  # characters; the page's field and the database column hold this much


@dataclass(frozen=True)
class PriceItem:
    """One line of the price list: an avoided cost for one closed case, as a range in whole euros."""

    id: str
    name: dict[str, str]  # {"nl": ..., "en": ...}
    unit: dict[str, str]
    low: int
    high: int
    source: str
    hourly_rate: bool = False
    url: str | None = None  # where the file's source can be read; gone once the beheerder changes the source


class PriceListError(ValueError):
    """The price list file is broken; str() says where."""


def amount_problem(low, high) -> str | None:
    """Why a low/high pair cannot be an amount (a key of labels.PROBLEMS), or None."""
    if isinstance(low, bool) or isinstance(high, bool) or not isinstance(low, int) or not isinstance(high, int):
        return "amount"
    if not (0 <= low <= MAX_AMOUNT and 0 <= high <= MAX_AMOUNT):
        return "amount"
    if low > high:
        return "low_high"
    return None


def parse_price_list(data) -> tuple[PriceItem, ...]:
    """The price list from the YAML's data; PriceListError on anything missing, doubled or not an amount."""
    if not isinstance(data, dict) or not isinstance(data.get("items"), list) or not data["items"]:
        raise PriceListError("the price list needs a non-empty 'items' list")
    items, seen = [], set()
    for number, raw in enumerate(data["items"], 1):
        if not isinstance(raw, dict):
            raise PriceListError(f"item {number} is not a mapping")
        item_id = raw.get("id")
        if not isinstance(item_id, str) or not item_id.isidentifier() or item_id in seen | {NOTHING, UNKNOWN}:
            raise PriceListError(f"item {number}: missing, doubled or reserved id")
        seen.add(item_id)
        for field in ("name", "unit"):
            words = raw.get(field)
            if not isinstance(words, dict) or not all(isinstance(words.get(lang), str) and words[lang].strip()
                                                      for lang in ("nl", "en")):
                raise PriceListError(f"item {item_id}: '{field}' needs nl and en")
        if amount_problem(raw.get("low"), raw.get("high")):
            raise PriceListError(f"item {item_id}: low and high must be whole euros, low <= high")
        if not isinstance(raw.get("source"), str) or not raw["source"].strip() or \
                len(raw["source"].strip()) > MAX_SOURCE:
            raise PriceListError(f"item {item_id}: a source of at most {MAX_SOURCE} characters is required")
        url = raw.get("url")
        if url is not None and (not isinstance(url, str) or not url.startswith("https://") or any(
                char.isspace() for char in url)):
            raise PriceListError(f"item {item_id}: the url must be one https:// address")
        items.append(PriceItem(item_id, dict(raw["name"]), dict(raw["unit"]), raw["low"], raw["high"],
                               raw["source"].strip(), bool(raw.get("hourly_rate")), url))
    if sum(item.hourly_rate for item in items) != 1:
        raise PriceListError("exactly one item needs hourly_rate: true")
    return tuple(items)


def with_overrides(items: tuple[PriceItem, ...], overrides: dict[str, tuple[int, int, str]]) -> tuple[PriceItem, ...]:
    """The price list with the beheerder's amounts and sources ({id: (low, high, source)}) in place of the file's;
    the file's link stays only while its source text does."""
    def changed(item: PriceItem) -> PriceItem:
        low, high, source = overrides[item.id]
        return replace(item, low=low, high=high, source=source, url=item.url if source == item.source else None)

    return tuple(changed(item) if item.id in overrides else item for item in items)


# --- the feedback as FHIR R4: a ServiceRequest + Task pair (Gravity SDOH Clinical Care referral pattern) ---

FHIR_BASE = "https://veerkracht.nl/fhir"
# No SNOMED CT code could be verified for "referral to social prescribing" here, so the referral's
# category and code come from the app's own code system (never an invented SNOMED code).
WOR_CODE_SYSTEM = FHIR_BASE + "/CodeSystem/welzijn-op-recept"
FEEDBACK_CODE_SYSTEM = FHIR_BASE + "/CodeSystem/welzijn-op-recept-terugkoppeling"
TASK_STATUS = {WorStatus.ONTVANGEN: "requested", WorStatus.CONTACT_GELEGD: "accepted",
               WorStatus.IN_BEGELEIDING: "in-progress", WorStatus.AFGEROND: "completed",
               WorStatus.NIET_GESTART: "rejected"}
REQUEST_STATUS = {WorStatus.AFGEROND: "completed", WorStatus.NIET_GESTART: "revoked"}  # otherwise "active"
PRIORITY = {"gewoon": "routine", "snel": "asap"}


@dataclass(frozen=True)
class FhirReferral:
    """What the verwijzer's own FHIR download holds: their own typing, and the feedback they may read."""

    referral_id: str
    patient_name: str
    authored_on: str        # ISO 8601 with offset
    last_modified: str
    urgency: str
    referrer_id: str
    referrer_name: str
    referrer_organisation: str | None
    feedback: Feedback
    status_text: str        # the status (or "no feedback chosen") in words, for businessStatus
    not_started_text: str | None
    improved_text: str | None


def _output(code: str, display: str, value: dict) -> dict:
    return {"type": {"coding": [{"system": FEEDBACK_CODE_SYSTEM, "code": code, "display": display}]}, **value}


def fhir_referral_bundle(r: FhirReferral, base: str = FHIR_BASE) -> dict:
    """A Bundle (collection) of a ServiceRequest (the referral) and a Task (how far it got), holding
    only what the resident's choice lets this verwijzer read; the patient is only the name typed."""
    seen = r.feedback
    known = None if seen.withheld else seen.status
    # A FHIR id allows only A-Z a-z 0-9 - . ; the referral's number is URL-safe base64 (A-Z a-z 0-9 - _),
    # so "_" -> "." is reversible and cannot collide.
    fhir_id = r.referral_id.replace("_", ".")
    request_id, task_id = f"wor-{fhir_id}", f"wor-{fhir_id}-taak"
    practitioner = {"resourceType": "Practitioner", "id": "verwijzer",
                    "identifier": [{"system": f"{base}/medewerker", "value": r.referrer_id}],
                    "name": [{"text": r.referrer_name}]}
    service_request = {
        "resourceType": "ServiceRequest", "id": request_id,
        "contained": [{"resourceType": "Patient", "id": "patient", "name": [{"text": r.patient_name}]}, practitioner],
        "identifier": [{"system": f"{base}/wor-verwijzing", "value": r.referral_id}],
        # Without feedback the verwijzer only knows that the coaching was agreed: "active".
        "status": REQUEST_STATUS.get(known, "active"),
        "intent": "order",
        "category": [{"coding": [{"system": WOR_CODE_SYSTEM, "code": "welzijn-op-recept",
                                  "display": "Welzijn op Recept"}]}],
        "code": {"coding": [{"system": WOR_CODE_SYSTEM, "code": "verwijzing-welzijnscoach",
                             "display": "Verwijzing naar een welzijnscoach (sociaal voorschrijven)"}],
                 "text": "Welzijn op Recept"},
        "priority": PRIORITY.get(r.urgency, "routine"),
        "subject": {"reference": "#patient", "display": r.patient_name},
        "authoredOn": r.authored_on,
        "requester": {"reference": "#verwijzer", "display": r.referrer_name},
    }
    if r.referrer_organisation:
        practitioner["name"][0]["text"] = f"{r.referrer_name} ({r.referrer_organisation})"
    outputs = []
    if seen.started is not None:
        outputs.append(_output("gestart", "Begeleiding gestart", {"valueBoolean": seen.started}))
    if seen.improved and r.improved_text:
        outputs.append(_output("verbetering", "Gaat het beter (in woorden)", {"valueString": r.improved_text}))
    outputs += [_output("activiteit", "Gekozen activiteit", {"valueString": name}) for name in seen.activities]
    if seen.note:
        outputs.append(_output("notitie", "Korte notitie", {"valueString": seen.note}))
    task = {
        "resourceType": "Task", "id": task_id,
        "identifier": [{"system": f"{base}/wor-verwijzing-taak", "value": r.referral_id}],
        # Without feedback: the patient agreed at the first conversation, nothing more is told.
        "status": TASK_STATUS.get(known, "accepted"),
        "businessStatus": {"text": r.status_text},
        "intent": "order",
        "focus": {"reference": f"ServiceRequest/{request_id}"},
        "authoredOn": r.authored_on,
        "lastModified": r.last_modified,
    }
    if known == WorStatus.NIET_GESTART and r.not_started_text:
        task["statusReason"] = {"text": r.not_started_text}
    if outputs:
        task["output"] = outputs
    return {"resourceType": "Bundle", "type": "collection", "timestamp": r.last_modified,
            "entry": [{"fullUrl": f"{base}/ServiceRequest/{request_id}", "resource": service_request},
                      {"fullUrl": f"{base}/Task/{task_id}", "resource": task}]}


# --- the Rendementsmeter's figures: per quarter and referral source, always an estimate ---

@dataclass(frozen=True)
class ClosedCase:
    """One closed referral as the figures need it: no names, no free text."""

    quarter: str          # e.g. "2026-K4", of the close in the organisation's timezone
    source: str           # the verwijzer's organisation ("" when unknown)
    resident: int         # only to count people, for the small-group rule
    hours: int
    avoided: tuple[str, ...]


@dataclass(frozen=True)
class FigureRow:
    """One quarter x source; every figure None when fewer than MIN_GROUP residents are behind it."""

    quarter: str
    source: str
    cases: int | None
    hours: int | None = None
    avoided_low: int | None = None
    avoided_high: int | None = None
    coaching_low: int | None = None
    coaching_high: int | None = None

    @property
    def suppressed(self) -> bool:
        return self.cases is None


def quarter_key(day: date) -> str:
    return f"{day.year:04d}-K{(day.month - 1) // 3 + 1}"


def rendement_figures(cases: list[ClosedCase], items: tuple[PriceItem, ...],
                      minimum: int = MIN_GROUP) -> list[FigureRow]:
    """Cases closed, the estimated costs avoided (sum of the ticked lines' low and high amounts) and the
    cost of the coaching time (hours x the hourly rate's low and high), per quarter and source, newest
    quarter first; a group of fewer than `minimum` residents shows no figures at all."""
    amounts = {item.id: (item.low, item.high) for item in items if not item.hourly_rate}
    [rate] = [item for item in items if item.hourly_rate]
    groups: dict[tuple[str, str], list[ClosedCase]] = {}
    for case in cases:
        groups.setdefault((case.quarter, case.source), []).append(case)
    rows = []
    for (quarter, source), group in groups.items():
        if len({case.resident for case in group}) < minimum:
            rows.append(FigureRow(quarter, source, None))
            continue
        hours = sum(case.hours for case in group)
        ticked = [amounts[item] for case in group for item in case.avoided if item in amounts]
        rows.append(FigureRow(quarter, source, len(group), hours, sum(low for low, _high in ticked),
                              sum(high for _low, high in ticked), hours * rate.low, hours * rate.high))
    return sorted(rows, key=lambda row: (_descending(row.quarter), row.source.casefold()))


def _descending(quarter: str) -> tuple[int, int]:
    year, _sep, number = quarter.partition("-K")
    return -int(year), -int(number)


def _euros(text: str | None) -> int | None:
    text = (text or "").strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 7 else None


def parse_price_edit(raw: dict[str, str], items: tuple[PriceItem, ...]) -> tuple[dict[str, tuple[int, int, str]],
                                                                                   dict[str, str]]:
    """The beheerder's edit of the price list ({"low-<id>": "120", "high-<id>": ..., "source-<id>": ...}):
    ({id: (low, high, source)} for every line, {id: problem key}); any problem means nothing is stored."""
    values, problems = {}, {}
    for item in items:
        low, high = _euros(raw.get(f"low-{item.id}")), _euros(raw.get(f"high-{item.id}"))
        source = (raw.get(f"source-{item.id}") or "").strip()
        if low is None or high is None:
            problems[item.id] = "amount"
        elif (problem := amount_problem(low, high)) is not None:
            problems[item.id] = problem
        elif not source or len(source) > MAX_SOURCE:
            problems[item.id] = "source"
        else:
            values[item.id] = (low, high, source)
    return values, problems
