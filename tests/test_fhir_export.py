"""The FHIR export: what a coach with access downloads, and the FHIR part of the resident's own download."""

import json
import re
from datetime import datetime

from fhir.resources.R4B.bundle import Bundle
from sqlalchemy import select

from tests.checkin_helpers import complete_checkin
from tests.fhir_validation import assert_valid, evaluate
from webapp.core import history
from webapp.core.definitions import questionnaire_for
from webapp.core.extensions import db
from webapp.core.labels import CheckinMode
from webapp.core.models import AuditEvent, Checkin, Resident, User
from webapp.fhir import rules as fhir
from webapp.fhir.service import fhir_id, resident_bundle


def _responses(bundle: dict) -> list[dict]:
    return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "QuestionnaireResponse"]


def _answer(response: dict, link_id: str):
    stack = list(response["item"])
    while stack:
        item = stack.pop()
        if item["linkId"] == link_id:
            return item.get("answer", [{}])[0]
        stack.extend(item.get("item", []))
    raise KeyError(link_id)


def test_fhir_ids_are_valid_and_reversible():
    import base64
    import re

    from webapp.core.models._base import new_public_id

    for public_id in ["abc_DEF-1234_xyz", *(new_public_id() for _ in range(50))]:
        converted = fhir_id(public_id)
        assert re.fullmatch(r"[A-Za-z0-9\-.]{1,64}", converted)
        assert base64.urlsafe_b64encode(bytes.fromhex(converted)).decode() == public_id


def test_coach_with_access_downloads_valid_fhir_and_it_is_audited(app, client, make_resident, login_as, kort_items,
                                                                  make_staff):
    me = make_resident(username="els")
    login_as(client, me["user"])
    first = complete_checkin(client, kort_items, default=4)
    second = complete_checkin(client, kort_items, default=7)
    coach_id = make_staff(name="Coach H", share_with=(me["resident"],))["user"]
    other_id = make_staff(name="Coach I")["user"]
    coach_client = app.test_client()
    login_as(coach_client, coach_id)
    response = coach_client.get(f"/coach/bewoner/{me['resident']}/fhir.json")
    assert response.status_code == 200 and response.mimetype == "application/fhir+json"
    bundle = json.loads(response.data)
    Bundle.model_validate(bundle)  # raises on anything that is not valid FHIR
    assert_valid(bundle)  # and on the R4 rules those models do not check
    kinds = [e["resource"]["resourceType"] for e in bundle["entry"]]
    assert kinds == ["CodeSystem", "ValueSet", "Questionnaire", "QuestionnaireResponse", "QuestionnaireResponse"]
    assert bundle["type"] == "collection" and re.fullmatch(r"[0-9a-f]{32}", bundle["id"])
    assert datetime.fromisoformat(bundle["timestamp"]).tzinfo is not None
    responses = _responses(bundle)
    assert [r["identifier"]["value"] for r in responses] == [first, second]  # oldest first
    item = kort_items["mentaal"][0]
    assert _answer(responses[0], item) == {"valueInteger": 4} and _answer(responses[1], item) == {"valueInteger": 7}
    assert _answer(responses[1], "mentaal.score") == {"valueDecimal": 7.0}
    assert _answer(responses[0], "levensgebeurtenis")["valueCoding"]["code"] == "verhuizing"
    assert all(r["subject"]["identifier"]["value"] == me["resident"] for r in responses)
    assert "els" not in response.get_data(as_text=True)  # no username or name in the export
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.object_type == "fhir"))
        assert event.action == "data.export" and event.resident_public_id == me["resident"]
        assert event.actor_public_id == coach_id
    stranger = app.test_client()
    login_as(stranger, other_id)
    assert stranger.get(f"/coach/bewoner/{me['resident']}/fhir.json").status_code == 404
    again = json.loads(coach_client.get(f"/coach/bewoner/{me['resident']}/fhir.json").data)
    assert again["id"] != bundle["id"]  # every export is a Bundle of its own


def test_the_transaction_download_puts_every_resource_and_is_audited(app, client, make_resident, login_as,
                                                                    kort_items, make_staff):
    me = make_resident()
    login_as(client, me["user"])
    checkin = complete_checkin(client, kort_items, default=6)
    coach_id = make_staff(name="Coach T", share_with=(me["resident"],))["user"]
    coach_client = app.test_client()
    login_as(coach_client, coach_id)
    response = coach_client.get(f"/coach/bewoner/{me['resident']}/fhir-transactie.json")
    assert response.status_code == 200 and response.mimetype == "application/fhir+json"
    assert "veerkracht-fhir-transactie.json" in response.headers["Content-Disposition"]
    bundle = json.loads(response.data)
    Bundle.model_validate(bundle)
    assert_valid(bundle)
    assert bundle["type"] == "transaction"
    assert [e["request"]["method"] for e in bundle["entry"]] == ["PUT"] * 4
    assert bundle["entry"][-1]["request"]["url"] == f"QuestionnaireResponse/{fhir_id(checkin)}"
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.object_type == "fhir"))
        assert event.action == "data.export" and event.resident_public_id == me["resident"]
        assert event.actor_public_id == coach_id


