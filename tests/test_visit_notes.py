"""The conversation at a home visit is kept as it is typed, and survives a session timeout."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from tests import test_visits
from tests.conftest import STAFF_PASSWORD, forget_last_step, log_in_with_form, totp_code
from tests.test_visits import _answer_all, _start_visit, _take_back, _uitgebreid_items
from webapp.core.extensions import db
from webapp.core.models import AuditEvent, Checkin

visit = test_visits.visit


def _checkin(app) -> Checkin:
    with app.app_context():
        return db.session.scalar(select(Checkin))


def _later(app, minutes: int) -> None:
    """The clock moves on (the coach talked longer than the idle limit of 15 minutes)."""
    app.config["CLOCK"] = lambda: datetime.now(UTC) + timedelta(minutes=minutes)


def _log_in_again(app, client, login_url: str, username: str):
    """The login form posts to its own address (with ?next=), then the code from the app."""
    response = client.post_form(login_url, {"username": username, "password": STAFF_PASSWORD})
    assert response.location.startswith("/inloggen/tweede-stap")
    return client.post_form("/inloggen/tweede-stap", {"code": totp_code(forget_last_step(app, username))})


def _textarea(html: str, name: str) -> str:
    match = re.search(rf'<textarea[^>]*name="{name}"[^>]*>\r?\n?(.*?)</textarea>', html, re.S)
    return match.group(1) if match else ""


def test_notes_are_kept_as_a_draft_while_they_are_typed(app, client, visit):
    draft = _start_visit(client, visit["resident"])
    _answer_all(client, draft, _uitgebreid_items(app))
    result = client.post_form(f"/checkin/{draft}/versturen").location
    _take_back(client)
    saved = client.post_form(result, {"action": "autosave", "coach_notes": "Wil weer gaan zwemmen",
                                      "plan_step": "Zwembad bellen"})
    assert saved.status_code == 204
    checkin = _checkin(app)
    assert checkin.conversation_draft["coach_notes"] == "Wil weer gaan zwemmen"
    assert checkin.coach_notes is None and checkin.plan_saved_at is None  # not saved for real yet
    page = client.get(result).get_data(as_text=True)
    assert _textarea(page, "coach_notes") == "Wil weer gaan zwemmen"
    assert _textarea(page, "plan_step") == "Zwembad bellen"
    assert "Wat u eerder typte, is bewaard" in page
    assert "data-autosave" in page
    # "Gesprek opslaan" stores it and the draft is gone.
    client.post_form(result, {"coach_notes": "Wil weer gaan zwemmen", "rhythm": "gewoon"})
    checkin = _checkin(app)
    assert checkin.coach_notes == "Wil weer gaan zwemmen" and checkin.conversation_draft is None
    assert "Wat u eerder typte" not in client.get(result).get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "plan.draft")) is not None


def test_a_draft_keeps_a_text_past_its_limit_and_saving_says_to_shorten_it(app, client, visit):
    # A review found the draft cut a note at the form's limit: after a reload it came back cut
    # mid-word, with no word said. Now the whole text comes back, and saving asks to shorten it.
    draft = _start_visit(client, visit["resident"])
    _answer_all(client, draft, _uitgebreid_items(app))
    result = client.post_form(f"/checkin/{draft}/versturen").location
    _take_back(client)
    long_note = "Wil weer gaan zwemmen. " * 100  # 2,300 characters; the form keeps 2,000
    assert client.post_form(result, {"action": "autosave", "coach_notes": long_note}).status_code == 204
    assert _checkin(app).conversation_draft["coach_notes"] == long_note
    assert long_note.strip() in client.get(result).get_data(as_text=True)
    refused = client.post_form(result, {"coach_notes": long_note, "rhythm": "gewoon"})
    assert "Gebruik hoogstens 2000 tekens." in refused.get_data(as_text=True) and _checkin(app).coach_notes is None
    assert client.post_form(result, {"action": "autosave", "coach_notes": "x" * 20_000}).status_code == 204
    assert len(_checkin(app).conversation_draft["coach_notes"]) == 10_000  # only the row is bounded


def test_a_coach_who_only_reads_cannot_write_a_draft(app, client, make_resident, make_staff, login_as,
                                                     make_checkin, kort_items):
    owner = make_resident()
    checkin = make_checkin(owner["resident"], {i: 5 for items in kort_items.values() for i in items})
    reader = make_staff(name="W", share_with=(owner["resident"],))
    login_as(client, reader["user"])
    assert client.post_form(f"/uitslag/{checkin}", {"action": "autosave", "coach_notes": "x"}).status_code == 403
    assert _checkin(app).conversation_draft is None


@pytest.fixture
def tablet(app, client, make_resident, make_staff):
    """A coach (with the app for the second step) at the kitchen table of a resident who shares with them."""
    resident = make_resident()
    coach = make_staff("ouderencoach", share_with=(resident["resident"],))
    assert log_in_with_form(app, client, coach["username"], STAFF_PASSWORD).status_code == 302
    return {"resident": resident["resident"], "coach": coach, "username": coach["username"]}


def test_notes_survive_a_session_timeout_without_javascript(app, client, tablet):
    draft = _start_visit(client, tablet["resident"])
    _answer_all(client, draft, _uitgebreid_items(app))
    result = client.post_form(f"/checkin/{draft}/versturen").location
    _take_back(client, STAFF_PASSWORD)
    token = client.csrf_token()  # the page with the form was opened before the coach started talking
    _later(app, 20)
    response = client.post(result, data={"coach_notes": "Mist haar man. Wil naar de rouwgroep.",
                                         "plan_important": "Mijn kleinkinderen", "rhythm": "waakvlam",
                                         "csrf_token": token})
    assert response.status_code == 302
    assert response.location == f"/inloggen?next={result}"
    login_page = client.get(response.location).get_data(as_text=True)
    assert "Wat u had ingevuld, is bewaard." in login_page
    assert _checkin(app).conversation_draft["coach_notes"] == "Mist haar man. Wil naar de rouwgroep."
    # Logging in again lands on the same visit with the notes on the screen.
    app.config.pop("CLOCK")
    back = _log_in_again(app, client, response.location, tablet["username"])
    assert back.location == result
    page = client.get(result).get_data(as_text=True)
    assert _textarea(page, "coach_notes") == "Mist haar man. Wil naar de rouwgroep."
    assert _textarea(page, "plan_important") == "Mijn kleinkinderen"
    assert re.search(r'value="waakvlam"\s+checked|checked[^>]*value="waakvlam"', page)
    client.post_form(result, {"coach_notes": "Mist haar man. Wil naar de rouwgroep.", "rhythm": "waakvlam"})
    assert _checkin(app).coach_notes == "Mist haar man. Wil naar de rouwgroep."


def test_answers_survive_a_timeout_during_the_handover_and_the_tablet_stays_locked(app, client, tablet):
    items = _uitgebreid_items(app)
    draft = _start_visit(client, tablet["resident"])
    assert client.post_form(f"/checkin/{draft}/gebeurtenis", {"life_event": "verhuizing"}).status_code == 302
    first = list(items.values())[0]
    token = client.csrf_token()
    _later(app, 20)
    response = client.post(f"/checkin/{draft}/stap/1",
                           data={item: "8" for item in first} | {"action": "next", "csrf_token": token})
    assert response.location == f"/inloggen?next=/checkin/{draft}/stap/1"
    with app.app_context():
        from webapp.core.models import Draft

        stored = db.session.scalar(select(Draft)).answers
    assert {stored[item] for item in first} == {8}
    app.config.pop("CLOCK")
    back = _log_in_again(app, client, response.location, tablet["username"])
    assert back.location == f"/checkin/{draft}/stap/1"
    assert client.get(back.location).status_code == 200  # the visit draft still opens on this tablet
    assert client.get("/coach").location == "/overdracht/terug"  # and the resident may still hold it


def test_someone_else_logging_in_on_the_tablet_does_not_get_the_visit(app, client, tablet, make_staff):
    draft = _start_visit(client, tablet["resident"])
    _later(app, 20)
    client.get(f"/checkin/{draft}/gebeurtenis")  # timed out
    app.config.pop("CLOCK")
    other = make_staff("ouderencoach", share_with=(tablet["resident"],))
    log_in_with_form(app, client, other["username"], STAFF_PASSWORD)
    assert client.get(f"/checkin/{draft}/gebeurtenis").status_code == 404
    assert client.get("/coach").status_code == 200  # no hand-over lock from the other coach's session


def test_logging_out_forgets_the_visit_on_this_device(app, client, tablet):
    draft = _start_visit(client, tablet["resident"])
    _take_back(client, STAFF_PASSWORD)
    client.post_form("/uitloggen")
    log_in_with_form(app, client, tablet["username"], STAFF_PASSWORD)
    assert client.get(f"/checkin/{draft}/gebeurtenis").status_code == 404


def test_a_timed_out_form_that_keeps_nothing_says_so(app, client, tablet):
    token = client.csrf_token()
    _later(app, 20)
    response = client.post("/coach/inschrijven", data={"display_name": "Iemand", "csrf_token": token})
    assert response.location == "/inloggen"
    assert "Wat u net verstuurde, is niet opgeslagen." in client.get("/inloggen").get_data(as_text=True)


def _open_referral(app, resident_public_id: str) -> str:
    """The resident wanted to try an activity last time: the last screen asks how it went."""
    from webapp.core.models import Activity, Referral, Resident

    with app.app_context():
        resident = db.session.scalar(select(Resident).where(Resident.public_id == resident_public_id))
        activity = Activity(name="Eettafel Zuid", organisation="Welzijn Zuid", description="Samen eten.",
                            pillars=["meedoen"], last_verified_on=datetime.now(UTC).date())
        db.session.add(activity)
        db.session.flush()
        referral = Referral(resident_id=resident.id, activity_id=activity.id, updated_at=datetime.now(UTC))
        db.session.add(referral)
        db.session.commit()
        return referral.public_id


def test_the_last_screen_survives_a_timeout(app, client, tablet):
    referral = _open_referral(app, tablet["resident"])
    draft = _start_visit(client, tablet["resident"])
    _answer_all(client, draft, _uitgebreid_items(app))
    assert "Eettafel Zuid" in client.get(f"/checkin/{draft}/klaar").get_data(as_text=True)
    token = client.csrf_token()
    _later(app, 20)
    response = client.post(f"/checkin/{draft}/versturen", data={
        f"hoe_{referral}": "4", f"toelichting_{referral}": "Gezellig, de soep was lekker.", "csrf_token": token})
    assert response.location == f"/inloggen?next=/checkin/{draft}/klaar"
    app.config.pop("CLOCK")
    back = _log_in_again(app, client, response.location, tablet["username"])
    assert back.location == f"/checkin/{draft}/klaar"
    page = client.get(back.location).get_data(as_text=True)
    assert "Gezellig, de soep was lekker." in page
    assert re.search(rf'name="hoe_{referral}" value="4" checked', page)
    assert _checkin(app) is None  # nothing was sent for the resident: "Klaar" is theirs to tap
    client.post_form(f"/checkin/{draft}/versturen", {f"hoe_{referral}": "4",
                                                    f"toelichting_{referral}": "Gezellig, de soep was lekker."})
    with app.app_context():
        from webapp.core.models import Draft, Referral

        assert db.session.scalar(select(Referral.followup_text)) == "Gezellig, de soep was lekker."
        assert db.session.scalar(select(Draft.followups)) is None


def test_the_last_screen_is_kept_while_typed_without_sending_it(app, client, visit):
    referral = _open_referral(app, visit["resident"])
    draft = _start_visit(client, visit["resident"])
    _answer_all(client, draft, _uitgebreid_items(app))
    page = client.get(f"/checkin/{draft}/klaar").get_data(as_text=True)
    assert "data-autosave" in page
    kept = client.post_form(f"/checkin/{draft}/versturen", {"action": "autosave", f"toelichting_{referral}": "Nog"})
    assert kept.status_code == 204 and _checkin(app) is None
    assert ">Nog</textarea>" in client.get(f"/checkin/{draft}/klaar").get_data(as_text=True)


def test_the_life_event_survives_a_timeout(app, client, tablet):
    draft = _start_visit(client, tablet["resident"])
    token = client.csrf_token()
    _later(app, 20)
    response = client.post(f"/checkin/{draft}/gebeurtenis", data={"life_event": "verhuizing", "csrf_token": token})
    assert response.location == f"/inloggen?next=/checkin/{draft}/stap/1"
    with app.app_context():
        from webapp.core.models import Draft

        assert db.session.scalar(select(Draft.life_event)) == "verhuizing"
