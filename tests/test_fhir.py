"""FHIR export: Questionnaire, QuestionnaireResponse and Bundle validate against R4(B) and carry the right content.

fhir.resources 8 has no pure R4 (4.0.1) package for pydantic 2; R4B's Questionnaire, QuestionnaireResponse and
Bundle are structurally the same as R4, so they are used for validation.
"""

import json
import math
import re
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.questionnaire import Questionnaire as FhirQuestionnaire
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse as FhirResponse
from pydantic import ValidationError

from webapp.core.questionnaires import PILLAR_IDS, load_questionnaire
from webapp.fhir import rules as fhir

QUESTIONNAIRE = Path(__file__).resolve().parent.parent / "questionnaires" / "veerkracht-v1.yaml"
FORMS = ("kort", "uitgebreid")
CET = timezone(timedelta(hours=1))
RESPONSE_ID = "0123456789abcdef0123456789abcdef"
SUBJECT_ID = "fedcba9876543210fedcba9876543210"


@pytest.fixture(scope="module")
def q():
    return load_questionnaire(QUESTIONNAIRE)


def roundtrip(resource: dict) -> dict:
    """Return the resource as a client would read it back from the downloaded JSON file."""
    return json.loads(json.dumps(resource, ensure_ascii=False))


def walk(items: list[dict]):
    """Yield every item, depth first."""
    for item in items:
        yield item
        yield from walk(item.get("item", []))


def link_ids(items: list[dict], of_type: str | None = None) -> list[str]:
    return [i["linkId"] for i in walk(items) if of_type is None or i.get("type") == of_type]


def shape(items: list[dict]) -> list:
    """The linkId tree without display items, which a response does not repeat."""
    return [(i["linkId"], shape(i.get("item", []))) for i in items if i.get("type") != "display"]


def find(items: list[dict], link_id: str) -> dict:
    return next(i for i in walk(items) if i["linkId"] == link_id)


def english(element_ext: dict) -> str:
    (translation,) = element_ext["extension"]
    assert translation["url"] == "http://hl7.org/fhir/StructureDefinition/translation"
    parts = {e["url"]: e for e in translation["extension"]}
    assert parts["lang"]["valueCode"] == "en"
    return parts["content"]["valueString"]


def full_answers(q, form: str) -> dict[str, int]:
    return {item_id: n % 11 for n, item_id in enumerate(q.forms[form].items)}


def make_response(q, **overrides) -> dict:
    arguments = dict(
        response_id=RESPONSE_ID, form="kort", authored=datetime(2024, 3, 5, 14, 30, 15, 123456, tzinfo=CET),
        answers=full_answers(q, "kort"), talk_items={"mentaal_grip"},
        pillar_scores={p: 5.0 for p in PILLAR_IDS}, life_event="pensioen", subject_id=SUBJECT_ID,
    )
    arguments.update(overrides)
    return fhir.questionnaire_response(q, **arguments)


# --- Questionnaire --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("form", FORMS)
def test_both_forms_validate_as_questionnaire_with_stable_metadata(q, form):
    resource = fhir.questionnaire_resource(q, form)
    parsed = FhirQuestionnaire.model_validate(roundtrip(resource))

    assert parsed.id == f"veerkracht-v1-{form}"
    assert parsed.url == f"https://veerkracht.nl/fhir/Questionnaire/veerkracht-{form}"
    assert parsed.version == "1"
    assert parsed.name == {"kort": "VeerkrachtKort", "uitgebreid": "VeerkrachtUitgebreid"}[form]
    assert re.fullmatch(r"[A-Z][A-Za-z0-9_]{0,254}", parsed.name)
    assert parsed.title == f"Veerkracht check-in ({form})"
    english_form = {"kort": "short", "uitgebreid": "extended"}[form]
    assert english(resource["_title"]) == f"Resilience check-in ({english_form})"
    assert (parsed.status, parsed.language, parsed.subjectType) == ("active", "nl", ["Patient"])
    assert parsed.copyright == q.credit.nl and english(resource["_copyright"]) == q.credit.en
    assert parsed.description == q.forms[form].description.nl


def test_base_url_is_a_parameter(q):
    resource = fhir.questionnaire_resource(q, "kort", base_url="https://example.org/r4")
    assert resource["url"] == "https://example.org/r4/Questionnaire/veerkracht-kort"
    assert resource["id"] == "veerkracht-v1-kort"