def test_a_checkin_done_together_names_the_resident_as_source_and_the_coach_as_author(app, make_resident,
                                                                                     make_checkin, make_staff,
                                                                                     kort_items):
    me = make_resident()
    coach = make_staff(name="Coach S", share_with=(me["resident"],))
    together = make_checkin(me["resident"], {i: 5 for items in kort_items.values() for i in items}, days_ago=2)
    make_checkin(me["resident"], {i: 6 for items in kort_items.values() for i in items}, days_ago=1)
    with app.test_request_context():
        checkin = db.session.scalar(select(Checkin).where(Checkin.public_id == together))
        checkin.mode = CheckinMode.SAMEN
        checkin.coach_id = db.session.scalar(select(User.id).where(User.public_id == coach["user"]))
        db.session.flush()
        bundle = resident_bundle(db.session.scalar(select(Resident).where(Resident.public_id == me["resident"])))
    assert_valid(bundle)
    with_coach, alone = _responses(bundle)
    resident = {"type": "Patient", "identifier": {"system": "https://veerkracht.nl/fhir/bewoner",
                                                  "value": me["resident"]}}
    assert with_coach["source"] == with_coach["subject"] == resident
    assert with_coach["author"] == {"type": "Practitioner", "identifier": {
        "system": "https://veerkracht.nl/fhir/medewerker", "value": coach["user"]}}
    assert "Coach S" not in json.dumps(bundle)  # the coach by identifier only
    assert alone["author"] == alone["source"] == resident
    # "er is niets bijzonders gebeurd" is exported as an answer, not left out as if it was not asked
    assert _answer(alone, "levensgebeurtenis")["valueCoding"]["code"] == "geen"


def test_the_residents_own_download_holds_the_same_fhir(client, make_resident, login_as, kort_items):
    me = make_resident()
    login_as(client, me["user"])
    checkin = complete_checkin(client, kort_items, default=5)
    data = json.loads(client.get("/account/mijn-gegevens.json").data)
    Bundle.model_validate(data["fhir"])
    assert [r["identifier"]["value"] for r in _responses(data["fhir"])] == [checkin]


def test_no_checkins_gives_an_empty_but_valid_bundle(client, make_resident, login_as):
    me = make_resident()
    login_as(client, me["user"])
    data = json.loads(client.get("/account/mijn-gegevens.json").data)
    Bundle.model_validate(data["fhir"])
    assert "entry" not in data["fhir"]


def test_a_checkin_that_does_not_fit_gets_a_clear_message_not_a_crash(app, client, make_resident, login_as,
                                                                       kort_items, monkeypatch, make_staff):
    from webapp.fhir import service as fhir_export

    me = make_resident()
    coach_id = make_staff(name="Coach J", share_with=(me["resident"],))["user"]

    def broken(_resident, kind="collection"):
        raise ValueError("answer out of range")

    monkeypatch.setattr(fhir_export, "resident_bundle", broken)
    login_as(client, coach_id)
    response = client.get(f"/coach/bewoner/{me['resident']}/fhir.json")
    assert response.status_code == 409 and "Meld dit bij de beheerder" in response.get_data(as_text=True)


def test_the_score_expressions_give_the_apps_scores_on_every_demo_checkin(app):
    """Seed the demo (flask seed-demo), export every resident, and evaluate each pillar's calculatedExpression."""
    assert app.test_cli_runner().invoke(args=["seed-demo"]).exit_code == 0
    compared = scored = 0
    with app.test_request_context():
        for resident in db.session.scalars(select(Resident)):
            bundle = resident_bundle(resident)
            checkins = {c.public_id: c for c in history.checkins_of(resident)}
            questionnaires = {e["resource"]["url"] + "|" + e["resource"]["version"]: e["resource"]
                              for e in bundle.get("entry", []) if e["resource"]["resourceType"] == "Questionnaire"}
            for response in _responses(bundle) if "entry" in bundle else []:
                checkin = checkins[response["identifier"]["value"]]
                app_scores = history.scores_of(checkin)
                questionnaire = questionnaires[response["questionnaire"]]
                for pillar in questionnaire_for(checkin).pillars:
                    score_item = next(i for i in questionnaire["item"] if i["linkId"] == pillar.id)["item"][-1]
                    (expression,) = [e["valueExpression"]["expression"] for e in score_item["extension"]
                                     if e["url"] == fhir.CALCULATED_EXPRESSION]
                    computed = [float(v) for v in evaluate(response, expression)]
                    expected = [] if app_scores[pillar.id] is None else [app_scores[pillar.id]]
                    assert computed == expected, (checkin.public_id, pillar.id)
                    scored += bool(expected)
                compared += 1
    print(f"compared {compared} demo check-ins, {scored} pillar scores")  # shown with pytest -s
    assert compared == 325 and scored > 6 * 300  # the whole demo, not a sample
