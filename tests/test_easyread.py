"""Issue 17: the easy-read form "eenvoudig" (short statements, pictograms, five faces on 0-10)."""

import shutil
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

from tests.checkin_helpers import answer_steps, draft_id_from, start_checkin
from tests.conftest import form_item_ids
from webapp.core.questionnaires import DefinitionError, load_definitions

DATA = Path(__file__).resolve().parent.parent / "questionnaires"
STATIC = Path(__file__).resolve().parent.parent / "webapp" / "static"


def test_version_two_adds_the_easy_form_and_keeps_every_version_one_item():
    definitions = load_definitions(DATA)
    v1, v2 = definitions.get("veerkracht", 1), definitions.get("veerkracht", 2)
    assert definitions.latest("veerkracht") is v2
    old = {i.id: i.text for p in v1.pillars for i in p.items}
    new = {i.id: i.text for p in v2.pillars for i in p.items}
    assert all(new[item_id] == text for item_id, text in old.items())  # stored check-ins keep their meaning
    assert "eenvoudig" not in v1.forms and v2.forms["kort"] == v1.forms["kort"]
    assert v2.forms["uitgebreid"] == v1.forms["uitgebreid"]


def test_faces_map_onto_zero_to_ten_symmetrically():
    q = load_definitions(DATA).latest("veerkracht")
    values = [face.value for face in q.faces]
    assert values == [0, 3, 5, 7, 10]
    assert all(a + b == 10 for a, b in zip(values, reversed(values), strict=True))
    assert q.allowed_scores("eenvoudig") == frozenset(values)
    assert q.allowed_scores("kort") == frozenset(range(11))


def test_every_easy_statement_is_short_and_has_a_picture_that_exists():
    q = load_definitions(DATA).latest("veerkracht")
    per_pillar = q.form_item_ids("eenvoudig")
    assert all(len(items) == 2 for items in per_pillar.values())
    for _pillar, items in q.form_pillars("eenvoudig"):
        for item in items:
            assert len(item.text.nl.split()) <= 7, item.text.nl  # A2: very short statements
            assert (STATIC / item.picture).is_file()
    assert all((STATIC / face.picture).is_file() for face in q.faces)
    assert (STATIC / "faces" / "ATTRIBUTION.md").is_file()


def test_every_pillar_of_every_version_has_its_picture():
    definitions = load_definitions(DATA)
    for version in (1, 2):
        for pillar in definitions.get("veerkracht", version).pillars:
            assert pillar.picture == f"pillars/{pillar.id}.svg"  # offline.js builds the same path
            assert (STATIC / pillar.picture).is_file()


