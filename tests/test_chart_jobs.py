"""Charts drawn after a check-in is sent, outside the request (issue 18): `flask draw-charts`."""

import re
import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from tests.checkin_helpers import complete_checkin
from tests.conftest import all_answers
from webapp.core import clock
from webapp.core.extensions import db
from webapp.core.models import AuditEvent, ChartImage, ChartJob, Checkin
from webapp.results import chartjobs
from webapp.results import service as results


@pytest.fixture
def runner_set_up(app, monkeypatch):
    monkeypatch.setitem(app.config, "CHART_JOBS", True)


def _count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def _resident_with_earlier_checkin(client, make_resident, make_checkin, kort_items, login_as):
    resident = make_resident()
    login_as(client, resident["user"])
    make_checkin(resident["resident"], all_answers(kort_items, 4), days_ago=30)
    return resident


def _run(app, *args) -> str:
    result = app.test_cli_runner().invoke(args=["draw-charts", *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_without_a_runner_sending_leaves_no_job(app, client, make_resident, make_checkin, kort_items, login_as):
    _resident_with_earlier_checkin(client, make_resident, make_checkin, kort_items, login_as)
    complete_checkin(client, kort_items)
    assert _count(app, ChartJob) == 0


def test_sending_twice_leaves_one_job_in_the_senders_language(
        app, client, make_resident, make_checkin, kort_items, login_as, runner_set_up):
    _resident_with_earlier_checkin(client, make_resident, make_checkin, kort_items, login_as)
    client.post_form("/taal", {"lang": "en", "next": "/"})
    draft = client.post_form("/checkin/start").location.split("/")[2]
    from tests.checkin_helpers import answer_steps

    answer_steps(client, draft, kort_items)
    first = client.post_form(f"/checkin/{draft}/versturen")
    again = client.post_form(f"/checkin/{draft}/versturen")  # a double tap
    assert first.status_code == again.status_code == 302
    with app.app_context():
        jobs = db.session.scalars(select(ChartJob)).all()
        assert [(job.locale, job.claimed_at) for job in jobs] == [("en", None)]


def test_the_runner_draws_the_chart_the_result_page_asks_for(
        app, client, make_resident, make_checkin, kort_items, login_as, runner_set_up, monkeypatch):
    resident = _resident_with_earlier_checkin(client, make_resident, make_checkin, kort_items, login_as)
    checkin_id = complete_checkin(client, kort_items)
    assert "Grafieken getekend: 1," in _run(app)
    assert _count(app, ChartJob) == 0 and _count(app, ChartImage) == 1
    with app.app_context():
        drawn_by_job = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "chart.draw")).all()
        assert {e.resident_public_id for e in drawn_by_job} == {resident["resident"]}
        assert all(e.actor_public_id is None and e.ip is None for e in drawn_by_job)

    def no_drawing(*args, **kwargs):
        raise AssertionError("the chart should have been stored by the runner")

    monkeypatch.setattr(results, "spider_svg", no_drawing)
    page = client.get(f"/uitslag/{checkin_id}").get_data(as_text=True)
    chart_url = re.search(r'src="(/grafiek/[^"]+)"', page).group(1).replace("&amp;", "&")
    chart = client.get(chart_url)
    assert chart.status_code == 200 and chart.mimetype == "image/svg+xml"
    assert "Lichaam" in chart.get_data(as_text=True)
    assert "Grafieken getekend: 0," in _run(app)  # nothing left


def test_a_claimed_job_waits_and_a_stale_claim_is_taken_over(
        app, client, make_resident, make_checkin, kort_items, login_as, runner_set_up):
    _resident_with_earlier_checkin(client, make_resident, make_checkin, kort_items, login_as)
    complete_checkin(client, kort_items)
    with app.app_context():
        db.session.execute(update(ChartJob).values(claimed_at=clock.now() - timedelta(minutes=1), attempts=1))
        db.session.commit()
    assert "Grafieken getekend: 0," in _run(app)  # another runner is drawing it
    assert _count(app, ChartJob) == 1
    with app.app_context():
        db.session.execute(update(ChartJob).values(
            claimed_at=clock.now() - timedelta(minutes=chartjobs.CLAIM_MINUTES + 1)))
        db.session.commit()
    assert "Grafieken getekend: 1," in _run(app)  # that runner died: taken over
    assert _count(app, ChartJob) == 0


def test_a_failing_job_is_retried_then_given_up_without_naming_the_resident(
        app, client, make_resident, make_checkin, kort_items, login_as, runner_set_up, monkeypatch, caplog):
    resident = _resident_with_earlier_checkin(client, make_resident, make_checkin, kort_items, login_as)
    complete_checkin(client, kort_items)

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(results, "chart_svg", broken)
    for attempt in range(1, chartjobs.MAX_ATTEMPTS + 1):
        output = _run(app)
        assert "mislukt: 1" in output
        with app.app_context():
            left = db.session.scalars(select(ChartJob)).all()
            if attempt < chartjobs.MAX_ATTEMPTS:
                assert [job.attempts for job in left] == [attempt]
                db.session.execute(update(ChartJob).values(claimed_at=clock.now() - timedelta(hours=1)))
                db.session.commit()
            else:
                assert left == [] and "opgegeven: 1" in output
    assert _count(app, ChartImage) == 0  # the result page will draw it when asked
    assert resident["resident"] not in caplog.text and "chart job failed" in caplog.text


