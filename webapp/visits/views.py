"""Home visits: the coach starts the long check-in on the tablet and hands it to the resident."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from webapp.checkin import service as drafts
from webapp.checkin.views import draft_screen, resume_url
from webapp.core import audit
from webapp.core.definitions import VISIT_FORM
from webapp.core.forms import CsrfForm
from webapp.core.labels import COACH_ROLES, FormKind
from webapp.core.models import Draft, Resident
from webapp.core.permissions import remember_visit_draft, require_access, role_required
from webapp.core.views import by_public_id

bp = Blueprint("visits", __name__)


@bp.post("/coach/bewoner/<resident_id>/samen")
@role_required(*COACH_ROLES)
def start(resident_id: str):
    """"Check-in samen doen": start (or resume) the long questionnaire on this device."""
    resident = require_access(by_public_id(Resident, resident_id))
    draft = drafts.start_draft(resident, visit_form(resident), coach=current_user)
    remember_visit_draft(draft)
    return redirect(url_for("visits.handover", draft_id=draft.public_id))


@bp.get("/checkin/<draft_id>/overdragen")
@role_required(*COACH_ROLES)
@draft_screen()
def handover(resident: Resident, draft: Draft):
    """"Geef de tablet aan ...": the resident answers on their own."""
    audit.record("draft.view", resident, draft)  # the page names the resident
    return render_template("visits/handover.html", draft=draft, resident=resident, next_url=resume_url(draft))


def visit_form(resident: Resident) -> str:
    """The form for a check-in together: the long one, or the easy-read one the coach chose for this resident."""
    return FormKind.EENVOUDIG if resident.preferred_form == FormKind.EENVOUDIG else VISIT_FORM


@bp.post("/coach/bewoner/<resident_id>/vragenlijst")
@role_required(*COACH_ROLES)
def preferred_form(resident_id: str):
    """The coach chooses the easy-read form (five faces) as this resident's default, or the usual one."""
    resident = require_access(by_public_id(Resident, resident_id))
    chosen = request.form.get("form", "")
    if not CsrfForm().validate_on_submit() or chosen not in ("", FormKind.EENVOUDIG):
        abort(400)
    drafts.set_preferred_form(resident, chosen or None)
    flash(_("De eenvoudige vragenlijst met gezichtjes is nu de standaard voor deze bewoner.") if chosen
          else _("De gewone vragenlijst is nu de standaard voor deze bewoner."), "success")
    return redirect(url_for("caseload.resident", resident_id=resident.public_id) + "#vragenlijst")
