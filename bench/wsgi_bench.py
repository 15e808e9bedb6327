"""WSGI entry point for the HTTP benchmark: the real app, a pure Flask 'hello' beside it as the
ceiling, bench-only pages inside the app, and the floors of a logged-in, audited request.

Served by bench/bench_http.py and bench/bench_caseload.py as `gunicorn bench.wsgi_bench:app`
(see start_gunicorn in bench/harness.py). Configured through the environment (DATABASE_URL,
SECRET_KEY), exactly like a production start. Neither bench route exists in webapp itself:

- `/bench/hello` is answered by a separate, bare Flask app in the same gunicorn workers: no
  hooks, no session, no database. It is the ceiling every ratio is measured against.
- `/bench/empty` is inside Veerkracht: it needs a login, so it runs the app's own hooks (the
  session and its LoginSession, the user and roles, the security headers, the request log, the
  one commit) and renders base.html with nothing in it. What it costs is the app's floor.
- `/bench/hooks` is the same without base.html: a logged-in plain-text answer. The difference
  between the two is what the page layout costs.
- `/bench/floor/cookie`, `/bench/floor/query` and `/bench/floor/audit` are a second bare Flask app:
  what any Flask app must do at least for a page of this product, one step more each. It reads the
  app's signed session cookie (cookie); then finds the LoginSession and its user in one indexed
  SELECT with SQLAlchemy Core, no ORM (query); then also writes one audit row and commits it,
  durably, as every read of a resident's data must (audit). It answers "hello". No ratio of a
  real page can be better than the floor of what that page must do.
"""

import hashlib
import os
from datetime import UTC, datetime

from flask import Flask, Response, render_template, session
from flask_login import login_required
from sqlalchemy import bindparam, create_engine, insert, select

from webapp import create_app
from webapp.core.models import AuditEvent, LoginSession, User
from webapp.core.security import SESSION_KEY

veerkracht = create_app()


@veerkracht.get("/bench/empty")
@login_required
def bench_empty() -> str:
    """The app's own empty logged-in page: every per-request cost, and no feature's work."""
    return render_template("base.html")


@veerkracht.get("/bench/hooks")
@login_required
def bench_hooks() -> Response:
    """Every per-request cost of a logged-in page, without a template."""
    return Response("leeg", mimetype="text/plain")


pure = Flask("pure_hello")


@pure.get("/bench/hello")
def bench_hello() -> Response:
    """The cheapest possible Flask response on the same server: the ceiling for the other scenarios."""
    return Response("hello", mimetype="text/plain")


floor = Flask("floor")
floor.secret_key = veerkracht.secret_key
floor.session_interface = veerkracht.session_interface
# The app's cookie settings, so that the floor reads the cookie as the app does and, like the app, does
# not sign and send it again on every answer (SESSION_REFRESH_EACH_REQUEST is off there).
floor.config.update({key: value for key, value in veerkracht.config.items()
                     if key.startswith("SESSION_") or key == "PERMANENT_SESSION_LIFETIME"})
_engine = create_engine(os.environ.get("DATABASE_URL") or veerkracht.config["SQLALCHEMY_DATABASE_URI"])
_users, _sessions = User.__table__, LoginSession.__table__
_USER = (
    select(_users.c.public_id, _users.c.role)
    .join(_sessions, _sessions.c.user_id == _users.c.id)
    .where(_sessions.c.token_hash == bindparam("token_hash"), _users.c.public_id == bindparam("public_id"))
)


@floor.get("/bench/floor/<step>")
def floor_page(step: str) -> Response:
    token, user_id = session.get(SESSION_KEY), session.get("_user_id")
    if not isinstance(token, str):
        return Response("no session", status=401)
    if step == "cookie":
        return Response("hello", mimetype="text/plain")
    with _engine.begin() as connection:
        row = connection.execute(_USER, {"token_hash": hashlib.sha256(token.encode()).hexdigest(),
                                         "public_id": user_id}).first()
        if row is None:
            return Response("no user", status=401)
        if step == "audit":
            connection.execute(insert(AuditEvent.__table__), {
                "at": datetime.now(UTC), "actor_public_id": row.public_id, "actor_role": row.role,
                "action": "bench.floor", "ip": "127.0.0.1", "user_agent": "bench"})
    return Response("hello", mimetype="text/plain")


def app(environ, start_response):
    """Send /bench/hello to the pure Flask app, the floors to theirs, everything else to Veerkracht."""
    path = environ.get("PATH_INFO", "")
    if path == "/bench/hello":
        return pure(environ, start_response)
    if path.startswith("/bench/floor/"):
        return floor(environ, start_response)
    return veerkracht(environ, start_response)
