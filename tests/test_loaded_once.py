"""Nothing is loaded twice (issue 18): no page sends the same SELECT with the same values twice in
one request, for any route and any role that may open it."""

from collections import Counter

import pytest
from sqlalchemy import event

from tests.conftest import empty_tables, log_in
from tests.test_permissions import MATRIX, ROLES_UNDER_TEST, build_world
from webapp.core.extensions import db

pytestmark = pytest.mark.shared_world  # one world for the module (tests/conftest.py _clean_database)


@pytest.fixture(scope="module")
def world(app):
    empty_tables(app)
    yield build_world(app)
    empty_tables(app)


def _opened_by(expected: dict) -> list[str]:
    return [role for role in ROLES_UNDER_TEST if role != "anonymous"
            and (expected[role] if role in expected else expected["*"]) == 200]


def _recorder(sent: list[tuple[str, str]]):
    def record(_conn, _cursor, statement, parameters, *_rest):
        if statement.lstrip().upper().startswith("SELECT"):
            sent.append((" ".join(statement.split()), repr(parameters)))
    return record


PAGES = sorted(endpoint for endpoint, (method, _url, expected) in MATRIX.items()
               if method == "GET" and _opened_by(expected))


@pytest.mark.parametrize("endpoint", PAGES)
def test_a_page_reads_nothing_twice(app, world, endpoint):
    _method, template, expected = MATRIX[endpoint]
    url = template.format(**world["ids"])
    with app.app_context():
        engine = db.engine
    for role in _opened_by(expected):
        client = app.test_client()
        log_in(client, world["users"][role])
        assert client.get(url).status_code == 200, (endpoint, role)  # warm: caches filled, cookie renewed
        sent: list[tuple[str, str]] = []
        record = _recorder(sent)
        event.listen(engine, "before_cursor_execute", record)
        try:
            assert client.get(url).status_code == 200, (endpoint, role)
        finally:
            event.remove(engine, "before_cursor_execute", record)
        assert sent, (endpoint, role, "no statement seen: the recorder is not listening")
        twice = [statement for statement, count in Counter(sent).items() if count > 1]
        assert not twice, (endpoint, role, twice)
