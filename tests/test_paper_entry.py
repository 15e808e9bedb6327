"""Issue 17: a coach types in the answers of a paper questionnaire; it becomes one normal check-in,
"Op papier ingevuld", everywhere a check-in says how it was filled in."""

import json
import re
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from tests.conftest import form_item_ids
from webapp.core.extensions import db
from webapp.core.models import AuditEvent, Checkin, Draft, Resident
from webapp.paper_entry import rules
from webapp.paper_entry import service as paper

TODAY = date.today()


@pytest.fixture
def followed(app, make_resident, make_staff):
    """A resident who shares with a coach, enrolled 30 days ago."""
    person = make_resident()
    coach = make_staff("ouderencoach", share_with=(person["resident"],))
    with app.app_context():
        resident = db.session.scalar(select(Resident).where(Resident.public_id == person["resident"]))
        resident.created_at = datetime.now(UTC) - timedelta(days=30)
        db.session.commit()
    return {**person, "coach": coach, "url": f"/coach/bewoner/{person['resident']}/papier"}


def _key(page: str) -> str:
    return re.search(r'name="key" value="([^"]+)"', page).group(1)


def _kort_answers(app, score: int = 6) -> dict:
    return {item: str(score) for items in form_item_ids(app, "kort").values() for item in items}


def _counts(app) -> tuple[int, int]:
    with app.app_context():
        return (db.session.scalar(select(func.count()).select_from(Checkin)),
                db.session.scalar(select(func.count()).select_from(Draft)))


def _open(client, followed, form: str = "kort") -> str:
    response = client.get(followed["url"] + ("" if form == "kort" else f"?vragenlijst={form}"))
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_coach_types_in_a_short_paper_form_and_it_becomes_a_checkin(app, client, login_as, followed):
    login_as(client, followed["coach"]["user"])
    resident_page = client.get(f"/coach/bewoner/{followed['resident']}").get_data(as_text=True)
    assert "Antwoorden van papier invoeren" in resident_page and followed["url"] in resident_page
    page = _open(client, followed)
    assert 'inputmode="numeric"' in page and 'type="date"' in page and f'max="{TODAY.isoformat()}"' in page
    answers = _kort_answers(app) | {"lichaam_gezond": "10", "lichaam_fit": "-"}  # one question left empty
    filled_on = TODAY - timedelta(days=3)
    response = client.post_form(followed["url"], {"key": _key(page), "form": "kort",
                                                  "filled_on": filled_on.isoformat(), "life_event": "verhuizing",
                                                  **answers})
    assert response.status_code == 302 and response.location.startswith("/uitslag/")
    checkin_id = response.location.split("/")[-1]
    assert "De antwoorden van papier zijn opgeslagen." in client.get(response.location).get_data(as_text=True)
    with app.app_context():
        stored = db.session.scalar(select(Checkin).where(Checkin.public_id == checkin_id))
        assert (stored.mode, stored.form, stored.life_event) == ("papier", "kort", "verhuizing")
        assert stored.completed_at.date() == filled_on
        scores = {a.item_id: a.score for a in stored.answers}
        assert scores["lichaam_gezond"] == 10 and scores["lichaam_fit"] is None
        assert stored.scores["lichaam"] == 10.0 and stored.scores["mentaal"] == 6.0  # one of two answered: enough
        actions = set(db.session.scalars(select(AuditEvent.action).where(
            AuditEvent.resident_public_id == followed["resident"])))
        assert {"paper.view", "checkin.paper", "checkin.create"} <= actions
    coach_page = client.get(f"/coach/bewoner/{followed['resident']}").get_data(as_text=True)
    assert "Op papier ingevuld" in coach_page
    fhir = client.get(f"/coach/bewoner/{followed['resident']}/fhir.json").get_json()
    (response_resource,) = [e["resource"] for e in fhir["entry"]
                            if e["resource"]["resourceType"] == "QuestionnaireResponse"]
    assert response_resource["meta"]["tag"][0]["code"] == "papier"
    assert response_resource["meta"]["tag"][0]["display"] == "Op papier ingevuld"
    assert response_resource["author"]["type"] == "Patient"  # the resident filled it in; the coach typed
    # The resident sees it in their own history and their data download.
    own = app.test_client()
    login_as(own, followed["user"])
    assert "Op papier ingevuld" in own.get("/geschiedenis").get_data(as_text=True)
    download = json.loads(own.get("/account/mijn-gegevens.json").get_data(as_text=True))
    assert json.dumps(download).count('"mode": "papier"') == 1


def test_a_double_submit_or_a_reload_makes_one_checkin(app, client, login_as, followed):
    login_as(client, followed["coach"]["user"])
    data = {"key": _key(_open(client, followed)), "form": "kort", "filled_on": TODAY.isoformat(),
            **_kort_answers(app)}
    first = client.post_form(followed["url"], data)
    again = client.post_form(followed["url"], data)
    assert first.status_code == again.status_code == 302 and first.location == again.location
    assert "al opgeslagen" in client.get(again.location).get_data(as_text=True)
    assert _counts(app) == (1, 1)