def test_erasing_the_checkin_takes_its_job_along(
        app, client, make_resident, make_checkin, kort_items, login_as, runner_set_up):
    _resident_with_earlier_checkin(client, make_resident, make_checkin, kort_items, login_as)
    checkin_id = complete_checkin(client, kort_items)
    with app.app_context():
        db.session.delete(db.session.scalar(select(Checkin).where(Checkin.public_id == checkin_id)))
        db.session.commit()
    assert _count(app, ChartJob) == 0


def test_two_runners_at_once_draw_every_chart_once(app, make_resident, make_checkin, kort_items, runner_set_up,
                                                   monkeypatch):
    latest = []
    for number in range(6):
        resident = make_resident(f"parallel{number}")
        make_checkin(resident["resident"], all_answers(kort_items, 3), days_ago=20)
        latest.append(make_checkin(resident["resident"], all_answers(kort_items, 8)))
    with app.test_request_context():
        for checkin in db.session.scalars(select(Checkin).where(Checkin.public_id.in_(latest))):
            chartjobs.enqueue(checkin, "nl")
        db.session.commit()
    drawn, lock = [], threading.Lock()
    real = results.spider_svg

    def counting(*args, **kwargs):
        with lock:
            drawn.append(kwargs.get("current_label"))
        time.sleep(0.05)  # long enough for the runners to overlap
        return real(*args, **kwargs)

    monkeypatch.setattr(results, "spider_svg", counting)
    reports = []

    def runner():
        with app.app_context():
            reports.append(chartjobs.run_once(limit=2))
            db.session.remove()

    threads = [threading.Thread(target=runner) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sum(r.drawn + r.stored_already for r in reports) == 6 and sum(r.failed for r in reports) == 0
    assert len(drawn) == 6
    assert _count(app, ChartImage) == 6 and _count(app, ChartJob) == 0


def test_following_draws_a_chart_soon_after_it_is_sent(
        app, client, make_resident, make_checkin, kort_items, login_as, runner_set_up):
    """On PostgreSQL the runner is woken by NOTIFY (it would otherwise look only every 5 seconds)."""
    _resident_with_earlier_checkin(client, make_resident, make_checkin, kort_items, login_as)
    stop = threading.Event()
    reports = []

    def follow():
        with app.app_context():
            chartjobs.follow(stop, poll_seconds=0.2, on_report=reports.append)
            db.session.remove()

    thread = threading.Thread(target=follow)
    thread.start()
    try:
        time.sleep(0.5)  # listening
        sent = time.monotonic()
        complete_checkin(client, kort_items)
        while _count(app, ChartImage) == 0 and time.monotonic() - sent < 10:
            time.sleep(0.05)
        waited = time.monotonic() - sent
    finally:
        stop.set()
        thread.join(15)
    assert not thread.is_alive()
    assert _count(app, ChartImage) == 1 and _count(app, ChartJob) == 0
    assert waited < 3.0, f"drawn {waited:.1f} s after sending"
    assert sum(r.drawn for r in reports) == 1
    # The runner's listening connection (autocommit) was closed, not put back into the pool: every
    # pooled connection still runs in transactions (a SAVEPOINT fails outside one).
    with app.app_context():
        pooled = [db.engine.connect() for _ in range(max(1, db.engine.pool.checkedin()))]
        try:
            for connection in pooled:
                with connection.begin():
                    connection.begin_nested().rollback()
        finally:
            for connection in pooled:
                connection.close()


def test_metrics_show_how_many_charts_wait_for_the_runner(
        app, client, make_resident, make_checkin, kort_items, login_as, runner_set_up):
    from tests.test_metrics import BEARER, _families

    def states() -> dict[str, float]:
        family = _families(client.get("/metrics", headers=BEARER))["veerkracht_chart_jobs"]
        return {sample.labels["state"]: sample.value for sample in family.samples}

    _resident_with_earlier_checkin(client, make_resident, make_checkin, kort_items, login_as)
    complete_checkin(client, kort_items)
    complete_checkin(client, kort_items)
    assert states() == {"wachtend": 2, "bezig": 0, "blijft hangen": 0}
    with app.app_context():
        first, second = db.session.scalars(select(ChartJob).order_by(ChartJob.id)).all()
        first.claimed_at = clock.now()
        second.claimed_at = clock.now() - timedelta(minutes=chartjobs.CLAIM_MINUTES + 1)
        db.session.commit()
    assert states() == {"wachtend": 0, "bezig": 1, "blijft hangen": 1}
    _run(app)
    assert states() == {"wachtend": 0, "bezig": 1, "blijft hangen": 0}
