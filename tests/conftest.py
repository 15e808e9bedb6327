"""Fixtures: app, client (with CSRF tokens), database clean-up, factories, login_as."""

import os
import re
import time
from datetime import UTC, datetime, timedelta

import flask_migrate
import pyotp
import pytest
from argon2 import PasswordHasher
from flask.testing import FlaskClient
from sqlalchemy import inspect, select, text

from webapp import create_app
from webapp.accounts import service as people
from webapp.core.extensions import db, limiter
from webapp.core.models import Answer, Checkin, Resident, User
from webapp.core.security import SESSION_KEY, new_login_session
from webapp.reminders.push import new_key_pair

# The tests' own "today" (date.today()) is the organisation's, as the app's clock.today(): between
# 23:00 and 24:00 UTC Amsterdam is a day ahead, and a test comparing the two would fail then.
os.environ["TZ"] = os.environ.get("TIMEZONE", "Europe/Amsterdam")
time.tzset()

# Cheap argon2 in tests (a hash in well under a millisecond); test_passwords checks production's.
CHEAP_ARGON2 = {"time_cost": 1, "memory_cost": 64, "parallelism": 1}
PASSWORD = "een-lang-wachtwoord"
METRICS_TOKEN = "test-metrics-token"  # noqa: S105
VAPID_PRIVATE_KEY, VAPID_PUBLIC_KEY = new_key_pair()  # web push is on in tests (tests/test_push.py)
_HASH = PasswordHasher(**CHEAP_ARGON2).hash(PASSWORD)
TOKEN_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
FUZZ_FIGURES = pytest.StashKey[dict]()  # filled by tests/test_fuzz.py


def pytest_terminal_summary(terminalreporter, config):
    """Report the fuzz figures (generated requests and 5xx answers), so they can be quoted."""
    figures = config.stash.get(FUZZ_FIGURES, None)
    if figures:
        terminalreporter.write_line(
            f"fuzz: {figures['requests']} generated requests on {figures['routes']} routes, "
            f"{figures['5xx']} answered 5xx")


class CsrfClient(FlaskClient):
    """A test client that fills in the CSRF token the way a browser form would."""

    def csrf_token(self) -> str:
        # Every page's header carries the token; a page that does not exist is the cheapest one.
        response = self.get("/geen-pagina")
        return TOKEN_RE.search(response.get_data(as_text=True)).group(1)

    def post_form(self, url: str, data: dict | None = None, **kwargs):
        data = dict(data or {})
        data.setdefault("csrf_token", self.csrf_token())
        return self.post(url, data=data, **kwargs)

    def post_json(self, url: str, body: dict | None = None, **kwargs):
        """A fetch() from the page's script: JSON, with the token in the X-CSRFToken header."""
        kwargs.setdefault("headers", {"X-CSRFToken": self.csrf_token()})
        return self.post(url, json=body or {}, **kwargs)


def _reset_schema() -> None:
    """Start from an empty database (the PostgreSQL test database may hold an older run)."""
    db.drop_all()
    with db.engine.begin() as connection:
        if inspect(connection).has_table("alembic_version"):
            connection.execute(text("DROP TABLE alembic_version"))


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite'}"


@pytest.fixture(scope="session")
def app(database_url, tmp_path_factory):
    backups = tmp_path_factory.mktemp("backups")
    app = create_app({
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "ARGON2": CHEAP_ARGON2,
        # Never the instance folder of the working copy.
        "METRICS_TOKEN": METRICS_TOKEN,
        "VAPID_PRIVATE_KEY": VAPID_PRIVATE_KEY, "VAPID_PUBLIC_KEY": VAPID_PUBLIC_KEY,
        "VAPID_SUBJECT": "mailto:beheer@example.org",
        "BACKUP_DIR": str(backups), "ERASED_LIST": str(backups / "erased-residents.txt"), "BACKUP_KEY_FILE": None,
    })
    app.test_client_class = CsrfClient
    with app.app_context():
        _reset_schema()
        flask_migrate.upgrade()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()  # close pooled connections before the interpreter does


def empty_tables(app) -> None:
    """Delete every row (the schema stays)."""
    with app.app_context():
        db.session.remove()
        with db.engine.begin() as connection:
            for table in reversed(db.metadata.sorted_tables):
                connection.execute(table.delete())


@pytest.fixture(autouse=True)
def _clean_database(request):
    """Empty every table after each test that used the app.

    Tests marked `shared_world` read one world their class builds once (and empties at the end).
    """
    yield
    if "app" not in request.fixturenames:
        return
    app = request.getfixturevalue("app")
    limiter.reset()
    app.config.pop("CLOCK", None)
    if request.node.get_closest_marker("shared_world") is None:
        empty_tables(app)


@pytest.fixture
def client(app) -> CsrfClient:
    return app.test_client()


@pytest.fixture
def ctx(app):
    """An application context for tests that use the database directly."""
    with app.test_request_context():
        yield
        db.session.rollback()


