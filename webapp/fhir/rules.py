"""Turn questionnaire definitions and check-ins into FHIR R4 resources (plain dicts, ready for json.dumps).

Layout of a Questionnaire for one form ("kort", "uitgebreid", "eenvoudig", "heel_eenvoudig"):

    levensgebeurtenis            choice   life-event, a Coding from the Veerkracht CodeSystem "levensgebeurtenis"
    <pillar id>                  group    one per pillar, Dutch pillar name
        <item id>                integer  0..10 (minValue/maxValue), slider
            <item id>.laag       display  low scale label  (itemControl "lower")
            <item id>.hoog       display  high scale label (itemControl "upper")
        <item id>.praten         boolean  "Hierover wil ik praten"
    (a face form's questions are radio buttons with one answerOption per face: its stored 0-10 value, the
    face's word as the option's prefix; no slider, no end labels)
        ...
        <pillar id>.score        decimal  pillar score, read-only, with its rule as an SDC calculatedExpression

Dutch is the primary text; English is added with the standard translation extension on `_text`, `_title` etc.
A QuestionnaireResponse repeats every non-display item of its Questionnaire, in the same order and nesting;
a question without a value (skipped, no score, life event not asked) keeps its item but has no `answer`.
"Er is niets bijzonders gebeurd" is an answer (code "geen"), not a missing one.

The canonical url of every resource ends in <resourceType>/<id>: a server that stores the transaction Bundle
(PUT by id) then serves each canonical at its own address. Each questionnaire version is its own canonical,
because a new version changes items (questionnaires/README.md).
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Mapping
from datetime import datetime
from typing import Any

from webapp.core.questionnaires import Item, LifeEvents, Pillar, Questionnaire, Text

BASE_URL = "https://veerkracht.nl/fhir"

_SD = "http://hl7.org/fhir/StructureDefinition/"
TRANSLATION = _SD + "translation"
MIN_VALUE = _SD + "minValue"
MAX_VALUE = _SD + "maxValue"
ITEM_CONTROL = _SD + "questionnaire-itemControl"
SLIDER_STEP = _SD + "questionnaire-sliderStepValue"
OPTION_PREFIX = _SD + "questionnaire-optionPrefix"
MAX_DECIMAL_PLACES = _SD + "maxDecimalPlaces"
ITEM_CONTROL_SYSTEM = "http://hl7.org/fhir/questionnaire-item-control"
CALCULATED_EXPRESSION = "http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-calculatedExpression"

LIFE_EVENT_LINK_ID = "levensgebeurtenis"
TALK_SUFFIX = ".praten"
SCORE_SUFFIX = ".score"
LIFE_EVENT_ID = "levensgebeurtenis"  # id of the CodeSystem and ValueSet of life-events
MODES = {"zelf": "Zelf ingevuld", "samen": "Samen met een coach ingevuld", "papier": "Op papier ingevuld"}
BUNDLE_TYPES = ("collection", "transaction")

_LIFE_EVENT_TEXT = Text(nl="Levensgebeurtenis", en="Life event")
_TALK_TEXT = Text(nl="Hierover wil ik praten", en="I would like to talk about this")
_SCORE_TEXT = Text(nl="Score van deze pijler (0-10)", en="Score for this pillar (0-10)")
_LIFE_EVENTS_TITLE = Text(nl="Levensgebeurtenissen", en="Life events")
_LIFE_EVENTS_DESCRIPTION = Text(
    nl="Wat er kort geleden in het leven van de bewoner is gebeurd, naar de levensgebeurteniskaarten van de VNG.",
    en="What recently happened in the resident's life, after the VNG life-event cards.",
)
_SCORE_RULE = ("Gemiddelde van de beantwoorde vragen van deze pijler, op één decimaal afgerond (0,05 naar boven); "
               "geen score als minder dan de helft van de vragen is beantwoord.")
_FHIR_ID = re.compile(r"[A-Za-z0-9\-.]{1,64}")

JSON = dict[str, Any]


# --- small builders -------------------------------------------------------------------------------------------


def _localized(field: str, text: Text) -> JSON:
    """Return {field: Dutch, _field: English translation extension}."""
    translation = {
        "url": TRANSLATION,
        "extension": [{"url": "lang", "valueCode": "en"}, {"url": "content", "valueString": text.en}],
    }
    return {field: text.nl, f"_{field}": {"extension": [translation]}}


def _item_control(code: str) -> JSON:
    return {"url": ITEM_CONTROL, "valueCodeableConcept": {"coding": [{"system": ITEM_CONTROL_SYSTEM, "code": code}]}}


def _check_id(value: str, what: str) -> str:
    if not isinstance(value, str) or not _FHIR_ID.fullmatch(value):
        raise ValueError(f"{what} '{value}' is not a valid FHIR id ([A-Za-z0-9-.], at most 64 characters)")
    return value


def _check_form(questionnaire: Questionnaire, form: str) -> None:
    if form not in questionnaire.forms:
        raise ValueError(f"questionnaire '{questionnaire.id}' has no form '{form}'")


def resource_id(questionnaire: Questionnaire, form: str) -> str:
    """Return the Questionnaire's resource id, e.g. 'veerkracht-v1-kort' (ids may not contain underscores)."""
    _check_form(questionnaire, form)
    return _check_id(f"{questionnaire.id}-v{questionnaire.version}-{form}".replace("_", "-"), "questionnaire id")


