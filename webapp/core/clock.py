"""The current time, replaceable in tests (app.config["CLOCK"]) so timeouts need no sleeps."""

from datetime import UTC, datetime

from flask import current_app, has_app_context


def now() -> datetime:
    """Return the current time (timezone-aware)."""
    clock = current_app.config.get("CLOCK") if has_app_context() else None
    return clock() if clock else datetime.now(UTC)
