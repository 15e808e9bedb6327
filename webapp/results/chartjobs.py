"""Charts drawn after a check-in is sent, outside the request (issue 18).

Where a chart runner is set up (CHART_JOBS=1 and `flask draw-charts --follow` running beside the
app), sending a check-in adds a ChartJob in the same commit: "draw this check-in against the one
before, in the language it was sent in". The runner takes jobs, draws the chart the result page is
about to ask for, stores it (results.service.chart_svg, the same code and key as the chart route)
and deletes the job. The chart route itself still draws a chart that is not stored yet, so a runner
that is slow, stopped or not set up costs time, never a chart.

On PostgreSQL the runner is woken by NOTIFY at the sending request's commit (and looks every few
seconds besides), takes jobs with FOR UPDATE SKIP LOCKED, so runners on several nodes share the
work, and draws under the chart's advisory lock, so a result page asking at the same moment waits
for the runner's chart instead of drawing it again. On SQLite (one machine) it looks every second.

A runner that dies leaves its claim; after CLAIM_MINUTES another run takes the job over. A job
that failed MAX_ATTEMPTS times is dropped (the chart route will draw that chart when asked). Logs
name only job ids and counts, never a resident.
"""

import logging
import select as selectors
import threading
from dataclasses import dataclass, field
from datetime import timedelta

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import delete, or_, select, text, update

from webapp.core import audit, clock, history
from webapp.core.extensions import db
from webapp.core.models import ChartJob, Checkin, Resident
from webapp.core.models._base import as_utc
from webapp.results import service as results

log = logging.getLogger("veerkracht.charts")

CHANNEL = "veerkracht_charts"  # PostgreSQL NOTIFY channel: a job was added
CLAIM_MINUTES = 10  # a claim older than this was left by a runner that stopped
MAX_ATTEMPTS = 3
BATCH = 20


def enabled() -> bool:
    return bool(current_app.config.get("CHART_JOBS"))


def _postgres() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def enqueue(checkin: Checkin, locale: str) -> None:
    """After a check-in is sent: have the runner draw its chart (nothing when no runner is set up).
    Written in the request's own commit; a job that is already there is left as it is."""
    if not enabled():
        return
    exists = db.session.scalar(select(ChartJob.id).where(ChartJob.checkin_id == checkin.id, ChartJob.locale == locale))
    if exists is None:
        db.session.add(ChartJob(checkin_id=checkin.id, locale=locale))
        db.session.flush()
    if _postgres():
        db.session.execute(text(f"NOTIFY {CHANNEL}"))  # delivered when this transaction commits


@dataclass
class Report:
    drawn: int = 0
    stored_already: int = 0
    failed: int = 0
    dropped: int = 0
    errors: list[str] = field(default_factory=list)

    def line(self) -> str:
        return (f"Grafieken getekend: {self.drawn}, waren er al: {self.stored_already}, mislukt: {self.failed}, "
                f"opgegeven: {self.dropped}.")


def claim(limit: int = BATCH) -> list[int]:
    """Take up to `limit` jobs for this run and commit the claim, so no other run takes them."""
    stale = clock.now() - timedelta(minutes=CLAIM_MINUTES)
    query = (select(ChartJob.id).where(or_(ChartJob.claimed_at.is_(None), ChartJob.claimed_at < stale))
             .order_by(ChartJob.id).limit(limit))
    if _postgres():
        query = query.with_for_update(skip_locked=True)
    mine = []
    for job_id in db.session.scalars(query).all():
        # Conditional on the claim seen: on SQLite two runs may read the same job, one UPDATE wins.
        taken = db.session.execute(
            update(ChartJob)
            .where(ChartJob.id == job_id, or_(ChartJob.claimed_at.is_(None), ChartJob.claimed_at < stale))
            .values(claimed_at=clock.now(), attempts=ChartJob.attempts + 1)
            .execution_options(synchronize_session=False))
        if taken.rowcount == 1:
            mine.append(job_id)
    db.session.commit()
    return mine


