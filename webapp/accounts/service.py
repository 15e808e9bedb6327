"""Accounts, coach relations, enrolment, activation codes and sharing."""

import hashlib
import math
import secrets
import time
from datetime import date, timedelta

from flask import current_app
from flask_babel import gettext
from itsdangerous import BadData
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from webapp.accounts import rules
from webapp.core import audit, clock, mail
from webapp.core.extensions import db, limiter
from webapp.core.labels import COACH_ROLES, CodePurpose, ConsentMethod, RelationOrigin, Role
from webapp.core.models import (
    ActivationCode,
    AuditEvent,
    CoachRelation,
    RecoveryCode,
    Resident,
    StaffResetCode,
    User,
    UserRole,
    WorReferral,
)
from webapp.core.models._base import as_utc
from webapp.core.passwords import hash_password
from webapp.core.permissions import active_relation
from webapp.core.privacy import MIN_GROUP
from webapp.core.security import end_all_sessions
from webapp.core.tokens import serializer as _serializer
from webapp.core.transactions import savepoint

# No 0/O, 1/I/L: codes are read off paper and typed by older residents.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


class CodeError(ValueError):
    """A code did not match, was used already or expired (one message for all three)."""


class UsernameTaken(ValueError):
    """Another request took this username between the check and the insert."""


def new_code(groups: int) -> str:
    """A random code of `groups` groups of four from the read-off alphabet, e.g. "ABCD-EFGH"."""
    return "-".join("".join(secrets.choice(CODE_ALPHABET) for _ in range(4)) for _ in range(groups))


def normalise_code(code: str) -> str:
    """Accept codes typed with spaces, dashes or lower case."""
    return "".join(ch for ch in code.upper() if ch in CODE_ALPHABET)


def hash_code(code: str) -> str:
    """The stored form of a code: only its hash is kept, whatever spaces or case it was typed with."""
    return hashlib.sha256(normalise_code(code).encode()).hexdigest()


def by_username(username: str) -> User | None:
    """The account with this name, whatever its capitals (names are stored in lower case)."""
    return db.session.scalar(select(User).where(func.lower(User.username) == username.strip().lower()))


def resident_by_number(typed: str) -> Resident | None:
    """The resident with the number someone read out or typed: spaces, upper and lower case don't
    matter (numbers made before the read-aloud alphabet still work, whatever their case)."""
    number = "".join(typed.split())
    if not number:
        return None
    found = db.session.scalars(select(Resident).where(
        (Resident.public_id == number) | (func.lower(Resident.public_id) == number.lower())).limit(3)).all()
    exact = [r for r in found if r.public_id == number]
    return exact[0] if exact else (found[0] if len(found) == 1 else None)


def staff_accounts() -> list[User]:
    """Every coach and beheerder account, by name."""
    return list(db.session.scalars(select(User).where(User.role != Role.BEWONER).order_by(User.username)))


def username_taken(username: str) -> bool:
    return db.session.scalar(select(User.id).where(func.lower(User.username) == username.lower())) is not None


def _check_free(username: str) -> None:
    if username_taken(username):
        raise UsernameTaken


def _add_account(user: User) -> User:
    """Insert a new account in a savepoint: when a simultaneous request took the same username
    since it was checked, only this insert is undone and UsernameTaken is raised (not a database error)."""
    try:
        with savepoint():
            db.session.add(user)
            db.session.flush()
    except IntegrityError as error:
        raise UsernameTaken from error
    return user


def create_resident_account(username: str, password: str) -> User:
    """A resident who registers on their own phone; UsernameTaken when the name is taken."""
    _check_free(username)
    user = _add_account(User(username=username.lower(), password_hash=hash_password(password), role=Role.BEWONER))
    db.session.add(Resident(user_id=user.id))
    db.session.flush()
    return user


MAIN_ROLE_ORDER = (Role.BEHEERDER, *COACH_ROLES, Role.VERWIJZER)  # the first held is stored as the main role


