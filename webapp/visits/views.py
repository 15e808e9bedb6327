"""Home visits: the coach starts the long check-in on the tablet and hands it to the resident.

While the resident holds the tablet, the session is in hand-over mode: only that check-in (and
its result, to look at) can be opened; every other page leads to "Terug naar de coach", which
asks for the coach's password or passkey. This is checked on the server for every request, not
only by hiding links.
"""

from flask import Blueprint, abort, current_app, flash, jsonify, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user

from webapp.accounts.rules import LOGIN_LIMIT_PER_ACCOUNT
from webapp.checkin import service as drafts
from webapp.checkin.views import draft_screen, resume_url
from webapp.core import audit
from webapp.core.extensions import limiter
from webapp.core.forms import CsrfForm
from webapp.core.labels import COACH_ROLES, EASY_FORMS, FormKind
from webapp.core.models import Draft, Resident
from webapp.core.passwords import verify_password
from webapp.core.permissions import (
    end_handover,
    handover_draft_id,
    remember_visit_draft,
    require_access,
    role_required,
    start_handover,
    started_here,
)
from webapp.core.views import by_public_id, render_form
from webapp.passkeys import rules as passkey_rules
from webapp.passkeys import service as passkeys
from webapp.visits import service as visits
from webapp.visits.forms import UnlockForm
from webapp.visits.rules import allowed_during_handover

bp = Blueprint("visits", __name__)

UNLOCKING = "passkey_unlock"  # session key: the pending passkey challenge of "Terug naar de coach"


@bp.before_app_request
def _keep_the_resident_in_the_checkin():
    """During a hand-over every page outside the check-in leads to the unlock page."""
    draft_id = handover_draft_id()
    if draft_id is None:
        return None
    if not current_user.is_authenticated:  # logged out or timed out: nothing of the coach is open
        end_handover()
        return None
    checkin = visits.checkin_of_draft(draft_id) if request.endpoint in ("results.result", "results.chart") else None
    if allowed_during_handover(request.endpoint, request.method, request.view_args, draft_id,
                               checkin.public_id if checkin else None):
        return None
    return redirect(url_for("visits.unlock"))


@bp.app_context_processor
def _handover_flag():
    # The session only (no user load): error pages render this without a database.
    draft_id = handover_draft_id()
    return {"handover_lock": draft_id is not None, "handover_draft": draft_id}


@bp.post("/coach/bewoner/<resident_id>/samen")
@role_required(*COACH_ROLES)
def start(resident_id: str):
    """"Check-in samen doen": start the long questionnaire on this device, or resume it here.

    A check-in together started on another device continues only there (its answers are not
    shown anywhere else); from here the coach can only start again, after a confirmation.
    """
    resident = require_access(by_public_id(Resident, resident_id))
    existing = drafts.open_draft(resident, coach=current_user)
    if existing is not None and not started_here(existing):
        return redirect(url_for("visits.restart", resident_id=resident.public_id))
    draft = drafts.start_draft(resident, visits.visit_form(resident), coach=current_user)
    remember_visit_draft(draft)
    return redirect(url_for("visits.handover", draft_id=draft.public_id))


@bp.route("/coach/bewoner/<resident_id>/samen/opnieuw", methods=["GET", "POST"])
@role_required(*COACH_ROLES)
def restart(resident_id: str):
    """"Opnieuw beginnen": the unfinished check-in together is thrown away (after a question) and a new
    one starts on this device, in the form the resident has now. For a visit whose device is gone, or
    one stopped half-way here (its old answers must not carry into the next visit)."""
    resident = require_access(by_public_id(Resident, resident_id))
    existing = drafts.open_draft(resident, coach=current_user)
    if existing is None:
        return redirect(url_for("caseload.resident", resident_id=resident.public_id))
    here = started_here(existing)
    form = CsrfForm()
    if form.validate_on_submit():
        drafts.discard_draft(resident, existing)
        draft = drafts.start_draft(resident, visits.visit_form(resident), coach=current_user)
        remember_visit_draft(draft)
        flash(_("De antwoorden tot nu toe zijn weggegooid. De check-in begint opnieuw.") if here else
              _("De antwoorden van het andere apparaat zijn weggegooid. De check-in begint opnieuw, op dit apparaat."),
              "success")
        return redirect(url_for("visits.handover", draft_id=draft.public_id))
    audit.record("draft.view", resident, existing)  # the page names the resident
    return render_form("visits/restart.html", form, resident=resident, draft=existing, here=here)