def canonical_url(questionnaire: Questionnaire, form: str, base_url: str = BASE_URL) -> str:
    """Return the canonical url, which ends in Questionnaire/<id> so that it resolves where the resource is stored."""
    return f"{base_url}/Questionnaire/{resource_id(questionnaire, form)}"


def code_system_url(base_url: str = BASE_URL) -> str:
    """Return the canonical url of the life-event CodeSystem."""
    return f"{base_url}/CodeSystem/{LIFE_EVENT_ID}"


def value_set_url(base_url: str = BASE_URL) -> str:
    """Return the canonical url of the life-event ValueSet."""
    return f"{base_url}/ValueSet/{LIFE_EVENT_ID}"


# --- life-events: CodeSystem and ValueSet ---------------------------------------------------------------------


def _life_event_coding(events: LifeEvents, event_id: str, base_url: str) -> JSON:
    event = events.get(event_id)
    if event is None:
        raise ValueError(f"life event '{event_id}' is not in the life-event list")
    return {"system": code_system_url(base_url), "version": str(events.version), "code": event.id,
            **_localized("display", event.short)}


def life_event_code_system(events: LifeEvents, base_url: str = BASE_URL) -> JSON:
    """Return the CodeSystem of life-events (questionnaires/life-events.yaml), Dutch display, English designation."""
    return {
        "resourceType": "CodeSystem",
        "id": LIFE_EVENT_ID,
        "language": "nl",
        "url": code_system_url(base_url),
        "version": str(events.version),
        "name": "Levensgebeurtenis",
        **_localized("title", _LIFE_EVENTS_TITLE),
        "status": "active",
        "publisher": "Veerkracht",
        **_localized("description", _LIFE_EVENTS_DESCRIPTION),
        "caseSensitive": True,
        "valueSet": value_set_url(base_url),
        "content": "complete",
        "count": len(events.events),
        "concept": [
            {"code": event.id, "display": event.short.nl, "designation": [{"language": "en", "value": event.short.en}]}
            for event in events.events
        ],
    }


def life_event_value_set(events: LifeEvents, base_url: str = BASE_URL) -> JSON:
    """Return the ValueSet holding every code of the life-event CodeSystem."""
    return {
        "resourceType": "ValueSet",
        "id": LIFE_EVENT_ID,
        "language": "nl",
        "url": value_set_url(base_url),
        "version": str(events.version),
        "name": "Levensgebeurtenis",
        **_localized("title", _LIFE_EVENTS_TITLE),
        "status": "active",
        "publisher": "Veerkracht",
        **_localized("description", _LIFE_EVENTS_DESCRIPTION),
        "compose": {"include": [{"system": code_system_url(base_url), "version": str(events.version)}]},
    }


