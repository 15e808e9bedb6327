"""Password hashing with argon2, and the list of passwords too common to allow."""

import gzip
from functools import cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()
MIN_LENGTH = 10
# Checked against so that a failed login for an unknown name costs as much as a real one.
_DUMMY_HASH = _hasher.hash("veerkracht-dummy-password")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    """Check a password; takes the same time whether or not the account exists."""
    try:
        return _hasher.verify(stored_hash or _DUMMY_HASH, password) and stored_hash is not None
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
