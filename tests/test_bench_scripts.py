"""The benchmark scripts' own pages still work against today's app: a bench that breaks fails here,
in CI, and not on the day someone wants its figures."""

from pathlib import Path

import pytest

from tests.conftest import all_answers
from webapp import create_app
from webapp.core.extensions import db


@pytest.fixture
def bench_app(app):
    """An app of its own on the test database: the bench adds a route, which the shared app,
    having served requests already, no longer takes."""
    own = create_app(dict(app.config))
    own.test_client_class = app.test_client_class
    yield own
    with own.app_context():
        db.session.remove()
        db.engine.dispose()


def test_the_caseload_benchmarks_baseline_lists_the_same_residents_as_the_page(
        bench_app, login_as, make_staff, make_resident, make_checkin, kort_items, monkeypatch):
    monkeypatch.syspath_prepend(str(Path(__file__).parents[1] / "bench"))
    from bench.bench_caseload import BASELINE_URL, PAGE_URL, add_baseline

    add_baseline(bench_app)
    client = bench_app.test_client()
    residents = [make_resident()["resident"] for _ in range(3)]
    for public_id in residents:
        make_checkin(public_id, all_answers(kort_items, 6), days_ago=250)
        make_checkin(public_id, all_answers(kort_items, 3), days_ago=200)  # long overdue: "te laat"
    coach = make_staff(share_with=tuple(residents))
    login_as(client, coach["user"])
    for url in (PAGE_URL, BASELINE_URL, BASELINE_URL + "?aandacht=te_laat&sorteer=volgende"):
        response = client.get(url)
        assert response.status_code == 200, url
        page = response.get_data(as_text=True)
        assert all(f"/coach/bewoner/{public_id}" in page for public_id in residents), url


def test_the_http_benchmarks_own_pages_and_floors_answer(app, make_resident, login_as, monkeypatch):
    """bench/wsgi_bench.py, as gunicorn serves it for bench_http.py: hello, the app's bench pages and
    the three floors answer a logged-in resident, and the audit floor writes its row."""
    import importlib
    import sys

    from sqlalchemy import func, select
    from werkzeug.test import Client

    from webapp.core.extensions import limiter
    from webapp.core.models import AuditEvent

    monkeypatch.setenv("DATABASE_URL", app.config["SQLALCHEMY_DATABASE_URI"])
    monkeypatch.setenv("SECRET_KEY", app.config["SECRET_KEY"])
    monkeypatch.setattr(limiter, "enabled", limiter.enabled)  # create_app() again: one limiter per process
    sys.modules.pop("bench.wsgi_bench", None)
    wsgi_bench = importlib.import_module("bench.wsgi_bench")
    try:
        resident = make_resident()
        browser = app.test_client()
        login_as(browser, resident["user"])
        cookie = f"session={browser.get_cookie('session').value}"
        bench = Client(wsgi_bench.app, use_cookies=False)

        def count_floor_rows() -> int:
            with app.app_context():
                return db.session.scalar(select(func.count()).where(AuditEvent.action == "bench.floor"))

        before = count_floor_rows()
        for path in ("/bench/hello", "/bench/floor/cookie", "/bench/floor/query", "/bench/floor/audit",
                     "/bench/hooks", "/bench/empty"):
            response = bench.get(path, headers={"Cookie": cookie})
            assert response.status_code == 200, path
        assert bench.get("/bench/floor/audit", headers={"Cookie": cookie}).get_data(as_text=True) == "hello"
        assert count_floor_rows() == before + 2
        assert bench.get("/bench/floor/query").status_code == 401  # no session: no floor either
        assert bench.get("/bench/floor/query", headers={"Cookie": "session=vervalst"}).status_code == 401
    finally:
        wsgi_bench._engine.dispose()
        with wsgi_bench.veerkracht.app_context():
            db.session.remove()
            db.engine.dispose()
        sys.modules.pop("bench.wsgi_bench", None)


def test_the_http_benchmark_table_gives_each_page_against_hello_and_against_its_floor(monkeypatch, capsys):
    monkeypatch.syspath_prepend(str(Path(__file__).parents[1] / "bench"))
    from bench.bench_http import FLOOR_OF, TARGETS, print_rounds
    from bench.harness import Result

    def result(name: str, rate: int, p95_ms: float = 10.0) -> Result:
        return Result(name, rate, latencies=[p95_ms / 1000] * rate, wall=1.0)

    rates = {"hello": 6000, "floor: + query": 3000, "floor: + audit": 1200, "empty page": 1500,
             "step GET": 720, "step POST (save)": 600, "chart cached": 600}
    results = [result(name, rate) for name, rate in rates.items()]
    missed = print_rounds(results, {r.name: [r] for r in results})
    rows = {line.split("  ")[0].strip(): line for line in capsys.readouterr().out.splitlines()}
    assert set(FLOOR_OF) >= set(TARGETS)  # every page with a target names its floor
    assert "0.50x" in rows["empty page"].split()  # 1500 / 3000 against '+ query'
    assert "0.60x" in rows["step GET"].split() and "0.12x" in rows["step GET"].split()  # 720 / 1200, 720 / 6000
    assert "0.50x" in rows["step POST (save)"].split()  # 600 / 1200
    assert missed == ["empty page", "chart cached"]  # 0.25x < 0.6x; 0.10x < 0.3x; the steps reach theirs