def create_staff(username: str, password: str, roles: list[str], display_name: str,
                 organisation: str | None = None, phone: str | None = None) -> User:
    """A coach, beheerder or verwijzer account; coaches get a code residents can share with (UsernameTaken as above)."""
    _check_free(username)
    main, *extra = sorted(roles, key=MAIN_ROLE_ORDER.index)
    user = User(
        username=username.lower(), password_hash=hash_password(password), role=main,
        display_name=display_name, organisation=organisation, phone=phone,
        extra_roles=[UserRole(role=r) for r in extra],
    )
    if user.is_coach:
        user.coach_code = _unique_coach_code()
    _add_account(user)
    audit.record("account.create", None, user, object_type="user")
    return user


def _unique_coach_code() -> str:
    while True:
        code = new_code(2)
        if not db.session.scalar(select(User.id).where(User.coach_code == code)):
            return code


def known_wijken() -> list[str]:
    """The wijken to pick from: those the organisation configured (WIJKEN), those of the sociale
    kaart (the beheerder keeps them) and those of at least MIN_GROUP residents.

    A wijk fewer residents typed is never offered: it is someone else's free text, and a resident
    once typed their name, street and phone number there.
    """
    from webapp.core.models import Activity

    shared = select(Resident.wijk).group_by(Resident.wijk).having(func.count(Resident.id) >= MIN_GROUP)
    names = (set(current_app.config.get("WIJKEN") or ()) | set(db.session.scalars(shared))
             | set(db.session.scalars(select(Activity.wijk).distinct())))
    return sorted((name for name in names if name), key=str.casefold)


def canonical_wijk(text: str | None) -> str | None:
    """A typed wijk in the spelling already in use ("oosterhof " -> "Oosterhof"), so the Impact
    figures do not split one wijk into several."""
    cleaned = " ".join((text or "").split())
    if not cleaned:
        return None
    return next((known for known in known_wijken() if known.casefold() == cleaned.casefold()), cleaned)


def enrol_resident(coach: User, display_name: str, birth_year: int | None, wijk: str | None,
                   consent_date: date, consent_method: str) -> Resident:
    """A coach registers a resident without phone or e-mail, recording how they agreed."""
    resident = Resident(display_name=display_name, birth_year=birth_year, wijk=canonical_wijk(wijk))
    db.session.add(resident)
    db.session.flush()
    relation = CoachRelation(
        coach_id=coach.id, resident_id=resident.id, origin=RelationOrigin.INGESCHREVEN,
        consent_date=consent_date, consent_method=consent_method,
    )
    db.session.add(relation)
    db.session.flush()
    audit.record("resident.enrol", resident, relation)
    return resident


CODE_DAYS = {CodePurpose.ACTIVATIE: "ACTIVATION_DAYS", CodePurpose.HERSTEL: "RESET_DAYS"}  # config keys
CODE_ISSUED = {CodePurpose.ACTIVATIE: "activation.issue", CodePurpose.HERSTEL: "reset.issue"}


def issue_code(by: User, resident: Resident, purpose: CodePurpose) -> tuple[str, ActivationCode]:
    """A new printed one-time code (older unused codes for the same purpose stop working);
    returns the plain code once. The staff member who prints it sees no answers."""
    now = clock.now()
    for old in db.session.scalars(
        select(ActivationCode).where(ActivationCode.resident_id == resident.id, ActivationCode.used_at.is_(None),
                                     ActivationCode.purpose == purpose)
    ):
        old.expires_at = now
    code = new_code(3)
    record = ActivationCode(
        resident_id=resident.id, code_hash=hash_code(code), created_by_id=by.id, purpose=purpose,
        expires_at=now + timedelta(days=current_app.config[CODE_DAYS[purpose]]),
    )
    db.session.add(record)
    db.session.flush()
    audit.record(CODE_ISSUED[purpose], resident, object_type="activation_code")
    return code, record


def issue_activation_code(coach: User, resident: Resident) -> tuple[str, ActivationCode]:
    """The code with which an enrolled resident makes their own login."""
    return issue_code(coach, resident, CodePurpose.ACTIVATIE)


