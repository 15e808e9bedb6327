"""The coach's side: residents who share with them, enrolling a resident, activation codes."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from webapp.catalogue import life_events
from webapp.checkin.views import start_visit
from webapp.coach.forms import EnrolForm
from webapp.forms import CsrfForm
from webapp.models import COACH_ROLES, Resident
from webapp.permissions import require_access, role_required
from webapp.services import audit, checkins, people

bp = Blueprint("coach", __name__, url_prefix="/coach")
CONSENT_LABELS = {"mondeling": _l("mondeling"), "schriftelijk": _l("schriftelijk"), "digitaal": _l("digitaal")}


def _load_resident(public_id: str) -> Resident:
    return require_access(checkins.by_public_id(Resident, public_id))


@bp.get("")
@role_required(*COACH_ROLES)
def home():
    rows = []
    for relation, resident in people.caseload(current_user):
        history = checkins.measurements_of(resident)
        rows.append((relation, resident, history[0] if history else None))
    return render_template("coach/home.html", rows=rows)


@bp.route("/inschrijven", methods=["GET", "POST"])
@role_required(*COACH_ROLES)
def enrol():
    form = EnrolForm()
    if form.validate_on_submit():
        resident = people.enrol_resident(
            current_user, form.display_name.data.strip(), form.birth_year.data,
            (form.wijk.data or "").strip() or None, form.consent_date.data, form.consent_method.data,
        )
        flash(_("De bewoner is ingeschreven."), "success")
        return redirect(url_for("coach.resident", resident_id=resident.public_id))
    return render_template("coach/enrol.html", form=form), (400 if form.errors else 200)


@bp.get("/bewoner/<resident_id>")
@role_required(*COACH_ROLES)
def resident(resident_id: str):
    resident = _load_resident(resident_id)
    audit.record("resident.view", resident, resident)
    relation = people.active_relation(current_user, resident)
    visit_draft = checkins.open_draft(resident, coach=current_user)
    items = [(m, checkins.scores_of(m), life_events().get(m.life_event)) for m in checkins.measurements_of(resident)]
    return render_template("coach/resident.html", resident=resident, relation=relation, items=items, form=CsrfForm(),
                           consent_labels=CONSENT_LABELS, visit_draft=visit_draft,
                           next_checkin=checkins.next_checkin(resident))


@bp.post("/bewoner/<resident_id>/samen")
@role_required(*COACH_ROLES)
def visit(resident_id: str):
    """"Check-in samen doen": the long questionnaire on this tablet, handed to the resident."""
    return start_visit(_load_resident(resident_id))


@bp.post("/bewoner/<resident_id>/activatiecode")
@role_required(*COACH_ROLES)
def activation_code(resident_id: str):
    resident = _load_resident(resident_id)
    if resident.user_id is not None:
        abort(409)
    code, record = people.issue_activation_code(current_user, resident)
    return render_template("coach/activation_code.html", resident=resident, code=code, record=record)


@bp.post("/bewoner/<resident_id>/afsluiten")
@role_required(*COACH_ROLES)
def close(resident_id: str):
    """The coach stops following this resident; their access ends at once."""
    resident = _load_resident(resident_id)
    relation = people.active_relation(current_user, resident)
    if relation is not None:
        people.stop_relation(resident, relation)
    flash(_("U begeleidt deze bewoner niet meer. U kunt de gegevens niet meer zien."), "success")
    return redirect(url_for("coach.home"))