@pytest.mark.parametrize("form", FORMS)
def test_every_form_item_appears_once_in_its_pillar_and_nothing_extra(q, form):
    items = fhir.questionnaire_resource(q, form)["item"]
    asked = q.forms[form].items

    assert len(link_ids(items)) == len(set(link_ids(items)))
    assert [i["linkId"] for i in items] == ["levensgebeurtenis", *PILLAR_IDS]
    assert link_ids(items, "group") == list(PILLAR_IDS)
    assert link_ids(items, "string") == ["levensgebeurtenis"]
    assert sorted(link_ids(items, "integer")) == sorted(asked)
    assert sorted(link_ids(items, "boolean")) == sorted(f"{i}.praten" for i in asked)
    assert link_ids(items, "decimal") == [f"{p}.score" for p in PILLAR_IDS]
    assert sorted(link_ids(items, "display")) == sorted([f"{i}.laag" for i in asked] + [f"{i}.hoog" for i in asked])
    assert len(link_ids(items)) == 1 + 6 + len(asked) * 4 + 6
    for group in items[1:]:
        expected = [i.id for i in q.form_pillars(form)[PILLAR_IDS.index(group["linkId"])][1]]
        assert link_ids(group["item"], "integer") == expected
        assert group["text"] == q.pillar(group["linkId"]).name.nl
        assert english(group["_text"]) == q.pillar(group["linkId"]).name.en
    if form == "kort":
        assert "lichaam_pijn" not in link_ids(items)


def test_a_question_has_dutch_text_english_translation_bounds_and_scale_labels(q):
    items = fhir.questionnaire_resource(q, "kort")["item"]
    question = find(items, "lichaam_gezond")
    extensions = {e["url"].rsplit("/", 1)[1]: e for e in question["extension"]}

    assert question["type"] == "integer" and question["required"] is False
    assert question["text"] == "Ik ben tevreden over mijn gezondheid."
    assert english(question["_text"]) == "I am satisfied with my health."
    assert extensions["minValue"]["valueInteger"] == 0
    assert extensions["maxValue"]["valueInteger"] == 10
    assert extensions["questionnaire-sliderStepValue"]["valueInteger"] == 1
    assert extensions["questionnaire-itemControl"]["valueCodeableConcept"]["coding"][0]["code"] == "slider"
    low, high = question["item"]
    assert (low["type"], low["text"], english(low["_text"])) == ("display", "Klopt helemaal niet", "Not true at all")
    assert (high["type"], high["text"], english(high["_text"])) == ("display", "Klopt helemaal", "Completely true")
    assert [lbl["extension"][0]["valueCodeableConcept"]["coding"][0]["code"] for lbl in (low, high)] == [
        "lower", "upper"]

    talk = find(items, "lichaam_gezond.praten")
    assert (talk["type"], talk["text"], talk["required"]) == ("boolean", "Hierover wil ik praten", False)
    score = find(items, "lichaam.score")
    assert (score["type"], score["readOnly"]) == ("decimal", True)


@pytest.mark.parametrize("form", FORMS)
def test_questionnaire_keeps_the_invariants_the_library_does_not_check(q, form):
    resource = fhir.questionnaire_resource(q, form)
    for item in walk(resource["item"]):
        assert item["text"]
        if item["type"] == "group":
            assert item["item"]  # que-1: groups have children
        if item["type"] in ("display", "boolean", "decimal", "string"):
            assert "item" not in item  # que-1: display items have no children
    assert "_" not in resource["id"]


def test_unknown_form_is_refused(q):
    with pytest.raises(ValueError, match="no form 'lang'"):
        fhir.questionnaire_resource(q, "lang")


# --- QuestionnaireResponse ------------------------------------------------------------------------------------


@pytest.mark.parametrize("form", FORMS)
def test_response_validates_and_mirrors_the_questionnaire(q, form):
    questionnaire = fhir.questionnaire_resource(q, form)
    response = make_response(q, form=form, answers=full_answers(q, form))
    parsed = FhirResponse.model_validate(roundtrip(response))

    assert shape(response["item"]) == shape(questionnaire["item"])
    for item in walk(response["item"]):
        assert item["text"] == find(questionnaire["item"], item["linkId"])["text"]
    assert parsed.id == RESPONSE_ID and parsed.status == "completed"
    assert response["questionnaire"] == f"{questionnaire['url']}|{questionnaire['version']}"
    assert response["questionnaire"] == f"https://veerkracht.nl/fhir/Questionnaire/veerkracht-{form}|1"
    assert response["authored"] == "2024-03-05T14:30:15+01:00"
    assert parsed.authored == datetime(2024, 3, 5, 14, 30, 15, tzinfo=CET)
    questions = link_ids(questionnaire["item"], "integer")
    answered = {i["linkId"]: i["answer"] for i in walk(response["item"]) if i["linkId"] in questions}
    assert answered == {item_id: [{"valueInteger": n}] for item_id, n in full_answers(q, form).items()}