def check_code(code: str, purpose: CodePurpose) -> ActivationCode:
    """Find a valid code for this purpose; CodeError when unknown, used, expired or for another purpose,
    or when its account cannot use it (already activated; no login or blocked, for a reset)."""
    record = db.session.scalar(select(ActivationCode).where(ActivationCode.code_hash == hash_code(code)))
    if (record is None or record.purpose != purpose or record.used_at is not None
            or as_utc(record.expires_at) <= clock.now()):
        raise CodeError(code)
    resident = db.session.get(Resident, record.resident_id)
    if resident is None:
        raise CodeError(code)
    if purpose == CodePurpose.ACTIVATIE and resident.user_id is not None:
        raise CodeError(code)
    if purpose == CodePurpose.HERSTEL and (resident.user is None or not resident.user.is_enabled):
        raise CodeError(code)
    return record


def check_activation_code(code: str) -> ActivationCode:
    """Find a valid activation code; CodeError when unknown, used or expired."""
    return check_code(code, CodePurpose.ACTIVATIE)


def reset_password(code: str, password: str) -> User:
    """Set a new password with a printed reset code (a resident's, or a staff member's); the code
    works once, every session ends."""
    try:
        record = check_code(code, CodePurpose.HERSTEL)
    except CodeError:
        return _reset_staff_password(code, password)
    record.used_at = clock.now()
    user = db.session.get(Resident, record.resident_id).user
    _new_password(user, password, "password.reset")
    return user


# --- a staff member who forgot the password ---------------------------------------------------

class StaffResetRefused(ValueError):
    """No password code for this account now: "own" (change it yourself), "blocked", or
    "no_second_factor" (the code would be the whole login)."""


def issue_staff_reset_code(by: User, user: User) -> tuple[str, StaffResetCode]:
    """A printed one-time code with which a staff member sets a new password; an older unused code
    stops working. Returns the plain code once.

    The code sets the password only, so it opens no account by itself: the app's code is still asked
    at login. The beheerder, who sees the code, must never hold both steps of a coach's login:
    - no code for an account without the app set up (it was cleared), unless the account never
      logged in (its first password came from the beheerder anyway);
    - the app cannot be cleared while a code is unused, nor after a code was used until the
      account's owner logged in fully again (reset_blocks_clearing).
    """
    if by.id == user.id:
        raise StaffResetRefused("own")
    if not user.is_enabled:
        raise StaffResetRefused("blocked")
    if not user.has_totp and user.last_login_at is not None:
        raise StaffResetRefused("no_second_factor")
    now = clock.now()
    for old in db.session.scalars(select(StaffResetCode).where(StaffResetCode.user_id == user.id,
                                                               StaffResetCode.used_at.is_(None))):
        old.expires_at = now
    code = new_code(3)
    record = StaffResetCode(user_id=user.id, code_hash=hash_code(code), created_by_id=by.id,
                            expires_at=now + timedelta(days=current_app.config["RESET_DAYS"]))
    db.session.add(record)
    db.session.flush()
    audit.record("staff_reset.issue", None, user, object_type="user")
    return code, record


def reset_blocks_clearing(user: User) -> bool:
    """Whether a password code stands in the way of clearing this account's second factor: one that
    still works, or one that was used while the owner has not logged in fully since (whoever used
    it chose the password: with a new app of their own it would be their account)."""
    now = clock.now()
    for record in db.session.scalars(select(StaffResetCode).where(StaffResetCode.user_id == user.id)):
        if record.used_at is None and as_utc(record.expires_at) > now:
            return True
        if record.used_at is not None and (user.last_login_at is None
                                           or as_utc(user.last_login_at) <= as_utc(record.used_at)):
            return True
    return False


def _reset_staff_password(code: str, password: str) -> User:
    record = db.session.scalar(select(StaffResetCode).where(StaffResetCode.code_hash == hash_code(code)))
    if record is None or record.used_at is not None or as_utc(record.expires_at) <= clock.now():
        raise CodeError(code)
    user = db.session.get(User, record.user_id)
    if user is None or not user.is_enabled:
        raise CodeError(code)
    record.used_at = clock.now()
    _new_password(user, password, "password.reset")
    return user


