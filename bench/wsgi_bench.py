"""WSGI entry point for the HTTP benchmark: the real app, a pure Flask 'hello' beside it as the
ceiling, and one bench-only page inside the app.

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
"""

from flask import Flask, Response, render_template
from flask_login import login_required

from webapp import create_app

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


def app(environ, start_response):
    """Send /bench/hello to the pure Flask app and everything else to Veerkracht."""
    if environ.get("PATH_INFO") == "/bench/hello":
        return pure(environ, start_response)
    return veerkracht(environ, start_response)
