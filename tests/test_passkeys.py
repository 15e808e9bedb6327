"""Passkeys: a resident adds one and logs in with a fingerprint instead of a password; for staff a
passkey is the second step; wrong, replayed, copied and other people's passkeys change nothing."""

import pytest
from sqlalchemy import func, select

from tests.conftest import PASSWORD, STAFF_PASSWORD
from tests.soft_authenticator import SoftAuthenticator
from webapp.core.extensions import db
from webapp.core.models import AuditEvent, Passkey, User
from webapp.passkeys import rules


def _count(app, model=Passkey) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def _actions(app, action: str) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == action))


def add_passkey(client, phone: SoftAuthenticator, password: str = PASSWORD, headers: dict | None = None, **answer):
    """Add a passkey as the page's script does: the password, the options, the phone's answer."""
    options = client.post_form("/inlogsleutels/opties", {"password": password})
    assert options.status_code == 200, options.get_data(as_text=True)
    return client.post_json("/inlogsleutels/toevoegen", phone.register(options.get_json(), **answer),
                            headers={**(headers or {}), "X-CSRFToken": client.csrf_token()})


def passkey_login(client, phone: SoftAuthenticator, url: str = "/inloggen/inlogsleutel", **kwargs):
    options = client.post_json("/inloggen/inlogsleutel/opties")
    assert options.status_code == 200
    return client.post_json(url, phone.sign(options.get_json(), **kwargs))


@pytest.fixture
def resident_with_passkey(app, client, make_resident, login_as):
    anna = make_resident("anna")
    login_as(client, anna["user"])
    phone = SoftAuthenticator()
    response = add_passkey(client, phone, headers={"User-Agent": "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0)"})
    assert response.status_code == 200 and response.get_json()["redirect"] == "/inlogsleutels"
    return anna, phone


def test_a_resident_adds_a_passkey_and_logs_in_with_it_without_a_password(app, client, resident_with_passkey):
    anna, phone = resident_with_passkey
    page = client.get("/inlogsleutels").get_data(as_text=True)
    assert "Uw inlogsleutel is toegevoegd" in page and "Inlogsleutel op iPhone" in page
    with app.app_context():
        passkey = db.session.scalar(select(Passkey))
        assert passkey.public_key and passkey.device == "iPhone"
        assert db.session.get(User, passkey.user_id).public_id == anna["user"]

    phone_browser = app.test_client()
    options = phone_browser.post_json("/inloggen/inlogsleutel/opties").get_json()
    assert options["allowCredentials"] == [] and options["userVerification"] == "required"
    done = phone_browser.post_json("/inloggen/inlogsleutel?next=/geschiedenis", phone.sign(options))
    assert done.status_code == 200 and done.get_json()["redirect"] == "/geschiedenis"
    assert phone_browser.get("/geschiedenis").status_code == 200
    assert _actions(app, "passkey.add") == 1 and _actions(app, "passkey.login") == 1
    # The password keeps working beside the passkey.
    assert app.test_client().post_form("/inloggen", {"username": "anna", "password": PASSWORD}).status_code == 302


def test_adding_a_passkey_asks_for_the_password_first(app, client, make_resident, login_as):
    login_as(client, make_resident("anna")["user"])
    wrong = client.post_form("/inlogsleutels/opties", {"password": "fout"})
    assert wrong.status_code == 400 and wrong.get_json()["message"] == "Dit wachtwoord klopt niet."
    # No options were handed out, so no answer is accepted.
    answer = SoftAuthenticator().register({"user": {"id": "eA"}, "challenge": "AAAA"})
    refused = client.post_json("/inlogsleutels/toevoegen", answer)
    assert refused.status_code == 400 and "lukte niet" in refused.get_json()["message"]
    assert _count(app) == 0


@pytest.mark.parametrize("tamper", [
    {"verified": False},                                  # no fingerprint, face or PIN
    {"origin": "https://elders.example"},                 # another site asked for it
])
def test_a_registration_without_verification_or_from_another_site_stores_nothing(
        app, client, make_resident, login_as, tamper):
    login_as(client, make_resident("anna")["user"])
    response = add_passkey(client, SoftAuthenticator(), **tamper)
    assert response.status_code == 400 and "lukte niet" in response.get_json()["message"]
    assert _count(app) == 0


