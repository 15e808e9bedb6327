"""Helpers that keep views thin: load by public id or 404, render a form page with the right status."""

from flask import abort, render_template
from sqlalchemy import select

from webapp.core.extensions import db


def by_public_id(model, public_id: str | None):
    """The row with this public id, or None."""
    if not public_id:
        return None
    return db.session.scalar(select(model).where(model.public_id == public_id))


def get_or_404(model, public_id: str | None):
    """The row with this public id, or a 404 (an unknown id and a forbidden one look the same)."""
    found = by_public_id(model, public_id)
    if found is None:
        abort(404)
    return found


def render_form(template: str, form, **context):
    """Render a page with a form: 400 when the form (or a check done in the view) has errors."""
    return render_template(template, form=form, **context), (400 if form.errors else 200)