def _draw(job: ChartJob, report: Report) -> None:
    checkin = db.session.get(Checkin, job.checkin_id)
    previous = history.previous_of(checkin)
    key = results.chart_key(checkin, previous, job.locale)
    if results.cached_chart(key) is not None:
        report.stored_already += 1
        return
    with force_locale(job.locale):
        results.chart_svg(checkin, previous, job.locale, key)
    # The answers were read by the app itself (no person, no address): audited like the reminder job.
    resident = db.session.get(Resident, checkin.resident_id)
    audit.record("chart.draw", resident, checkin)
    if previous is not None:
        audit.record("chart.draw", resident, previous)
    report.drawn += 1


def run_once(limit: int = BATCH) -> Report:
    """Draw every job there is now, `limit` at a time; each job in its own commit."""
    report = Report()
    while job_ids := claim(limit):
        for job_id in job_ids:
            job = db.session.get(ChartJob, job_id)
            if job is None:  # its check-in was erased meanwhile
                continue
            attempts = job.attempts
            try:
                _draw(job, report)
                db.session.execute(delete(ChartJob).where(ChartJob.id == job_id))
                db.session.commit()
            except Exception as error:  # noqa: BLE001 - one broken job must not stop the others
                db.session.rollback()
                report.failed += 1
                report.errors.append(f"job {job_id}: {type(error).__name__}")
                log.warning("chart job failed", extra={"job": job_id, "attempt": attempts,
                                                       "error": type(error).__name__})
                if attempts >= MAX_ATTEMPTS:
                    db.session.execute(delete(ChartJob).where(ChartJob.id == job_id))
                    db.session.commit()
                    report.dropped += 1
        if len(job_ids) < limit:
            break
    return report


def counts() -> dict[str, int]:
    """Jobs by state, for /metrics: wachtend (no runner took it yet: a number that keeps growing means no
    runner runs), bezig (a runner is drawing it) and blijft hangen (left by a runner that stopped; taken
    over at the next look)."""
    stale = clock.now() - timedelta(minutes=CLAIM_MINUTES)
    rows = db.session.execute(select(ChartJob.claimed_at)).scalars().all()
    out = {"wachtend": 0, "bezig": 0, "blijft hangen": 0}
    for claimed in rows:
        out["wachtend" if claimed is None else "bezig" if as_utc(claimed) >= stale else "blijft hangen"] += 1
    return out


def follow(stop: threading.Event, poll_seconds: float = 1.0, on_report=None) -> None:
    """Keep drawing until `stop` is set: wake on NOTIFY (PostgreSQL) or look every `poll_seconds`."""
    listener = _listen() if _postgres() else None
    try:
        while not stop.is_set():
            report = run_once()
            if on_report is not None and (report.drawn or report.failed or report.stored_already):
                on_report(report)
            db.session.remove()  # no connection or snapshot held while waiting
            _wait(listener, stop, poll_seconds if listener is None else max(poll_seconds, 5.0))
    finally:
        if listener is not None:
            listener.close()


def _listen():
    """A separate autocommit connection that LISTENs on the channel; detached from the pool, so it is
    closed at the end instead of going back to the pool in autocommit mode."""
    connection = db.engine.raw_connection()
    driver = connection.driver_connection
    connection.detach()
    driver.autocommit = True
    driver.execute(f"LISTEN {CHANNEL}")
    return driver


def _wait(listener, stop: threading.Event, seconds: float) -> None:
    if listener is None:
        stop.wait(seconds)
        return
    # Wake on a notification, or after `seconds` (also to see `stop`); then drain what arrived.
    ready, _w, _x = selectors.select([listener.fileno()], [], [], seconds)
    if ready:
        for _notice in listener.notifies(timeout=0, stop_after=100):
            pass
