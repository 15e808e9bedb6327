"""A database outage: a calm Dutch 503 page that needs no database, and /healthz says 503."""

import logging

import pytest

from tests.conftest import CsrfClient
from webapp import create_app
from webapp.core.extensions import db

UNREACHABLE = {
    # Nothing listens on port 1: the connection is refused at once.
    "postgresql": "postgresql+psycopg://postgres@127.0.0.1:1/veerkracht?connect_timeout=2",
    # A directory that does not exist (and cannot be made here): SQLite cannot open the file.
    "sqlite": "sqlite:////proc/veerkracht-bestaat-niet/veerkracht.sqlite",
}


@pytest.fixture(params=sorted(UNREACHABLE))
def down(request):
    """An app whose database cannot be reached."""
    app = create_app({"TESTING": True, "SECRET_KEY": "test-secret-key",
                      "SQLALCHEMY_DATABASE_URI": UNREACHABLE[request.param]})
    app.test_client_class = CsrfClient
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _logged_in(app) -> CsrfClient:
    """A browser with the cookie of an earlier login (the database that knew it is now down)."""
    client = app.test_client()
    with client.session_transaction() as session:
        session.update({"_user_id": "een-publiek-id", "_fresh": True, "sid": "token", "started": 1.0, "seen": 1.0,
                        "mfa": True})
    return client


def _assert_calm_503(response, text: str = "Veerkracht is even niet bereikbaar") -> str:
    page = response.get_data(as_text=True)
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "60"
    assert text in page
    assert "Traceback" not in page and "sqlalchemy" not in page.lower() and "OperationalError" not in page
    assert 'lang="' in page and "Uitloggen" not in page
    return page


def test_a_public_page_says_calmly_in_dutch_that_veerkracht_is_unavailable(down):
    page = _assert_calm_503(down.test_client().get("/wat-is-er-te-doen"))
    assert "Wat u al had opgeslagen, is bewaard." in page


def test_a_logged_in_resident_gets_the_page_and_stays_logged_in(down):
    client = _logged_in(down)
    _assert_calm_503(client.get("/geschiedenis"))
    with client.session_transaction() as session:
        assert session.get("_user_id") == "een-publiek-id"  # an outage logs nobody out


def test_the_page_is_in_english_for_who_chose_english(down):
    client = down.test_client()
    with client.session_transaction() as session:
        session["lang"] = "en"
    _assert_calm_503(client.get("/wat-is-er-te-doen"), "Veerkracht cannot be reached right now")


def test_a_login_during_an_outage_logs_nothing_personal(down, caplog):
    client = down.test_client()
    with caplog.at_level(logging.DEBUG):
        response = client.post_form("/inloggen", {"username": "gerda-van-dijk", "password": "geheim-wachtwoord-1"})
    _assert_calm_503(response)
    logged = caplog.text
    assert "database unavailable on POST /inloggen" in logged
    assert "gerda-van-dijk" not in logged and "geheim-wachtwoord" not in logged
    assert all(record.exc_info is None for record in caplog.records)  # no stack trace in the logs


def test_healthz_answers_503_without_the_database(down):
    response = down.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "error", "database": "unreachable"}

