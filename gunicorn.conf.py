"""gunicorn reads this file from the working directory: it adds a start-up check, no settings."""

import os


def on_starting(server):
    """Warn when several workers would each count rate limits in their own memory (no REDIS_URL)."""
    from webapp.config import per_worker_limits_warning

    warning = per_worker_limits_warning(server.cfg.workers, os.environ.get("REDIS_URL") or "memory://")
    if warning:
        server.log.warning(warning)
