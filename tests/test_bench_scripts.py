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
