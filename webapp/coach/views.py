"""The coach's side: residents who share with them, enrolling a resident, activation codes."""

import json

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_timezone
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from webapp.account.forms import EraseForm
from webapp.accounts import service as people
from webapp.caseload import rules as caseload
from webapp.caseload import rules as progress
from webapp.caseload import service as caseload_service
from webapp.checkin import service as checkins
from webapp.checkin.views import start_visit
from webapp.coach.forms import EnrolForm
from webapp.core import audit, clock
from webapp.core.extensions import limiter
from webapp.core.forms import CsrfForm
from webapp.core.i18n import locale
from webapp.core.models import COACH_ROLES, Resident
from webapp.core.passwords import verify_password
from webapp.core.permissions import can_erase_as_coach, require_access, role_required
from webapp.core.questionnaires import current_questionnaire, life_events
from webapp.fhir import service as fhir_export
from webapp.results import service as charts
from webapp.rights import service as rights

bp = Blueprint("coach", __name__, url_prefix="/coach")
FLAG_LABELS = {
    caseload.FLAG_DROP: _l("2 punten of meer gedaald"),
    caseload.FLAG_TALK: _l("wil ergens over praten"),
    caseload.FLAG_OVERDUE: _l("check-in te laat"),
    caseload.FLAG_NO_NEWS: _l("verwijzing zonder nieuws (4 weken)"),
}
SORT_LABELS = {
    "aandacht": _l("Meeste aandacht eerst"),
    "naam": _l("Naam"),
    "laatste": _l("Laatste check-in"),
    "volgende": _l("Volgende check-in"),
    "daling": _l("Grootste daling eerst"),
}
CONSENT_LABELS = {"mondeling": _l("mondeling"), "schriftelijk": _l("schriftelijk"), "digitaal": _l("digitaal")}


def _load_resident(public_id: str) -> Resident:
    return require_access(checkins.by_public_id(Resident, public_id))


@bp.get("")
@role_required(*COACH_ROLES)
def home():
    """"Wie heeft nu aandacht nodig?": the caseload with flags, sorting, filters and pages."""
    today = clock.now().astimezone(get_timezone()).date()
    every_row = caseload_service.caseload_rows(current_user, today, get_timezone())
    args = request.args
    flag = args.get("aandacht") if args.get("aandacht") in caseload.FLAGS else None
    sort = args.get("sorteer") if args.get("sorteer") in caseload.SORTS else "aandacht"
    event = args.get("gebeurtenis") or None
    wijk = args.get("wijk") or None
    coach = args.get("coach") or None
    rows = caseload.sort_rows(caseload.filter_rows(every_row, flag, event, wijk, coach), sort)
    coach_names = {}
    for row in every_row:
        coach_names.update(row.coaches)
    page_rows, page, pages = caseload.paginate(rows, args.get("pagina", 1, type=int))
    audit.record_many("caseload.view", [row.resident_public_id for row in page_rows])
    questionnaire = current_questionnaire()
    return render_template(
        "coach/home.html", rows=page_rows, total=len(rows), page=page, pages=pages, today=today,
        filters={"aandacht": flag, "sorteer": sort, "gebeurtenis": event, "wijk": wijk, "coach": coach},
        coach_names=sorted(coach_names.items(), key=lambda item: item[1].casefold()),
        wijken=sorted({r.wijk for r in every_row if r.wijk}, key=str.casefold),
        events=life_events().events, pillar_names={p.id: p.name.get(locale()) for p in questionnaire.pillars},
        flag_labels=FLAG_LABELS, sort_labels=SORT_LABELS,
    )


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
    return render_template("coach/enrol.html", form=form, wijken=people.known_wijken()), (400 if form.errors else 200)


@bp.get("/bewoner/<resident_id>")
@role_required(*COACH_ROLES)
def resident(resident_id: str):
    resident = _load_resident(resident_id)
    audit.record("resident.view", resident, resident)
    relation = people.active_relation(current_user, resident)
    visit_draft = checkins.open_draft(resident, coach=current_user)
    measurements = checkins.measurements_of(resident)
    timeline = progress.timeline(measurements)
    coaches = people.names_of({m.coach_id for m in measurements if m.coach_id})
    scores = {m.id: checkins.scores_of(m) for m in measurements}
    return render_template(
        "coach/resident.html", resident=resident, relation=relation, timeline=timeline, coaches=coaches,
        scores=scores, pillars=current_questionnaire().pillars, events={e.id: e for e in life_events().events},
        consent_labels=CONSENT_LABELS, visit_draft=visit_draft, next_checkin=checkins.next_checkin(resident),
        form=CsrfForm(), may_erase=can_erase_as_coach(current_user, resident),
    )


@bp.get("/bewoner/<resident_id>/verloop.svg")
@role_required(*COACH_ROLES)
def progress_chart(resident_id: str):
    """The six pillar scores over time, behind the same permission as the progress page."""
    resident = _load_resident(resident_id)
    measurements = checkins.measurements_of(resident)
    if not measurements:
        abort(404)
    svg = charts.progress_svg(measurements, locale())
    audit.record("progress.chart", resident, resident)
    return Response(svg, mimetype="image/svg+xml")


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


@bp.route("/bewoner/<resident_id>/verwijderen", methods=["GET", "POST"])
@role_required(*COACH_ROLES)
@limiter.limit("10 per 15 minutes", methods=["POST"])
def erase(resident_id: str):
    """Erase a resident this coach enrolled, at the resident's request, after the coach's password."""
    resident = _load_resident(resident_id)
    if not can_erase_as_coach(current_user, resident):
        abort(403)
    form = EraseForm()
    if form.validate_on_submit():
        if verify_password(current_user.password_hash, form.password.data):
            rights.erase(resident, by=current_user)
            flash(_("Alle gegevens van deze bewoner zijn verwijderd."), "success")
            return redirect(url_for("coach.home"))
        form.password.errors.append(_("Dit wachtwoord klopt niet."))
    return render_template("coach/erase.html", resident=resident, form=form), (400 if form.errors else 200)


@bp.get("/bewoner/<resident_id>/fhir.json")
@role_required(*COACH_ROLES)
def fhir_bundle(resident_id: str):
    """The resident's check-ins as FHIR R4 (Questionnaire + QuestionnaireResponse), for a huisarts or monitor."""
    resident = _load_resident(resident_id)
    try:
        bundle = fhir_export.resident_bundle(resident)
    except ValueError:  # a stored check-in that does not fit its form: say so, do not fail with a 500
        return render_template(
            "errors/error.html", title=_("Deze check-ins passen niet in FHIR"),
            message=_("Een van de check-ins past niet bij de vragenlijst. Meld dit bij de beheerder."),
        ), 409
    audit.record("data.export", resident, resident, object_type="fhir")
    body = json.dumps(bundle, ensure_ascii=False, indent=2)
    return Response(body, mimetype="application/fhir+json",
                    headers={"Content-Disposition": 'attachment; filename="veerkracht-fhir.json"'})