def test_skipped_questions_keep_their_item_without_an_answer(q):
    answers = full_answers(q, "kort") | {"lichaam_fit": None}
    del answers["meedoen_steun"]
    response = make_response(q, answers=answers)
    FhirResponse.model_validate(roundtrip(response))

    for skipped in ("lichaam_fit", "meedoen_steun"):
        assert find(response["item"], skipped) == {"linkId": skipped, "text": find(
            fhir.questionnaire_resource(q, "kort")["item"], skipped)["text"]}
    assert find(response["item"], "lichaam_gezond")["answer"] == [{"valueInteger": 0}]
    assert find(response["item"], "dagelijks_regelen")["answer"] == [{"valueInteger": 11 % 11}]
    assert all(item.get("answer") != [] for item in walk(response["item"]))  # FHIR forbids empty arrays


def test_everything_skipped_still_validates(q):
    response = make_response(q, answers={}, talk_items=set(), pillar_scores={}, life_event=None)
    FhirResponse.model_validate(roundtrip(response))
    answered = [i["linkId"] for i in walk(response["item"]) if "answer" in i]
    assert answered == [f"{i}.praten" for i in q.forms["kort"].items]  # only the (unticked) talk boxes
    assert shape(response["item"]) == shape(fhir.questionnaire_resource(q, "kort")["item"])


def test_talk_items_become_booleans_for_every_question(q):
    response = make_response(q, talk_items=["mentaal_grip", "lichaam_fit"])
    talk = {i["linkId"]: i["answer"] for i in walk(response["item"]) if i["linkId"].endswith(".praten")}
    assert len(talk) == len(q.forms["kort"].items)
    assert {k for k, v in talk.items() if v == [{"valueBoolean": True}]} == {"mentaal_grip.praten",
                                                                             "lichaam_fit.praten"}
    assert all(v in ([{"valueBoolean": True}], [{"valueBoolean": False}]) for v in talk.values())


def test_pillar_scores_are_rounded_and_left_without_answer_when_unknown(q):
    scores = {"lichaam": 6.66, "mentaal": 10, "zingeving": 0.0, "kwaliteit": None, "meedoen": 7.25}
    response = make_response(q, pillar_scores=scores)
    parsed = FhirResponse.model_validate(roundtrip(response))

    assert find(response["item"], "lichaam.score")["answer"] == [{"valueDecimal": 6.7}]
    assert find(response["item"], "mentaal.score")["answer"] == [{"valueDecimal": 10.0}]
    assert find(response["item"], "zingeving.score")["answer"] == [{"valueDecimal": 0.0}]
    assert find(response["item"], "meedoen.score")["answer"][0]["valueDecimal"] in (7.2, 7.3)
    assert "answer" not in find(response["item"], "kwaliteit.score")  # None
    assert "answer" not in find(response["item"], "dagelijks.score")  # missing
    lichaam = next(i for i in parsed.item if i.linkId == "lichaam")
    assert float(next(i for i in lichaam.item if i.linkId == "lichaam.score").answer[0].valueDecimal) == 6.7


def test_life_event_present_and_absent(q):
    present = make_response(q, life_event="overlijden_naaste")
    assert find(present["item"], "levensgebeurtenis")["answer"] == [{"valueString": "overlijden_naaste"}]
    absent = make_response(q, life_event=None)
    assert find(absent["item"], "levensgebeurtenis") == {"linkId": "levensgebeurtenis", "text": "Levensgebeurtenis"}
    FhirResponse.model_validate(roundtrip(absent))


def test_subject_is_a_logical_reference_without_a_name(q):
    response = make_response(q)
    assert response["subject"] == {
        "type": "Patient", "identifier": {"system": "https://veerkracht.nl/fhir/bewoner", "value": SUBJECT_ID}}
    parsed = FhirResponse.model_validate(roundtrip(response))
    assert parsed.subject.display is None and parsed.subject.reference is None
    assert "author" not in response and "source" not in response