# --- Questionnaire --------------------------------------------------------------------------------------------


def _question(questionnaire: Questionnaire, item: Item, form: str) -> JSON:
    scale = questionnaire.scale
    faces = questionnaire.faces_for(form)
    bounds = [{"url": MIN_VALUE, "valueInteger": scale.min}, {"url": MAX_VALUE, "valueInteger": scale.max}]
    question: JSON = {"linkId": item.id, **_localized("text", item.text), "type": "integer", "required": False}
    if faces:  # the faces' values are the only answers; each face's word goes with its value
        return {"extension": [*bounds, _item_control("radio-button")], **question, "answerOption": [
            {"extension": [{"url": OPTION_PREFIX, "valueString": face.label.nl}],
             "valueInteger": face.value}
            for face in faces]}
    labels = [(".laag", "lower", scale.low_label), (".hoog", "upper", scale.high_label)]
    return {
        "extension": [*bounds, _item_control("slider"), {"url": SLIDER_STEP, "valueInteger": 1}],
        **question,
        "item": [
            {"extension": [_item_control(code)], "linkId": item.id + suffix, **_localized("text", label),
             "type": "display"}
            for suffix, code, label in labels
        ],
    }


def score_expression(pillar_id: str, item_ids: list[str]) -> str:
    """Return the FHIRPath that computes a pillar score from a QuestionnaireResponse, as core/scoring.py does.

    The mean of the answered items, rounded half up to one decimal; empty when fewer than half were answered.
    Rounding is floor(10 * mean + 0.5) / 10 rather than round(1): scores are never negative, so this is exactly
    half-up, while engines disagree on round() at .x5 (fhirpathpy rounds half to even).
    """
    if not item_ids:
        raise ValueError("a pillar score needs at least one item")
    answers = "%resource.item.where(linkId = '{}').item.where(linkId in ({})).answer.value".format(
        pillar_id, " | ".join(f"'{item_id}'" for item_id in item_ids))
    return (f"iif({answers}.count() * 2 < {len(item_ids)}, {{}}, "
            f"(({answers}.aggregate($this + $total, 0) * 10 / {answers}.count() + 0.5).floor() / 10))")


def _score_item(questionnaire: Questionnaire, pillar: Pillar, items: list[Item]) -> JSON:
    scale = questionnaire.scale
    expression = {"description": _SCORE_RULE, "language": "text/fhirpath",
                  "expression": score_expression(pillar.id, [item.id for item in items])}
    return {
        "extension": [
            {"url": CALCULATED_EXPRESSION, "valueExpression": expression},
            {"url": MIN_VALUE, "valueDecimal": float(scale.min)},
            {"url": MAX_VALUE, "valueDecimal": float(scale.max)},
            {"url": MAX_DECIMAL_PLACES, "valueInteger": 1},
        ],
        "linkId": pillar.id + SCORE_SUFFIX, **_localized("text", _SCORE_TEXT), "type": "decimal",
        "required": False, "readOnly": True,
    }


def _pillar_group(questionnaire: Questionnaire, pillar: Pillar, items: list[Item], form: str) -> JSON:
    children: list[JSON] = []
    for item in items:
        children.append(_question(questionnaire, item, form))
        children.append({"linkId": item.id + TALK_SUFFIX, **_localized("text", _TALK_TEXT), "type": "boolean",
                         "required": False})
    children.append(_score_item(questionnaire, pillar, items))
    return {"linkId": pillar.id, **_localized("text", pillar.name), "type": "group", "required": False,
            "item": children}


