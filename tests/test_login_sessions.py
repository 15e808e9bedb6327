"""Sessions end on the server: a cookie copied before a logout (or a new password, a block, a
cleared second factor) no longer works afterwards, on any worker."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from tests.conftest import CHEAP_ARGON2, PASSWORD, STAFF_PASSWORD, CsrfClient, log_in_with_form
from webapp import create_app
from webapp.core.extensions import db
from webapp.core.models import LoginSession, User
from webapp.core.security import purge_old_sessions

NEW_PASSWORD = "een nieuw lang wachtwoord"


def _device(app, username: str, password: str = PASSWORD) -> CsrfClient:
    device = app.test_client()
    response = log_in_with_form(app, device, username, password)
    assert response.status_code == 302 and not response.location.startswith("/inloggen"), response.location
    return device


def _copy(device, app) -> CsrfClient:
    """Another browser (of someone who copied the cookie) with this device's session cookie."""
    thief = app.test_client()
    thief.set_cookie("session", device.get_cookie("session").value)
    return thief


def _sessions(app, username: str | None = None) -> int:
    with app.app_context():
        query = select(func.count()).select_from(LoginSession)
        if username:
            query = query.join(User, User.id == LoginSession.user_id).where(User.username == username)
        return db.session.scalar(query)


def _refused(client, url: str = "/geschiedenis") -> bool:
    return client.get(url).location.startswith("/inloggen")


def test_a_cookie_copied_before_logout_is_refused_after_it(app, make_resident):
    make_resident(username="gerda")
    phone = _device(app, "gerda")
    copy = _copy(phone, app)
    assert copy.get("/geschiedenis").status_code == 200  # the copy works while the session lasts
    assert phone.post_form("/uitloggen").status_code == 302
    response = copy.get("/geschiedenis")
    assert response.status_code == 302 and response.location.startswith("/inloggen?next=/geschiedenis")
    assert "Uw sessie is verlopen" in copy.get(response.location).get_data(as_text=True)
    assert _sessions(app) == 0


def test_the_server_keeps_only_a_hash_of_the_session_token(app, make_resident):
    make_resident(username="gerda")
    phone = _device(app, "gerda")
    with phone.session_transaction() as session:
        token = session["sid"]
    with app.app_context():
        row = db.session.scalar(select(LoginSession))
        assert token not in row.token_hash and len(row.token_hash) == 64
        assert {c.name for c in LoginSession.__table__.columns} == {
            "id", "token_hash", "user_id", "created_at", "last_seen_at"}


def test_log_out_everywhere_refuses_copies_of_every_device(app, make_resident):
    make_resident(username="gerda")
    make_resident(username="kees")
    phone, tablet, other = _device(app, "gerda"), _device(app, "gerda"), _device(app, "kees")
    copies = [_copy(phone, app), _copy(tablet, app)]
    assert phone.post_form("/overal-uitloggen").status_code == 302
    assert all(_refused(device) for device in (tablet, *copies))
    assert _sessions(app, "gerda") == 0
    assert other.get("/geschiedenis").status_code == 200  # someone else's session is not touched


def test_a_new_password_ends_other_devices_and_keeps_this_one(app, make_resident):
    make_resident(username="gerda")
    phone, tablet = _device(app, "gerda"), _device(app, "gerda")
    old_phone_cookie = _copy(phone, app)
    response = phone.post_form("/wachtwoord-wijzigen", {"current": PASSWORD, "password": NEW_PASSWORD,
                                                         "confirm": NEW_PASSWORD})
    assert response.status_code == 302
    assert phone.get("/geschiedenis").status_code == 200  # this device stays logged in, on a new session
    assert _refused(tablet) and _refused(old_phone_cookie)
    assert _sessions(app, "gerda") == 1


def test_a_blocked_coach_is_refused_even_with_a_copied_cookie_and_after_unblocking(app, make_staff):
    make_staff(username="coach-weg")
    beheer = _device(app, make_staff("beheerder", username="beheer")["username"], STAFF_PASSWORD)
    laptop = _device(app, "coach-weg", STAFF_PASSWORD)
    copy = _copy(laptop, app)
    with app.app_context():
        coach = db.session.scalar(select(User).where(User.username == "coach-weg")).public_id
    assert beheer.post_form(f"/beheer/medewerker/{coach}/blokkeren").status_code == 302
    assert _refused(laptop, "/coach") and _refused(copy, "/coach")
    assert _sessions(app, "coach-weg") == 0
    assert beheer.post_form(f"/beheer/medewerker/{coach}/deblokkeren").status_code == 302
    assert _refused(_copy(laptop, app), "/coach")  # letting the account in again revives no session


def test_clearing_a_second_factor_ends_every_session_of_the_account(app, make_staff):
    make_staff(username="coach-kwijt")
    beheer = _device(app, make_staff("beheerder", username="beheer")["username"], STAFF_PASSWORD)
    laptop = _device(app, "coach-kwijt", STAFF_PASSWORD)
    copy = _copy(laptop, app)
    with app.app_context():
        coach = db.session.scalar(select(User).where(User.username == "coach-kwijt")).public_id
    assert beheer.post_form(f"/beheer/medewerker/{coach}/tweede-stap-herstellen").status_code == 302
    assert _refused(laptop, "/coach") and _refused(copy, "/coach")
    assert beheer.get("/beheer").status_code == 200  # the beheerder's own session goes on


@pytest.fixture
def second_worker(database_url):
    """Another worker (or node): its own app, engine and memory, on the same database."""
    worker = create_app({"TESTING": True, "SECRET_KEY": "test-secret-key", "SQLALCHEMY_DATABASE_URI": database_url,
                         "ARGON2": CHEAP_ARGON2})
    worker.test_client_class = CsrfClient
    yield worker
    with worker.app_context():
        db.session.remove()
        db.engine.dispose()


def test_a_logout_on_one_worker_ends_the_session_on_another(app, second_worker, make_resident):
    make_resident(username="gerda")
    phone = _device(app, "gerda")
    on_other_worker = _copy(phone, second_worker)
    assert on_other_worker.get("/geschiedenis").status_code == 200
    assert phone.post_form("/uitloggen").status_code == 302
    assert _refused(on_other_worker)


def test_old_sessions_are_cleared_out_at_a_later_login(app, make_resident):
    make_resident(username="gerda")
    _device(app, "gerda")
    _device(app, "gerda")
    assert _sessions(app) == 2
    app.config["CLOCK"] = lambda: datetime.now(UTC) + timedelta(hours=13)  # past every limit
    with app.test_request_context():
        assert purge_old_sessions() == 2
        db.session.rollback()
    _device(app, "gerda")  # a login clears them out too
    assert _sessions(app) == 1


def test_a_session_in_use_is_marked_seen_every_few_minutes_only(app, make_resident):
    make_resident(username="gerda")
    phone = _device(app, "gerda")

    def seen():
        with app.app_context():
            return db.session.scalar(select(LoginSession.last_seen_at))

    first = seen()
    phone.get("/geschiedenis")
    assert seen() == first  # a read stays a read
    app.config["CLOCK"] = lambda: datetime.now(UTC) + timedelta(minutes=6)
    assert phone.get("/geschiedenis").status_code == 200
    assert seen() > first
