""""Antwoorden van papier invoeren": a coach who follows a resident types in a paper questionnaire."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import current_user

from webapp.core import audit, clock
from webapp.core.definitions import current_questionnaire, life_events
from webapp.core.forms import CsrfForm
from webapp.core.labels import COACH_ROLES, FormKind
from webapp.core.models import Resident
from webapp.core.models._base import new_public_id
from webapp.core.permissions import require_access, role_required
from webapp.core.views import by_public_id
from webapp.paper_entry import service as paper
from webapp.paper_entry.labels import DATE_TOO_EARLY, ERROR_TEXT
from webapp.paper_entry.rules import BLANK, KEY_PATTERN, PaperInput, parse_paper

bp = Blueprint("paper_entry", __name__, url_prefix="/coach/bewoner")

PAPER_FORMS = (FormKind.KORT, FormKind.EENVOUDIG)  # the forms printed as a blank paper questionnaire


def _page(resident: Resident, form: str, key: str, entry: PaperInput | None = None, values=None, status=200):
    questionnaire = current_questionnaire()
    faces = questionnaire.faces_for(form)
    errors = dict(entry.errors) if entry else {}
    if faces:  # a face form's own words for a missing or wrong choice
        errors = {k: (v + "_face" if v in ("missing", "invalid") else v) for k, v in errors.items()}
    earliest = paper.earliest_date(resident)
    audit.record("paper.view", resident, resident)  # the page names the resident
    texts = {k: (DATE_TOO_EARLY % {"date": format_date(earliest, "long")} if v == "date_too_early"
                 else str(ERROR_TEXT[v])) for k, v in errors.items()}
    return render_template(
        "paper_entry/enter.html", resident=resident, form_code=form, forms=PAPER_FORMS,
        form_names={code: questionnaire.forms[code].name for code in PAPER_FORMS},
        pillars=questionnaire.form_pillars(form), faces=faces, scale=questionnaire.scale, key=key,
        values=values or {}, errors=texts, events=life_events().events, blank=BLANK,
        earliest=earliest, today=clock.today(), csrf=CsrfForm(),
    ), status


@bp.get("/<resident_id>/papier")
@role_required(*COACH_ROLES)
def enter(resident_id: str):
    """One page: the form, the day it was filled in, what happened, and every answer."""
    resident = require_access(by_public_id(Resident, resident_id))
    form = request.args.get("vragenlijst")
    form = form if form in PAPER_FORMS else FormKind.KORT
    return _page(resident, form, new_public_id())


@bp.post("/<resident_id>/papier")
@role_required(*COACH_ROLES)
def save(resident_id: str):
    """Check every answer before anything is stored; then one check-in, however often it is sent."""
    resident = require_access(by_public_id(Resident, resident_id))
    data = request.form
    form, key = data.get("form", ""), data.get("key", "")
    if form not in PAPER_FORMS or not KEY_PATTERN.fullmatch(key) or not CsrfForm().validate_on_submit():
        entry = PaperInput(errors={"_form": "unknown_field" if KEY_PATTERN.fullmatch(key) else "stale_key"})
        return _page(resident, form if form in PAPER_FORMS else FormKind.KORT, new_public_id(), entry, data, 400)
    questionnaire = current_questionnaire()
    entry = parse_paper(
        questionnaire.forms[form].items, {k: data.get(k, "") for k in data}, questionnaire.allowed_scores(form),
        today=clock.today(), earliest=paper.earliest_date(resident),
        life_events={event.id for event in life_events().events},
    )
    if not entry.ok:
        return _page(resident, form, key, entry, data, 400)
    try:
        checkin, created = paper.save_paper(current_user, resident, key, form, entry)
    except paper.PaperRefused:
        return _page(resident, form, new_public_id(), PaperInput(errors={"_form": "stale_key"}), data, 400)
    flash(_("De antwoorden van papier zijn opgeslagen.") if created
          else _("Deze antwoorden waren al opgeslagen. Er is niets dubbel opgeslagen."), "success")
    return redirect(url_for("results.result", checkin_id=checkin.public_id))
