"""Check FHIR R4 JSON the way a receiving server would, where fhir.resources' R4B models do not.

fhir.resources validates structure and datatypes, but accepts nonsense codes, 65-character ids, duplicate
fullUrls, `answer: []`, broken invariants and R4B-only resource types. This module adds:

- the R4 (4.0.1) invariants of the resources the export uses, evaluated as FHIRPath with fhirpathpy on every
  resource in a Bundle (ele-1, ext-1, dom-*, bdl-*, que-*, qrs-1, csd-*, vsd-*);
- the R4 code systems that bind the coded elements the export uses (Bundle.type, status, item.type ...);
- FHIR JSON rules: resource types that exist in R4, id pattern and length, no empty arrays, objects or strings;
- Bundle rules: unique fullUrls that match Type/id, transaction requests, canonicals that resolve in the Bundle;
- each QuestionnaireResponse against its Questionnaire: linkIds and nesting, answer type per item type, answer
  options, min/max, decimal places, repeats, required items, and calculatedExpression results.

It lives in tests/ because fhirpathpy is a development dependency: the export is built from validated data by
code these tests cover, so production does not re-validate every download (see README, FHIR).
`problems(resource)` returns a list of messages, each starting with the rule that failed; empty means valid.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from decimal import Decimal
from functools import cache
from typing import Any

from fhirpathpy import compile as fhirpath_compile
from fhirpathpy.models import models

R4_MODEL = models["r4"]
JSON = dict[str, Any]

# --- R4 code systems (hl7.org/fhir/R4/valuesets.html) for the coded elements the export uses ------------------

BUNDLE_TYPE = {"document", "message", "transaction", "transaction-response", "batch", "batch-response", "history",
               "searchset", "collection"}
HTTP_VERB = {"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH"}
PUBLICATION_STATUS = {"draft", "active", "retired", "unknown"}
QUESTIONNAIRE_ANSWERS_STATUS = {"in-progress", "completed", "amended", "entered-in-error", "stopped"}
ITEM_TYPE = {"group", "display", "boolean", "decimal", "integer", "date", "dateTime", "time", "string", "text",
             "url", "choice", "open-choice", "attachment", "reference", "quantity"}
CODESYSTEM_CONTENT_MODE = {"not-present", "example", "fragment", "complete", "supplement"}
QUESTIONNAIRE_ITEM_CONTROL = {"group", "list", "table", "header", "footer", "inline", "prompt", "unit", "lower",
                              "upper", "flyover", "help", "autocomplete", "drop-down", "check-box", "lookup",
                              "radio-button", "slider", "spinner", "text-box"}
EXPRESSION_LANGUAGE = {"text/cql", "text/fhirpath", "application/x-fhir-query"}


def _r4_resource_types() -> frozenset[str]:
    parents = R4_MODEL["type2Parent"]

    def is_resource(name: str) -> bool:
        while name in parents:
            name = parents[name]
            if name == "Resource":
                return True
        return False

    return frozenset(t for t in parents if is_resource(t)) - {"Resource", "DomainResource"}


RESOURCE_TYPES = _r4_resource_types()  # every R4 resource type: R4B-only ones such as Citation are not there

# key -> (context, FHIRPath), verbatim from the R4 StructureDefinitions; the context selects the elements the
# invariant applies to ("" = the resource itself).
ELEMENT = "descendants()"
# fhirpathpy's union (|) drops the type of what it joins, so `value` no longer finds valueString & co.: an
# invariant that reads a choice element gets one context per path, joined with " ; " (see _violations).
EXTENSIONS = "extension ; descendants().extension"
INVARIANTS: dict[str, dict[str, tuple[str, str]]] = {
    "*": {
        "ele-1": (ELEMENT, "hasValue() or (children().count() > id.count())"),
        "ext-1": (EXTENSIONS, "extension.exists() != value.exists()"),
    },
    "DomainResource": {
        "dom-2": ("", "contained.contained.empty()"),
        "dom-4": ("", "contained.meta.versionId.empty() and contained.meta.lastUpdated.empty()"),
        "dom-5": ("", "contained.meta.security.empty()"),
    },
    "Bundle": {
        "bdl-1": ("", "total.empty() or (type = 'searchset') or (type = 'history')"),
        "bdl-2": ("", "entry.search.empty() or (type = 'searchset')"),
        "bdl-3": ("", "entry.all(request.exists() = (%resource.type = 'batch' or %resource.type = 'transaction' "
                      "or %resource.type = 'history'))"),
        "bdl-4": ("", "entry.all(response.exists() = (%resource.type = 'batch-response' or "
                      "%resource.type = 'transaction-response' or %resource.type = 'history'))"),
        "bdl-5": ("entry", "resource.exists() or request.exists() or response.exists()"),
        "bdl-7": ("", "(type = 'history') or entry.where(fullUrl.exists()).select(fullUrl&resource.meta.versionId)"
                      ".isDistinct()"),
        "bdl-8": ("entry", "fullUrl.contains('/_history/').not()"),
        "bdl-9": ("", "type = 'document' implies (identifier.system.exists() and identifier.value.exists())"),
        "bdl-10": ("", "type = 'document' implies (timestamp.hasValue())"),
        "bdl-11": ("", "type = 'document' implies entry.first().resource.is(Composition)"),
        "bdl-12": ("", "type = 'message' implies entry.first().resource.is(MessageHeader)"),
    },
    "Questionnaire": {
        "que-0": ("", "name.matches('[A-Z]([A-Za-z0-9_]){0,254}')"),
        "que-1": ("repeat(item)", "(type='group' implies item.empty().not()) and "
                                  "(type.trace('type')='display' implies item.trace('item').empty())"),
        "que-2": ("", "descendants().linkId.isDistinct()"),
        "que-3": ("repeat(item)", "type!='display' or code.empty()"),
        "que-4": ("repeat(item)", "answerOption.empty() or answerValueSet.empty()"),
        "que-5": ("repeat(item)", "(type ='choice' or type = 'open-choice' or type = 'decimal' or type = 'integer' "
                                  "or type = 'date' or type = 'dateTime' or type = 'time' or type = 'string' "
                                  "or type = 'quantity') or (answerValueSet.empty() and answerOption.empty())"),
        "que-6": ("repeat(item)", "type!='display' or (required.empty() and repeats.empty())"),
        "que-7": ("repeat(item).enableWhen", "operator = 'exists' implies (answer is Boolean)"),
        "que-8": ("repeat(item)", "(type!='group' and type!='display') or initial.empty()"),
        "que-9": ("repeat(item)", "type!='display' or readOnly.empty()"),
        "que-10": ("repeat(item)", "(type in ('boolean' | 'decimal' | 'integer' | 'string' | 'text' | 'url' | "
                                   "'open-choice')) or maxLength.empty()"),
        "que-11": ("repeat(item)", "answerOption.empty() or initial.empty()"),
        "que-12": ("repeat(item)", "enableWhen.count() > 2 implies enableBehavior.exists()"),
        "que-13": ("repeat(item)", "repeats=true or initial.count() <= 1"),
    },
    "QuestionnaireResponse": {
        "qrs-1": ("repeat(item | answer.item)", "(answer.exists() and item.exists()).not()"),
    },
    "CodeSystem": {
        "csd-0": ("", "name.matches('[A-Z]([A-Za-z0-9_]){0,254}')"),
        "csd-1": ("", "concept.code.combine($this.descendants().concept.code).isDistinct()"),
    },
    "ValueSet": {
        "vsd-0": ("", "name.matches('[A-Z]([A-Za-z0-9_]){0,254}')"),
        "vsd-1": ("compose.include ; compose.exclude", "valueSet.exists() or system.exists()"),
        "vsd-2": ("compose.include ; compose.exclude", "(concept.exists() or filter.exists()) implies system.exists()"),
        "vsd-3": ("compose.include ; compose.exclude", "concept.empty() or filter.empty()"),
    },
}
DOMAIN_RESOURCES = RESOURCE_TYPES - {"Bundle", "Binary", "Parameters"}

# (resource type, FHIRPath selecting codes, allowed codes, what)
BINDINGS: list[tuple[str, str, frozenset[str] | set[str], str]] = [
    ("Bundle", "type", BUNDLE_TYPE, "bundle-type"),
    ("Bundle", "entry.request.method", HTTP_VERB, "http-verb"),
    ("Questionnaire", "status", PUBLICATION_STATUS, "publication-status"),
    ("Questionnaire", "subjectType", RESOURCE_TYPES, "resource-types"),
    ("Questionnaire", "repeat(item).type", ITEM_TYPE, "item-type"),
    ("Questionnaire", "repeat(item).extension.where(url = "
                      "'http://hl7.org/fhir/StructureDefinition/questionnaire-itemControl').value.coding.code",
     QUESTIONNAIRE_ITEM_CONTROL, "questionnaire-item-control"),
    ("Questionnaire", "repeat(item).extension.value.ofType(Expression).language", EXPRESSION_LANGUAGE,
     "expression-language"),
    ("QuestionnaireResponse", "status", QUESTIONNAIRE_ANSWERS_STATUS, "questionnaire-answers-status"),
    ("QuestionnaireResponse", "(subject | author | source).type", RESOURCE_TYPES, "resource-types"),
    ("CodeSystem", "status", PUBLICATION_STATUS, "publication-status"),
    ("CodeSystem", "content", CODESYSTEM_CONTENT_MODE, "codesystem-content-mode"),
    ("ValueSet", "status", PUBLICATION_STATUS, "publication-status"),
]

ID = re.compile(r"[A-Za-z0-9\-.]{1,64}")
LANGUAGE = re.compile(r"[a-z]{2,3}(-[A-Za-z0-9]{2,8})*")
CALCULATED_EXPRESSION = "http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-calculatedExpression"
_SD = "http://hl7.org/fhir/StructureDefinition/"
VALUE_KEY = {"boolean": "valueBoolean", "decimal": "valueDecimal", "integer": "valueInteger", "string": "valueString",
             "text": "valueString", "choice": "valueCoding", "date": "valueDate", "dateTime": "valueDateTime",
             "time": "valueTime", "url": "valueUri", "attachment": "valueAttachment",
             "reference": "valueReference", "quantity": "valueQuantity"}


def _has_value(inputs: list) -> list[bool]:
    """FHIRPath hasValue(), which fhirpathpy lacks: one primitive with a value."""
    return [len(inputs) == 1 and inputs[0] is not None and not isinstance(inputs[0], dict | list)]


OPTIONS = {"userInvocationTable": {"hasValue": {"fn": _has_value, "arity": {0: []}}},
           "traceFn": lambda *_: None}


@cache
def _compiled(expression: str):
    return fhirpath_compile(expression, R4_MODEL, OPTIONS)


def evaluate(resource: JSON, expression: str) -> list:
    """Evaluate FHIRPath on a resource with the R4 model; %resource is the resource."""
    return _compiled(expression)(resource, {"resource": resource})


def _violations(resource: JSON, context: str, expression: str) -> int:
    """How many elements in `context` fail the invariant (an empty result is no failure, as in the validator)."""
    if not context:
        return 1 if evaluate(resource, expression) == [False] else 0
    return sum(len(evaluate(resource, f"({path}).where(({expression}).not())")) for path in context.split(" ; "))


# --- checks ---------------------------------------------------------------------------------------------------


def _json_rules(value: Any, path: str) -> Iterator[str]:
    """FHIR JSON: no null, no empty array, object or string anywhere."""
    if value is None:
        yield f"json: {path} is null"
    elif isinstance(value, list):
        if not value:
            yield f"json: {path} is an empty array"
        for index, element in enumerate(value):
            yield from _json_rules(element, f"{path}[{index}]")
    elif isinstance(value, dict):
        if not value:
            yield f"json: {path} is an empty object"
        for key, element in value.items():
            yield from _json_rules(element, f"{path}.{key}")
    elif isinstance(value, str) and not value.strip():
        yield f"json: {path} is an empty string"


def _resource_rules(resource: JSON) -> Iterator[str]:
    """The rules of one resource; a Bundle's entries are checked as resources of their own."""
    kind = resource.get("resourceType")
    if kind not in RESOURCE_TYPES:
        yield f"resourceType: '{kind}' is not an R4 resource type"
        return
    if "id" in resource and not (isinstance(resource["id"], str) and ID.fullmatch(resource["id"])):
        yield f"id: {kind} id '{resource['id']}' is not [A-Za-z0-9-.]{{1,64}}"
    if "language" in resource and not LANGUAGE.fullmatch(str(resource["language"])):
        yield f"language: '{resource['language']}' is not a language code"
    groups = ["*", kind] + (["DomainResource"] if kind in DOMAIN_RESOURCES else [])
    # The elements of a Bundle's entries are checked with their own resource, not twice.
    shell = {**resource, "entry": [{k: v for k, v in e.items() if k != "resource"} for e in resource["entry"]]} \
        if kind == "Bundle" and isinstance(resource.get("entry"), list) and resource["entry"] else resource
    for group in groups:
        for key, (context, expression) in INVARIANTS.get(group, {}).items():
            failures = _violations(shell if group == "*" else resource, context, expression)
            if failures:
                yield f"{key}: {kind}/{resource.get('id')} fails {failures}x: {expression}"
    for on, expression, allowed, system in BINDINGS:
        if on == kind:
            for code in evaluate(resource, expression):
                if code not in allowed:
                    yield f"{system}: {kind}.{expression} '{code}' is not in the R4 code system"
    if "url" in resource and "id" in resource and kind in ("Questionnaire", "CodeSystem", "ValueSet"):
        if not str(resource["url"]).endswith(f"/{kind}/{resource['id']}"):
            yield f"canonical: {kind} url {resource['url']} does not end in {kind}/{resource['id']}"


