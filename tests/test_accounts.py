"""Accounts that last: changing and resetting passwords, printed reset codes, staff who come and go."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from tests.conftest import PASSWORD, STAFF_PASSWORD, log_in_with_form
from webapp.core.extensions import db
from webapp.core.models import ActivationCode, AuditEvent, User

NEW_PASSWORD = "een nieuw lang wachtwoord"


def _actions(app, action: str) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == action))


def _log_in(app, username: str, password: str):
    device = app.test_client()
    return device, log_in_with_form(app, device, username, password)


def _code_from(page: str) -> str:
    return re.search(r'<strong class="code">([A-Z0-9-]+)</strong>', page).group(1)


@pytest.fixture
def vera(app, make_resident, make_staff):
    """A resident with a login who shares with coach Marieke."""
    resident = make_resident(username="vera")
    coach = make_staff("ouderencoach", share_with=(resident["resident"],))
    return {**resident, "coach": coach}


# --- changing one's own password -------------------------------------------------------------

def test_a_resident_changes_the_password_and_other_sessions_end(app, vera):
    phone, _ = _log_in(app, "vera", PASSWORD)
    tablet, _ = _log_in(app, "vera", PASSWORD)
    wrong = phone.post_form("/wachtwoord-wijzigen", {"current": "niet het wachtwoord", "password": NEW_PASSWORD,
                                                      "confirm": NEW_PASSWORD})
    assert wrong.status_code == 400 and "Dit wachtwoord klopt niet." in wrong.get_data(as_text=True)
    assert _log_in(app, "vera", PASSWORD)[1].status_code == 302  # nothing changed

    done = phone.post_form("/wachtwoord-wijzigen", {"current": PASSWORD, "password": NEW_PASSWORD,
                                                     "confirm": NEW_PASSWORD})
    assert done.status_code == 302
    assert phone.get("/geschiedenis").status_code == 200  # this device stays logged in
    assert tablet.get("/geschiedenis").location.startswith("/inloggen")  # the other one does not
    assert _log_in(app, "vera", PASSWORD)[1].status_code == 400
    assert _log_in(app, "vera", NEW_PASSWORD)[1].status_code == 302
    assert _actions(app, "password.change") == 1


def test_a_new_password_must_be_long_uncommon_and_typed_twice(app, client, vera, login_as):
    login_as(client, vera["user"])
    for password, confirm, message in [("kort", "kort", "minstens 10 tekens"),
                                       ("wachtwoord1234", "wachtwoord1234", "te bekend"),
                                       (NEW_PASSWORD, NEW_PASSWORD + "x", "niet hetzelfde")]:
        response = client.post_form("/wachtwoord-wijzigen", {"current": PASSWORD, "password": password,
                                                              "confirm": confirm})
        assert response.status_code == 400 and message in response.get_data(as_text=True), message
    assert _log_in(app, "vera", PASSWORD)[1].status_code == 302  # nothing was stored
    assert _actions(app, "password.change") == 0


def test_staff_change_their_own_password_too(app, make_staff):
    coach = make_staff(username="coach-p")
    device, _ = _log_in(app, "coach-p", STAFF_PASSWORD)
    assert device.post_form("/wachtwoord-wijzigen", {"current": STAFF_PASSWORD, "password": NEW_PASSWORD,
                                                      "confirm": NEW_PASSWORD}).status_code == 302
    assert _log_in(app, "coach-p", NEW_PASSWORD)[1].status_code == 302
    assert coach


# --- printed reset codes ----------------------------------------------------------------------

def test_the_coach_prints_a_reset_code_and_the_resident_sets_a_new_password(app, client, vera, login_as):
    old_device, _ = _log_in(app, "vera", PASSWORD)
    login_as(client, vera["coach"]["user"])
    page = client.post_form(f"/coach/bewoner/{vera['resident']}/herstelcode")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Een nieuw wachtwoord voor Veerkracht" in text and "check-in" not in text.split("<main")[1][:60]
    code = _code_from(text)
    assert _actions(app, "reset.issue") == 1

    phone = app.test_client()
    assert phone.get("/wachtwoord-herstellen").status_code == 200
    done = phone.post_form("/wachtwoord-herstellen", {"code": code.lower(), "password": NEW_PASSWORD,
                                                       "confirm": NEW_PASSWORD})
    assert done.status_code == 302
    assert phone.get("/geschiedenis").status_code == 200  # logged in on the new password
    assert old_device.get("/geschiedenis").location.startswith("/inloggen")  # every other session ended
    assert _log_in(app, "vera", NEW_PASSWORD)[1].status_code == 302
    assert _actions(app, "password.reset") == 1

    again = app.test_client().post_form("/wachtwoord-herstellen", {"code": code, "password": "nog een ander wachtwoord",
                                                                     "confirm": "nog een ander wachtwoord"})
    assert again.status_code == 400 and "al gebruikt of is verlopen" in again.get_data(as_text=True)
    assert _log_in(app, "vera", NEW_PASSWORD)[1].status_code == 302  # the replay changed nothing


def test_a_new_reset_code_voids_the_old_one_and_codes_expire(app, client, vera, login_as):
    login_as(client, vera["coach"]["user"])
    first = _code_from(client.post_form(f"/coach/bewoner/{vera['resident']}/herstelcode").get_data(as_text=True))
    second = _code_from(client.post_form(f"/coach/bewoner/{vera['resident']}/herstelcode").get_data(as_text=True))
    form = {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    assert app.test_client().post_form("/wachtwoord-herstellen", {**form, "code": first}).status_code == 400
    app.config["CLOCK"] = lambda: datetime.now(UTC) + timedelta(days=4)  # RESET_DAYS is 3
    assert app.test_client().post_form("/wachtwoord-herstellen", {**form, "code": second}).status_code == 400
    app.config.pop("CLOCK")
    assert app.test_client().post_form("/wachtwoord-herstellen", {**form, "code": second}).status_code == 302


def test_an_activation_code_is_no_reset_code_and_bad_codes_change_nothing(app, client, vera, login_as, make_staff):
    coach = make_staff("ouderencoach", username="coach-e")
    login_as(client, coach["user"])
    enrolled = client.post_form("/coach/inschrijven", {
        "display_name": "mevr. J.", "consent_method": "mondeling", "consent_date": "2026-11-20",
        "consent_explained": "y"}).location.rstrip("/").split("/")[-1]
    activation = _code_from(client.post_form(f"/coach/bewoner/{enrolled}/activatiecode").get_data(as_text=True))
    assert client.post_form(f"/coach/bewoner/{enrolled}/herstelcode").status_code == 409  # no login yet
    form = {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    for code in (activation, "ABCD-EFGH-JKLM", "x" * 40, "\u00e9\u00e9n"):
        response = app.test_client().post_form("/wachtwoord-herstellen", {**form, "code": code})
        assert response.status_code == 400, code
    assert _actions(app, "password.reset") == 0
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ActivationCode)
                                 .where(ActivationCode.used_at.is_not(None))) == 0


def test_only_a_coach_who_follows_the_resident_prints_a_reset_code(app, client, vera, login_as, make_staff):
    login_as(client, make_staff(username="coach-vreemd")["user"])
    assert client.post_form(f"/coach/bewoner/{vera['resident']}/herstelcode").status_code == 404
    assert _actions(app, "reset.issue") == 0


def test_the_beheerder_prints_a_reset_code_by_resident_number(app, client, vera, login_as, make_staff):
    login_as(client, make_staff("beheerder", name="Beheer")["user"])
    unknown = client.post_form("/beheer/herstelcode", {"number": "bestaat-niet"})
    assert unknown.status_code == 400 and "geen account" in unknown.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ActivationCode)) == 0
    number = " ".join(vera["resident"][i:i + 4] for i in range(0, len(vera["resident"]), 4))  # as read out
    page = client.post_form("/beheer/herstelcode", {"number": number})
    assert page.status_code == 200
    code = _code_from(page.get_data(as_text=True))
    assert app.test_client().post_form("/wachtwoord-herstellen", {
        "code": code, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD}).status_code == 302


# --- staff who come and go --------------------------------------------------------------------

@pytest.fixture
def beheer(app, client, login_as, make_staff):
    me = make_staff("beheerder", name="Beheer", username="beheer")
    login_as(client, me["user"])
    return me


def test_the_beheerder_edits_a_staff_account(app, client, beheer, make_staff):
    coach = make_staff("ouderencoach", name="Marieke", username="marieke")
    page = client.get(f"/beheer/medewerker/{coach['user']}")
    assert page.status_code == 200 and 'value="Marieke"' in page.get_data(as_text=True)
    response = client.post_form(f"/beheer/medewerker/{coach['user']}", {
        "display_name": "Marieke Jansen", "organisation": "Welzijn Noord", "phone": "",
        "roles": ["ouderencoach", "welzijnscoach"]})
    assert response.status_code == 302
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == "marieke"))
        assert user.display_name == "Marieke Jansen" and user.roles == {"ouderencoach", "welzijnscoach"}
    assert _actions(app, "account.update") == 1
    no_roles = client.post_form(f"/beheer/medewerker/{coach['user']}", {"display_name": "M", "roles": []})
    assert no_roles.status_code == 400 and "Kies minstens één rol." in no_roles.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(User.display_name).where(User.username == "marieke")) == "Marieke Jansen"
    assert _actions(app, "account.update") == 1


def test_the_beheerder_keeps_their_own_beheer_role_and_cannot_block_themselves(app, client, beheer):
    response = client.post_form(f"/beheer/medewerker/{beheer['user']}",
                                {"display_name": "B", "roles": ["welzijnscoach"]})
    assert response.status_code == 400 and "eigen rol van beheerder" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(User).where(User.username == "beheer")).roles == {"beheerder"}
    client.post_form(f"/beheer/medewerker/{beheer['user']}/blokkeren")
    assert client.get("/beheer").status_code == 200  # still in
    with app.app_context():
        assert db.session.scalar(select(User.is_enabled).where(User.username == "beheer")) is True


def test_a_blocked_coach_is_refused_on_the_next_request_and_cannot_log_in(app, client, beheer, make_staff, vera):
    coach = make_staff("ouderencoach", username="coach-weg", share_with=(vera["resident"],))
    device, _ = _log_in(app, "coach-weg", STAFF_PASSWORD)
    assert device.get("/coach").status_code == 200
    assert client.post_form(f"/beheer/medewerker/{coach['user']}/blokkeren").status_code == 302
    assert device.get("/coach").location.startswith("/inloggen")
    assert device.get(f"/coach/bewoner/{vera['resident']}").location.startswith("/inloggen")
    assert _log_in(app, "coach-weg", STAFF_PASSWORD)[1].status_code == 400
    assert "Geblokkeerd" in client.get("/beheer").get_data(as_text=True)
    assert _actions(app, "account.block") == 1
    with app.app_context():  # the coach's history stays in the audit trail
        assert db.session.scalar(select(func.count()).select_from(AuditEvent)
                                 .where(AuditEvent.actor_public_id == coach["user"])) > 0

    assert client.post_form(f"/beheer/medewerker/{coach['user']}/deblokkeren").status_code == 302
    assert _log_in(app, "coach-weg", STAFF_PASSWORD)[1].status_code == 302
    assert _actions(app, "account.unblock") == 1


def test_a_residents_account_is_not_a_staff_account(client, beheer, vera):
    assert client.get(f"/beheer/medewerker/{vera['user']}").status_code == 404
    assert client.post_form(f"/beheer/medewerker/{vera['user']}/blokkeren").status_code == 404
    assert client.get("/beheer/medewerker/bestaat-niet").status_code == 404


def test_a_reset_code_for_a_resident_does_not_open_a_blocked_staff_account(app, beheer, make_staff):
    """Reset codes exist only for residents; the staff login stays closed while blocked."""
    coach = make_staff(username="coach-geblokkeerd")
    app.test_client()
    with app.test_request_context():
        user = db.session.scalar(select(User).where(User.public_id == coach["user"]))
        user.is_enabled = False
        db.session.commit()
    assert _log_in(app, "coach-geblokkeerd", STAFF_PASSWORD)[1].status_code == 400


# --- the access log ---------------------------------------------------------------------------

def test_the_access_log_shows_others_by_name_and_role_and_hides_own_rows_by_default(app, client, vera, login_as,
                                                                                     make_checkin, kort_items):
    checkin = make_checkin(vera["resident"], {item: 6 for items in kort_items.values() for item in items})
    coach = app.test_client()
    login_as(coach, vera["coach"]["user"])
    assert coach.get(f"/uitslag/{checkin}").status_code == 200
    login_as(client, vera["user"])
    client.get("/geschiedenis")
    page = client.get("/account/inzage").get_data(as_text=True)
    assert "Marieke Jansen (ouderencoach)" in page and "U zelf" not in page
    everything = client.get("/account/inzage?ook_eigen=1").get_data(as_text=True)
    assert "U zelf" in everything and "Marieke Jansen (ouderencoach)" in everything


# --- a coach leaves: the residents move -------------------------------------------------------

def test_the_beheerder_moves_a_leaving_coachs_residents_to_a_colleague(app, client, beheer, make_staff,
                                                                      make_resident, login_as):
    shared = make_resident(username="deelt")
    leaving = make_staff("ouderencoach", name="Karin Weg", username="karin", share_with=(shared["resident"],))
    taking_over = make_staff("ouderencoach", name="Ineke Nieuw", username="ineke")
    leaving_client = app.test_client()
    login_as(leaving_client, leaving["user"])
    enrolled = leaving_client.post_form("/coach/inschrijven", {
        "display_name": "mevr. T.", "consent_method": "schriftelijk", "consent_date": "2026-11-02",
        "consent_explained": "y"}).location.rstrip("/").split("/")[-1]
    new_coach = app.test_client()
    login_as(new_coach, taking_over["user"])
    assert new_coach.get(f"/coach/bewoner/{enrolled}").status_code == 404  # nothing before the move

    page = client.get(f"/beheer/medewerker/{leaving['user']}/bewoners-overdragen").get_data(as_text=True)
    assert "2 bewoner(s)" in page and "mevr. T." not in page  # a count, no names
    unconfirmed = client.post_form(f"/beheer/medewerker/{leaving['user']}/bewoners-overdragen",
                                   {"to": taking_over["user"]})
    assert unconfirmed.status_code == 400
    assert new_coach.get(f"/coach/bewoner/{enrolled}").status_code == 404
    assert _actions(app, "relation.move") == 0
    bogus = client.post_form(f"/beheer/medewerker/{leaving['user']}/bewoners-overdragen",
                             {"to": leaving["user"], "confirm": "y"})  # not a colleague
    assert bogus.status_code == 400

    done = client.post_form(f"/beheer/medewerker/{leaving['user']}/bewoners-overdragen",
                            {"to": taking_over["user"], "confirm": "y"})
    assert done.status_code == 302
    assert new_coach.get(f"/coach/bewoner/{enrolled}").status_code == 200
    assert new_coach.get(f"/coach/bewoner/{shared['resident']}").status_code == 200
    assert leaving_client.get(f"/coach/bewoner/{enrolled}").status_code == 404
    assert _actions(app, "relation.move") == 2
    with app.app_context():
        from webapp.core.models import CoachRelation, Resident
        resident = db.session.scalar(select(Resident).where(Resident.public_id == enrolled))
        relation = db.session.scalar(select(CoachRelation).where(CoachRelation.resident_id == resident.id,
                                                                 CoachRelation.ended_at.is_(None)))
        assert (relation.origin, relation.consent_method, str(relation.consent_date)) == \
            ("ingeschreven", "schriftelijk", "2026-11-02")

    resident_client = app.test_client()
    login_as(resident_client, shared["user"])
    account = resident_client.get("/account").get_data(as_text=True)
    assert "Uw coach is veranderd: Ineke Nieuw heeft uw begeleiding overgenomen van Karin Weg" in account


# --- the resident number, read aloud ----------------------------------------------------------

def test_a_new_resident_number_has_no_look_alikes_and_no_case(app, make_resident):
    numbers = [make_resident()["resident"] for _ in range(20)]
    assert all(len(n) == 16 and set(n) <= set("abcdefghjkmnpqrstuvwxyz23456789") for n in numbers)


def test_the_number_is_found_whatever_the_case_and_spaces_and_old_numbers_still_work(app, make_resident):
    from webapp.accounts import service as people
    from webapp.core.models import Resident

    new = make_resident()["resident"]
    with app.app_context():
        old = Resident(public_id="Ab3_xY9-Qr7kLm2P")  # a number from before the read-aloud alphabet
        db.session.add(old)
        db.session.commit()
        spoken = " ".join(new[i:i + 4] for i in range(0, 16, 4)).upper()
        assert people.resident_by_number(spoken).public_id == new
        assert people.resident_by_number("Ab3_ xY9- Qr7k Lm2P").public_id == "Ab3_xY9-Qr7kLm2P"
        assert people.resident_by_number("ab3_xy9-qr7klm2p").public_id == "Ab3_xY9-Qr7kLm2P"
        assert people.resident_by_number("") is None and people.resident_by_number("bestaat niet") is None
