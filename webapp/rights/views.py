"""The resident's rights: see who looked at their data, download it, have it erased."""

import json

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from webapp.accounts import service as people
from webapp.core import audit
from webapp.core.audit import ACTION_LABELS
from webapp.core.extensions import limiter
from webapp.core.labels import COACH_ROLES, Role
from webapp.core.models import Resident
from webapp.core.passwords import verify_password
from webapp.core.permissions import (
    can_erase_as_coach,
    can_erase_by_number,
    is_own,
    own_resident,
    require_access,
    role_required,
)
from webapp.core.security import end_session
from webapp.core.views import by_public_id, render_form
from webapp.rights import export_pdf
from webapp.rights import service as rights
from webapp.rights.forms import DeleteForm, EraseByNumberForm, EraseForm

bp = Blueprint("rights", __name__)


@bp.get("/account/inzage")
@role_required(Role.BEWONER)
def access_log():
    """"Wie heeft mijn gegevens bekeken": the audit trail about this resident."""
    resident = own_resident()
    own = request.args.get("ook_eigen") == "1"  # by default only what others did
    audit.record("audit.view", resident, object_type="audit_trail")
    return render_template(
        "rights/access_log.html", events=people.audit_trail(resident, own=own), action_labels=ACTION_LABELS,
        own=own, role_labels={role: role.label for role in Role},
    )


@bp.get("/account/mijn-gegevens.json")
@role_required(Role.BEWONER)
def download():
    """Everything held about the resident, as a JSON file."""
    resident = own_resident()
    audit.record("data.export", resident, object_type="export")
    body = json.dumps(rights.export(resident), ensure_ascii=False, indent=2)
    return Response(body, mimetype="application/json",
                    headers={"Content-Disposition": 'attachment; filename="veerkracht-mijn-gegevens.json"'})


@bp.get("/account/mijn-gegevens.pdf")
@role_required(Role.BEWONER)
@limiter.limit("10 per hour")
def download_pdf():
    """The same as the JSON download, laid out to read or print."""
    resident = own_resident()
    audit.record("data.export", resident, object_type="export_pdf")
    body = export_pdf.export_pdf(rights.export(resident, with_fhir=False))
    return Response(body, mimetype="application/pdf",
                    headers={"Content-Disposition": 'attachment; filename="veerkracht-mijn-gegevens.pdf"'})


def _erase_after_password(form, template: str, find_resident, done, shown: Resident | None = None, **context):
    """The one erase flow: the password of whoever asks is checked first (so a wrong password
    never tells whether a resident exists), then the resident is found, erased, and `done` answers.
    `shown`: the resident the page names, whose access log gets a row each time it is shown."""
    if form.validate_on_submit():
        if not verify_password(current_user.password_hash, form.password.data):
            form.password.errors.append(_("Dit wachtwoord klopt niet."))
        elif (resident := find_resident(form)) is not None:
            rights.erase(resident, by=None if is_own(current_user, resident) else current_user)
            return done()
    if shown is not None:
        audit.record("erase.view", shown, shown)
    return render_form(template, form, **context)


@bp.route("/account/verwijderen", methods=["GET", "POST"])
@role_required(Role.BEWONER)
def delete_account():
    """Erase the account and everything in it, after a confirmation with the password."""

    def done():
        end_session()
        flash(_("Uw account en al uw gegevens zijn verwijderd."), "success")
        return redirect(url_for("main.home"))

    return _erase_after_password(DeleteForm(), "rights/delete_account.html", lambda _form: own_resident(), done)


@bp.route("/coach/bewoner/<resident_id>/verwijderen", methods=["GET", "POST"])
@role_required(*COACH_ROLES)
@limiter.limit("10 per 15 minutes", methods=["POST"])
def erase_by_coach(resident_id: str):
    """Erase a resident this coach enrolled, at the resident's request, after the coach's password."""
    resident = require_access(by_public_id(Resident, resident_id))
    if not can_erase_as_coach(current_user, resident):
        abort(403)

    def done():
        flash(_("Alle gegevens van deze bewoner zijn verwijderd."), "success")
        return redirect(url_for("caseload.home"))

    return _erase_after_password(EraseForm(), "rights/erase_by_coach.html", lambda _form: resident, done,
                                 shown=resident, resident=resident)


@bp.route("/beheer/bewoner-verwijderen", methods=["GET", "POST"])
@role_required(Role.BEHEERDER)
@limiter.limit("10 per 15 minutes", methods=["POST"])
def erase_by_number():
    """Erase a resident at their request, by number: the beheerder never sees the resident's data."""
    if not can_erase_by_number(current_user):
        abort(403)
    form = EraseByNumberForm()
    number = "".join((form.number.data or "").split())  # typed as shown, in groups of four

    def find(form):
        resident = people.resident_by_number(number)
        if resident is None:
            form.number.errors.append(_("Dit bewonernummer kennen we niet. Kijk het nummer nog eens na."))
        return resident

    def done():
        flash(_("Alle gegevens van bewoner %(number)s zijn verwijderd.", number=number), "success")
        return redirect(url_for("accounts.staff"))

    return _erase_after_password(form, "rights/erase_by_number.html", find, done)
