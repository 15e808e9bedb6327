"""The beheerder: staff accounts, the sociale kaart and the Impact figures. No individual resident data here."""

import base64
from datetime import date

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import format_date, get_timezone
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from webapp.account.forms import EraseByNumberForm
from webapp.accounts import service as people
from webapp.admin.forms import ImportForm, StaffForm
from webapp.checkin import service as checkins
from webapp.core import audit, charts, clock
from webapp.core.extensions import db, limiter
from webapp.core.forms import CsrfForm
from webapp.core.i18n import locale
from webapp.core.models import Activity, Resident, User
from webapp.core.passwords import verify_password
from webapp.core.permissions import role_required
from webapp.core.questionnaires import current_questionnaire, life_events
from webapp.impact import rules as impact_figures
from webapp.impact import service as impact
from webapp.rights import service as rights
from webapp.sociale_kaart import activity_csv
from webapp.sociale_kaart import service as activities

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


OUTCOME_LABELS = {"aangemeld": _l("Aangemeld"), "gestart": _l("Gestart"), "afgerond": _l("Afgerond"),
                  "gestopt": _l("Gestopt")}
FILTER_PROBLEMS = {
    "period": _l("Deze periode kennen we niet. Kies een periode uit de lijst."),
    "wijk": _l("Deze wijk kunnen we niet apart tonen. Kies een wijk uit de lijst."),
}


def _period_label(key: str) -> str:
    year, _sep, quarter = key.partition("-K")
    return _("%(year)s, kwartaal %(quarter)s", year=year, quarter=quarter) if quarter else _("Heel %(year)s", year=year)


def _impact_request():
    """The filters from the address, the figures for them, and what is wrong with them."""
    timezone = get_timezone()
    periods, wijken = impact.period_choices(timezone), impact.wijk_groups()
    period, wijk = request.args.get("periode") or None, request.args.get("wijk") or None
    problems = [key for key, value, allowed in (("period", period, periods), ("wijk", wijk, wijken))
                if value is not None and value not in allowed]
    filters = impact.Filters(period if "period" not in problems else None, wijk if "wijk" not in problems else None)
    choices = {"periods": [(key, _period_label(key)) for key in periods],
               "wijken": [(key, _("Overige wijken en onbekend") if key == impact.OTHER_WIJKEN else key)
                          for key in wijken]}
    if problems:
        return filters, choices, None, [FILTER_PROBLEMS[p] for p in problems]
    questionnaire = current_questionnaire()
    data = impact.figures(filters, [p.id for p in questionnaire.pillars], [e.id for e in life_events().events],
                          timezone, wijken)
    return filters, choices, data, []


def _impact_labels(data) -> impact.Labels:
    def month(key: str) -> str:
        year, number = map(int, key.split("-"))
        return format_date(date(year, number, 1), "MMM yyyy")

    return impact.Labels(
        months={key: month(key) for key, _n in data.months},
        pillars={p.id: p.name.get(locale()) for p in current_questionnaire().pillars},
        events={e.id: e.short.get(locale()) for e in life_events().events},
        outcomes={key: str(label) for key, label in OUTCOME_LABELS.items()},
    )


def _impact_charts(data, labels: impact.Labels) -> dict[str, str]:
    """The page's charts as data: URIs, drawn from the same (already suppressed) figures as the tables."""
    hidden = _("te weinig gegevens")
    drawn = {}
    if data.months:
        drawn["months"] = charts.counts_svg([labels.months[k] for k, _n in data.months],
                                            [n for _k, n in data.months], hidden)
    drawn["change"] = charts.changes_svg(
        [labels.pillars[p] for p in data.pillars],
        [None if e.suppressed else (round(e.mean, 1), round(e.low, 1), round(e.high, 1))
         for e in (data.change[p] for p in data.pillars)],
        hidden, _("Gemiddelde verandering (punten, 0-10)"))
    return {name: "data:image/svg+xml;base64," + base64.b64encode(svg).decode() for name, svg in drawn.items()}


@bp.get("/impact")
@role_required("beheerder")
def impact_page():
    """Figures about all residents together; no individual data, groups under ten hidden."""
    filters, choices, data, problems = _impact_request()
    labels = _impact_labels(data) if data else None
    audit.record("impact.view", None, object_type="impact")
    return render_template(
        "admin/impact.html", filters=filters, choices=choices, data=data, labels=labels, problems=problems,
        charts=_impact_charts(data, labels) if data else {}, minimum=impact_figures.MIN_GROUP,
        event_groups=[(labels.events.get(e, e), estimates) for e, estimates in data.change_by_event] if data else [],
        csv_url=url_for("admin.impact_csv", periode=filters.period, wijk=filters.wijk),
    ), (400 if problems else 200)


@bp.get("/impact.csv")
@role_required("beheerder")
def impact_csv():
    _filters, _choices, data, problems = _impact_request()
    if problems:
        return render_template("errors/error.html", title=_("Deze cijfers kunnen we niet maken"),
                               message=" ".join(str(p) for p in problems)), 400
    header, rows = impact.csv_rows(data, _impact_labels(data) if data else None)
    audit.record("impact.export", None, object_type="impact")
    return Response(impact_figures.csv_text(header, rows), mimetype="text/csv",
                    headers={"Content-Disposition": 'attachment; filename="veerkracht-impact.csv"'})


@bp.route("/bewoner-verwijderen", methods=["GET", "POST"])
@role_required("beheerder")
@limiter.limit("10 per 15 minutes", methods=["POST"])
def erase_resident():
    """Erase a resident at their request, by number: the beheerder never sees the resident's data."""
    form = EraseByNumberForm()
    if form.validate_on_submit():
        number = "".join(form.number.data.split())  # typed as shown, in groups of four
        if not verify_password(current_user.password_hash, form.password.data):
            form.password.errors.append(_("Dit wachtwoord klopt niet."))  # before saying whether the number exists
        elif (resident := checkins.by_public_id(Resident, number)) is None:
            form.number.errors.append(_("Dit bewonernummer kennen we niet. Kijk het nummer nog eens na."))
        else:
            rights.erase(resident, by=current_user)
            flash(_("Alle gegevens van bewoner %(number)s zijn verwijderd.", number=number), "success")
            return redirect(url_for("admin.home"))
    return render_template("admin/erase.html", form=form), (400 if form.errors else 200)
