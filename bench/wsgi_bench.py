"""WSGI entry point for the HTTP benchmark: the real app plus a bare 'hello' route as the ceiling.

Served by bench/bench_http.py and bench/bench_caseload.py as `gunicorn bench.wsgi_bench:app`
(see start_gunicorn in bench/harness.py). Configured through the environment (DATABASE_URL,
SECRET_KEY), exactly like a production start. The /bench/hello route exists only here, never
in webapp itself.
"""

from flask import Response

from webapp import create_app

app = create_app()


@app.get("/bench/hello")
def bench_hello() -> Response:
    """The cheapest possible Flask response on the same server: the ceiling for the other scenarios."""
    return Response("hello", mimetype="text/plain")