def test_a_registration_answer_works_once(app, client, make_resident, login_as):
    login_as(client, make_resident("anna")["user"])
    phone = SoftAuthenticator()
    options = client.post_form("/inlogsleutels/opties", {"password": PASSWORD}).get_json()
    answer = phone.register(options)
    assert client.post_json("/inlogsleutels/toevoegen", answer).status_code == 200
    again = client.post_json("/inlogsleutels/toevoegen", answer)
    assert again.status_code == 400
    assert _count(app) == 1


def test_a_passkey_of_another_account_cannot_be_added_twice(app, client, resident_with_passkey, make_resident,
                                                            login_as):
    _anna, phone = resident_with_passkey
    other = app.test_client()
    login_as(other, make_resident("bert")["user"])
    options = other.post_form("/inlogsleutels/opties", {"password": PASSWORD}).get_json()
    response = other.post_json("/inlogsleutels/toevoegen", phone.register(options))
    assert response.status_code == 400 and "al toegevoegd" in response.get_json()["message"]
    assert _count(app) == 1


@pytest.mark.parametrize("tamper, message", [
    ({"verified": False}, "lukte niet"),
    ({"origin": "https://elders.example"}, "lukte niet"),
    ({"rp_id": "elders.example"}, "lukte niet"),
])
def test_a_login_without_verification_or_for_another_site_is_refused(app, resident_with_passkey, tamper, message):
    _anna, phone = resident_with_passkey
    browser = app.test_client()
    response = passkey_login(browser, phone, **tamper)
    assert response.status_code == 400 and message in response.get_json()["message"]
    assert browser.get("/geschiedenis").status_code == 302  # not logged in


def test_a_replayed_or_unknown_or_copied_passkey_is_refused(app, resident_with_passkey):
    _anna, phone = resident_with_passkey
    browser = app.test_client()
    options = browser.post_json("/inloggen/inlogsleutel/opties").get_json()
    answer = phone.sign(options)
    assert browser.post_json("/inloggen/inlogsleutel", answer).status_code == 200
    # The same answer again: its challenge was used up.
    replay = app.test_client()
    assert replay.post_json("/inloggen/inlogsleutel", answer).status_code == 400
    # A passkey this site never saw.
    stranger = app.test_client()
    unknown = passkey_login(stranger, SoftAuthenticator())
    assert unknown.status_code == 400 and "kennen we niet" in unknown.get_json()["message"]
    # A copy of the phone that signs with an old counter.
    copy = app.test_client()
    cloned = passkey_login(copy, phone, count=False)
    assert cloned.status_code == 400 and "gekopieerd" in cloned.get_json()["message"]
    assert copy.get("/geschiedenis").status_code == 302
    assert _actions(app, "passkey.login") == 1


def test_garbage_instead_of_an_answer_is_a_clear_400(app, client):
    client.post_json("/inloggen/inlogsleutel/opties")
    for body in ({}, {"id": 5}, {"id": "x", "response": "nee"}):
        response = client.post_json("/inloggen/inlogsleutel", body)
        assert response.status_code == 400 and response.get_json()["message"]
    response = client.post("/inloggen/inlogsleutel", data=b"\xff\xfe", content_type="application/json",
                           headers={"X-CSRFToken": client.csrf_token()})
    assert response.status_code == 400


def test_a_blocked_account_cannot_log_in_with_its_passkey(app, client, make_staff, login_as):
    coach = make_staff("ouderencoach", username="coach-p")
    login_as(client, coach["user"])
    phone = SoftAuthenticator()
    assert add_passkey(client, phone, password=STAFF_PASSWORD).status_code == 200
    with app.app_context():
        db.session.scalar(select(User).where(User.username == "coach-p")).is_enabled = False
        db.session.commit()
    response = passkey_login(app.test_client(), phone)
    assert response.status_code == 400 and "geblokkeerd" in response.get_json()["message"]


