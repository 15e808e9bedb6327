"""The resident's own account: sharing with coaches, and who looked at their data."""

import json

from flask import Blueprint, Response, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from webapp.account.forms import DeleteForm, ShareForm, WijkForm
from webapp.accounts import service as people
from webapp.checkin import service as checkins
from webapp.core import audit
from webapp.core.extensions import limiter
from webapp.core.forms import CsrfForm
from webapp.core.labels import ACTION_LABELS
from webapp.core.models import CoachRelation
from webapp.core.passwords import verify_password
from webapp.core.permissions import own_resident, role_required
from webapp.core.security import end_session
from webapp.rights import export_pdf
from webapp.rights import service as rights

bp = Blueprint("account", __name__, url_prefix="/account")


def _page(form: ShareForm, status: int = 200, wijk_form: WijkForm | None = None):
    resident = own_resident()
    return render_template(
        "account/home.html", relations=people.relations_of(resident), form=form, button=CsrfForm(),
        wijk_form=wijk_form or WijkForm(wijk=resident.wijk), wijken=people.known_wijken(),
    ), status


@bp.get("")
@role_required("bewoner")
def home():
    return _page(ShareForm())


@bp.post("/delen")
@role_required("bewoner")
@limiter.limit("10 per 15 minutes")
def share():
    form = ShareForm()
    if form.validate_on_submit():
        try:
            relation = people.share_with_coach(own_resident(), form.coach_code.data)
        except people.CodeError:
            form.coach_code.errors.append(
                _("Deze code kennen we niet. Kijk de code nog eens na, of vraag het uw coach.")
            )
        else:
            flash(_("U deelt uw gegevens nu met %(name)s.", name=relation.coach.display_name or ""), "success")
            return redirect(url_for("account.home"))
    return _page(form, 400)


@bp.post("/wijk")
@role_required("bewoner")
def set_wijk():
    """The resident's own wijk, optional: only used for the organisation's figures per wijk."""
    form = WijkForm()
    if not form.validate_on_submit():
        return _page(ShareForm(formdata=None), 400, wijk_form=form)
    resident = own_resident()
    resident.wijk = people.canonical_wijk(form.wijk.data)
    audit.record("profile.update", resident, object_type="wijk")
    flash(_("Uw wijk is opgeslagen.") if resident.wijk else _("Uw wijk is leeggemaakt."), "success")
    return redirect(url_for("account.home"))


@bp.post("/delen/<relation_id>/stoppen")
@role_required("bewoner")
def stop_sharing(relation_id: str):
    resident = own_resident()
    relation = checkins.by_public_id(CoachRelation, relation_id)
    if relation is None or relation.resident_id != resident.id:
        abort(404)
    people.stop_relation(resident, relation)
    flash(_("U deelt niets meer met %(name)s. Deze coach kan uw gegevens niet meer zien.",
            name=relation.coach.display_name or ""), "success")
    return redirect(url_for("account.home"))


@bp.get("/inzage")
@role_required("bewoner")
def access_log():
    """"Wie heeft mijn gegevens bekeken": the audit trail about this resident."""
    resident = own_resident()
    audit.record("audit.view", resident, object_type="audit_trail")
    return render_template(
        "account/access_log.html", events=people.audit_trail(resident), action_labels=ACTION_LABELS
    )


@bp.get("/mijn-gegevens.json")
@role_required("bewoner")
def download():
    """Everything held about the resident, as a JSON file."""
    resident = own_resident()
    audit.record("data.export", resident, object_type="export")
    body = json.dumps(rights.export(resident), ensure_ascii=False, indent=2)
    return Response(body, mimetype="application/json",
                    headers={"Content-Disposition": 'attachment; filename="veerkracht-mijn-gegevens.json"'})


@bp.get("/mijn-gegevens.pdf")
@role_required("bewoner")
@limiter.limit("10 per hour")
def download_pdf():
    """The same as the JSON download, laid out to read or print."""
    resident = own_resident()
    audit.record("data.export", resident, object_type="export_pdf")
    body = export_pdf.export_pdf(rights.export(resident, with_fhir=False))
    return Response(body, mimetype="application/pdf",
                    headers={"Content-Disposition": 'attachment; filename="veerkracht-mijn-gegevens.pdf"'})


@bp.route("/verwijderen", methods=["GET", "POST"])
@role_required("bewoner")
def delete_account():
    """Erase the account and everything in it, after a confirmation with the password."""
    form = DeleteForm()
    if form.validate_on_submit():
        if verify_password(current_user.password_hash, form.password.data):
            rights.erase(own_resident())
            end_session()
            flash(_("Uw account en al uw gegevens zijn verwijderd."), "success")
            return redirect(url_for("main.home"))
        form.password.errors.append(_("Dit wachtwoord klopt niet."))
    return render_template("account/delete.html", form=form), (400 if form.errors else 200)