def change_password(user: User, password: str) -> None:
    """A new password chosen by the account's owner; every other session of the account ends."""
    _new_password(user, password, "password.change")


def _new_password(user: User, password: str, action: str) -> None:
    """Every way to a new password: store its hash, end every session of the account, audit it."""
    user.password_hash = hash_password(password)
    end_all_sessions(user)
    db.session.flush()
    audit.record(action, user.resident, user, object_type="user")


def update_staff(user: User, display_name: str, roles: list[str], organisation: str | None,
                 phone: str | None) -> None:
    """The beheerder changes a staff account's name, contact details and roles."""
    main, *extra = sorted(roles, key=MAIN_ROLE_ORDER.index)
    user.display_name, user.organisation, user.phone, user.role = display_name, organisation, phone, main
    user.extra_roles = [UserRole(role=r) for r in extra]
    if user.is_coach and not user.coach_code:
        user.coach_code = _unique_coach_code()
    db.session.flush()
    audit.record("account.update", None, user, object_type="user")


def set_blocked(user: User, blocked: bool) -> None:
    """Block a staff account (it cannot log in, every session of it ends at once) or let it in again.
    Its history stays in the audit trail."""
    user.is_enabled = not blocked
    if blocked:
        end_all_sessions(user)
    db.session.flush()
    audit.record("account.block" if blocked else "account.unblock", None, user, object_type="user")


def activate(code: str, username: str, password: str) -> User:
    """Let an enrolled resident set their own login; the code works once (UsernameTaken as above)."""
    record = check_activation_code(code)
    _check_free(username)
    resident = db.session.get(Resident, record.resident_id)
    user = _add_account(User(username=username.lower(), password_hash=hash_password(password), role=Role.BEWONER))
    resident.user_id = user.id
    record.used_at = clock.now()
    db.session.flush()
    audit.record("activation.use", resident, object_type="activation_code")
    return user


def share_with_coach(resident: Resident, coach_code: str) -> CoachRelation:
    """The resident shares their data with the coach whose code they typed."""
    normalised = normalise_code(coach_code)
    coach = None
    if len(normalised) == 8:
        coach = db.session.scalar(
            select(User).where(User.coach_code == f"{normalised[:4]}-{normalised[4:]}", User.is_enabled)
        )
    if coach is None or not coach.is_coach:
        raise CodeError(coach_code)
    existing = active_relation(coach, resident)
    if existing is not None:
        return existing
    relation = CoachRelation(coach_id=coach.id, resident_id=resident.id, origin=RelationOrigin.GEDEELD,
                             consent_date=clock.today(), consent_method=ConsentMethod.DIGITAAL)
    db.session.add(relation)
    db.session.flush()
    audit.record("relation.share", resident, relation)
    return relation


def stop_relation(resident: Resident, relation: CoachRelation, by: str = rules.ENDED_BY_RESIDENT) -> None:
    """End a coach's access at once (the resident withdrew, or the coach closed the file: `by`)."""
    if relation.ended_at is None:
        relation.ended_at = clock.now()
        relation.ended_by = by
        db.session.flush()
        audit.record("relation.end", resident, relation)


def closed_by_coach(coach: User) -> list[tuple[CoachRelation, Resident]]:
    """The relations this coach closed and may still undo (the last 30 days), newest first; not those
    of residents the coach follows again anyway."""
    now = clock.now()
    rows = db.session.execute(
        select(CoachRelation, Resident).join(Resident, Resident.id == CoachRelation.resident_id)
        .where(CoachRelation.coach_id == coach.id, CoachRelation.ended_by == rules.ENDED_BY_COACH,
               CoachRelation.ended_at >= now - timedelta(days=rules.UNDO_DAYS))
        .order_by(CoachRelation.ended_at.desc()))
    return [(relation, resident) for relation, resident in rows
            if rules.can_undo_close(as_utc(relation.ended_at), relation.ended_by, True, now)
            and active_relation(coach, resident) is None]


class UndoRefused(ValueError):
    """This relation cannot be taken up again by this coach (not closed by them, or too long ago)."""


