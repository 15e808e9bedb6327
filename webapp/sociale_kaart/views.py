"""The sociale kaart: "Wat is er te doen?" for everyone, suggestions for a check-in, and the
beheerder's catalogue pages (edit, CSV import and export)."""

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from webapp.core import audit, clock
from webapp.core.definitions import current_questionnaire, life_events, pillar_title
from webapp.core.forms import CsrfForm
from webapp.core.i18n import locale
from webapp.core.labels import COACH_ROLES, STAFF_ROLES, Role
from webapp.core.models import Activity
from webapp.core.permissions import load_checkin, role_required
from webapp.core.questionnaires import NO_LIFE_EVENT, PILLAR_IDS
from webapp.core.views import by_public_id, get_or_404
from webapp.sociale_kaart import activity_csv
from webapp.sociale_kaart import service as activities
from webapp.sociale_kaart.forms import ImportForm
from webapp.sociale_kaart.labels import COLUMN_HELP, STATUS_LABELS

bp = Blueprint("sociale_kaart", __name__)


def _pillar_names() -> dict[str, str]:
    """Residents and visitors read the plain words of their check-in; staff also the official names."""
    staff = current_user.is_authenticated and current_user.has_role(*STAFF_ROLES)
    return {p.id: pillar_title(p, locale(), staff) for p in current_questionnaire().pillars}


@bp.get("/wat-is-er-te-doen")
def index():
    current = activities.current_activities(clock.today())
    args = request.args
    pillar = args.get("pijler") if args.get("pijler") in PILLAR_IDS else None
    events = [(e.id, e.short.get(locale())) for e in life_events().events if not e.is_nothing]
    event = args.get("gebeurtenis") if args.get("gebeurtenis") in dict(events) else None
    filters = {
        "pijler": pillar, "wijk": args.get("wijk") or None, "gratis": args.get("gratis") == "1",
        "rolstoel": args.get("rolstoel") == "1", "zoek": (args.get("zoek") or "").strip()[:100],
        "gebeurtenis": event,
    }
    found = activities.search(current, pillar, filters["wijk"], filters["gratis"], filters["rolstoel"],
                              filters["zoek"], event)
    return render_template(
        "sociale_kaart/index.html", activities=found, filters=filters, pillars=list(_pillar_names().items()),
        wijken=sorted({a.wijk for a in current if a.wijk}, key=str.casefold), events=events,
    )


@bp.get("/wat-is-er-te-doen/<activity_id>")
def detail(activity_id: str):
    activity = by_public_id(Activity, activity_id)
    if activity is None or not activities.is_current(activity, clock.today()):
        abort(404)
    return render_template("sociale_kaart/detail.html", activity=activity, pillar_names=_pillar_names())


@bp.get("/uitslag/<checkin_id>/suggesties")
@role_required(Role.BEWONER, *COACH_ROLES)
def suggestions(checkin_id: str):
    """"Meer suggesties": every fitting activity for this check-in, best first, each with why."""
    resident, checkin = load_checkin(checkin_id)
    audit.record("suggestions.view", resident, checkin)
    suggested = activities.for_checkin(resident, checkin, clock.today(), locale())
    return render_template("sociale_kaart/suggestions.html", checkin=checkin, suggested=suggested,
                           chosen=activities.chosen_activities(resident))


def _admin_list(form: ImportForm, problems=(), status: int = 200):
    every = activities.all_activities()
    return render_template(
        "sociale_kaart/admin_list.html", activities=every,
        to_check=activities.to_check(clock.today(), every), form=form, problems=problems, button=CsrfForm(),
        columns=[(c, c in activity_csv.REQUIRED, COLUMN_HELP[c]) for c in activity_csv.COLUMNS],
        status_labels=STATUS_LABELS,
    ), status


@bp.get("/beheer/activiteiten")
@role_required(Role.BEHEERDER)
def admin_list():
    return _admin_list(ImportForm())


@bp.post("/beheer/activiteiten/import")
@role_required(Role.BEHEERDER)
def admin_import():
    """Check every row first; one problem and nothing is imported."""
    form = ImportForm()
    problems = []
    if form.validate_on_submit():
        new, changed, unchanged, problems = activities.import_csv(form.file.data.read())
        if not problems:
            flash(_("Import klaar: %(new)s nieuw, %(changed)s gewijzigd, %(same)s ongewijzigd.",
                    new=new, changed=changed, same=unchanged), "success")
            return redirect(url_for("sociale_kaart.admin_list"))
    return _admin_list(form, problems, 400)


@bp.get("/beheer/activiteiten/export.csv")
@role_required(Role.BEHEERDER)
def admin_export():
    return Response(activities.export_csv(), mimetype="text/csv",
                    headers={"Content-Disposition": 'attachment; filename="sociale-kaart.csv"'})


def _edit(activity: Activity | None):
    values, problems = activities.form_values(activity, clock.today()), {}
    if request.method == "POST":
        CsrfForm().validate_on_submit()  # CSRFProtect already refused a bad token
        values = {column: request.form.get(column, "") for column in activity_csv.COLUMNS}
        values["id"] = activity.public_id if activity else ""
        values["pijlers"] = "|".join(request.form.getlist("pijlers"))
        values["gebeurtenissen"] = "|".join(request.form.getlist("gebeurtenissen"))
        for column in ("rolstoel", "ringleiding", "ov", "alleen_voor_gebeurtenis"):
            values[column] = "ja" if request.form.get(column) == "ja" else "nee"
        _saved, problems = activities.save_from_form(activity, values)
        if not problems:
            flash(_("De activiteit is opgeslagen."), "success")
            return redirect(url_for("sociale_kaart.admin_list"))
    return render_template(
        "sociale_kaart/admin_form.html", activity=activity, values=values, problems=problems, form=CsrfForm(),
        statuses=list(STATUS_LABELS.items()),
        pillars=list(_pillar_names().items()),
        events=[(e.id, e.short.get(locale())) for e in life_events().events if e.id != NO_LIFE_EVENT],
    ), (400 if problems else 200)


@bp.post("/beheer/activiteiten/<activity_id>/gecontroleerd")
@role_required(Role.BEHEERDER)
def admin_verified(activity_id: str):
    """One tap: the beheerder checked today that this activity is still right."""
    activity = get_or_404(Activity, activity_id)
    activities.mark_verified(activity, clock.today())
    flash(_("%(name)s is vandaag gecontroleerd.", name=activity.name), "success")
    return redirect(url_for("sociale_kaart.admin_list"))


@bp.route("/beheer/activiteiten/nieuw", methods=["GET", "POST"])
@role_required(Role.BEHEERDER)
def admin_new():
    return _edit(None)


@bp.route("/beheer/activiteiten/<activity_id>", methods=["GET", "POST"])
@role_required(Role.BEHEERDER)
def admin_edit(activity_id: str):
    return _edit(get_or_404(Activity, activity_id))