def test_face_form_without_faces_is_refused(tmp_path):
    shutil.copy(DATA / "life-events.yaml", tmp_path / "life-events.yaml")
    data = yaml.safe_load((DATA / "veerkracht-v2.yaml").read_text(encoding="utf-8"))
    del data["faces"]
    (tmp_path / "veerkracht-v2.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(DefinitionError, match="gezichten"):
        load_definitions(tmp_path)


def _start_easy(client) -> str:
    response = client.post_form("/checkin/start", {"form": "eenvoudig"})
    assert response.status_code == 302
    return draft_id_from(response.location)


def test_resident_does_the_easy_checkin_without_javascript(app, client, make_resident, login_as):
    resident = make_resident()
    login_as(client, resident["user"])
    home = client.get("/").get_data(as_text=True)
    assert "Start de eenvoudige check-in" in home
    draft = _start_easy(client)
    easy = form_item_ids(app, "eenvoudig")
    client.post_form(f"/checkin/{draft}/gebeurtenis", {"life_event": "geen"})
    page = client.get(f"/checkin/{draft}/stap/1").get_data(as_text=True)
    assert "Ik voel me gezond." in page and "faces/5.svg" in page and "Vaak wel" in page
    assert 'value="7"' in page and 'value="8"' not in page
    scores = {easy["lichaam"][0]: 7, easy["lichaam"][1]: 10}
    answer_steps(client, draft, easy, scores=scores, default=3, life_event="geen")
    response = client.post_form(f"/checkin/{draft}/versturen")
    checkin = urlsplit(response.location).path.split("/")[-1]
    result = client.get(f"/uitslag/{checkin}").get_data(as_text=True)
    assert "9 van de 10" in result  # Lichaam: (7 + 10) / 2 = 8,5, read as 9
    assert "8,5" in result and "3,0" in result  # the exact figures
    with app.app_context():
        from sqlalchemy import select

        from webapp.core.extensions import db
        from webapp.core.models import Checkin

        stored = db.session.scalar(select(Checkin).where(Checkin.public_id == checkin))
        assert (stored.form, stored.questionnaire_version) == ("eenvoudig", 2)
        assert {a.item_id: a.score for a in stored.answers}[easy["lichaam"][0]] == 7


def test_the_easy_form_keeps_when_it_happened_one_tap_away(client, make_resident, login_as):
    """The first screen of the easy form: the sentences, and the month and year only when asked for."""
    login_as(client, make_resident()["user"])
    draft = _start_easy(client)
    page = client.get(f"/checkin/{draft}/gebeurtenis").get_data(as_text=True)
    closed = page[page.index('<details class="when-easy">'):]
    assert 'name="event_month"' in closed[:closed.index("</details>")]
    # A half date is refused as on the other forms, and then the fields are shown open.
    response = client.post_form(f"/checkin/{draft}/gebeurtenis", {"life_event": "verhuizing", "event_month": "3"})
    assert response.status_code == 400 and '<details class="when-easy" open>' in response.get_data(as_text=True)
    login_as(client, make_resident()["user"])  # someone on the short form: the fields as they were
    kort = client.get(f"/checkin/{start_checkin(client)}/gebeurtenis").get_data(as_text=True)
    assert "when-easy" not in kort and 'name="event_month"' in kort


def test_a_value_between_the_faces_is_refused(client, make_resident, login_as):
    resident = make_resident()
    login_as(client, resident["user"])
    draft = _start_easy(client)
    client.post_form(f"/checkin/{draft}/gebeurtenis", {"life_event": "geen"})
    response = client.post_form(f"/checkin/{draft}/stap/1", {"lichaam_e_gezond": "4", "action": "next"})
    assert response.status_code == 400
    assert "Kies een gezichtje" in response.get_data(as_text=True)


def test_an_unknown_form_falls_back_to_the_short_form(app, client, make_resident, login_as):
    resident = make_resident()
    login_as(client, resident["user"])
    response = client.post_form("/checkin/start", {"form": "uitgebreid"})  # not the resident's alone
    draft = draft_id_from(response.location)
    with app.app_context():
        from sqlalchemy import select

        from webapp.core.extensions import db
        from webapp.core.models import Draft

        assert db.session.scalar(select(Draft.form).where(Draft.public_id == draft)) == "kort"


def test_the_resident_sees_their_own_trend_in_words(client, make_resident, make_checkin, login_as, kort_items):
    from tests.conftest import all_answers

    person = make_resident()
    login_as(client, person["user"])
    make_checkin(person["resident"], all_answers(kort_items, 3), days_ago=90)
    alone = client.get("/geschiedenis").get_data(as_text=True)
    assert 'id="verloop"' not in alone  # one check-in: nothing to compare
    answers = all_answers(kort_items, 3)
    first_pillar = next(iter(kort_items))
    answers.update({item: 7 for item in kort_items[first_pillar]})  # four points up in one pillar
    make_checkin(person["resident"], answers, days_ago=1)
    page = client.get("/geschiedenis").get_data(as_text=True)
    section = page.split('id="verloop"')[1].split("</section>")[0]
    assert "vergeleken met" in section
    assert section.count("ongeveer hetzelfde") == len(kort_items) - 1
    assert section.count("</strong> beter</li>") == 1
    assert "," not in section.split("</h2>")[1]  # words, no decimals


def test_a_coach_makes_the_easy_form_the_default_for_a_resident(app, client, make_resident, make_staff, login_as):
    from sqlalchemy import select

    from webapp.core.extensions import db
    from webapp.core.models import AuditEvent, Draft, Resident

    person = make_resident()
    coach = make_staff("ouderencoach", share_with=(person["resident"],))
    login_as(client, coach["user"])
    url = f"/coach/bewoner/{person['resident']}"
    assert 'id="vragenlijst"' in client.get(url).get_data(as_text=True)
    assert client.post_form(f"{url}/vragenlijst", {"form": "lang"}).status_code == 400  # not a choice
    assert client.post_form(f"{url}/vragenlijst", {"form": "eenvoudig"}).status_code == 302
    with app.app_context():
        resident = db.session.scalar(select(Resident).where(Resident.public_id == person["resident"]))
        assert resident.preferred_form == "eenvoudig"
        assert db.session.scalar(select(AuditEvent.action).where(AuditEvent.action == "resident.form"))
    # A check-in together now uses the easy form ...
    client.post_form(f"{url}/samen")
    with app.app_context():
        assert db.session.scalar(select(Draft.form)) == "eenvoudig"
    # ... and the resident's own start page offers it first.
    own = app.test_client()
    login_as(own, person["user"])
    home = own.get("/").get_data(as_text=True)
    assert home.index("Start de eenvoudige check-in") < home.index("Start de check-in<")
    assert client.post_form(f"{url}/vragenlijst", {"form": ""}).status_code == 302
    with app.app_context():
        assert db.session.scalar(select(Resident.preferred_form).where(
            Resident.public_id == person["resident"])) is None