@cache
def _resource_problems(text: str) -> tuple[str, ...]:
    """_resource_rules, remembered per resource text: the same Questionnaire recurs in many test bundles."""
    return tuple(_resource_rules(json.loads(text)))


def _walk(items: list[JSON]) -> Iterator[JSON]:
    for item in items:
        yield item
        yield from _walk(item.get("item", []))
        for answer in item.get("answer", []):
            yield from _walk(answer.get("item", []))


def _extension(item: JSON, url: str) -> Any:
    for extension in item.get("extension", []):
        if extension.get("url") == url:
            return next((v for k, v in extension.items() if k.startswith("value")), None)
    return None


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


def _check_answer(question: JSON, answer: JSON, where: str) -> Iterator[str]:
    kind = question.get("type")
    values = {k: v for k, v in answer.items() if k.startswith("value")}
    expected = VALUE_KEY.get(kind)
    if kind == "open-choice":
        allowed_keys = {"valueCoding", "valueString"}
    else:
        allowed_keys = {expected} if expected else set()
    if len(values) != 1 or next(iter(values)) not in allowed_keys:
        yield f"answer-type: {where} is a '{kind}' item, answered with {sorted(values) or 'no value'}"
        return
    (key, value), = values.items()
    if key == "valueInteger" and not (isinstance(value, int) and not isinstance(value, bool)):
        yield f"answer-type: {where} valueInteger {value!r} is not a whole number"
    if key == "valueDecimal" and not _is_number(value):
        yield f"answer-type: {where} valueDecimal {value!r} is not a number"
    if key == "valueBoolean" and not isinstance(value, bool):
        yield f"answer-type: {where} valueBoolean {value!r} is not true or false"
    if key == "valueString" and not isinstance(value, str):
        yield f"answer-type: {where} valueString {value!r} is not a string"
    if _is_number(value):
        low, high = _extension(question, _SD + "minValue"), _extension(question, _SD + "maxValue")
        if low is not None and value < low:
            yield f"bounds: {where} {value} is below minValue {low}"
        if high is not None and value > high:
            yield f"bounds: {where} {value} is above maxValue {high}"
        places = _extension(question, _SD + "maxDecimalPlaces")
        if places is not None and Decimal(str(value)).as_tuple().exponent < -places:
            yield f"bounds: {where} {value} has more than {places} decimal places"
    if isinstance(value, str) and question.get("maxLength") and len(value) > question["maxLength"]:
        yield f"bounds: {where} is longer than maxLength {question['maxLength']}"
    if key == "valueCoding" and question.get("answerOption"):
        options = [(o["valueCoding"].get("system"), o["valueCoding"].get("code"))
                   for o in question["answerOption"] if "valueCoding" in o]
        if (value.get("system"), value.get("code")) not in options:
            yield f"answer-option: {where} {value.get('system')}#{value.get('code')} is not an answerOption"