def test_for_staff_a_passkey_is_the_second_step_and_must_be_their_own(app, client, make_staff, make_resident,
                                                                     login_as):
    coach = make_staff("ouderencoach", username="coach-p")
    login_as(client, coach["user"])
    coach_phone = SoftAuthenticator()
    assert add_passkey(client, coach_phone, password=STAFF_PASSWORD).status_code == 200
    anna = app.test_client()
    login_as(anna, make_resident("anna")["user"])
    anna_phone = SoftAuthenticator()
    assert add_passkey(anna, anna_phone).status_code == 200

    browser = app.test_client()
    assert browser.post_form("/inloggen", {"username": "coach-p", "password": STAFF_PASSWORD}).location \
        == "/inloggen/tweede-stap"
    page = browser.get("/inloggen/tweede-stap").get_data(as_text=True)
    assert "Inloggen met inlogsleutel" in page
    options = browser.post_json("/inloggen/inlogsleutel/opties").get_json()
    with app.app_context():
        only = db.session.scalar(select(Passkey.credential_id).join(User).where(User.username == "coach-p"))
    assert [c["id"] for c in options["allowCredentials"]] == [only]
    # Anna's passkey does not finish the coach's login.
    foreign = browser.post_json("/inloggen/inlogsleutel", anna_phone.sign(options))
    assert foreign.status_code == 400 and "ander account" in foreign.get_json()["message"]
    assert browser.get("/coach").status_code == 302
    done = passkey_login(browser, coach_phone)
    assert done.status_code == 200 and browser.get("/coach").status_code == 200


def test_the_second_step_page_offers_a_passkey_only_to_those_who_have_one(app, client, make_staff):
    make_staff(username="coach-z")
    client.post_form("/inloggen", {"username": "coach-z", "password": STAFF_PASSWORD})
    assert "Inloggen met inlogsleutel" not in client.get("/inloggen/tweede-stap").get_data(as_text=True)


def test_a_removed_passkey_no_longer_logs_in_and_only_its_owner_can_remove_it(
        app, client, resident_with_passkey, make_resident, login_as):
    _anna, phone = resident_with_passkey
    with app.app_context():
        passkey_id = db.session.scalar(select(Passkey.public_id))
    bert = app.test_client()
    login_as(bert, make_resident("bert")["user"])
    assert bert.post_form(f"/inlogsleutels/{passkey_id}/verwijderen").status_code == 404
    assert _count(app) == 1
    assert client.post_form(f"/inlogsleutels/{passkey_id}/verwijderen").status_code == 302
    assert _count(app) == 0 and _actions(app, "passkey.remove") == 1
    assert passkey_login(app.test_client(), phone).status_code == 400


def test_the_beheerder_clearing_a_second_factor_removes_passkeys_too(app, client, make_staff, login_as):
    coach = make_staff("ouderencoach", username="coach-p")
    login_as(client, coach["user"])
    assert add_passkey(client, SoftAuthenticator(), password=STAFF_PASSWORD).status_code == 200
    beheerder = app.test_client()
    login_as(beheerder, make_staff("beheerder", username="beheer")["user"])
    page = beheerder.get(f"/beheer/medewerker/{coach['user']}").get_data(as_text=True)
    assert "1 inlogsleutel(s)" in page
    beheerder.post_form(f"/beheer/medewerker/{coach['user']}/tweede-stap-herstellen")
    assert _count(app) == 0


def test_the_data_download_lists_passkeys_without_their_keys(app, client, resident_with_passkey):
    data = client.get("/account/mijn-gegevens.json").get_json()
    assert [p["device"] for p in data["profile"]["passkeys"]] == ["iPhone"]
    assert "public_key" not in str(data)


def test_erasing_the_account_removes_its_passkeys(app, client, resident_with_passkey):
    response = client.post_form("/account/verwijderen", {"password": PASSWORD, "confirm": "y"})
    assert response.status_code == 302
    assert _count(app) == 0 and _count(app, User) == 0


def test_relying_party_from_configuration_or_request():
    assert rules.relying_party("http://localhost:5000/") == ("localhost", "http://localhost:5000")
    assert rules.relying_party("http://intern:8000/", "veerkracht.example.nl", "https://veerkracht.example.nl/") \
        == ("veerkracht.example.nl", "https://veerkracht.example.nl")


@pytest.mark.parametrize("agent, name", [
    ("Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X)", "iPhone"),
    ("Mozilla/5.0 (Linux; Android 14; Pixel 8)", "Android"),
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64)", "Windows"),
    ("Mozilla/5.0 (Macintosh; Intel Mac OS X 14_0)", "Mac"),
    ("", "?"),
])
def test_device_names(agent, name):
    assert rules.device_name(agent) == name
