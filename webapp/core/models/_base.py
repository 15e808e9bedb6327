"""Column helpers shared by the models."""

import secrets
from datetime import UTC, datetime


def utcnow() -> datetime:
    """Return the current time, timezone-aware (callable default for *_at columns)."""
    return datetime.now(UTC)


def new_public_id() -> str:
    """Return a random id for URLs and logs; database ids never leave the server."""
    return secrets.token_urlsafe(12)


READ_ALOUD_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i; one case


def new_resident_number() -> str:
    """A resident's number, read out on the phone: 16 characters (about 79 bits) without look-alikes
    and without upper or lower case, shown in groups of four."""
    return "".join(secrets.choice(READ_ALOUD_ALPHABET) for _ in range(16))


def as_utc(value: datetime | None) -> datetime | None:
    """Attach UTC to datetimes that SQLite hands back naive."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)