def _check_items(response_items: list[JSON], questions: list[JSON], path: str) -> Iterator[str]:
    """A response's items in the nesting and order of the Questionnaire's, each answer fitting its question."""
    by_link = {q.get("linkId"): q for q in questions}
    order = [q.get("linkId") for q in questions]
    last = -1
    seen: set[str] = set()
    for item in response_items:
        link_id = item.get("linkId")
        where = f"{path}{link_id}"
        question = by_link.get(link_id)
        if question is None:
            yield f"linkId: '{link_id}' is not an item of the Questionnaire at {path or 'the top level'}"
            continue
        if link_id in seen:
            yield f"linkId: '{link_id}' occurs twice at {path or 'the top level'}"
        seen.add(link_id)
        if order.index(link_id) < last:
            yield f"order: '{link_id}' is out of the Questionnaire's order"
        last = order.index(link_id)
        if question.get("type") == "display":
            yield f"linkId: '{link_id}' is a display item, which a response does not repeat"
            continue
        if "text" in item and item["text"] != question.get("text"):
            yield f"text: {where} differs from the Questionnaire's text"
        answers = item.get("answer", [])
        if question.get("type") == "group":
            if answers:
                yield f"answer-type: {where} is a group and has an answer"
            yield from _check_items(item.get("item", []), question.get("item", []), where + "/")
            continue
        if len(answers) > 1 and not question.get("repeats"):
            yield f"repeats: {where} has {len(answers)} answers but does not repeat"
        for answer in answers:
            yield from _check_answer(question, answer, where)
            yield from _check_items(answer.get("item", []), question.get("item", []), where + "/")
        if item.get("item") and question.get("type") != "group":
            yield from _check_items(item["item"], question.get("item", []), where + "/")