def reopen_relation(coach: User, relation: CoachRelation) -> CoachRelation:
    """Undo "Begeleiding afsluiten": the same coach, within 30 days, gets the same relation back (with
    the consent it was based on). After that only the resident can share again."""
    if relation.coach_id != coach.id:
        raise UndoRefused(relation.public_id)
    resident = relation.resident
    if (existing := active_relation(coach, resident)) is not None:
        return existing  # shared again in the meantime: nothing to undo
    if not rules.can_undo_close(as_utc(relation.ended_at), relation.ended_by, True, clock.now()):
        raise UndoRefused(relation.public_id)
    relation.ended_at = relation.ended_by = None
    db.session.flush()
    audit.record("relation.reopen", resident, relation)
    return relation


def active_relations_of_coach(coach: User) -> list[CoachRelation]:
    return list(db.session.scalars(
        select(CoachRelation).where(CoachRelation.coach_id == coach.id, CoachRelation.ended_at.is_(None))))


def other_coaches(coach: User) -> list[User]:
    """Coaches who can take over this coach's residents: enabled, not this one, by name."""
    return [u for u in staff_accounts() if u.is_coach and u.is_enabled and u.id != coach.id]


def move_residents(coach: User, to: User) -> int:
    """A coach leaves: every resident they follow moves to `to`, with their consent record and how
    the relation began; the old relation ends. Each move is audited. Returns how many moved."""
    now = clock.now()
    moved = 0
    for relation in active_relations_of_coach(coach):
        relation.ended_at, relation.ended_by = now, rules.ENDED_BY_MOVE
        resident = relation.resident
        if active_relation(to, resident) is None:
            db.session.add(CoachRelation(
                coach_id=to.id, resident_id=resident.id, origin=relation.origin, consent_date=relation.consent_date,
                consent_method=relation.consent_method, moved_from_id=coach.id, started_at=now))
        db.session.flush()
        audit.record("relation.move", resident, relation)
        moved += 1
    return moved


def relations_of(resident: Resident) -> list[CoachRelation]:
    return list(db.session.scalars(
        select(CoachRelation).where(CoachRelation.resident_id == resident.id)
        .order_by(CoachRelation.ended_at.is_not(None), CoachRelation.started_at.desc())
    ))


def caseload(coach: User) -> list[tuple[CoachRelation, Resident]]:
    """The residents this coach may see now."""
    rows = db.session.execute(
        select(CoachRelation, Resident)
        .join(Resident, Resident.id == CoachRelation.resident_id)
        .where(CoachRelation.coach_id == coach.id, CoachRelation.ended_at.is_(None))
        .order_by(CoachRelation.started_at.desc())
    )
    return [tuple(row) for row in rows]


def audit_trail(resident: Resident, limit: int = 200, own: bool = True) -> list[tuple[AuditEvent, User | None]]:
    """Who did what with this resident's data, newest first, with the acting account; without the
    resident's own actions when `own` is false."""
    query = (select(AuditEvent, User)
             .outerjoin(User, User.public_id == AuditEvent.actor_public_id)
             .where(AuditEvent.resident_public_id == resident.public_id))
    if not own and resident.user is not None:
        query = query.where(AuditEvent.actor_public_id.is_(None)
                            | (AuditEvent.actor_public_id != resident.user.public_id))
    rows = db.session.execute(query.order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(limit))
    return [tuple(row) for row in rows]


def names_of(user_ids: set[int]) -> dict[int, str]:
    """Display names of staff accounts, in one query."""
    if not user_ids:
        return {}
    rows = db.session.execute(select(User.id, func.coalesce(User.display_name, User.username))
                              .where(User.id.in_(user_ids)))
    return dict(rows.all())


# --- the second factor ------------------------------------------------------------------------

def totp_secret_for_setup(user: User) -> str:
    """The secret to show while the second factor is being set up (kept until it is confirmed)."""
    if user.totp_secret is None or user.has_totp:
        user.totp_secret = rules.new_secret()
        user.totp_last_step = None
        db.session.flush()
    return user.totp_secret


