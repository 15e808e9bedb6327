"""The R4 validator (tests/fhir_validation.py) passes the real export and fails every purpose-broken variant."""

import copy
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.fhir_validation import RESOURCE_TYPES, problems
from webapp.core import scoring
from webapp.core.questionnaires import load_life_events, load_questionnaire
from webapp.fhir import rules as fhir

DATA = Path(__file__).resolve().parent.parent / "questionnaires"


def _export(kind: str) -> dict:
    q = load_questionnaire(DATA / "veerkracht-v1.yaml")
    events = load_life_events(DATA / "life-events.yaml")
    answers = {item_id: n % 11 for n, item_id in enumerate(q.forms["kort"].items)} | {"lichaam_fit": None}
    scores = scoring.pillar_scores(q.form_item_ids("kort"), answers)
    responses = [
        fhir.questionnaire_response(q, response_id="a" * 32, form="kort", authored=datetime(2024, 3, 5, tzinfo=UTC),
                                    answers=answers, talk_items={"mentaal_grip"}, pillar_scores=scores,
                                    life_event="scheiding", events=events, subject_id="R1"),
        fhir.questionnaire_response(q, response_id="b" * 32, form="kort", authored=datetime(2024, 4, 5, tzinfo=UTC),
                                    answers=answers, talk_items=(), pillar_scores=scores, life_event="geen",
                                    events=events, subject_id="R1", mode="samen", coach_id="coach-1"),
    ]
    return fhir.bundle([fhir.life_event_code_system(events), fhir.life_event_value_set(events),
                        fhir.questionnaire_resource(q, "kort", events), *responses],
                       "0123abcd", datetime(2024, 5, 1, tzinfo=UTC), kind=kind)


EXPORTS = {kind: _export(kind) for kind in ("collection", "transaction")}


def _resource(bundle: dict, kind: str) -> dict:
    return next(e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind)


def _item(items: list[dict], link_id: str) -> dict:
    for item in items:
        if item["linkId"] == link_id:
            return item
        found = item.get("item") and _item(item["item"], link_id)
        if found:
            return found
    return {}


def questionnaire(b: dict) -> dict:
    return _resource(b, "Questionnaire")


def response(b: dict) -> dict:
    return _resource(b, "QuestionnaireResponse")


def q_item(b: dict, link_id: str) -> dict:
    return _item(questionnaire(b)["item"], link_id)


def r_item(b: dict, link_id: str) -> dict:
    return _item(response(b)["item"], link_id)


def _set(target: dict, **values) -> None:
    target.update(values)


