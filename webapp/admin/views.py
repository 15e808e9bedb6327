"""The beheerder: staff accounts. No resident data here."""

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_timezone
from flask_babel import gettext as _
from sqlalchemy import select

from webapp import clock
from webapp.admin.forms import ImportForm, StaffForm
from webapp.catalogue import current_questionnaire, life_events
from webapp.domain import activity_csv
from webapp.extensions import db
from webapp.forms import CsrfForm
from webapp.i18n import locale
from webapp.models import Activity, User
from webapp.permissions import role_required
from webapp.services import activities, checkins, people

bp = Blueprint("admin", __name__, url_prefix="/beheer")


@bp.get("")
@role_required("beheerder")
def home():
    staff = db.session.scalars(select(User).where(User.role != "bewoner").order_by(User.username)).all()
    labels = {choice.value: choice.label for choice in StaffForm.roles.kwargs["choices"]}
    return render_template("admin/home.html", staff=staff, role_labels=labels)


@bp.route("/medewerker-nieuw", methods=["GET", "POST"])
@role_required("beheerder")
def new_staff():
    form = StaffForm()
    if form.validate_on_submit():
        if people.username_taken(form.username.data.strip()):
            form.username.errors.append(_("Deze gebruikersnaam is al bezet. Kies een andere."))
        else:
            people.create_staff(
                form.username.data.strip(), form.password.data, form.roles.data, form.display_name.data.strip(),
                (form.organisation.data or "").strip() or None, (form.phone.data or "").strip() or None,
            )
            flash(_("Het account is gemaakt. Geef het eerste wachtwoord persoonlijk door."), "success")
            return redirect(url_for("admin.home"))
    return render_template("admin/new_staff.html", form=form), (400 if form.errors else 200)


@bp.get("/activiteiten")
@role_required("beheerder")
def activities_home():
    today = clock.now().astimezone(get_timezone()).date()
    return render_template(
        "admin/activities.html", activities=activities.all_activities(), to_check=activities.to_check(today),
        form=ImportForm(),
    )


@bp.post("/activiteiten/import")
@role_required("beheerder")
def activities_import():
    """Check every row first; one problem and nothing is imported."""
    form = ImportForm()
    problems, counts = [], None
    if form.validate_on_submit():
        new, changed, unchanged, problems = activities.import_csv(form.file.data.read())
        if not problems:
            flash(_("Import klaar: %(new)s nieuw, %(changed)s gewijzigd, %(same)s ongewijzigd.",
                    new=new, changed=changed, same=unchanged), "success")
            return redirect(url_for("admin.activities_home"))
    today = clock.now().astimezone(get_timezone()).date()
    return render_template(
        "admin/activities.html", activities=activities.all_activities(), to_check=activities.to_check(today),
        form=form, problems=problems, counts=counts,
    ), 400


@bp.get("/activiteiten/export.csv")
@role_required("beheerder")
def activities_export():
    return Response(activities.export_csv(), mimetype="text/csv",
                    headers={"Content-Disposition": 'attachment; filename="sociale-kaart.csv"'})


def _edit(activity):
    today = clock.now().astimezone(get_timezone()).date()
    values, problems = activities.form_values(activity, today), {}
    if request.method == "POST":
        CsrfForm().validate_on_submit()  # CSRFProtect already refused a bad token
        values = {column: request.form.get(column, "") for column in activity_csv.COLUMNS}
        values["id"] = activity.public_id if activity else ""
        values["pijlers"] = "|".join(request.form.getlist("pijlers"))
        values["gebeurtenissen"] = "|".join(request.form.getlist("gebeurtenissen"))
        for column in ("rolstoel", "ringleiding", "ov"):
            values[column] = "ja" if request.form.get(column) == "ja" else "nee"
        saved, problems = activities.save_from_form(activity, values)
        if not problems:
            flash(_("De activiteit is opgeslagen."), "success")
            return redirect(url_for("admin.activities_home"))
    questionnaire = current_questionnaire()
    return render_template(
        "admin/activity_form.html", activity=activity, values=values, problems=problems, form=CsrfForm(),
        pillars=[(p.id, p.name.get(locale())) for p in questionnaire.pillars],
        events=[(e.id, e.short.get(locale())) for e in life_events().events if e.id != "geen"],
    ), (400 if problems else 200)


@bp.route("/activiteiten/nieuw", methods=["GET", "POST"])
@role_required("beheerder")
def activity_new():
    return _edit(None)


@bp.route("/activiteiten/<activity_id>", methods=["GET", "POST"])
@role_required("beheerder")
def activity_edit(activity_id: str):
    activity = checkins.by_public_id(Activity, activity_id)
    if activity is None:
        abort(404)
    return _edit(activity)
