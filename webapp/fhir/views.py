"""FHIR R4 download of a resident's check-ins, for a huisarts or a monitor."""

import json

from flask import Blueprint, Response, render_template
from flask_babel import gettext as _

from webapp.core import audit
from webapp.core.labels import COACH_ROLES
from webapp.core.models import Resident
from webapp.core.permissions import require_access, role_required
from webapp.core.views import by_public_id
from webapp.fhir import service as fhir_export

bp = Blueprint("fhir", __name__)


@bp.get("/coach/bewoner/<resident_id>/fhir.json")
@role_required(*COACH_ROLES)
def bundle(resident_id: str):
    """The resident's check-ins as FHIR R4 (Questionnaire + QuestionnaireResponse)."""
    resident = require_access(by_public_id(Resident, resident_id))
    try:
        data = fhir_export.resident_bundle(resident)
    except ValueError:  # a stored check-in that does not fit its form: say so, do not fail with a 500
        return render_template(
            "errors/error.html", title=_("Deze check-ins passen niet in FHIR"),
            message=_("Een van de check-ins past niet bij de vragenlijst. Meld dit bij de beheerder."),
        ), 409
    audit.record("data.export", resident, resident, object_type="fhir")
    body = json.dumps(data, ensure_ascii=False, indent=2)
    return Response(body, mimetype="application/fhir+json",
                    headers={"Content-Disposition": 'attachment; filename="veerkracht-fhir.json"'})
