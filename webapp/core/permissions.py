"""The one place that decides who may see what."""

from collections.abc import Callable
from functools import wraps

from flask import abort
from flask_login import current_user
from sqlalchemy import select

from webapp.core.extensions import db, login_manager
from webapp.core.models import CoachRelation, Resident


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
    if resident.user_id is not None and resident.user_id == user.id:
        return True
    return user.is_coach and _active_relation(user, resident) is not None


def _active_relation(user, resident: Resident) -> CoachRelation | None:
    return db.session.scalar(select(CoachRelation).where(
        CoachRelation.coach_id == user.id, CoachRelation.resident_id == resident.id, CoachRelation.ended_at.is_(None)))


def can_erase_as_coach(user, resident: Resident) -> bool:
    """Whether this coach may erase this resident's data at the resident's request.

    Only the coach who enrolled the resident and still follows them, and only while the resident
    has no login of their own (a resident with a login erases their account themselves). The
    beheerder erases by resident number instead, without seeing the resident (admin views).
    """
    if not user.is_authenticated or not user.is_coach or resident.user_id is not None:
        return False
    relation = _active_relation(user, resident)
    return relation is not None and relation.origin == "ingeschreven"


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
