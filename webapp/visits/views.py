"""Home visits: the coach starts the long check-in on the tablet and hands it to the resident."""

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user

from webapp.checkin import service as drafts
from webapp.checkin.views import draft_screen, resume_url
from webapp.core import audit
from webapp.core.definitions import VISIT_FORM
from webapp.core.labels import COACH_ROLES
from webapp.core.models import Draft, Resident
from webapp.core.permissions import remember_visit_draft, require_access, role_required
from webapp.core.views import by_public_id

bp = Blueprint("visits", __name__)


@bp.post("/coach/bewoner/<resident_id>/samen")
@role_required(*COACH_ROLES)
def start(resident_id: str):
    """"Check-in samen doen": start (or resume) the long questionnaire on this device."""
    resident = require_access(by_public_id(Resident, resident_id))
    draft = drafts.start_draft(resident, VISIT_FORM, coach=current_user)
    remember_visit_draft(draft)
    return redirect(url_for("visits.handover", draft_id=draft.public_id))


@bp.get("/checkin/<draft_id>/overdragen")
@role_required(*COACH_ROLES)
@draft_screen()
def handover(resident: Resident, draft: Draft):
    """"Geef de tablet aan ...": the resident answers on their own."""
    audit.record("draft.view", resident, draft)  # the page names the resident
    return render_template("visits/handover.html", draft=draft, resident=resident, next_url=resume_url(draft))