def test_two_at_once_collide_on_the_draft_and_the_loser_finds_the_winner(app, client, login_as, followed,
                                                                         monkeypatch):
    login_as(client, followed["coach"]["user"])
    data = {"key": _key(_open(client, followed)), "form": "kort", "filled_on": TODAY.isoformat(),
            **_kort_answers(app)}
    first = client.post_form(followed["url"], data)
    # The second request looked before the first one was committed: it saw no draft with this key.
    real, calls = paper._paper_draft, []

    def not_yet(key):
        calls.append(key)
        return None if len(calls) == 1 else real(key)

    monkeypatch.setattr(paper, "_paper_draft", not_yet)
    second = client.post_form(followed["url"], data)
    assert len(calls) == 2  # looked, inserted, collided, looked again
    assert second.status_code == 302 and second.location == first.location
    assert _counts(app) == (1, 1)


@pytest.mark.parametrize(("change", "field", "message"), [
    ({"lichaam_gezond": ""}, "lichaam_gezond", "Typ het cijfer dat op papier staat"),
    ({"lichaam_gezond": "11"}, "lichaam_gezond", "Typ een heel getal van 0 tot en met 10"),
    ({"mentaal_grip": "7,5"}, "mentaal_grip", "Typ een heel getal van 0 tot en met 10"),
    ({"filled_on": ""}, "filled_on", "Vul de datum in"),
    ({"filled_on": "31-2-2027"}, "filled_on", "Deze datum bestaat niet"),
    ({"filled_on": (TODAY + timedelta(days=1)).isoformat()}, "filled_on", "Die datum moet nog komen"),
    ({"filled_on": (TODAY - timedelta(days=40)).isoformat()}, "filled_on", "vóór de inschrijving"),
    ({"life_event": "loterij"}, "life_event", "Kies uit de lijst wat er is gebeurd"),
    ({"zingeving_extra": "5"}, "_form", "Er ging iets mis met dit formulier"),
    ({"key": "kort"}, "_form", "Dit formulier is niet meer geldig"),
    ({"form": "uitgebreid"}, "_form", "Er ging iets mis met dit formulier"),
])
def test_a_wrong_or_missing_answer_gets_a_dutch_message_and_stores_nothing(app, client, login_as, followed,
                                                                           change, field, message):
    login_as(client, followed["coach"]["user"])
    data = {"key": _key(_open(client, followed)), "form": "kort",
            "filled_on": (TODAY - timedelta(days=1)).isoformat(), **_kort_answers(app), **change}
    response = client.post_form(followed["url"], data)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in page and "Er is nog niets opgeslagen" in page
    if field not in ("_form", "filled_on", "life_event"):
        assert f'href="#antwoord-{field}"' in page and 'aria-invalid="true"' in page
    assert _counts(app) == (0, 0)


def test_the_easy_paper_form_is_typed_in_with_the_faces(app, client, login_as, followed):
    login_as(client, followed["coach"]["user"])
    page = _open(client, followed, "eenvoudig")
    assert "Leeg gelaten" in page and "faces/4.svg" in page and 'inputmode="numeric"' not in page
    items = [i for items in form_item_ids(app, "eenvoudig").values() for i in items]
    data = {"key": _key(page), "form": "eenvoudig", "filled_on": TODAY.isoformat(),
            **dict.fromkeys(items, "7"), items[0]: rules.BLANK}
    wrong = client.post_form(followed["url"], {**data, items[1]: "4"})
    assert wrong.status_code == 400 and "Kies een van de gezichtjes" in wrong.get_data(as_text=True)
    missing = client.post_form(followed["url"], {k: v for k, v in data.items() if k != items[2]})
    assert missing.status_code == 400 and "Kies het gezichtje dat op papier is aangekruist" in missing.get_data(
        as_text=True)
    assert _counts(app) == (0, 0)
    response = client.post_form(followed["url"], data)
    assert response.status_code == 302
    with app.app_context():
        stored = db.session.scalar(select(Checkin))
        assert (stored.form, stored.mode) == ("eenvoudig", "papier")
        assert {a.item_id: a.score for a in stored.answers}[items[0]] is None


def test_an_id_that_is_not_this_pages_stores_nothing(app, client, login_as, followed, make_staff):
    """Another coach's paper key, or a resident's own draft id, is refused; nothing changes."""
    login_as(client, followed["coach"]["user"])
    data = {"key": _key(_open(client, followed)), "form": "kort", "filled_on": TODAY.isoformat(),
            **_kort_answers(app)}
    assert client.post_form(followed["url"], data).status_code == 302
    other = make_staff("welzijnscoach", share_with=(followed["resident"],))
    second = app.test_client()
    login_as(second, other["user"])
    refused = second.post_form(followed["url"], data)
    assert refused.status_code == 400 and "niet meer geldig" in refused.get_data(as_text=True)
    own = app.test_client()
    login_as(own, followed["user"])
    draft_id = own.post_form("/checkin/start").location.split("/")[2]
    refused = client.post_form(followed["url"], {**data, "key": draft_id})
    assert refused.status_code == 400
    assert _counts(app) == (1, 2)


def test_paper_rules_read_dates_and_answers_plainly():
    assert rules.parse_date("2027-03-14") == rules.parse_date("14-3-2027") == date(2027, 3, 14)
    with pytest.raises(ValueError):
        rules.parse_date("14 maart")
    assert rules.parse_answer(" 7 ", range(11)) == 7 and rules.parse_answer("-", range(11)) is None
    for raw in ("٣", "1e1", "-1", "10.0"):
        with pytest.raises(ValueError):
            rules.parse_answer(raw, range(11))
    assert rules.check_date("2027-01-01", date(2027, 1, 1), date(2027, 1, 1)) == (date(2027, 1, 1), None)
