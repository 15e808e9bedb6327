"""gunicorn reads this file from the working directory: start-up checks and Prometheus metrics with
several workers, no settings.

With PROMETHEUS_MULTIPROC_DIR set (an empty folder only Veerkracht writes to), every worker keeps its
numbers in files there and /metrics adds them up. The folder is emptied when gunicorn starts, and a
worker that stops is marked dead so its connection gauges stop counting.
"""

import os
from pathlib import Path


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
