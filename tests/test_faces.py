"""Issue 17: the faces on the 0-10 scale (five faces, and three for the simplest mode "heel_eenvoudig"),
as documented in questionnaires/README.md, and the three-face check-in over HTTP."""

import itertools
import re
import shutil
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml
from sqlalchemy import select

from tests.checkin_helpers import answer_steps, draft_id_from
from tests.conftest import form_item_ids
from webapp.core import scoring
from webapp.core.charts import spider_svg
from webapp.core.extensions import db
from webapp.core.models import Checkin, Draft, Resident
from webapp.core.questionnaires import DefinitionError, load_definitions

DATA = Path(__file__).resolve().parent.parent / "questionnaires"
README = (DATA / "README.md").read_text(encoding="utf-8")
FIVE = {"Nee": 0, "Vaak niet": 3, "Soms": 5, "Vaak wel": 7, "Ja": 10}
THREE = {"Nee": 0, "Soms": 5, "Ja": 10}


@pytest.fixture(scope="module")
def q():
    return load_definitions(DATA).latest("veerkracht")


def _faces(q, form: str) -> dict[str, int]:
    return {face.label.nl: face.value for face in q.faces_for(form)}


def _readme_row(form: str) -> dict[str, int]:
    """The mapping as the README's table documents it: 'Nee → 0 · Soms → 5 · Ja → 10'."""
    row = next(line for line in README.splitlines() if line.startswith(f"| `{form}`"))
    return {label.strip(): int(value) for label, value in re.findall(r"([A-Za-z][A-Za-z ]*?) → (\d+)", row)}


def test_the_faces_land_on_the_documented_values(q):
    assert _faces(q, "eenvoudig") == FIVE == _readme_row("eenvoudig")
    assert _faces(q, "heel_eenvoudig") == THREE == _readme_row("heel_eenvoudig")
    assert q.allowed_scores("heel_eenvoudig") == frozenset({0, 5, 10})
    assert q.faces_for("kort") is None and q.faces_for("uitgebreid") is None


def test_three_faces_are_the_five_faces_ends_and_middle_with_the_same_words_and_pictures(q):
    five = {face.value: (face.label, face.picture) for face in q.faces_for("eenvoudig")}
    for face in q.faces_for("heel_eenvoudig"):
        assert five[face.value] == (face.label, face.picture)
    for faces in (q.faces_for("eenvoudig"), q.faces_for("heel_eenvoudig")):
        values = [face.value for face in faces]
        assert all(a + b == 10 for a, b in zip(values, reversed(values), strict=True))  # symmetric around 5


def test_the_simplest_form_asks_the_same_statements_as_the_easy_form(q):
    assert q.forms["heel_eenvoudig"].items == q.forms["eenvoudig"].items
    assert q.form_item_ids("heel_eenvoudig") == q.form_item_ids("eenvoudig")


@pytest.mark.parametrize(("form", "documented"), [
    ("heel_eenvoudig", [0, 2.5, 5, 7.5, 10]),
    ("eenvoudig", [0, 1.5, 2.5, 3, 3.5, 4, 5, 6, 6.5, 7, 7.5, 8.5, 10]),
])
def test_every_pillar_score_a_face_form_can_give_is_the_documented_one(q, form, documented):
    items = q.form_item_ids(form)["mentaal"]
    values = sorted(q.allowed_scores(form))
    scores = {scoring.pillar_score(items, dict(zip(items, pair, strict=True)))
              for pair in itertools.product(values, repeat=len(items))}
    assert sorted(scores) == documented
    listed = ", ".join(f"{v:g}" for v in documented)
    assert listed in " ".join(README.split()), "questionnaires/README.md lists these values"