# name -> (break the bundle in place, the rule that must report it)
BROKEN = {
    "nonsense Bundle.type": (lambda b: _set(b, type="verzameling"), "bundle-type"),
    "nonsense Questionnaire.status": (lambda b: _set(questionnaire(b), status="actief"), "publication-status"),
    "nonsense response status": (lambda b: _set(response(b), status="klaar"), "questionnaire-answers-status"),
    "nonsense CodeSystem.content": (lambda b: _set(_resource(b, "CodeSystem"), content="alles"),
                                    "codesystem-content-mode"),
    "nonsense item.type": (lambda b: _set(q_item(b, "lichaam_gezond"), type="cijfer"), "item-type"),
    "nonsense subject type": (lambda b: _set(response(b)["subject"], type="Bewoner"), "resource-types"),
    "nonsense itemControl code": (lambda b: q_item(b, "lichaam_gezond")["extension"][2]["valueCodeableConcept"][
        "coding"][0].update(code="schuif"), "questionnaire-item-control"),
    "65-character resource id": (lambda b: _set(response(b), id="a" * 65), "id"),
    "id with an underscore": (lambda b: _set(questionnaire(b), id="veerkracht_v1_kort"), "id"),
    "duplicate fullUrls": (lambda b: _set(b["entry"][4], fullUrl=b["entry"][3]["fullUrl"]), "bdl-7"),
    "fullUrl that is not Type/id": (lambda b: _set(b["entry"][2], fullUrl="https://veerkracht.nl/fhir/Q/1"),
                                    "fullUrl"),
    "unknown linkId in a response": (lambda b: _set(r_item(b, "lichaam_gezond"), linkId="lichaam_onbekend"),
                                     "linkId"),
    "item in the wrong group": (lambda b: _item(response(b)["item"], "mentaal")["item"].append(
        {"linkId": "lichaam_gezond.praten", "answer": [{"valueBoolean": True}]}), "linkId"),
    "valueDecimal on an integer item": (lambda b: _set(r_item(b, "lichaam_gezond"), answer=[{"valueDecimal": 5.5}]),
                                        "answer-type"),
    "valueString on a choice item": (lambda b: _set(r_item(b, "levensgebeurtenis"),
                                                    answer=[{"valueString": "scheiding"}]), "answer-type"),
    "code outside the answerOptions": (lambda b: r_item(b, "levensgebeurtenis")["answer"][0]["valueCoding"].update(
        code="loterij"), "answer-option"),
    "99 above maxValue": (lambda b: _set(r_item(b, "lichaam_gezond"), answer=[{"valueInteger": 99}]), "bounds"),
    "score with two decimals": (lambda b: _set(r_item(b, "mentaal.score"), answer=[{"valueDecimal": 5.55}]),
                                "bounds"),
    "score that is not its calculatedExpression": (
        lambda b: _set(r_item(b, "mentaal.score"), answer=[{"valueDecimal": 9.9}]), "calculated"),
    "two answers on an item that does not repeat": (
        lambda b: _set(r_item(b, "mentaal_grip"), answer=[{"valueInteger": 1}, {"valueInteger": 2}]), "repeats"),
    "answer: []": (lambda b: _set(r_item(b, "lichaam_fit"), answer=[]), "json"),
    "empty string": (lambda b: _set(questionnaire(b), publisher=""), "json"),
    "que-1 group without items": (lambda b: _set(q_item(b, "lichaam"), item=[]) or q_item(b, "lichaam").pop("item"),
                                  "que-1"),
    "que-1 display item with items": (lambda b: _set(q_item(b, "lichaam_gezond.laag"), item=[
        {"linkId": "x", "text": "x", "type": "display"}]), "que-1"),
    "que-2 duplicate linkId": (lambda b: _set(q_item(b, "mentaal_grip.praten"), linkId="mentaal_grip"), "que-2"),
    "que-6 required display item": (lambda b: _set(q_item(b, "lichaam_gezond.hoog"), required=True), "que-6"),
    "que-10 maxLength on a choice item": (lambda b: _set(q_item(b, "levensgebeurtenis"), maxLength=50), "que-10"),
    "qrs-1 item with answer and items": (lambda b: _set(r_item(b, "lichaam"), answer=[{"valueInteger": 1}]),
                                         "qrs-1"),
    "bdl-3 collection entry with a request": (lambda b: _set(b["entry"][0], request={"method": "PUT",
                                                                                      "url": "CodeSystem/x"}),
                                              "bdl-3"),
    "ext-1 extension with a value and extensions": (lambda b: q_item(b, "lichaam_gezond")["extension"][0].update(
        extension=[{"url": "x", "valueString": "y"}]), "ext-1"),
    "ext-1 extension with neither": (lambda b: _set(questionnaire(b), extension=[{"url": "https://x.nl/leeg"}]),
                                     "ext-1"),
    "R4B-only resource type": (lambda b: b["entry"].append({"fullUrl": "https://veerkracht.nl/fhir/Citation/c1",
                                                            "resource": {"resourceType": "Citation", "id": "c1",
                                                                         "status": "active"}}), "resourceType"),
    "response to a Questionnaire not in the Bundle": (
        lambda b: _set(response(b), questionnaire="https://veerkracht.nl/fhir/Questionnaire/onbekend|1"),
        "canonical"),
    "url and id that disagree": (lambda b: _set(questionnaire(b), url="https://veerkracht.nl/fhir/Questionnaire/x"),
                                 "canonical"),
    "display that is not the CodeSystem's": (lambda b: r_item(b, "levensgebeurtenis")["answer"][0][
        "valueCoding"].update(display="Verhuisd"), "code"),
    "no timestamp": (lambda b: b.pop("timestamp"), "bundle"),
}
BROKEN_TRANSACTION = {
    "bdl-3 transaction entry without a request": (lambda b: b["entry"][1].pop("request"), "bdl-3"),
    "nonsense request method": (lambda b: b["entry"][1]["request"].update(method="ZET"), "http-verb"),
    "request that is not PUT Type/id": (lambda b: b["entry"][1]["request"].update(url="ValueSet/ander"), "request"),
}


@pytest.mark.parametrize("kind", EXPORTS)
def test_the_real_export_passes(kind):
    assert problems(EXPORTS[kind]) == []


@pytest.mark.parametrize(("kind", "name"), [("collection", n) for n in BROKEN] +
                         [("transaction", n) for n in BROKEN_TRANSACTION])
def test_every_broken_variant_fails_on_the_rule_it_breaks(kind, name):
    breaker, rule = {**BROKEN, **BROKEN_TRANSACTION}[name]
    broken = copy.deepcopy(EXPORTS[kind])
    breaker(broken)
    found = problems(broken)
    assert any(p.startswith(f"{rule}:") for p in found), found


def test_the_r4_resource_types_are_r4():
    assert len(RESOURCE_TYPES) > 140  # the concrete types of fhirpathpy's R4 model
    assert {"Bundle", "Questionnaire", "QuestionnaireResponse", "CodeSystem", "ValueSet"} <= RESOURCE_TYPES
    assert not {"Citation", "SubscriptionStatus", "NutritionProduct", "Resource", "DomainResource"} & RESOURCE_TYPES
