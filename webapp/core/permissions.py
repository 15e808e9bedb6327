"""The one place that decides who may see what, and who may change or erase it."""

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import ClassVar

from flask import abort, g, has_request_context, session
from flask_login import current_user
from sqlalchemy import case, inspect, literal, select

from webapp.core.extensions import db, login_manager
from webapp.core.labels import RelationOrigin, Role
from webapp.core.models import Checkin, CoachRelation, Draft, Resident

VISIT_DRAFTS = "visit_drafts"  # session key: the home-visit drafts started on this device
HANDOVER = "handover"  # session key: the home-visit draft whose resident holds the tablet now


def role_required(*roles: str) -> Callable:
    """Let only logged-in users with one of these roles reach the view."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not current_user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        wrapped.allowed_roles = roles  # read by the route x role test
        return wrapped

    return decorator


def can_access(user, resident: Resident) -> bool:
    """Whether this user may see this resident's data.

    The resident themself; a coach only while the resident shares with them (or was enrolled
    by them and has not withdrawn). A beheerder manages accounts but never reads answers.
    """
    if not user.is_authenticated:
        return False
    if is_own(user, resident):
        return True
    return user.is_coach and active_relation(user, resident) is not None


def is_own(user, resident: Resident) -> bool:
    """Whether this is the resident's own login."""
    return resident.user_id is not None and resident.user_id == user.id


ACTIVE_RELATIONS = "active_relations"  # g: (coach id, resident id) -> the relation found in this request


def active_relation(user, resident: Resident) -> CoachRelation | None:
    """The coach's current relation with this resident, if any.

    The access check and the page both ask: a relation found once in a request is not read again
    while it stays active (one ended meanwhile, or none found, is looked up anew)."""
    found = g.setdefault(ACTIVE_RELATIONS, {}) if has_request_context() else {}
    relation = found.get((user.id, resident.id))
    if relation is not None:
        state = inspect(relation)  # not after a commit (expired) or a delete: then it is read again
        if state.persistent and "ended_at" not in state.unloaded and relation.ended_at is None:
            return relation
    relation = db.session.scalar(select(CoachRelation).where(
        CoachRelation.coach_id == user.id, CoachRelation.resident_id == resident.id, CoachRelation.ended_at.is_(None)))
    if relation is not None:
        found[(user.id, resident.id)] = relation
    return relation


def require_access(resident: Resident | None) -> Resident:
    """Return the resident if the current user may see them; 404 otherwise (no id probing)."""
    if resident is None or not can_access(current_user, resident):
        abort(404)
    return resident


def own_resident() -> Resident:
    """The resident record of the logged-in resident."""
    resident = current_user.resident
    if resident is None:
        abort(404)
    return resident


def load_checkin(public_id: str | None) -> tuple[Resident, Checkin]:
    """A finished check-in and its resident, if the current user may see them; 404 otherwise."""
    resident, checkin, _other = load_checkins(public_id)
    return resident, checkin


def load_checkins(public_id: str | None, other_id: str | None = None) -> tuple[Resident, Checkin, Checkin | None]:
    """One finished check-in, or two of the same resident (the chart and the comparison), with that
    resident, in one query; 404 unless the current user may see them and both are found."""
    resident, checkin, other, _extra = _load_pair(Checkin, public_id, other_id)
    return resident, checkin, other


@dataclass(frozen=True)
class CheckinRef:
    """A finished check-in by its ids alone: enough to check access, audit a view and find what is
    stored for it, without loading the check-in itself."""

    audit_type: ClassVar[str] = Checkin.audit_type
    id: int
    public_id: str
    resident_id: int


def load_checkin_refs(public_id: str | None, other_id: str | None = None,
                      extra=None) -> tuple[Resident, CheckinRef, CheckinRef | None, object]:
    """As `load_checkins`, with ids instead of check-ins, and the value of one `extra` scalar
    subquery (e.g. a stored chart) from the same statement: one round trip in all."""
    return _load_pair(CheckinRef, public_id, other_id, extra)


def _load_pair(kind, public_id, other_id, extra=None):
    wanted = {public_id, other_id} - {None}
    if not public_id or not all(isinstance(i, str) for i in wanted):
        abort(404)
    columns = [Checkin] if kind is Checkin else [Checkin.id, Checkin.public_id, Checkin.resident_id]
    extra = literal(None) if extra is None else case((Checkin.public_id == public_id, extra))  # on one row only
    query = (select(Resident, *columns, extra)
             .join(Checkin, Resident.id == Checkin.resident_id).where(Checkin.public_id.in_(sorted(wanted))))
    found = {}
    for resident, *values, extra_value in db.session.execute(query).all():
        checkin = values[0] if kind is Checkin else CheckinRef(*values)
        found[checkin.public_id] = (resident, checkin, extra_value)
    if public_id not in found or (other_id is not None and other_id not in found):
        abort(404)
    resident, checkin, extra_value = found[public_id]
    other = found[other_id][1] if other_id is not None else None
    if other is not None and other.resident_id != checkin.resident_id:
        abort(404)
    return require_access(resident), checkin, other, extra_value


