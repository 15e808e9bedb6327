"""The second factor as plain values: TOTP secrets and codes (RFC 6238, 30 s steps), recovery codes."""

import hashlib
import secrets
from datetime import datetime, timedelta

import pyotp
import segno

ISSUER = "Veerkracht"
# Every way to log in (password, second step, passkey) is throttled per address; the password also
# per account *and* address (a stranger elsewhere cannot lock the owner out), and per account alone
# it slows down instead (see login_delay).
LOGIN_LIMIT_PER_IP = "30 per 15 minutes"
LOGIN_LIMIT_PER_ACCOUNT = "10 per 15 minutes"
FREE_FAILURES = 5          # wrong passwords for one account before it slows down
MAX_DELAY_SECONDS = 300    # the wait never grows beyond five minutes
FAILURE_MEMORY_SECONDS = 3600
WINDOW = 1  # accept the step before and after: a phone's clock may be 30 seconds off
RECOVERY_CODES = 10
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: read off paper


def login_delay(failures: int) -> int:
    """Seconds to wait before the next password for an account after this many wrong ones: none at
    first, then 2, 4, 8 ... up to five minutes. Slowing down, never a lock: the owner still gets in,
    and at once on a device where they logged in before."""
    if failures < FREE_FAILURES:
        return 0
    return min(2 ** (failures - FREE_FAILURES + 1), MAX_DELAY_SECONDS)


def new_secret() -> str:
    """A fresh base32 TOTP secret (160 bits)."""
    return pyotp.random_base32(32)


def grouped_secret(secret: str) -> str:
    """The secret in groups of four, to type into an app that cannot scan the QR code."""
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


def provisioning_uri(secret: str, username: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=ISSUER)


def qr_data_uri(uri: str) -> str:
    """The otpauth URI as an SVG QR code in a data: URI for an <img> (no external service, no script)."""
    return segno.make(uri, error="m").svg_data_uri(scale=5, dark="#1b1b1b", light="#ffffff")


def matching_step(secret: str, code: str, moment: datetime, last_step: int | None) -> int | None:
    """The time step a six-digit code belongs to, or None: wrong, outside the window, or a replay of
    a step already used (a code works once)."""
    digits = "".join(code.split())
    if len(digits) != 6 or not digits.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    now_step = totp.timecode(moment)
    for offset in range(-WINDOW, WINDOW + 1):
        step = now_step + offset
        if secrets.compare_digest(totp.generate_otp(step), digits) and (last_step is None or step > last_step):
            return step
    return None


def new_recovery_codes() -> list[str]:
    """Ten one-time recovery codes like 'k7pq-2mzx'."""
    return ["-".join("".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(4)) for _ in range(2))
            for _ in range(RECOVERY_CODES)]


def hash_recovery_code(code: str) -> str:
    """Recovery codes are stored hashed, case and spaces and dashes ignored."""
    normal = "".join(ch for ch in code.lower() if ch.isalnum())
    return hashlib.sha256(normal.encode()).hexdigest()


# Ending a coach relation. Who ended it decides whether it can be undone: only a coach who closed
# it themselves, for 30 days (a slip of the finger, a resident who comes back after all). A resident
# who stopped sharing, or a move to another coach, is never undone by the coach.
ENDED_BY_COACH, ENDED_BY_RESIDENT, ENDED_BY_MOVE = "coach", "bewoner", "overgedragen"
UNDO_DAYS = 30


def undo_deadline(ended_at: datetime) -> datetime:
    """The last moment at which a closed relation can still be undone."""
    return ended_at + timedelta(days=UNDO_DAYS)


def can_undo_close(ended_at: datetime | None, ended_by: str | None, closed_by_this_coach: bool,
                   now: datetime) -> bool:
    """Whether this coach may take up again a relation they closed: their own, within 30 days."""
    return (ended_at is not None and ended_by == ENDED_BY_COACH and closed_by_this_coach
            and now <= undo_deadline(ended_at))
