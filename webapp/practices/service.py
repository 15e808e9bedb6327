"""Practices that refer through the public referral link: made, renewed and switched off by the beheerder.

A practice code is like a password: 16 characters from the read-off alphabet (31^16, about 2^79), shown
once when made or renewed; only its SHA-256 is kept. Looking a code up compares its hash with every active
practice's in constant time, so the answer takes as long whichever practice (or none) it belongs to.
"""

import hmac

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from webapp.accounts import service as people
from webapp.core import audit, clock
from webapp.core.extensions import db
from webapp.core.labels import WorPracticeKind
from webapp.core.models import WorPractice
from webapp.core.transactions import savepoint

CODE_GROUPS = 4  # ABCD-EFGH-JKMN-PQRS
CODE_LENGTH = 4 * CODE_GROUPS


class PracticeError(ValueError):
    """A change that is not possible; str() names the problem (see labels.PROBLEMS)."""


def practices() -> list[WorPractice]:
    """Every practice, by name, switched off ones too."""
    return list(db.session.scalars(select(WorPractice).order_by(func.lower(WorPractice.name), WorPractice.id)))


def create(name: str, kind: str) -> tuple[WorPractice, str]:
    """A new practice with its code (returned once, never stored); PracticeError when the name is taken."""
    name = name.strip()[:100]
    if kind not in WorPracticeKind.values():
        raise PracticeError("kind")
    if db.session.scalar(select(WorPractice.id).where(func.lower(WorPractice.name) == name.lower())) is not None:
        raise PracticeError("name_taken")
    code, now = people.new_code(CODE_GROUPS), clock.now()
    practice = WorPractice(name=name, kind=kind, code_hash=people.hash_code(code), code_set_at=now,
                           is_active=True, created_at=now)
    try:
        with savepoint():  # a simultaneous request took the name since the check
            db.session.add(practice)
            db.session.flush()
    except IntegrityError as error:
        raise PracticeError("name_taken") from error
    audit.record("wor.practice_create", None, practice)
    return practice, code


def renew_code(practice: WorPractice) -> str:
    """A new code for the practice (returned once); the old one stops working at once."""
    code = people.new_code(CODE_GROUPS)
    practice.code_hash, practice.code_set_at = people.hash_code(code), clock.now()
    db.session.flush()
    audit.record("wor.practice_code", None, practice)
    return code


def set_active(practice: WorPractice, active: bool) -> None:
    """Switch the practice's code on or off; its referrals stay as they are."""
    if practice.is_active == active:
        return
    practice.is_active = active
    db.session.flush()
    audit.record("wor.practice_on" if active else "wor.practice_off", None, practice)


def by_code(typed: str | None) -> WorPractice | None:
    """The active practice whose code this is (typed with or without dashes, spaces, capitals); else None."""
    normalised = people.normalise_code(typed or "")
    if len(normalised) != CODE_LENGTH:
        return None  # the length is no secret: every code has 16 characters
    wanted, found = people.hash_code(normalised), None
    for practice_id, code_hash in db.session.execute(
            select(WorPractice.id, WorPractice.code_hash).where(WorPractice.is_active.is_(True))):
        if hmac.compare_digest(code_hash, wanted):  # no early exit: every active practice is compared
            found = practice_id
    return db.session.get(WorPractice, found) if found is not None else None