def _required_answered(response: JSON, questionnaire: JSON) -> Iterator[str]:
    if response.get("status") != "completed":
        return
    answered = {i["linkId"] for i in _walk(response.get("item", [])) if i.get("answer")}
    for question in _walk(questionnaire.get("item", [])):
        if question.get("required") and question.get("type") not in ("group", "display") and \
                question.get("linkId") not in answered:
            yield f"required: '{question.get('linkId')}' is required but has no answer in a completed response"


def _calculated(response: JSON, questionnaire: JSON) -> Iterator[str]:
    """A read-only calculated item holds what its calculatedExpression gives on the response."""
    answers = {i.get("linkId"): i.get("answer", []) for i in _walk(response.get("item", []))}
    for question in _walk(questionnaire.get("item", [])):
        expression = _extension(question, CALCULATED_EXPRESSION)
        if not expression or question.get("linkId") not in answers:
            continue
        if expression.get("language") != "text/fhirpath":
            yield f"calculated: {question['linkId']} has a {expression.get('language')} expression"
            continue
        computed = [float(v) for v in evaluate(response, expression["expression"])]
        stored = [float(next(v for k, v in a.items() if k.startswith("value"))) for a in answers[question["linkId"]]]
        if computed != stored:
            yield f"calculated: {question['linkId']} holds {stored}, its calculatedExpression gives {computed}"


