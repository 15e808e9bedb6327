"""gunicorn reads this file from the working directory: start-up checks, Prometheus metrics with
several workers, and a frozen heap before each fork; no settings.

With --preload the app (Flask, SQLAlchemy, matplotlib, the questionnaires) is loaded once in the
master. `gc.freeze()` before each fork moves those objects out of the garbage collector's reach:
a worker's collections no longer touch (and so copy) the shared pages, and they run shorter.

With PROMETHEUS_MULTIPROC_DIR set (an empty folder only Veerkracht writes to), every worker keeps its
numbers in files there and /metrics adds them up. The folder is emptied when gunicorn starts, and a
worker that stops is marked dead so its connection gauges stop counting.
"""

import gc
import os
from pathlib import Path

# The app in gunicorn only serves requests: it leaves out what only `flask` commands need (webapp/__init__.py).
os.environ.setdefault("VEERKRACHT_WEB_WORKER", "1")


def on_starting(server):
    """Warn when several workers would each count rate limits in their own memory (no REDIS_URL);
    empty the metrics folder."""
    from webapp.config import per_worker_limits_warning

    warning = per_worker_limits_warning(server.cfg.workers, os.environ.get("REDIS_URL") or "memory://")
    if warning:
        server.log.warning(warning)
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        for stale in Path(folder).glob("*.db"):
            stale.unlink()


def child_exit(server, worker):
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)


def pre_fork(server, worker):
    """Freeze what the master loaded, so workers share it instead of copying it on the first collection."""
    gc.collect()
    gc.freeze()
