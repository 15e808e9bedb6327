"""Write audit events: who looked at or changed whose data."""

from flask import has_request_context, request
from flask_login import current_user

from webapp.extensions import db
from webapp.models import AuditEvent, Resident


def record(action: str, resident: Resident | None, obj=None, object_type: str | None = None):
    """Append an audit event with pseudonymous ids only (never names or answers)."""
    event = AuditEvent(
        action=action,
        resident_public_id=resident.public_id if resident else None,
        object_type=object_type or (type(obj).__name__.lower() if obj is not None else None),
        object_public_id=getattr(obj, "public_id", None),
    )
    if has_request_context():
        if current_user.is_authenticated:
            event.actor_public_id = current_user.public_id
            event.actor_role = current_user.role_label
        event.ip = request.remote_addr
        event.user_agent = (request.user_agent.string or "")[:255]
    db.session.add(event)
    db.session.flush()
    return event