def confirm_totp(user: User, code: str) -> list[str] | None:
    """Accept the first code from the new app: the second factor is on, and ten recovery codes are
    made (returned once, stored hashed). None when the code is wrong."""
    step = rules.matching_step(user.totp_secret or "", code, clock.now(), None) if user.totp_secret else None
    if step is None:
        return None
    user.totp_confirmed_at = clock.now()
    user.totp_last_step = step
    codes = rules.new_recovery_codes()
    user.recovery_codes = [RecoveryCode(code_hash=rules.hash_recovery_code(c)) for c in codes]
    db.session.flush()
    audit.record("second_factor.on", user.resident, user, object_type="user")
    return codes


def check_second_factor(user: User, code: str) -> bool:
    """A six-digit code from the app (each time step once) or an unused recovery code (once)."""
    if not user.has_totp:
        return False
    step = rules.matching_step(user.totp_secret, code, clock.now(), user.totp_last_step)
    if step is not None:
        user.totp_last_step = step
        db.session.flush()
        return True
    wanted = rules.hash_recovery_code(code)
    for recovery in user.recovery_codes:
        if recovery.used_at is None and secrets.compare_digest(recovery.code_hash, wanted):
            recovery.used_at = clock.now()
            db.session.flush()
            audit.record("second_factor.recovery", user.resident, user, object_type="user")
            return True
    return False


def turn_off_second_factor(user: User) -> None:
    """A resident turns their own (optional) second factor off again."""
    _clear_second_factor(user)
    audit.record("second_factor.off", user.resident, user, object_type="user")


def reset_second_factor(user: User) -> None:
    """The beheerder turns a staff member's second factor off (a lost phone): at the next login it
    is set up again. Passkeys go too (they may be on the lost phone). Every session of the account ends.
    Refused (StaffResetRefused "reset") while a password code stands in the way (reset_blocks_clearing)."""
    if reset_blocks_clearing(user):
        raise StaffResetRefused("reset")
    end_all_sessions(user)
    user.passkeys = []
    _clear_second_factor(user)
    audit.record("second_factor.reset", None, user, object_type="user")


def _clear_second_factor(user: User) -> None:
    user.totp_secret = user.totp_confirmed_at = user.totp_last_step = None
    user.recovery_codes = []
    db.session.flush()


# --- slowing down password guessing per account ------------------------------------------------
# Counted in the rate limiter's storage: Redis when REDIS_URL is set (every worker and node),
# otherwise each worker's memory.

def _throttle_keys(username: str) -> tuple[str, str]:
    """Storage keys for an account name, hashed: no names in the limiter's storage."""
    digest = hashlib.sha256(username.strip().lower().encode()).hexdigest()
    prefix = current_app.config.get("RATELIMIT_KEY_PREFIX", "")
    return f"{prefix}login-failures:{digest}", f"{prefix}login-wait:{digest}"


def _throttle_storage():
    """Where wrong passwords are counted: the rate limiter's storage (Redis or memory), or nothing
    when an operator switched all limits off (RATELIMIT_ENABLED=False: no storage exists then)."""
    return limiter.storage if limiter.enabled else None


def seconds_to_wait(username: str) -> int:
    """How long this account name must wait before the next password is checked (0: not at all)."""
    storage = _throttle_storage()
    if storage is None:
        return 0
    _failures, wait = _throttle_keys(username)
    if not storage.get(wait):
        return 0
    return max(1, math.ceil(storage.get_expiry(wait) - time.time()))


def record_failed_login(username: str) -> None:
    """A wrong password for this name: count it, and from the sixth on make the next one wait longer."""
    storage = _throttle_storage()
    if storage is None:
        return
    failures, wait = _throttle_keys(username)
    count = storage.incr(failures, rules.FAILURE_MEMORY_SECONDS)
    delay = rules.login_delay(count)
    if delay:
        storage.clear(wait)
        storage.incr(wait, delay)


def forget_failed_logins(username: str) -> None:
    storage = _throttle_storage()
    if storage is None:
        return
    for key in _throttle_keys(username):
        storage.clear(key)


