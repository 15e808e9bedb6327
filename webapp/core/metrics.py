"""Prometheus metrics: how the service is doing, never about whom (labels are route names and codes).

With several gunicorn workers, set PROMETHEUS_MULTIPROC_DIR to an empty folder before gunicorn starts:
every worker then writes its numbers there and /metrics adds them up (gunicorn.conf.py cleans up).
"""

import os
from pathlib import Path

if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):  # the values live in files there: the folder must exist first
    Path(os.environ["PROMETHEUS_MULTIPROC_DIR"]).mkdir(parents=True, exist_ok=True)

from prometheus_client import (  # noqa: E402
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from sqlalchemy import event  # noqa: E402
from sqlalchemy.pool import Pool  # noqa: E402

MULTIPROCESS = bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))
CONTENT_TYPE = CONTENT_TYPE_LATEST

REQUESTS = Counter("veerkracht_http_requests", "HTTP requests by route name, method and status.",
                   ["endpoint", "method", "status"])
LATENCY = Histogram("veerkracht_http_request_duration_seconds", "Time to answer a request, by route name.",
                    ["endpoint"], buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10))
CHECKINS = Counter("veerkracht_checkins_submitted", "Finished check-ins, alone (zelf) or with a coach (samen).",
                   ["mode"])
CHARTS_DRAWN = Counter("veerkracht_charts_drawn", "Charts drawn, not taken from the database, by kind.", ["kind"])
DB_IN_USE = Gauge("veerkracht_db_connections_in_use", "Database connections checked out of the pool now.",
                  multiprocess_mode="livesum")
DB_CAPACITY = Gauge("veerkracht_db_pool_capacity", "Connections the pools may open (size + overflow).",
                    multiprocess_mode="livesum")


def record_request(endpoint: str | None, method: str, status: int, seconds: float) -> None:
    """Count one request; a URL that matched no route counts as endpoint 'none'."""
    name = endpoint or "none"
    REQUESTS.labels(endpoint=name, method=method, status=str(status)).inc()
    LATENCY.labels(endpoint=name).observe(seconds)


def record_checkin(mode: str) -> None:
    CHECKINS.labels(mode=str(mode)).inc()


def record_chart_drawn(kind: str) -> None:
    CHARTS_DRAWN.labels(kind=kind).inc()


def watch_pool(engine) -> None:
    """Add this engine's pool to the capacity (once per engine)."""
    pool = engine.pool
    if getattr(pool, "_veerkracht_watched", False):
        return
    pool._veerkracht_watched = True
    size = getattr(pool, "size", None)
    overflow = getattr(pool, "_max_overflow", 0)
    if callable(size):
        DB_CAPACITY.inc(size() + max(overflow, 0))


COUNTED = "veerkracht_in_use"  # a pool entry's record_info (kept across reconnects): counted as in use


@event.listens_for(Pool, "checkout")
def _checkout(_dbapi_connection, record, _proxy) -> None:
    # Once per checkout: a connection that fails its check on the way out (extensions.ping_after_idle)
    # is replaced within the same checkout, and the checkout event runs again for the new one.
    if not record.record_info.get(COUNTED):
        record.record_info[COUNTED] = True
        DB_IN_USE.inc()


@event.listens_for(Pool, "checkin")
def _checkin(_dbapi_connection, record) -> None:
    if record.record_info.pop(COUNTED, False):
        DB_IN_USE.dec()


def render() -> bytes:
    """The metrics in Prometheus' text format (summed over the workers in multiprocess mode)."""
    if MULTIPROCESS:
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry)
    return generate_latest(REGISTRY)


class _Fixed:
    """A collector that hands out families built from the database at scrape time."""

    def __init__(self, families):
        self._families = families

    def collect(self):
        return iter(self._families)


def render_counts(name: str, documentation: str, label: str, counts: dict[str, int]) -> bytes:
    """A gauge per label value, counted in the database just now (so the cron job's mails, sent by
    another process, show too; every worker answers the same)."""
    from prometheus_client.core import GaugeMetricFamily

    family = GaugeMetricFamily(name, documentation, labels=[label])
    for key, value in sorted(counts.items()):
        family.add_metric([key], value)
    registry = CollectorRegistry()
    registry.register(_Fixed([family]))
    return generate_latest(registry)