def questionnaire_resource(questionnaire: Questionnaire, form: str, events: LifeEvents,
                           base_url: str = BASE_URL) -> JSON:
    """Return a FHIR Questionnaire for one form ("kort", "uitgebreid", or a face form) of a questionnaire."""
    _check_form(questionnaire, form)
    definition = questionnaire.forms[form]
    title = Text(nl=f"{questionnaire.title.nl} ({definition.name.nl.lower()})",
                 en=f"{questionnaire.title.en} ({definition.name.en.lower()})")
    name = "".join(part.capitalize() for part in re.split(r"[_\-]+", f"{questionnaire.id}_{form}") if part)
    groups = [_pillar_group(questionnaire, pillar, items, form) for pillar, items in questionnaire.form_pillars(form)]
    life_event = {"linkId": LIFE_EVENT_LINK_ID, **_localized("text", _LIFE_EVENT_TEXT), "type": "choice",
                  "required": False,
                  "answerOption": [{"valueCoding": _life_event_coding(events, e.id, base_url)} for e in events.events]}
    return {
        "resourceType": "Questionnaire",
        "id": resource_id(questionnaire, form),
        "language": "nl",
        "url": canonical_url(questionnaire, form, base_url),
        "version": str(questionnaire.version),
        "name": name,
        **_localized("title", title),
        "status": "active",
        "subjectType": ["Patient"],
        "publisher": "Veerkracht",
        **_localized("description", definition.description),
        **_localized("copyright", questionnaire.credit),
        "item": [life_event, *groups],
    }


# --- QuestionnaireResponse ------------------------------------------------------------------------------------


def _check_values(questionnaire: Questionnaire, form: str, answers: Mapping[str, int | None],
                  talk_items: Collection[str], pillar_scores: Mapping[str, float | None]) -> None:
    """Refuse anything that would not fit the form, rather than dropping it silently."""
    asked = set(questionnaire.forms[form].items)
    scale = questionnaire.scale
    allowed = questionnaire.allowed_scores(form)
    for label, ids in (("answers", answers), ("talk_items", talk_items)):
        unknown = sorted(set(ids) - asked)
        if unknown:
            raise ValueError(f"{label} name items that form '{form}' does not ask: {', '.join(unknown)}")
    for item_id, value in answers.items():
        if value is not None and (type(value) is not int or value not in allowed):
            raise ValueError(f"answer for '{item_id}' must be one of {sorted(allowed)} (form '{form}'), "
                             f"got {value!r}")
    pillar_ids = {p.id for p in questionnaire.pillars}
    unknown = sorted(set(pillar_scores) - pillar_ids)
    if unknown:
        raise ValueError(f"pillar_scores name unknown pillars: {', '.join(unknown)}")
    for pillar_id, score in pillar_scores.items():
        if score is None:
            continue
        if isinstance(score, bool) or not isinstance(score, int | float) or not (
            math.isfinite(score) and scale.min <= score <= scale.max
        ):
            raise ValueError(f"score for pillar '{pillar_id}' must be {scale.min}..{scale.max}, got {score!r}")


def _mirror(items: list[JSON], values: Mapping[str, JSON]) -> list[JSON]:
    """Copy the Questionnaire's items (without display items), adding an answer where a value is known."""
    result = []
    for item in items:
        if item["type"] == "display":
            continue
        out: JSON = {"linkId": item["linkId"], "text": item["text"]}
        if item["type"] == "group":
            out["item"] = _mirror(item["item"], values)
        elif item["linkId"] in values:
            out["answer"] = [values[item["linkId"]]]
        result.append(out)
    return result


