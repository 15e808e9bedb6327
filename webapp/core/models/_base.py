"""Column helpers shared by the models."""

import secrets
from datetime import UTC, datetime


def utcnow() -> datetime:
    """Return the current time, timezone-aware (callable default for *_at columns)."""
    return datetime.now(UTC)


def new_public_id() -> str:
    """Return a random id for URLs and logs; database ids never leave the server."""
    return secrets.token_urlsafe(12)


def as_utc(value: datetime | None) -> datetime | None:
    """Attach UTC to datetimes that SQLite hands back naive."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)
