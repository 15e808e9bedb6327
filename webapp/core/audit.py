"""Write audit events: who looked at or changed whose data."""

from flask import has_request_context, request
from flask_login import current_user
from sqlalchemy import insert

from webapp.core.extensions import db
from webapp.core.models import AuditEvent, Resident
from webapp.core.models._base import utcnow


def _origin() -> dict:
    """Who acts and from where: the current user and the request's address and browser."""
    if not has_request_context():
        return {}
    origin = {"ip": request.remote_addr, "user_agent": (request.user_agent.string or "")[:255]}
    if current_user.is_authenticated:
        origin.update(actor_public_id=current_user.public_id, actor_role=current_user.role_label)
    return origin


def record(action: str, resident: Resident | None, obj=None, object_type: str | None = None) -> AuditEvent:
    """Append an audit event with pseudonymous ids only (never names or answers)."""
    event = AuditEvent(
        action=action,
        resident_public_id=resident.public_id if resident else None,
        object_type=object_type or (type(obj).__name__.lower() if obj is not None else None),
        object_public_id=getattr(obj, "public_id", None),
        **_origin(),
    )
    db.session.add(event)
    db.session.flush()
    return event


def record_many(action: str, resident_public_ids: list[str]) -> None:
    """One audit event per resident on a page that lists many residents, in one INSERT."""
    origin = _origin()
    rows = [
        {"action": action, "resident_public_id": public_id, "object_type": "resident",
         "object_public_id": public_id, "at": utcnow(), **origin}
        for public_id in resident_public_ids
    ]
    if rows:
        db.session.execute(insert(AuditEvent), rows)
