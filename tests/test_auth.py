"""Creating an account, logging in and out."""

from sqlalchemy import select

from tests.conftest import PASSWORD
from webapp.core.extensions import db
from webapp.core.models import Resident, User


def _register(client, username="marietje", password="mijn lange wachtwoord", confirm=None):
    return client.post_form("/registreren", {
        "username": username, "password": password, "confirm": password if confirm is None else confirm,
    })


def test_resident_registers_without_email_and_is_logged_in(app, client):
    response = _register(client)
    assert response.status_code == 302
    assert "Doe de check-in" in client.get("/").get_data(as_text=True)
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == "marietje"))
        assert user.role == "bewoner"
        assert user.password_hash.startswith("$argon2")
        assert db.session.scalar(select(Resident).where(Resident.user_id == user.id)) is not None


def test_short_password_and_mismatch_are_refused_in_dutch(app, client):
    short = _register(client, password="kort")
    assert short.status_code == 400 and "minstens 10 tekens" in short.get_data(as_text=True)
    mismatch = _register(client, confirm="iets heel anders")
    assert mismatch.status_code == 400 and "niet hetzelfde" in mismatch.get_data(as_text=True)
    spaces = _register(client, username="mari etje")
    assert spaces.status_code == 400 and "geen spaties" in spaces.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(User)) is None


def test_taken_username_is_refused_whatever_the_case(client, make_resident):
    make_resident(username="kees")
    response = _register(client, username="Kees")
    assert response.status_code == 400
    assert "al bezet" in response.get_data(as_text=True)


def test_login_with_right_password(client, make_resident):
    make_resident(username="truus")
    response = client.post_form("/inloggen", {"username": "Truus", "password": PASSWORD})
    assert response.status_code == 302 and response.location == "/"


def test_wrong_password_and_unknown_user_get_the_same_message(client, make_resident):
    make_resident(username="truus")
    wrong = client.post_form("/inloggen", {"username": "truus", "password": "verkeerd-wachtwoord"})
    unknown = client.post_form("/inloggen", {"username": "niemand", "password": "verkeerd-wachtwoord"})
    assert wrong.status_code == unknown.status_code == 400
    message = "Deze gebruikersnaam en dit wachtwoord horen niet bij elkaar."
    assert message in wrong.get_data(as_text=True) and message in unknown.get_data(as_text=True)


def test_login_only_follows_local_next_links(client, make_resident):
    make_resident(username="truus")
    response = client.post_form("/inloggen?next=https://evil.example/x", {"username": "truus", "password": PASSWORD})
    assert response.location == "/"
    client.post_form("/uitloggen")
    response = client.post_form("/inloggen?next=/geschiedenis", {"username": "truus", "password": PASSWORD})
    assert response.location == "/geschiedenis"


def test_login_starts_a_fresh_session(client, make_resident):
    make_resident(username="truus")
    client.get("/")
    with client.session_transaction() as session:
        session["planted"] = "by someone else"
    client.post_form("/inloggen", {"username": "truus", "password": PASSWORD})
    with client.session_transaction() as session:
        assert "planted" not in session


def test_logout_is_post_only_and_ends_the_session(client, make_resident, login_as):
    resident = make_resident()
    login_as(client, resident["user"])
    assert client.get("/uitloggen").status_code == 405
    assert client.post_form("/uitloggen").status_code == 302
    assert client.get("/geschiedenis").location.startswith("/inloggen")


def test_disabled_account_cannot_use_its_session(app, client, make_resident, login_as):
    resident = make_resident()
    login_as(client, resident["user"])
    with app.app_context():
        user = db.session.scalar(select(User).where(User.public_id == resident["user"]))
        user.is_enabled = False
        db.session.commit()
    assert client.get("/geschiedenis").location.startswith("/inloggen")


def test_production_hashes_passwords_with_argon2s_strong_parameters(tmp_path):
    """The suite runs on cheap parameters; an app without that override uses production's."""
    from argon2 import extract_parameters

    from webapp import create_app
    from webapp.core.passwords import PRODUCTION_ARGON2, hash_password, verify_password

    production = create_app({"SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/p.sqlite"})
    assert production.config["ARGON2"] == PRODUCTION_ARGON2 == {"time_cost": 3, "memory_cost": 65536, "parallelism": 4}
    with production.app_context():
        stored = hash_password("een-lang-wachtwoord")
        assert verify_password(stored, "een-lang-wachtwoord") and not verify_password(stored, "iets anders")
    parameters = extract_parameters(stored)
    assert (parameters.time_cost, parameters.memory_cost, parameters.parallelism) == (3, 65536, 4)


def test_with_every_limit_switched_off_the_login_form_still_works(app, make_resident, monkeypatch):
    """RATELIMIT_ENABLED=False leaves the limiter without storage: wrong passwords are then not
    counted (no account waits), instead of the login page failing with an error."""
    from webapp import create_app
    from webapp.core.extensions import limiter

    # The limiter is one object for every app in this process: as in a process whose only app has
    # limits off, it has no storage; both are put back for the other tests.
    monkeypatch.setattr(limiter, "enabled", limiter.enabled)
    monkeypatch.setattr(limiter, "_storage", None)
    own = create_app({**app.config, "RATELIMIT_ENABLED": False})
    own.test_client_class = app.test_client_class
    try:
        make_resident("zonderlimiet")
        client = own.test_client()
        for _ in range(8):  # more than the five that make an account wait when limits are on
            wrong = client.post_form("/inloggen", {"username": "zonderlimiet", "password": "niet het goede"})
            assert wrong.status_code == 400 and "getypt. Wacht" not in wrong.get_data(as_text=True)
        right = client.post_form("/inloggen", {"username": "zonderlimiet", "password": PASSWORD})
        assert right.status_code == 302
        assert "Uitloggen" in client.get("/").get_data(as_text=True)
    finally:
        with own.app_context():
            db.session.remove()
            db.engine.dispose()
