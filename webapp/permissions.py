"""The one place that decides who may see what."""

from collections.abc import Callable
from functools import wraps

from flask import abort
from flask_login import current_user

from webapp.extensions import login_manager
from webapp.models import Resident


def role_required(*roles: str) -> Callable:
    """Let only logged-in users with one of these roles reach the view."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        wrapped.allowed_roles = roles  # read by the route x role test
        return wrapped

    return decorator


def can_access(user, resident: Resident) -> bool:
    """Whether this user may see this resident's data."""
    if not user.is_authenticated:
        return False
    return user.role == "bewoner" and resident.user_id == user.id


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
