"""FHIR export: Questionnaire, QuestionnaireResponse and Bundle validate against R4(B) and carry the right content.

fhir.resources 8 has no pure R4 (4.0.1) package for pydantic 2; R4B's Questionnaire, QuestionnaireResponse and
Bundle are structurally the same as R4, so they are used for validation. tests/fhir_validation.py adds the R4
rules those models do not check (tests/test_fhir_validation.py).
"""

import json
import math
import re
from datetime import UTC, datetime, timedelta, timezone
from functools import cache
from pathlib import Path

import pytest
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.questionnaire import Questionnaire as FhirQuestionnaire
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse as FhirResponse
from pydantic import ValidationError

from tests.fhir_validation import assert_valid, evaluate
from webapp.core import scoring
from webapp.core.questionnaires import PILLAR_IDS, load_life_events, load_questionnaire
from webapp.fhir import rules as fhir

QUESTIONNAIRE = Path(__file__).resolve().parent.parent / "questionnaires" / "veerkracht-v1.yaml"
LIFE_EVENTS = Path(__file__).resolve().parent.parent / "questionnaires" / "life-events.yaml"
EXPORTED_AT = datetime(2024, 3, 6, 9, 0, tzinfo=UTC)
FORMS = ("kort", "uitgebreid")
CET = timezone(timedelta(hours=1))
RESPONSE_ID = "0123456789abcdef0123456789abcdef"
SUBJECT_ID = "fedcba9876543210fedcba9876543210"


@pytest.fixture(scope="module")
def q():
    return load_questionnaire(QUESTIONNAIRE)


@cache
def _events():
    return load_life_events(LIFE_EVENTS)


@pytest.fixture(scope="module")
def events():
    return _events()


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
        events=_events(),
    )
    arguments.update(overrides)
    return fhir.questionnaire_response(q, **arguments)


def app_scores(q, form: str, answers: dict) -> dict:
    """The pillar scores as the app computes them."""
    return scoring.pillar_scores(q.form_item_ids(form), answers)


# --- Questionnaire --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("form", FORMS)
def test_both_forms_validate_as_questionnaire_with_stable_metadata(q, events, form):
    resource = fhir.questionnaire_resource(q, form, events)
    parsed = FhirQuestionnaire.model_validate(roundtrip(resource))
    assert_valid(resource)

    assert parsed.id == f"veerkracht-v1-{form}"
    assert parsed.url == f"https://veerkracht.nl/fhir/Questionnaire/veerkracht-v1-{form}"  # url and id agree
    assert parsed.version == "1"
    assert parsed.name == {"kort": "VeerkrachtKort", "uitgebreid": "VeerkrachtUitgebreid"}[form]
    assert re.fullmatch(r"[A-Z][A-Za-z0-9_]{0,254}", parsed.name)
    assert parsed.title == f"Veerkracht check-in ({form})"
    english_form = {"kort": "short", "uitgebreid": "extended"}[form]
    assert english(resource["_title"]) == f"Resilience check-in ({english_form})"
    assert (parsed.status, parsed.language, parsed.subjectType) == ("active", "nl", ["Patient"])
    assert parsed.copyright == q.credit.nl and english(resource["_copyright"]) == q.credit.en
    assert parsed.description == q.forms[form].description.nl


def test_base_url_is_a_parameter(q, events):
    resource = fhir.questionnaire_resource(q, "kort", events, base_url="https://example.org/r4")
    assert resource["url"] == "https://example.org/r4/Questionnaire/veerkracht-v1-kort"
    assert resource["id"] == "veerkracht-v1-kort"
    option = resource["item"][0]["answerOption"][0]["valueCoding"]
    assert option["system"] == "https://example.org/r4/CodeSystem/levensgebeurtenis"


@pytest.mark.parametrize("form", FORMS)
def test_every_form_item_appears_once_in_its_pillar_and_nothing_extra(q, events, form):
    items = fhir.questionnaire_resource(q, form, events)["item"]
    asked = q.forms[form].items

    assert len(link_ids(items)) == len(set(link_ids(items)))
    assert [i["linkId"] for i in items] == ["levensgebeurtenis", *PILLAR_IDS]
    assert link_ids(items, "group") == list(PILLAR_IDS)
    assert link_ids(items, "choice") == ["levensgebeurtenis"]
    assert link_ids(items, "string") == []
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


