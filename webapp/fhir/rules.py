"""Turn questionnaire definitions and check-ins into FHIR R4 resources (plain dicts, ready for json.dumps).

Layout of a Questionnaire for one form ("kort" or "uitgebreid"):

    levensgebeurtenis            string   life-event id chosen by the resident
    <pillar id>                  group    one per pillar, Dutch pillar name
        <item id>                integer  0..10 (minValue/maxValue), slider
            <item id>.laag       display  low scale label  (itemControl "lower")
            <item id>.hoog       display  high scale label (itemControl "upper")
        <item id>.praten         boolean  "Hierover wil ik praten"
        ...
        <pillar id>.score        decimal  derived pillar score, read-only

Dutch is the primary text; English is added with the standard translation extension on `_text`, `_title` etc.
A QuestionnaireResponse repeats every non-display item of its Questionnaire, in the same order and nesting;
a question without a value (skipped, no score, no life event) keeps its item but has no `answer`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Mapping
from datetime import datetime
from typing import Any

from webapp.core.questionnaires import Item, Pillar, Questionnaire, Text

BASE_URL = "https://veerkracht.nl/fhir"

_SD = "http://hl7.org/fhir/StructureDefinition/"
TRANSLATION = _SD + "translation"
MIN_VALUE = _SD + "minValue"
MAX_VALUE = _SD + "maxValue"
ITEM_CONTROL = _SD + "questionnaire-itemControl"
SLIDER_STEP = _SD + "questionnaire-sliderStepValue"
ITEM_CONTROL_SYSTEM = "http://hl7.org/fhir/questionnaire-item-control"

LIFE_EVENT_LINK_ID = "levensgebeurtenis"
TALK_SUFFIX = ".praten"
SCORE_SUFFIX = ".score"
MODES = {"zelf": "Zelf ingevuld", "samen": "Samen met een coach ingevuld"}

_LIFE_EVENT_TEXT = Text(nl="Levensgebeurtenis", en="Life event")
_TALK_TEXT = Text(nl="Hierover wil ik praten", en="I would like to talk about this")
_SCORE_TEXT = Text(nl="Score van deze pijler (0-10)", en="Score for this pillar (0-10)")
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
    """Return the version-independent canonical url; the version travels separately (url|version)."""
    _check_form(questionnaire, form)
    return f"{base_url}/Questionnaire/{questionnaire.id.replace('_', '-')}-{form}"


# --- Questionnaire --------------------------------------------------------------------------------------------


def _question(questionnaire: Questionnaire, item: Item) -> JSON:
    scale = questionnaire.scale
    labels = [(".laag", "lower", scale.low_label), (".hoog", "upper", scale.high_label)]
    return {
        "extension": [
            {"url": MIN_VALUE, "valueInteger": scale.min},
            {"url": MAX_VALUE, "valueInteger": scale.max},
            _item_control("slider"),
            {"url": SLIDER_STEP, "valueInteger": 1},
        ],
        "linkId": item.id,
        **_localized("text", item.text),
        "type": "integer",
        "required": False,
        "item": [
            {"extension": [_item_control(code)], "linkId": item.id + suffix, **_localized("text", label),
             "type": "display"}
            for suffix, code, label in labels
        ],
    }


def _pillar_group(questionnaire: Questionnaire, pillar: Pillar, items: list[Item]) -> JSON:
    children: list[JSON] = []
    for item in items:
        children.append(_question(questionnaire, item))
        children.append({"linkId": item.id + TALK_SUFFIX, **_localized("text", _TALK_TEXT), "type": "boolean",
                         "required": False})
    children.append({"linkId": pillar.id + SCORE_SUFFIX, **_localized("text", _SCORE_TEXT), "type": "decimal",
                     "required": False, "readOnly": True})
    return {"linkId": pillar.id, **_localized("text", pillar.name), "type": "group", "required": False,
            "item": children}


def questionnaire_resource(questionnaire: Questionnaire, form: str, base_url: str = BASE_URL) -> JSON:
    """Return a FHIR Questionnaire for one form ("kort" or "uitgebreid") of a questionnaire definition."""
    _check_form(questionnaire, form)
    definition = questionnaire.forms[form]
    title = Text(nl=f"{questionnaire.title.nl} ({definition.name.nl.lower()})",
                 en=f"{questionnaire.title.en} ({definition.name.en.lower()})")
    name = "".join(part.capitalize() for part in re.split(r"[_\-]+", f"{questionnaire.id}_{form}") if part)
    groups = [_pillar_group(questionnaire, pillar, items) for pillar, items in questionnaire.form_pillars(form)]
    life_event = {"linkId": LIFE_EVENT_LINK_ID, **_localized("text", _LIFE_EVENT_TEXT), "type": "string",
                  "required": False, "maxLength": 50}
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
    for label, ids in (("answers", answers), ("talk_items", talk_items)):
        unknown = sorted(set(ids) - asked)
        if unknown:
            raise ValueError(f"{label} name items that form '{form}' does not ask: {', '.join(unknown)}")
    for item_id, value in answers.items():
        if value is not None and (type(value) is not int or not scale.min <= value <= scale.max):
            raise ValueError(f"answer for '{item_id}' must be a whole number {scale.min}..{scale.max}, got {value!r}")
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
    subject_id: str,
    mode: str = "zelf",
    base_url: str = BASE_URL,
) -> JSON:
    """Return a completed FHIR QuestionnaireResponse for one check-in.

    The subject is a logical reference (identifier only, never a name). Raises ValueError for item ids the form
    does not ask, answers or scores outside the scale, a naive `authored`, an unknown mode or an invalid id.
    """
    _check_form(questionnaire, form)
    _check_id(response_id, "response id")
    if authored.tzinfo is None or authored.utcoffset() is None:
        raise ValueError("authored must be timezone-aware")
    if mode not in MODES:
        raise ValueError(f"mode must be one of {', '.join(MODES)}, got {mode!r}")
    if not subject_id:
        raise ValueError("subject_id is required")
    _check_values(questionnaire, form, answers, talk_items, pillar_scores)

    values: dict[str, JSON] = {item_id: {"valueInteger": value} for item_id, value in answers.items()
                               if value is not None}
    talk = set(talk_items)
    values.update({item_id + TALK_SUFFIX: {"valueBoolean": item_id in talk}
                   for item_id in questionnaire.forms[form].items})
    values.update({pillar_id + SCORE_SUFFIX: {"valueDecimal": round(float(score), 1)}
                   for pillar_id, score in pillar_scores.items() if score is not None})
    if life_event:
        values[LIFE_EVENT_LINK_ID] = {"valueString": life_event}

    definition = questionnaire_resource(questionnaire, form, base_url)
    return {
        "resourceType": "QuestionnaireResponse",
        "id": response_id,
        "meta": {"tag": [{"system": f"{base_url}/CodeSystem/afname", "code": mode, "display": MODES[mode]}]},
        "language": "nl",
        "questionnaire": f"{definition['url']}|{definition['version']}",
        "status": "completed",
        "subject": {"type": "Patient", "identifier": {"system": f"{base_url}/bewoner", "value": subject_id}},
        "authored": authored.isoformat(timespec="seconds"),
        "item": _mirror(definition["item"], values),
    }


# --- Bundle ---------------------------------------------------------------------------------------------------


def bundle(resources: list[JSON], bundle_id: str, base_url: str = BASE_URL) -> JSON:
    """Return a Bundle of type 'collection' holding the resources, for a download of several in one file."""
    _check_id(bundle_id, "bundle id")
    entries = []
    for resource in resources:
        full_url = f"{base_url}/{resource['resourceType']}/{_check_id(resource.get('id', ''), 'resource id')}"
        if any(entry["fullUrl"] == full_url for entry in entries):
            raise ValueError(f"{full_url} occurs twice in the bundle")
        entries.append({"fullUrl": full_url, "resource": resource})
    result: JSON = {"resourceType": "Bundle", "id": bundle_id, "type": "collection"}
    if entries:  # FHIR JSON forbids empty arrays
        result["entry"] = entries
    return result
