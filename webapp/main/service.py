"""The health check's one question to the database."""

from sqlalchemy import text

from webapp.core.extensions import db


def database_reachable() -> bool:
    """Whether the database answers; any failure to reach it means "not healthy"."""
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # noqa: BLE001 - whatever the driver raises, the answer is "no"
        db.session.rollback()
        return False
    return True