def test_a_question_has_dutch_text_english_translation_bounds_and_scale_labels(q, events):
    items = fhir.questionnaire_resource(q, "kort", events)["item"]
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
    extensions = {e["url"].rsplit("/", 1)[1]: e for e in score["extension"]}
    assert extensions["minValue"] == {"url": fhir.MIN_VALUE, "valueDecimal": 0.0}
    assert extensions["maxValue"] == {"url": fhir.MAX_VALUE, "valueDecimal": 10.0}
    assert extensions["maxDecimalPlaces"]["valueInteger"] == 1
    expression = extensions["sdc-questionnaire-calculatedExpression"]["valueExpression"]
    assert expression["language"] == "text/fhirpath"
    assert expression["expression"] == fhir.score_expression("lichaam", ["lichaam_gezond", "lichaam_fit"])
    assert "minder dan de helft" in expression["description"]


def test_the_life_event_is_a_choice_from_the_veerkracht_code_system(q, events):
    item = fhir.questionnaire_resource(q, "kort", events)["item"][0]
    assert (item["linkId"], item["type"], item["required"]) == ("levensgebeurtenis", "choice", False)
    assert "maxLength" not in item and "answerValueSet" not in item  # que-10, que-4
    codings = [option["valueCoding"] for option in item["answerOption"]]
    assert [c["code"] for c in codings] == [e.id for e in events.events]
    assert {c["system"] for c in codings} == {"https://veerkracht.nl/fhir/CodeSystem/levensgebeurtenis"}
    moving = next(c for c in codings if c["code"] == "verhuizing")
    assert (moving["display"], english(moving["_display"]), moving["version"]) == ("Verhuizing", "Moving house", "1")
    assert next(c for c in codings if c["code"] == "geen")["display"] == "Niets bijzonders"


def test_code_system_and_value_set_come_from_the_life_event_file(events):
    code_system = fhir.life_event_code_system(events)
    value_set = fhir.life_event_value_set(events)
    for resource, kind in ((code_system, "CodeSystem"), (value_set, "ValueSet")):
        assert resource["url"] == f"https://veerkracht.nl/fhir/{kind}/{resource['id']}"  # url and id agree
        assert (resource["status"], resource["version"], resource["name"]) == ("active", "1", "Levensgebeurtenis")
        assert english(resource["_title"]) == "Life events"
        assert_valid(resource)
    assert (code_system["content"], code_system["count"]) == ("complete", len(events.events))
    assert code_system["valueSet"] == value_set["url"]
    concepts = {c["code"]: c for c in code_system["concept"]}
    assert concepts["achttien_worden"] == {"code": "achttien_worden", "display": "18 worden",
                                           "designation": [{"language": "en", "value": "Turning 18"}]}
    assert set(concepts) == {e.id for e in events.events}
    assert value_set["compose"] == {"include": [{"system": code_system["url"], "version": "1"}]}


@pytest.mark.parametrize("form", FORMS)
def test_questionnaire_keeps_the_invariants_the_library_does_not_check(q, events, form):
    resource = fhir.questionnaire_resource(q, form, events)
    for item in walk(resource["item"]):
        assert item["text"]
        if item["type"] == "group":
            assert item["item"]  # que-1: groups have children
        if item["type"] in ("display", "boolean", "decimal", "choice"):
            assert "item" not in item  # que-1: display items have no children
    assert "_" not in resource["id"]


def test_unknown_form_is_refused(q, events):
    with pytest.raises(ValueError, match="no form 'lang'"):
        fhir.questionnaire_resource(q, "lang", events)


# --- QuestionnaireResponse ------------------------------------------------------------------------------------