def test_mode_is_recorded_as_a_tag(q):
    assert make_response(q)["meta"]["tag"][0]["code"] == "zelf"
    together = make_response(q, mode="samen")
    assert together["meta"]["tag"] == [{"system": "https://veerkracht.nl/fhir/CodeSystem/afname", "code": "samen",
                                        "display": "Samen met een coach ingevuld"}]
    FhirResponse.model_validate(roundtrip(together))


def test_authored_in_utc_keeps_its_offset(q):
    response = make_response(q, authored=datetime(2024, 7, 1, 8, 0, tzinfo=UTC))
    assert response["authored"] == "2024-07-01T08:00:00+00:00"


@pytest.mark.parametrize(("overrides", "message"), [
    ({"answers": {"bestaat_niet": 3}}, "bestaat_niet"),
    ({"answers": {"lichaam_pijn": 3}}, "lichaam_pijn"),  # asked in 'uitgebreid', not in 'kort'
    ({"talk_items": {"lichaam_slaap"}}, "lichaam_slaap"),
    ({"answers": {"lichaam_fit": 11}}, "lichaam_fit"),
    ({"answers": {"lichaam_fit": -1}}, "lichaam_fit"),
    ({"answers": {"lichaam_fit": 7.5}}, "lichaam_fit"),
    ({"answers": {"lichaam_fit": True}}, "lichaam_fit"),
    ({"pillar_scores": {"lichaam": 10.01}}, "lichaam"),
    ({"pillar_scores": {"mentaal": -0.1}}, "mentaal"),
    ({"pillar_scores": {"mentaal": math.nan}}, "mentaal"),
    ({"pillar_scores": {"lijf": 5.0}}, "lijf"),
    ({"authored": datetime(2024, 3, 5, 14, 30)}, "timezone"),  # naive
    ({"mode": "alleen"}, "mode"),
    ({"response_id": "met_underscore"}, "met_underscore"),
    ({"subject_id": ""}, "subject_id"),
    ({"form": "lang"}, "lang"),
])
def test_bad_input_raises_value_error_instead_of_losing_data(q, overrides, message):
    with pytest.raises(ValueError, match=message):
        make_response(q, **overrides)


# --- Bundle ---------------------------------------------------------------------------------------------------


def test_bundle_validates_with_one_entry_per_resource(q):
    resources = [fhir.questionnaire_resource(q, "kort"), fhir.questionnaire_resource(q, "uitgebreid"),
                 make_response(q), make_response(q, response_id="a" * 32, form="uitgebreid",
                                                 answers=full_answers(q, "uitgebreid"))]
    result = fhir.bundle(resources, "export-1")
    parsed = Bundle.model_validate(roundtrip(result))

    assert (parsed.id, parsed.type, len(parsed.entry)) == ("export-1", "collection", 4)
    assert [e["fullUrl"] for e in result["entry"]] == [
        "https://veerkracht.nl/fhir/Questionnaire/veerkracht-v1-kort",
        "https://veerkracht.nl/fhir/Questionnaire/veerkracht-v1-uitgebreid",
        f"https://veerkracht.nl/fhir/QuestionnaireResponse/{RESPONSE_ID}",
        f"https://veerkracht.nl/fhir/QuestionnaireResponse/{'a' * 32}",
    ]
    assert [e.resource.get_resource_type() for e in parsed.entry] == ["Questionnaire"] * 2 + [
        "QuestionnaireResponse"] * 2


def test_bundle_validation_reaches_into_the_entries(q):
    broken = fhir.questionnaire_resource(q, "kort") | {"unknownField": 1}
    with pytest.raises(ValidationError):
        Bundle.model_validate(roundtrip(fhir.bundle([broken], "b")))


def test_bundle_refuses_duplicates_and_bad_ids(q):
    resource = fhir.questionnaire_resource(q, "kort")
    with pytest.raises(ValueError, match="twice"):
        fhir.bundle([resource, resource], "b")
    with pytest.raises(ValueError, match="bundle id"):
        fhir.bundle([resource], "met_underscore")
    empty = fhir.bundle([], "leeg")
    assert empty == {"resourceType": "Bundle", "id": "leeg", "type": "collection"}  # no empty "entry" array
    Bundle.model_validate(empty)