# --- an optional e-mail address and a reset by mail --------------------------------------------

VERIFY_SALT, RESET_SALT = "veerkracht-email-verify", "veerkracht-email-reset"
VERIFY_SECONDS, RESET_SECONDS = 2 * 24 * 3600, 3600


def _password_mark(user: User) -> str:
    """Part of the token: a reset link stops working once the password changed (it works once)."""
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]


def set_email(user: User, email: str | None, verify_url) -> None:
    """Store (or remove) the resident's address, unverified, and mail a link to verify it.
    `verify_url(token)` builds the link. MailError when the mail could not be sent: then nothing changed."""
    with savepoint():
        _store_email(user, email, verify_url)


def _store_email(user: User, email: str | None, verify_url) -> None:
    user.email = email.strip().lower() if email and email.strip() else None
    user.email_verified_at = None
    db.session.flush()
    audit.record("email.set", user.resident, user, object_type="user")
    if user.email:
        token = _serializer(VERIFY_SALT).dumps({"u": user.public_id, "e": user.email})
        mail.send(user.email, gettext("Bevestig uw e-mailadres voor Veerkracht"), gettext(
            "Goedendag,\n\nKlik op deze link om uw e-mailadres te bevestigen:\n%(link)s\n\n"
            "Dan kunt u uw wachtwoord herstellen met een mail als u het vergeet. De link werkt twee dagen.\n"
            "Heeft u dit niet gevraagd? Dan kunt u deze mail negeren.\n\nVeerkracht", link=verify_url(token)))


def verify_email(token: str) -> User | None:
    """The account whose address this link confirms (still its current address), or None."""
    try:
        data = _serializer(VERIFY_SALT).loads(token, max_age=VERIFY_SECONDS)
    except BadData:
        return None
    user = db.session.scalar(select(User).where(User.public_id == data.get("u")))
    if user is None or not user.is_enabled or user.email != data.get("e"):
        return None
    user.email_verified_at = clock.now()
    db.session.flush()
    audit.record("email.verify", user.resident, user, object_type="user")
    return user


def send_reset_mail(identifier: str, reset_url) -> None:
    """Mail a reset link to the verified address of the account with this username or address.
    Says nothing about whether such an account exists (the caller always shows the same page)."""
    text = identifier.strip().lower()
    user = db.session.scalar(select(User).where(
        (func.lower(User.username) == text) | (User.email == text), User.email_verified_at.is_not(None)).limit(1))
    if user is None or not user.is_enabled or user.email is None:
        return
    token = _serializer(RESET_SALT).dumps({"u": user.public_id, "p": _password_mark(user)})
    mail.send(user.email, gettext("Een nieuw wachtwoord voor Veerkracht"), gettext(
        "Goedendag,\n\nKlik op deze link om een nieuw wachtwoord te kiezen:\n%(link)s\n\n"
        "De link werkt één uur en één keer. Heeft u dit niet gevraagd? Dan kunt u deze mail negeren; "
        "uw wachtwoord blijft dan hetzelfde.\n\nVeerkracht", link=reset_url(token)))
    audit.record("reset.mail", user.resident, user, object_type="user")


def user_for_reset_token(token: str) -> User | None:
    try:
        data = _serializer(RESET_SALT).loads(token, max_age=RESET_SECONDS)
    except BadData:
        return None
    user = db.session.scalar(select(User).where(User.public_id == data.get("u")))
    if user is None or not user.is_enabled or data.get("p") != _password_mark(user):
        return None
    return user


def reset_by_mail(token: str, password: str) -> User:
    """Set a new password with the link from the mail; the link works once, every session ends."""
    user = user_for_reset_token(token)
    if user is None:
        raise CodeError("link")
    _new_password(user, password, "password.reset")
    return user


def is_gp_referred(resident: Resident) -> bool:
    """Whether a verwijzer referred this resident (Welzijn op Recept): their account page links to the choice."""
    return db.session.scalar(select(WorReferral.id).where(WorReferral.resident_id == resident.id).limit(1)) is not None