@pytest.mark.parametrize("form", FORMS)
def test_response_validates_and_mirrors_the_questionnaire(q, events, form):
    questionnaire = fhir.questionnaire_resource(q, form, events)
    response = make_response(q, form=form, answers=full_answers(q, form),
                             pillar_scores=app_scores(q, form, full_answers(q, form)))
    parsed = FhirResponse.model_validate(roundtrip(response))
    assert_valid(fhir.bundle([fhir.life_event_code_system(events), questionnaire, response], "b", EXPORTED_AT))

    assert shape(response["item"]) == shape(questionnaire["item"])
    for item in walk(response["item"]):
        assert item["text"] == find(questionnaire["item"], item["linkId"])["text"]
    assert parsed.id == RESPONSE_ID and parsed.status == "completed"
    assert response["questionnaire"] == f"{questionnaire['url']}|{questionnaire['version']}"
    assert response["questionnaire"] == f"https://veerkracht.nl/fhir/Questionnaire/veerkracht-v1-{form}|1"
    assert response["authored"] == "2024-03-05T14:30:15+01:00"
    assert parsed.authored == datetime(2024, 3, 5, 14, 30, 15, tzinfo=CET)
    questions = link_ids(questionnaire["item"], "integer")
    answered = {i["linkId"]: i["answer"] for i in walk(response["item"]) if i["linkId"] in questions}
    assert answered == {item_id: [{"valueInteger": n}] for item_id, n in full_answers(q, form).items()}


def test_skipped_questions_keep_their_item_without_an_answer(q, events):
    answers = full_answers(q, "kort") | {"lichaam_fit": None}
    del answers["meedoen_steun"]
    response = make_response(q, answers=answers)
    FhirResponse.model_validate(roundtrip(response))

    for skipped in ("lichaam_fit", "meedoen_steun"):
        assert find(response["item"], skipped) == {"linkId": skipped, "text": find(
            fhir.questionnaire_resource(q, "kort", events)["item"], skipped)["text"]}
    assert find(response["item"], "lichaam_gezond")["answer"] == [{"valueInteger": 0}]
    assert find(response["item"], "dagelijks_regelen")["answer"] == [{"valueInteger": 11 % 11}]
    assert all(item.get("answer") != [] for item in walk(response["item"]))  # FHIR forbids empty arrays


def test_everything_skipped_still_validates(q, events):
    response = make_response(q, answers={}, talk_items=set(), pillar_scores={}, life_event=None)
    FhirResponse.model_validate(roundtrip(response))
    questionnaire = fhir.questionnaire_resource(q, "kort", events)
    assert_valid(fhir.bundle([fhir.life_event_code_system(events), questionnaire, response], "b", EXPORTED_AT))
    answered = [i["linkId"] for i in walk(response["item"]) if "answer" in i]
    assert answered == [f"{i}.praten" for i in q.forms["kort"].items]  # only the (unticked) talk boxes
    assert shape(response["item"]) == shape(questionnaire["item"])


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


def test_life_event_is_a_coding_and_nothing_happened_is_an_answer_too(q, events):
    present = make_response(q, life_event="overlijden_naaste")
    (answer,) = find(present["item"], "levensgebeurtenis")["answer"]
    assert answer["valueCoding"]["code"] == "overlijden_naaste"
    assert answer["valueCoding"]["display"] == "Overlijden partner of naaste"
    assert english(answer["valueCoding"]["_display"]) == "Death of partner or loved one"
    nothing = make_response(q, life_event="geen")  # "er is niets bijzonders gebeurd" is an answer, not a skip
    assert find(nothing["item"], "levensgebeurtenis")["answer"][0]["valueCoding"]["code"] == "geen"
    absent = make_response(q, life_event=None)  # the check-in did not ask
    assert find(absent["item"], "levensgebeurtenis") == {"linkId": "levensgebeurtenis", "text": "Levensgebeurtenis"}
    for response in (present, nothing, absent):
        FhirResponse.model_validate(roundtrip(response))


def test_subject_source_and_author_are_logical_references_without_a_name(q):
    response = make_response(q)
    resident = {"type": "Patient", "identifier": {"system": "https://veerkracht.nl/fhir/bewoner", "value": SUBJECT_ID}}
    assert response["subject"] == response["source"] == resident
    assert response["author"] == resident  # filled in alone: the resident recorded the answers
    parsed = FhirResponse.model_validate(roundtrip(response))
    assert parsed.subject.display is None and parsed.subject.reference is None


