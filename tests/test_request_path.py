"""The request path stays lean: what one questionnaire step sends to the database (issue 18)."""

import re

from sqlalchemy import event, func, select

from tests.checkin_helpers import start_checkin
from webapp.core.extensions import db
from webapp.core.models import AuditEvent


class Statements:
    """Every SQL statement the app sends while the block runs."""

    def __init__(self, app):
        with app.app_context():
            self.engine = db.engine
        self.sent: list[str] = []

    def _add(self, _conn, _cursor, statement, *_args):
        self.sent.append(" ".join(statement.split()))

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self._add)
        return self

    def __exit__(self, *_exc):
        event.remove(self.engine, "before_cursor_execute", self._add)

    def touching(self, table: str) -> list[str]:
        return [s for s in self.sent if re.search(rf'\bFROM "?{table}"?\b', s)]


def _audited(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(AuditEvent))


def _draft_at_step_one(client) -> str:
    draft = start_checkin(client)
    response = client.post_form(f"/checkin/{draft}/gebeurtenis", {"life_event": "geen"})
    assert response.status_code == 302
    assert client.get(f"/checkin/{draft}/stap/1").status_code == 200  # warm: templates compiled
    return draft


def test_a_step_get_loads_the_user_and_roles_once_and_the_draft_once(app, client, make_resident, login_as):
    resident = make_resident()
    login_as(client, resident["user"])
    draft = _draft_at_step_one(client)
    with Statements(app) as sql:
        assert client.get(f"/checkin/{draft}/stap/1").status_code == 200
    selects = [s for s in sql.sent if s.startswith("SELECT")]
    inserts = [s for s in sql.sent if s.startswith("INSERT")]
    assert len(sql.touching("user")) == 1, sql.sent  # user, roles and login session in one statement
    assert not [s for s in selects if re.search(r'FROM "?user_role"?', s)], "roles loaded on their own"
    assert len(sql.touching("draft")) == 1, sql.sent  # draft, resident and submitted check-in together
    assert len(selects) == 2 and len(inserts) == 1, sql.sent  # the audit row, no other write
    assert not [s for s in sql.sent if s.startswith("UPDATE")], "a read wrote something"


def test_a_step_get_writes_its_audit_row_in_the_one_commit(app, client, make_resident, login_as):
    resident = make_resident()
    login_as(client, resident["user"])
    draft = _draft_at_step_one(client)
    before = _audited(app)
    with Statements(app) as sql:
        assert client.get(f"/checkin/{draft}/stap/1").status_code == 200
    assert _audited(app) == before + 1
    # The INSERT is the last statement: sent with the commit, after the page was rendered.
    assert sql.sent[-1].startswith("INSERT INTO audit_event"), sql.sent


def test_an_empty_session_cookie_is_not_rewritten_on_every_read(app, client, make_resident, login_as):
    resident = make_resident()
    login_as(client, resident["user"])
    draft = _draft_at_step_one(client)
    client.get(f"/checkin/{draft}/stap/1")
    response = client.get(f"/checkin/{draft}/stap/1")
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers  # nothing in the session changed