@bp.get("/checkin/<draft_id>/overdragen")
@role_required(*COACH_ROLES)
@draft_screen()
def handover(resident: Resident, draft: Draft):
    """"Geef de tablet aan ...": the resident answers on their own; the coach's screens lock."""
    start_handover(draft)
    audit.record("draft.view", resident, draft)  # the page names the resident
    return render_template("visits/handover.html", draft=draft, resident=resident, next_url=resume_url(draft))


@bp.post("/coach/bewoner/<resident_id>/vragenlijst")
@role_required(*COACH_ROLES)
def preferred_form(resident_id: str):
    """The coach chooses an easy-read form (five or three faces) as this resident's default, or the usual one."""
    resident = require_access(by_public_id(Resident, resident_id))
    chosen = request.form.get("form", "")
    if not CsrfForm().validate_on_submit() or chosen not in ("", *EASY_FORMS):
        abort(400)
    drafts.set_preferred_form(resident, chosen or None)
    flash({"": _("De gewone vragenlijst is nu de standaard voor deze bewoner."),
           FormKind.EENVOUDIG: _("De eenvoudige vragenlijst met gezichtjes is nu de standaard voor deze bewoner."),
           FormKind.HEEL_EENVOUDIG: _("De heel eenvoudige vragenlijst met 3 gezichtjes is nu de standaard "
                                      "voor deze bewoner.")}[chosen], "success")
    return redirect(url_for("caseload.resident", resident_id=resident.public_id) + "#vragenlijst")
def _after_unlock(draft_id: str | None) -> str:
    """Back to the coach's work: the conversation once the resident tapped "Klaar", else the resident."""
    checkin = visits.checkin_of_draft(draft_id) if draft_id else None
    if checkin is not None:
        return url_for("results.result", checkin_id=checkin.public_id) + "#plan"
    resident = visits.resident_of_draft(draft_id) if draft_id else None
    if resident is not None:
        return url_for("caseload.resident", resident_id=resident.public_id)
    return url_for("caseload.home")


@bp.route("/overdracht/terug", methods=["GET", "POST"])
@role_required(*COACH_ROLES)
@limiter.limit(LOGIN_LIMIT_PER_ACCOUNT, methods=["POST"])
def unlock():
    """"Terug naar de coach": the coach's password (or passkey) opens their own screens again."""
    draft_id = handover_draft_id()
    if draft_id is None:
        return redirect(url_for("caseload.home"))
    form = UnlockForm()
    if form.validate_on_submit():
        if verify_password(current_user.password_hash, form.password.data):
            end_handover()
            flash(_("U bent weer in uw eigen scherm."), "success")
            return redirect(_after_unlock(draft_id))
        form.password.errors.append(_("Dit wachtwoord klopt niet. Alleen de coach kan de tablet ontgrendelen."))
    return render_form("visits/unlock.html", form, back_url=url_for("checkin.resume", draft_id=draft_id),
                       has_passkey=bool(current_user.passkeys))


def _site() -> tuple[str, str]:
    config = current_app.config
    return passkey_rules.relying_party(request.host_url, config["WEBAUTHN_RP_ID"], config["WEBAUTHN_ORIGIN"])


@bp.post("/overdracht/terug/inlogsleutel/opties")
@role_required(*COACH_ROLES)
@limiter.limit(LOGIN_LIMIT_PER_ACCOUNT)
def unlock_options():
    """Unlock with a passkey: only the logged-in coach's own passkeys are offered."""
    options, session[UNLOCKING] = passkeys.authentication_options(_site()[0], current_user)
    return current_app.response_class(options, mimetype="application/json")


@bp.post("/overdracht/terug/inlogsleutel")
@role_required(*COACH_ROLES)
@limiter.limit(LOGIN_LIMIT_PER_ACCOUNT)
def unlock_passkey():
    draft_id = handover_draft_id()
    rp_id, origin = _site()
    try:
        passkeys.authenticate(passkeys.parse_credential(request.get_data()), session.pop(UNLOCKING, None),
                              rp_id, origin, expected=current_user)
    except passkeys.PasskeyError as error:
        return jsonify(message=error.problem.label), 400
    end_handover()
    flash(_("U bent weer in uw eigen scherm."), "success")
    return jsonify(redirect=_after_unlock(draft_id))