def test_a_checkin_done_together_names_the_coach_as_author_by_identifier_only(q):
    together = make_response(q, mode="samen", coach_id="Kq3_coach-9")
    assert together["meta"]["tag"] == [{"system": "https://veerkracht.nl/fhir/CodeSystem/afname", "code": "samen",
                                        "display": "Samen met een coach ingevuld"}]
    assert together["author"] == {"type": "Practitioner", "identifier": {
        "system": "https://veerkracht.nl/fhir/medewerker", "value": "Kq3_coach-9"}}
    assert together["source"] == together["subject"]
    parsed = FhirResponse.model_validate(roundtrip(together))
    assert parsed.author.display is None and parsed.author.reference is None
    gone = make_response(q, mode="samen", coach_id=None)  # the coach's account was deleted since
    assert gone["author"] == gone["source"] == gone["subject"]
    assert make_response(q)["meta"]["tag"][0]["code"] == "zelf"


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
    ({"life_event": "loterij_gewonnen"}, "loterij_gewonnen"),
    ({"coach_id": "c1"}, "samen"),  # a coach on a check-in the resident did alone
])
def test_bad_input_raises_value_error_instead_of_losing_data(q, overrides, message):
    with pytest.raises(ValueError, match=message):
        make_response(q, **overrides)


# --- Bundle ---------------------------------------------------------------------------------------------------


def test_bundle_validates_with_one_entry_per_resource(q, events):
    resources = [fhir.life_event_code_system(events), fhir.life_event_value_set(events),
                 fhir.questionnaire_resource(q, "kort", events), fhir.questionnaire_resource(q, "uitgebreid", events),
                 make_response(q, pillar_scores=app_scores(q, "kort", full_answers(q, "kort"))),
                 make_response(q, response_id="a" * 32, form="uitgebreid", answers=full_answers(q, "uitgebreid"),
                               pillar_scores=app_scores(q, "uitgebreid", full_answers(q, "uitgebreid")))]
    result = fhir.bundle(resources, "export-1", EXPORTED_AT)
    parsed = Bundle.model_validate(roundtrip(result))
    assert_valid(result)

    assert (parsed.id, parsed.type, len(parsed.entry)) == ("export-1", "collection", 6)
    assert result["timestamp"] == "2024-03-06T09:00:00+00:00"
    assert "request" not in result["entry"][0]
    assert [e["fullUrl"] for e in result["entry"]] == [
        "https://veerkracht.nl/fhir/CodeSystem/levensgebeurtenis",
        "https://veerkracht.nl/fhir/ValueSet/levensgebeurtenis",
        "https://veerkracht.nl/fhir/Questionnaire/veerkracht-v1-kort",
        "https://veerkracht.nl/fhir/Questionnaire/veerkracht-v1-uitgebreid",
        f"https://veerkracht.nl/fhir/QuestionnaireResponse/{RESPONSE_ID}",
        f"https://veerkracht.nl/fhir/QuestionnaireResponse/{'a' * 32}",
    ]
    assert [e.resource.get_resource_type() for e in parsed.entry] == ["CodeSystem", "ValueSet"] + [
        "Questionnaire"] * 2 + ["QuestionnaireResponse"] * 2


def test_the_transaction_bundle_puts_every_resource_by_id(q, events):
    resources = [fhir.life_event_code_system(events), fhir.life_event_value_set(events),
                 fhir.questionnaire_resource(q, "kort", events),
                 make_response(q, pillar_scores=app_scores(q, "kort", full_answers(q, "kort")))]
    result = fhir.bundle(resources, "export-2", EXPORTED_AT, kind="transaction")
    Bundle.model_validate(roundtrip(result))
    assert_valid(result)
    assert result["type"] == "transaction"
    assert [e["request"] for e in result["entry"]] == [
        {"method": "PUT", "url": "CodeSystem/levensgebeurtenis"},
        {"method": "PUT", "url": "ValueSet/levensgebeurtenis"},
        {"method": "PUT", "url": "Questionnaire/veerkracht-v1-kort"},
        {"method": "PUT", "url": f"QuestionnaireResponse/{RESPONSE_ID}"}]
    assert all(e["fullUrl"] == f"https://veerkracht.nl/fhir/{e['request']['url']}" for e in result["entry"])


