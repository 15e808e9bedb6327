"""FHIR R4 download of a resident's check-ins, for a huisarts, a monitor or a FHIR server."""

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


def _download(resident_id: str, kind: str, filename: str):
    resident = require_access(by_public_id(Resident, resident_id))
    try:
        data = fhir_export.resident_bundle(resident, kind=kind)
    except ValueError:  # a stored check-in that does not fit its form: say so, do not fail with a 500
        return render_template(
            "errors/error.html", title=_("Deze check-ins passen niet in FHIR"),
            message=_("Een van de check-ins past niet bij de vragenlijst. Meld dit bij de beheerder."),
        ), 409
    audit.record("data.export", resident, resident, object_type="fhir")
    body = json.dumps(data, ensure_ascii=False, indent=2)
    return Response(body, mimetype="application/fhir+json",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@bp.get("/coach/bewoner/<resident_id>/fhir.json")
@role_required(*COACH_ROLES)
def bundle(resident_id: str):
    """The resident's check-ins as a FHIR R4 collection Bundle (terminology, Questionnaires, responses)."""
    return _download(resident_id, "collection", "veerkracht-fhir.json")


@bp.get("/coach/bewoner/<resident_id>/fhir-transactie.json")
@role_required(*COACH_ROLES)
def transaction(resident_id: str):
    """The same resources as a FHIR R4 transaction Bundle (PUT by id), to post to a FHIR server as it is."""
    return _download(resident_id, "transaction", "veerkracht-fhir-transactie.json")
