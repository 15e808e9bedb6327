"""Two factors for staff (NEN 7510): TOTP set up at the first login, recovery codes, reset by the beheerder."""

import re
from datetime import UTC, datetime, timedelta

import pyotp
import pytest
from sqlalchemy import func, select

from tests.conftest import PASSWORD, STAFF_PASSWORD, STAFF_TOTP_SECRET, forget_last_step
from webapp.core.extensions import db
from webapp.core.models import AuditEvent, User


def _password(client, username: str, password: str = STAFF_PASSWORD):
    return client.post_form("/inloggen", {"username": username, "password": password})


def _actions(app, action: str) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == action))


def test_a_new_coach_sets_the_app_up_at_the_first_login(app, client, make_staff):
    make_staff("ouderencoach", username="nieuw", totp=False)
    response = _password(client, "nieuw")
    assert response.location == "/inloggen/tweede-stap"
    assert client.get("/coach").location.startswith("/inloggen")  # nobody is logged in yet
    page = client.get("/inloggen/tweede-stap").get_data(as_text=True)
    assert "Tweede stap instellen" in page and 'src="data:image/svg+xml' in page
    assert "herstelcodes" not in page.split("<form", 1)[1]  # found using the app: none exist before this step
    secret = "".join(re.search(r'<strong class="code">([A-Z2-7 ]+)</strong>', page).group(1).split())

    wrong = client.post_form("/inloggen/tweede-stap", {"code": "000000"})
    assert wrong.status_code == 400 and "Deze code klopt niet" in wrong.get_data(as_text=True)
    with app.app_context():
        assert not db.session.scalar(select(User).where(User.username == "nieuw")).has_totp
    assert client.get("/inloggen/tweede-stap").get_data(as_text=True).count(secret[:4]) >= 1  # same secret

    done = client.post_form("/inloggen/tweede-stap", {"code": pyotp.TOTP(secret).now()})
    assert done.status_code == 200
    codes = re.findall(r'<strong class="code">([a-z0-9]{4}-[a-z0-9]{4})</strong>', done.get_data(as_text=True))
    assert len(set(codes)) == 10
    assert client.get("/coach").status_code == 200
    assert _actions(app, "second_factor.on") == 1

    # A recovery code works once, instead of the app's code.
    forget_last_step(app, "nieuw")
    other = app.test_client()
    _password(other, "nieuw")
    assert other.post_form("/inloggen/tweede-stap", {"code": codes[0].upper().replace("-", " ")}).status_code == 302
    third = app.test_client()
    _password(third, "nieuw")
    assert third.post_form("/inloggen/tweede-stap", {"code": codes[0]}).status_code == 400


def test_the_second_step_refuses_wrong_replayed_foreign_and_late_codes(app, client, make_staff):
    make_staff(username="coach-t")
    assert _password(client, "coach-t").location == "/inloggen/tweede-stap"
    totp = pyotp.TOTP(STAFF_TOTP_SECRET)
    now = datetime.now(UTC)
    for bad in ("123", "abcdef", pyotp.TOTP(pyotp.random_base32()).now(), totp.at(now - timedelta(minutes=2)),
                totp.at(now + timedelta(minutes=2)), "x" * 19):
        response = client.post_form("/inloggen/tweede-stap", {"code": bad})
        assert response.status_code == 400, bad
        assert client.get("/coach").location.startswith("/inloggen")
    code = totp.now()
    assert client.post_form("/inloggen/tweede-stap", {"code": code}).status_code == 302
    assert client.get("/coach").status_code == 200

    replay = app.test_client()  # someone who saw the code and the password
    _password(replay, "coach-t")
    assert replay.post_form("/inloggen/tweede-stap", {"code": code}).status_code == 400


def test_the_second_step_waits_ten_minutes_at_most(app, client, make_staff):
    make_staff(username="coach-l")
    _password(client, "coach-l")
    app.config["CLOCK"] = lambda: datetime.now(UTC) + timedelta(minutes=11)
    response = client.post_form("/inloggen/tweede-stap", {"code": pyotp.TOTP(STAFF_TOTP_SECRET).now()})
    assert response.status_code == 302 and response.location.startswith("/inloggen")
    assert client.get("/coach").location.startswith("/inloggen")