def test_bundle_validation_reaches_into_the_entries(q, events):
    broken = fhir.questionnaire_resource(q, "kort", events) | {"unknownField": 1}
    with pytest.raises(ValidationError):
        Bundle.model_validate(roundtrip(fhir.bundle([broken], "b", EXPORTED_AT)))


def test_bundle_refuses_duplicates_and_bad_ids(q, events):
    resource = fhir.questionnaire_resource(q, "kort", events)
    with pytest.raises(ValueError, match="twice"):
        fhir.bundle([resource, resource], "b", EXPORTED_AT)
    with pytest.raises(ValueError, match="bundle id"):
        fhir.bundle([resource], "met_underscore", EXPORTED_AT)
    with pytest.raises(ValueError, match="bundle type"):
        fhir.bundle([resource], "b", EXPORTED_AT, kind="batch")
    with pytest.raises(ValueError, match="timezone"):
        fhir.bundle([resource], "b", datetime(2024, 3, 6, 9, 0))
    empty = fhir.bundle([], "leeg", EXPORTED_AT)
    assert empty == {"resourceType": "Bundle", "id": "leeg", "type": "collection",
                     "timestamp": "2024-03-06T09:00:00+00:00"}  # no empty "entry" array
    Bundle.model_validate(empty)
    assert_valid(empty)


# --- pillar scores as FHIRPath --------------------------------------------------------------------------------


def _score_answers(response: dict) -> dict:
    return {i["linkId"]: i["answer"][0]["valueDecimal"] for i in walk(response["item"])
            if i["linkId"].endswith(".score") and "answer" in i}


def _computed(q, events, form: str, response: dict) -> dict:
    """Evaluate every pillar's calculatedExpression on the response with fhirpathpy."""
    questionnaire = fhir.questionnaire_resource(q, form, events)
    result = {}
    for pillar in PILLAR_IDS:
        (extension,) = [e for e in find(questionnaire["item"], f"{pillar}.score")["extension"]
                        if e["url"] == fhir.CALCULATED_EXPRESSION]
        values = evaluate(response, extension["valueExpression"]["expression"])
        if values:
            result[f"{pillar}.score"] = float(values[0])
    return result


def test_the_score_expression_reproduces_the_app_for_every_kort_answer_pattern(q, events):
    """Two items per pillar: every pair of 0..10 or skipped, spread over the six pillars."""
    values = [None, *range(11)]
    pairs = [(a, b) for a in values for b in values]
    items = q.form_item_ids("kort")
    for start in range(0, len(pairs), len(PILLAR_IDS)):
        answers = {}
        for pillar, (a, b) in zip(PILLAR_IDS, pairs[start:start + len(PILLAR_IDS)], strict=False):
            answers.update(dict(zip(items[pillar], (a, b), strict=True)))
        scores = app_scores(q, "kort", answers)
        response = make_response(q, answers=answers, pillar_scores=scores)
        assert _computed(q, events, "kort", response) == _score_answers(response), answers


@pytest.mark.parametrize("answers", [
    (1, 2, 2, 4), (1, 1, 1, 0), (0, 0, 0, 1), (9, 10, 10, 10), (3, 3, 3, 4), (None, 1, 2, 2), (None, None, 1, 2),
    (None, None, None, 10), (None, None, None, None), (0, 0, 0, 0), (10, 10, 10, 10), (7, 8, None, None),
])
def test_the_score_expression_rounds_half_up_and_needs_half_the_items(q, events, answers):
    """Four items per pillar: .25 and .75 means round up (2.25 gives 2.3), two of four answered is enough."""
    items = q.form_item_ids("uitgebreid")
    all_answers = {item: value for pillar in PILLAR_IDS for item, value in zip(items[pillar], answers, strict=True)}
    scores = app_scores(q, "uitgebreid", all_answers)
    response = make_response(q, form="uitgebreid", answers=all_answers, pillar_scores=scores)
    computed = _computed(q, events, "uitgebreid", response)
    assert computed == _score_answers(response)
    expected = scores["lichaam"]
    assert computed.get("lichaam.score") == expected