def _codings(resource: JSON) -> Iterator[JSON]:
    if isinstance(resource, dict):
        if "code" in resource and "system" in resource and isinstance(resource.get("code"), str):
            yield resource
        for value in resource.values():
            yield from _codings(value)
    elif isinstance(resource, list):
        for value in resource:
            yield from _codings(value)


def _bundle_rules(bundle: JSON) -> Iterator[str]:
    if "timestamp" not in bundle:
        yield "bundle: Bundle has no timestamp"
    entries = bundle.get("entry", [])
    full_urls = [e.get("fullUrl") for e in entries]
    for full_url in {u for u in full_urls if full_urls.count(u) > 1}:
        yield f"fullUrl: {full_url} occurs {full_urls.count(full_url)} times"
    canonicals: dict[str, JSON] = {}
    for entry in entries:
        resource = entry.get("resource", {})
        path = f"{resource.get('resourceType')}/{resource.get('id')}"
        if not str(entry.get("fullUrl", "")).endswith("/" + path):
            yield f"fullUrl: {entry.get('fullUrl')} does not end in {path}"
        if bundle.get("type") == "transaction" and entry.get("request") != {"method": "PUT", "url": path}:
            yield f"request: the entry for {path} is not PUT {path}"
        if "url" in resource:
            canonicals[resource["url"]] = resource
            canonicals[f"{resource['url']}|{resource.get('version')}"] = resource
    code_systems = {url: r for url, r in canonicals.items() if r.get("resourceType") == "CodeSystem"}
    for entry in entries:
        resource = entry.get("resource", {})
        for coding in _codings(resource):
            system = code_systems.get(coding["system"])
            if system is None:
                continue
            concept = next((c for c in system.get("concept", []) if c.get("code") == coding["code"]), None)
            if concept is None:
                yield f"code: {coding['system']}#{coding['code']} is not in the CodeSystem"
            elif "display" in coding and coding["display"] != concept.get("display"):
                yield f"code: {coding['system']}#{coding['code']} display '{coding['display']}' is not the CodeSystem's"
        if resource.get("resourceType") == "ValueSet":
            for include in resource.get("compose", {}).get("include", []):
                if include.get("system") not in code_systems:
                    yield f"canonical: ValueSet includes {include.get('system')}, which is not in the Bundle"
        if resource.get("resourceType") == "QuestionnaireResponse":
            questionnaire = canonicals.get(resource.get("questionnaire", ""))
            if questionnaire is None or questionnaire.get("resourceType") != "Questionnaire":
                yield f"canonical: {resource.get('questionnaire')} is not a Questionnaire in the Bundle"
                continue
            yield from _check_items(resource.get("item", []), questionnaire.get("item", []), "")
            yield from _required_answered(resource, questionnaire)
            yield from _calculated(resource, questionnaire)


def problems(resource: JSON) -> list[str]:
    """Every rule the resource (a Bundle and its entries, or a single resource) breaks; empty when valid."""
    found = list(_json_rules(resource, resource.get("resourceType", "?")))
    found += _resource_rules(resource)
    if resource.get("resourceType") == "Bundle":
        for index, entry in enumerate(resource.get("entry", [])):
            if isinstance(entry.get("resource"), dict):
                found += _resource_problems(json.dumps(entry["resource"], sort_keys=True))
            else:
                found.append(f"bundle: entry[{index}] has no resource")
        found += _bundle_rules(resource)
    return found


def assert_valid(resource: JSON) -> None:
    """Fail with every problem listed."""
    found = problems(resource)
    assert not found, "\n".join(found)