def test_a_staff_session_without_the_second_factor_is_refused(client, make_staff, login_as):
    coach = make_staff(username="coach-oud")
    login_as(client, coach["user"], second_factor=False)  # a session from before two factors were required
    assert client.get("/coach").location.startswith("/inloggen")


def test_residents_are_never_forced_to_use_a_second_factor(client, make_resident):
    make_resident(username="truus")
    assert _password(client, "truus", PASSWORD).location == "/"
    assert client.get("/geschiedenis").status_code == 200


def test_the_beheerder_clears_a_lost_second_factor(app, client, make_staff, login_as):
    coach = make_staff(username="coach-kwijt")
    device = app.test_client()
    _password(device, "coach-kwijt")
    device.post_form("/inloggen/tweede-stap", {"code": pyotp.TOTP(STAFF_TOTP_SECRET).now()})
    assert device.get("/coach").status_code == 200
    login_as(client, make_staff("beheerder", username="beheer")["user"])
    assert "Tweede stap wissen" in client.get(f"/beheer/medewerker/{coach['user']}").get_data(as_text=True)
    assert client.post_form(f"/beheer/medewerker/{coach['user']}/tweede-stap-herstellen").status_code == 302
    assert device.get("/coach").location.startswith("/inloggen")  # every session ended
    fresh = app.test_client()
    _password(fresh, "coach-kwijt")
    assert "Tweede stap instellen" in fresh.get("/inloggen/tweede-stap").get_data(as_text=True)
    assert _actions(app, "second_factor.reset") == 1


def test_a_blocked_account_gets_no_second_step(app, client, make_staff):
    coach = make_staff(username="coach-b")
    _password(client, "coach-b")
    with app.app_context():
        db.session.scalar(select(User).where(User.public_id == coach["user"])).is_enabled = False
        db.session.commit()
    response = client.post_form("/inloggen/tweede-stap", {"code": pyotp.TOTP(STAFF_TOTP_SECRET).now()})
    assert response.location.startswith("/inloggen") and client.get("/coach").location.startswith("/inloggen")


@pytest.mark.parametrize("wrong_codes", [10])
def test_the_second_step_is_throttled_per_account(client, make_staff, wrong_codes):
    make_staff(username="coach-r")
    _password(client, "coach-r")
    statuses = [client.post_form("/inloggen/tweede-stap", {"code": "000000"}).status_code
                for _ in range(wrong_codes + 1)]
    assert statuses[:wrong_codes] == [400] * wrong_codes and statuses[wrong_codes] == 429


def test_a_resident_may_turn_a_second_factor_on_and_off(app, client, make_resident, login_as):
    resident = make_resident(username="rita")
    login_as(client, resident["user"])
    page = client.get("/account/tweede-stap").get_data(as_text=True)
    assert "Dit is niet verplicht." in page
    secret = "".join(re.search(r'<strong class="code">([A-Z2-7 ]+)</strong>', page).group(1).split())
    assert client.post_form("/account/tweede-stap", {"code": "111111"}).status_code == 400
    on = client.post_form("/account/tweede-stap", {"code": pyotp.TOTP(secret).now()})
    assert on.status_code == 200 and "Uw herstelcodes" in on.get_data(as_text=True)
    assert client.get("/geschiedenis").status_code == 200  # this session carries on
    assert _actions(app, "second_factor.on") == 1

    forget_last_step(app, "rita")
    phone = app.test_client()
    assert _password(phone, "rita", PASSWORD).location == "/inloggen/tweede-stap"  # from now on: two steps
    assert phone.post_form("/inloggen/tweede-stap", {"code": pyotp.TOTP(secret).now()}).status_code == 302

    wrong = client.post_form("/account/tweede-stap", {"password": "niet goed"})
    assert wrong.status_code == 400 and "Dit wachtwoord klopt niet." in wrong.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(User).where(User.username == "rita")).has_totp  # still on
    assert client.post_form("/account/tweede-stap", {"password": PASSWORD}).status_code == 302
    assert _password(app.test_client(), "rita", PASSWORD).location == "/"
    assert _actions(app, "second_factor.off") == 1