def test_a_three_face_checkin_compares_with_a_short_form_checkin_on_one_spider_web(q):
    three = q.form_item_ids("heel_eenvoudig")
    kort = q.form_item_ids("kort")
    # Three faces: "Ja" and "Soms" on every pillar; the short form: 6 and 8 on the 0-10 scale.
    now = scoring.pillar_scores(three, {items[0]: 10 for items in three.values()}
                                | {items[1]: 5 for items in three.values()})
    before = scoring.pillar_scores(kort, {items[0]: 6 for items in kort.values()}
                                   | {items[1]: 8 for items in kort.values()})
    assert set(now) == set(before) == {p.id for p in q.pillars}
    assert all(score == 7.5 for score in now.values()) and all(score == 7.0 for score in before.values())
    assert scoring.changes(now, before) == dict.fromkeys(now, 0.5)
    svg = spider_svg([p.short.nl for p in q.pillars], list(now.values()), list(before.values()), "Nu", "Eerder")
    assert svg.startswith(b"<?xml") and b"Eerder" in svg


def test_a_form_with_its_own_faces_is_checked_like_the_questionnaires(tmp_path):
    shutil.copy(DATA / "life-events.yaml", tmp_path / "life-events.yaml")
    data = yaml.safe_load((DATA / "veerkracht-v2.yaml").read_text(encoding="utf-8"))
    data["forms"]["heel_eenvoudig"]["faces"][1]["value"] = 11
    (tmp_path / "veerkracht-v2.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(DefinitionError, match="heel_eenvoudig"):
        load_definitions(tmp_path)
    data["forms"]["heel_eenvoudig"]["faces"][1]["value"] = 5
    data["forms"]["kort"]["faces"] = data["forms"]["heel_eenvoudig"]["faces"]
    (tmp_path / "veerkracht-v2.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(DefinitionError, match="antwoordt niet met gezichten"):
        load_definitions(tmp_path)


# --- over HTTP ------------------------------------------------------------------------------------------------


def _start(client, form: str) -> str:
    response = client.post_form("/checkin/start", {"form": form})
    assert response.status_code == 302
    return draft_id_from(response.location)


def test_resident_does_the_three_face_checkin_without_javascript(app, client, make_resident, login_as):
    person = make_resident()
    login_as(client, person["user"])
    home = client.get("/").get_data(as_text=True)
    assert "Start de heel eenvoudige check-in" in home
    draft = _start(client, "heel_eenvoudig")
    items = form_item_ids(app, "heel_eenvoudig")
    client.post_form(f"/checkin/{draft}/gebeurtenis", {"life_event": "geen"})
    page = client.get(f"/checkin/{draft}/stap/1").get_data(as_text=True)
    assert 'class="faces faces-3"' in page and "Ik voel me gezond." in page
    assert page.count('<label class="face">') == 3 * 2  # three faces for each of the pillar's two statements
    assert 'value="5"' in page and 'value="3"' not in page and 'value="7"' not in page
    assert all(word in page for word in ("Nee", "Soms", "Ja")) and "Vaak wel" not in page
    # A five-face value is refused on the three-face form, with the face message; nothing is kept.
    refused = client.post_form(f"/checkin/{draft}/stap/1", {"lichaam_e_gezond": "7", "action": "next"})
    assert refused.status_code == 400 and "Kies een gezichtje" in refused.get_data(as_text=True)
    answer_steps(client, draft, items, scores={items["lichaam"][0]: 10, items["lichaam"][1]: 5}, default=0,
                 life_event="geen")
    response = client.post_form(f"/checkin/{draft}/versturen")
    checkin_id = urlsplit(response.location).path.split("/")[-1]
    result = client.get(f"/uitslag/{checkin_id}").get_data(as_text=True)
    assert "7,5" in result  # Lichaam: (10 + 5) / 2, on the same 0-10 web as every form
    with app.app_context():
        stored = db.session.scalar(select(Checkin).where(Checkin.public_id == checkin_id))
        assert (stored.form, stored.questionnaire_version, stored.mode) == ("heel_eenvoudig", 2, "zelf")
        assert stored.scores["lichaam"] == 7.5 and stored.scores["mentaal"] == 0.0
    history = client.get("/geschiedenis").get_data(as_text=True)
    assert "Zelf ingevuld" in history


def test_a_coach_makes_the_three_face_form_the_default(app, client, make_resident, make_staff, login_as):
    person = make_resident()
    coach = make_staff("ouderencoach", share_with=(person["resident"],))
    login_as(client, coach["user"])
    url = f"/coach/bewoner/{person['resident']}"
    page = client.get(url).get_data(as_text=True)
    assert 'value="heel_eenvoudig"' in page
    response = client.post_form(f"{url}/vragenlijst", {"form": "heel_eenvoudig"})
    assert response.status_code == 302
    assert "3 gezichtjes is nu de standaard" in client.get(url).get_data(as_text=True)
    assert 'value="heel_eenvoudig" checked' in client.get(url).get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(Resident.preferred_form).where(
            Resident.public_id == person["resident"])) == "heel_eenvoudig"
    client.post_form(f"{url}/samen")  # a check-in together uses it
    with app.app_context():
        assert db.session.scalar(select(Draft.form)) == "heel_eenvoudig"
    own = app.test_client()
    login_as(own, person["user"])
    home = own.get("/").get_data(as_text=True)
    first = home.index("Start de heel eenvoudige check-in")
    assert first < home.index("Start de check-in<") < home.index("Start de eenvoudige check-in")
    assert re.search(r'class="button">Start de heel eenvoudige check-in', home)  # the primary button


def test_the_coach_sees_which_form_each_checkin_used(app, client, make_resident, make_staff, login_as):
    person = make_resident()
    coach = make_staff("ouderencoach", share_with=(person["resident"],))
    login_as(client, person["user"])
    draft = _start(client, "heel_eenvoudig")
    answer_steps(client, draft, form_item_ids(app, "heel_eenvoudig"), default=5, life_event="geen")
    client.post_form(f"/checkin/{draft}/versturen")
    login_as(client, coach["user"])
    page = client.get(f"/coach/bewoner/{person['resident']}").get_data(as_text=True)
    assert "vragenlijst heel eenvoudig (3 gezichtjes)" in page and "Zelf ingevuld" in page


@pytest.mark.parametrize("form", ["eenvoudig", "heel_eenvoudig"])
def test_fhir_lists_a_face_forms_values_and_refuses_a_value_between_the_faces(q, form):
    from datetime import UTC, datetime

    from fhir.resources.R4B.bundle import Bundle

    from tests.fhir_validation import problems
    from webapp.fhir import rules as fhir

    events = load_definitions(DATA).life_events
    values = sorted(q.allowed_scores(form))
    answers = {item: values[n % len(values)] for n, item in enumerate(q.forms[form].items)}
    definition = fhir.questionnaire_resource(q, form, events)
    question = next(i for g in definition["item"][1:] for i in g["item"] if i["linkId"] == q.forms[form].items[0])
    assert [option["valueInteger"] for option in question["answerOption"]] == values
    assert [option["extension"][0]["valueString"] for option in question["answerOption"]] == list(_faces(q, form))
    response = fhir.questionnaire_response(
        q, response_id="c" * 32, form=form, authored=datetime(2027, 3, 1, tzinfo=UTC), answers=answers,
        talk_items=(), pillar_scores=scoring.pillar_scores(q.form_item_ids(form), answers), life_event="geen",
        events=events, subject_id="R1", mode="papier")
    bundle = fhir.bundle([fhir.life_event_code_system(events), fhir.life_event_value_set(events), definition,
                          response], "0123abcd", datetime(2027, 3, 2, tzinfo=UTC))
    assert problems(bundle) == []
    Bundle.model_validate(bundle)
    with pytest.raises(ValueError, match="must be one of"):
        fhir.questionnaire_response(
            q, response_id="c" * 32, form=form, authored=datetime(2027, 3, 1, tzinfo=UTC),
            answers={**answers, q.forms[form].items[0]: 4}, talk_items=(), pillar_scores={}, life_event=None,
            events=events, subject_id="R1")
