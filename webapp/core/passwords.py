"""Password hashing with argon2, and the list of passwords too common to allow."""

import gzip
from functools import cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app, has_app_context

MIN_LENGTH = 10
# argon2-cffi's defaults, RFC 9106's low-memory profile: about 150-250 ms a hash on these machines.
PRODUCTION_ARGON2 = {"time_cost": 3, "memory_cost": 65536, "parallelism": 4}


@cache
def _hasher_for(time_cost: int, memory_cost: int, parallelism: int) -> tuple[PasswordHasher, str]:
    hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_cost, parallelism=parallelism)
    # Checked against so that a failed login for an unknown name costs as much as a real one.
    return hasher, hasher.hash("veerkracht-dummy-password")


def _hasher() -> tuple[PasswordHasher, str]:
    """The hasher for ARGON2 in the app's config: production's parameters unless a test sets cheap ones."""
    parameters = current_app.config.get("ARGON2", PRODUCTION_ARGON2) if has_app_context() else PRODUCTION_ARGON2
    return _hasher_for(**parameters)


def hash_password(password: str) -> str:
    return _hasher()[0].hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    """Check a password; takes the same time whether or not the account exists."""
    hasher, dummy = _hasher()
    try:
        return hasher.verify(stored_hash or dummy, password) and stored_hash is not None
    except (VerificationError, InvalidHashError):
        return False


@cache
def _common_passwords() -> frozenset[str]:
    data = Path(__file__).resolve().parent.parent / "data"
    with gzip.open(data / "common-passwords.txt.gz", "rt", encoding="utf-8") as handle:
        words = {line.strip().lower() for line in handle if line.strip()}
    for line in (data / "common-passwords-nl.txt").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            words.add(line.strip().lower())
    return frozenset(words)


def is_common(password: str) -> bool:
    """True for passwords on the shipped list of much-used passwords (checked offline)."""
    return password.strip().lower() in _common_passwords()