def remember_visit_draft(draft: Draft) -> None:
    """This device is where the coach handed over the tablet for this home-visit draft."""
    session[VISIT_DRAFTS] = [*session.get(VISIT_DRAFTS, [])[-4:], draft.public_id]


def started_here(draft: Draft) -> bool:
    """Whether this device (this browser's session) is where the coach started this home-visit draft."""
    return draft.public_id in session.get(VISIT_DRAFTS, [])


def start_handover(draft: Draft) -> None:
    """The resident holds the tablet: until the coach unlocks it, only this check-in can be opened."""
    session[HANDOVER] = draft.public_id


def handover_draft_id() -> str | None:
    """The draft of the hand-over in progress on this device, if any."""
    value = session.get(HANDOVER)
    return value if isinstance(value, str) else None


def end_handover() -> None:
    """The coach proved who they are: their own screens open again."""
    session.pop(HANDOVER, None)


def can_open_draft(user, resident: Resident, draft: Draft) -> bool:
    """A resident's own draft, or a home-visit draft on the device where the coach started it.

    During a home visit the resident holds the tablet; the coach sees no answers anywhere
    else (no other device, no other page) until the resident taps "Klaar".
    """
    if not can_access(user, resident):
        return False
    if draft.coach_id is None:
        return is_own(user, resident)
    return draft.coach_id == user.id and started_here(draft)


def require_draft(draft: Draft | None) -> Resident:
    """Return the draft's resident if the current user may fill it in; 404 otherwise."""
    resident = db.session.get(Resident, draft.resident_id) if draft is not None else None
    if resident is None or not can_open_draft(current_user, resident, draft):
        abort(404)
    return resident


def plan_writer(user, resident: Resident, checkin: Checkin) -> str | None:
    """Who writes the plan of this check-in: "resident" (their own), "visit" (the coach who did it
    together with them), or None (a coach who only reads it)."""
    if checkin.coach_id is not None and checkin.coach_id == user.id:
        return "visit"
    if is_own(user, resident):
        return "resident"
    return None


def can_erase_as_coach(user, resident: Resident) -> bool:
    """Whether this coach may erase this resident's data at the resident's request.

    Only the coach who enrolled the resident and still follows them, and only while the resident
    has no login of their own (a resident with a login erases their account themselves). The
    beheerder erases by resident number instead, without seeing the resident.
    """
    if not user.is_authenticated or not user.is_coach or resident.user_id is not None:
        return False
    relation = active_relation(user, resident)
    return relation is not None and relation.origin == RelationOrigin.INGESCHREVEN


def can_erase_by_number(user) -> bool:
    """The beheerder erases a resident by number at the resident's request, never seeing their data."""
    return user.is_authenticated and user.has_role(Role.BEHEERDER)


def can_see_wor_referral(user, referral) -> bool:
    """A Welzijn op Recept referral holds health-adjacent free text: only the verwijzer who made it
    and the organisation's welzijnscoaches see it. (The verwijzer reads it on their own list, with
    the feedback the resident allowed; never a resident's page.)"""
    if not user.is_authenticated or referral is None:
        return False
    if user.has_role(Role.WELZIJNSCOACH):
        return True
    return user.has_role(Role.VERWIJZER) and referral.referrer_id == user.id


def require_wor_referral(referral):
    """Return the referral if the current user may see it; 404 otherwise (no id probing)."""
    if not can_see_wor_referral(current_user, referral):
        abort(404)
    return referral


def handles_wor_referral(user, referral) -> bool:
    """Only the welzijnscoach who picked the referral up records attempts, enrols and closes it."""
    return user.is_authenticated and referral.coach_id is not None and referral.coach_id == user.id


def can_link_wor_referral(user, referral, resident: Resident | None) -> bool:
    """Whether this coach may link the referral to a resident already in Veerkracht: the welzijnscoach who
    handles the referral, and a resident they may see (one they follow now). A resident whom only a
    colleague follows stays out of reach, as everywhere: the coach gives the referral back to the queue."""
    return (resident is not None and handles_wor_referral(user, referral) and user.has_role(Role.WELZIJNSCOACH)
            and can_access(user, resident))