def new_resident(app, username: str, password_hash: str = _HASH) -> dict:
    """Create a resident with a login; returns their public ids (objects die with the session)."""
    with app.app_context():
        user = User(username=username, password_hash=password_hash)
        db.session.add(user)
        db.session.flush()
        resident = Resident(user_id=user.id)
        db.session.add(resident)
        db.session.commit()
        return {"user": user.public_id, "resident": resident.public_id, "username": user.username}


@pytest.fixture
def make_resident(app):
    """Create residents with a login (bewoner1, bewoner2, ... unless named)."""
    counter = iter(range(1, 10_000))

    def factory(username: str | None = None, password_hash: str = _HASH):
        return new_resident(app, username or f"bewoner{next(counter)}", password_hash)

    return factory


STAFF_PASSWORD = "coach-wachtwoord-lang"
STAFF_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # the authenticator app every test coach has set up


def totp_code(secret: str = STAFF_TOTP_SECRET) -> str:
    return pyotp.TOTP(secret).now()


def log_in_with_form(app, client: FlaskClient, username: str, password: str):
    """Log in through the forms as a person would, giving the app's code when asked for it.

    Each call counts as a later moment: the account's last used time step is forgotten first, as a
    code works once.
    """
    response = client.post_form("/inloggen", {"username": username, "password": password})
    if response.status_code == 302 and response.location.startswith("/inloggen/tweede-stap"):
        secret = forget_last_step(app, username)
        response = client.post_form("/inloggen/tweede-stap", {"code": totp_code(secret)})
    return response


def forget_last_step(app, username: str) -> str | None:
    """A later moment for this account's second factor: the time step used last is forgotten (a code
    works once, and tests log in faster than every 30 seconds). Returns the account's TOTP key."""
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == username.lower()))
        user.totp_last_step = None
        db.session.commit()
        return user.totp_secret


@pytest.fixture
def make_staff(app):
    """Create a coach or beheerder (welzijnscoach by default) whom the given residents share with.

    Returns their public id, coach code and username; objects die with the session.
    """
    counter = iter(range(1, 10_000))

    def factory(*roles: str, name: str = "Marieke Jansen", username: str | None = None,
                password: str = STAFF_PASSWORD, share_with: tuple[str, ...] = (), totp: bool = True):
        with app.test_request_context():
            user = people.create_staff(username or f"staff{next(counter)}", password, list(roles or ["welzijnscoach"]),
                                       name, "Welzijn Zuid", "010 123 45 67")
            if totp:  # the app was set up at an earlier login
                user.totp_secret, user.totp_confirmed_at = STAFF_TOTP_SECRET, datetime.now(UTC) - timedelta(days=1)
            for resident_public_id in share_with:
                resident = db.session.scalar(select(Resident).where(Resident.public_id == resident_public_id))
                people.share_with_coach(resident, user.coach_code)
            db.session.commit()
            return {"user": user.public_id, "code": user.coach_code, "username": user.username}

    return factory


def new_checkin(app, resident_public_id: str, answers: dict, days_ago: int = 0, life_event: str = "geen",
                talk: tuple = ()) -> str:
    """Store a finished check-in with the given answers {item id: score or None}; returns its public id."""
    with app.app_context():
        resident = db.session.scalar(db.select(Resident).where(Resident.public_id == resident_public_id))
        completed = datetime.now(UTC) - timedelta(days=days_ago)
        checkin = Checkin(
            resident_id=resident.id, questionnaire_id="veerkracht", questionnaire_version=1,
            form="kort", life_event=life_event, started_at=completed, completed_at=completed,
            answers=[Answer(item_id=i, score=s, wants_to_talk=i in talk) for i, s in answers.items()],
        )
        db.session.add(checkin)
        db.session.commit()
        return checkin.public_id


@pytest.fixture
def make_checkin(app):
    """Store finished check-ins (see new_checkin)."""

    def factory(*args, **kwargs) -> str:
        return new_checkin(app, *args, **kwargs)

    return factory


def log_in(client: FlaskClient, user_public_id: str, second_factor: bool = True) -> None:
    """Log a client in as a user (by public id) without going through the password form: a
    LoginSession on the server and the cookie that names it."""
    token = None
    with client.application.app_context():
        user = db.session.scalar(select(User).where(User.public_id == user_public_id))
        if user is not None:
            token = new_login_session(user)
            db.session.commit()
    now = datetime.now(UTC).timestamp()
    with client.session_transaction() as session:
        session["_user_id"] = user_public_id
        session["_fresh"] = True
        session["started"] = session["seen"] = now
        session["mfa"] = second_factor  # as after the second step (staff always give one)
        if token:
            session[SESSION_KEY] = token


@pytest.fixture
def login_as():
    """log_in as a fixture."""
    return log_in


def form_item_ids(app, form: str = "kort") -> dict[str, list[str]]:
    """A form's item ids per pillar, from the questionnaire file."""
    with app.app_context():
        from webapp.core.definitions import current_questionnaire

        return current_questionnaire().form_item_ids(form)


@pytest.fixture
def kort_items(app) -> dict[str, list[str]]:
    """The short form's item ids per pillar."""
    return form_item_ids(app)


def all_answers(kort_items: dict, score: int = 7) -> dict:
    return {item: score for items in kort_items.values() for item in items}