def questionnaire_response(
    questionnaire: Questionnaire,
    *,
    response_id: str,
    form: str,
    authored: datetime,
    answers: Mapping[str, int | None],
    talk_items: Collection[str],
    pillar_scores: Mapping[str, float | None],
    life_event: str | None,
    events: LifeEvents,
    subject_id: str,
    mode: str = "zelf",
    coach_id: str | None = None,
    base_url: str = BASE_URL,
) -> JSON:
    """Return a completed FHIR QuestionnaireResponse for one check-in.

    Subject, source and author are logical references (identifier only, never a name): the resident is the
    subject and the source; the author is the resident, or the coach for a check-in done together ("samen").
    A check-in filled in on paper ("papier") is the resident's own: the coach only typed it in.
    Raises ValueError for item ids the form does not ask, answers or scores outside the scale, a life event not
    in the list, a naive `authored`, an unknown mode, a coach on a check-in the resident did alone, or an
    invalid id.
    """
    _check_form(questionnaire, form)
    _check_id(response_id, "response id")
    if authored.tzinfo is None or authored.utcoffset() is None:
        raise ValueError("authored must be timezone-aware")
    if mode not in MODES:
        raise ValueError(f"mode must be one of {', '.join(MODES)}, got {mode!r}")
    if not subject_id:
        raise ValueError("subject_id is required")
    if coach_id is not None and (mode != "samen" or not coach_id):
        raise ValueError("coach_id belongs to a check-in done together with a coach (mode 'samen')")
    _check_values(questionnaire, form, answers, talk_items, pillar_scores)

    values: dict[str, JSON] = {item_id: {"valueInteger": value} for item_id, value in answers.items()
                               if value is not None}
    talk = set(talk_items)
    values.update({item_id + TALK_SUFFIX: {"valueBoolean": item_id in talk}
                   for item_id in questionnaire.forms[form].items})
    values.update({pillar_id + SCORE_SUFFIX: {"valueDecimal": round(float(score), 1)}
                   for pillar_id, score in pillar_scores.items() if score is not None})
    if life_event:
        values[LIFE_EVENT_LINK_ID] = {"valueCoding": _life_event_coding(events, life_event, base_url)}

    definition = questionnaire_resource(questionnaire, form, events, base_url)
    resident = {"type": "Patient", "identifier": {"system": f"{base_url}/bewoner", "value": subject_id}}
    author = resident
    if coach_id:
        author = {"type": "Practitioner", "identifier": {"system": f"{base_url}/medewerker", "value": coach_id}}
    return {
        "resourceType": "QuestionnaireResponse",
        "id": response_id,
        "meta": {"tag": [{"system": f"{base_url}/CodeSystem/afname", "code": mode, "display": MODES[mode]}]},
        "language": "nl",
        "questionnaire": f"{definition['url']}|{definition['version']}",
        "status": "completed",
        "subject": resident,
        "authored": authored.isoformat(timespec="seconds"),
        "author": author,
        "source": resident,
        "item": _mirror(definition["item"], values),
    }


# --- Bundle ---------------------------------------------------------------------------------------------------


def bundle(resources: list[JSON], bundle_id: str, timestamp: datetime, kind: str = "collection",
           base_url: str = BASE_URL) -> JSON:
    """Return a Bundle holding the resources: a 'collection' to download, or a 'transaction' (PUT by id) to post
    to a FHIR server as it is."""
    _check_id(bundle_id, "bundle id")
    if kind not in BUNDLE_TYPES:
        raise ValueError(f"bundle type must be one of {', '.join(BUNDLE_TYPES)}, got {kind!r}")
    if timestamp.tzinfo is None or timestamp.utcoffset() is None:
        raise ValueError("timestamp must be timezone-aware")
    entries = []
    seen = set()
    for resource in resources:
        path = f"{resource['resourceType']}/{_check_id(resource.get('id', ''), 'resource id')}"
        full_url = f"{base_url}/{path}"
        if full_url in seen:
            raise ValueError(f"{full_url} occurs twice in the bundle")
        seen.add(full_url)
        entry: JSON = {"fullUrl": full_url, "resource": resource}
        if kind == "transaction":
            entry["request"] = {"method": "PUT", "url": path}
        entries.append(entry)
    result: JSON = {"resourceType": "Bundle", "id": bundle_id, "type": kind,
                    "timestamp": timestamp.isoformat(timespec="seconds")}
    if entries:  # FHIR JSON forbids empty arrays
        result["entry"] = entries
    return result
