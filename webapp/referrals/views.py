"""Referrals: a suggestion becomes "Dit wil ik proberen", and moves along to afgerond or gestopt."""

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from webapp.core import clock
from webapp.core.extensions import db
from webapp.core.labels import COACH_ROLES, Role
from webapp.core.models import Activity, Referral, Resident
from webapp.core.permissions import load_checkin, require_access, role_required
from webapp.core.urls import safe_next
from webapp.core.views import by_public_id
from webapp.referrals import service as referrals
from webapp.referrals.labels import PROBLEMS
from webapp.sociale_kaart import service as activities

bp = Blueprint("referrals", __name__)


@bp.post("/uitslag/<checkin_id>/proberen/<activity_id>")
@role_required(Role.BEWONER, *COACH_ROLES)
def try_activity(checkin_id: str, activity_id: str):
    """"Dit wil ik proberen": the suggestion becomes a referral (voorgesteld)."""
    resident, checkin = load_checkin(checkin_id)
    activity = by_public_id(Activity, activity_id)
    if activity is None or not activities.is_current(activity, clock.today()):
        abort(404)
    referrals.propose(resident, activity, checkin, current_user)
    flash(_("Genoteerd: %(name)s. Op de pagina van de activiteit staat hoe u meedoet.", name=activity.name), "success")
    return redirect(url_for("results.result", checkin_id=checkin.public_id) + "#proberen")


@bp.post("/verwijzing/<referral_id>/status")
@role_required(Role.BEWONER, *COACH_ROLES)
def status(referral_id: str):
    """Move a referral along: aangemeld, gestart, afgerond, or gestopt with a reason."""
    referral = by_public_id(Referral, referral_id)
    if referral is None:
        abort(404)
    resident = require_access(db.session.get(Resident, referral.resident_id))
    try:
        referrals.change_status(resident, referral, request.form.get("status", ""), request.form.get("reden"))
    except referrals.ReferralError as error:
        flash(str(PROBLEMS["reason" if str(error) == "reason" else "step"]), "error")
    else:
        flash(_("Bijgewerkt."), "success")
    return redirect(safe_next(request.form.get("next")) or url_for("main.home"))
