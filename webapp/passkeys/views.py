"""Passkeys: add one on the phone, log in with it (instead of a password, or as the second step
after one), remove it. The browser part needs JavaScript; without it the password still works."""

from flask import Blueprint, abort, current_app, flash, jsonify, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from webapp.accounts.rules import LOGIN_LIMIT_PER_IP
from webapp.core.extensions import limiter
from webapp.core.forms import CsrfForm
from webapp.core.models import Passkey
from webapp.core.passwords import verify_password
from webapp.core.security import pending_login, start_session
from webapp.core.urls import safe_next
from webapp.core.views import get_or_404
from webapp.passkeys import rules
from webapp.passkeys import service as passkeys

bp = Blueprint("passkeys", __name__)

ADDING, LOGGING_IN = "passkey_add", "passkey_login"  # session keys of the pending challenges


def _site() -> tuple[str, str]:
    config = current_app.config
    return rules.relying_party(request.host_url, config["WEBAUTHN_RP_ID"], config["WEBAUTHN_ORIGIN"])


def _problem(error: passkeys.PasskeyError):
    return jsonify(message=error.problem.label), 400


@bp.get("/inlogsleutels")
@login_required
def manage():
    return render_template("passkeys/manage.html", passkeys=current_user.passkeys, button=CsrfForm())


@bp.post("/inlogsleutels/opties")
@login_required
@limiter.limit("10 per 15 minutes")
def add_options():
    """The first half of adding a passkey: the password once more, then the phone makes a key."""
    if not verify_password(current_user.password_hash, request.form.get("password", "")):
        return jsonify(message=_("Dit wachtwoord klopt niet.")), 400
    options, session[ADDING] = passkeys.registration_options(current_user, _site()[0])
    return current_app.response_class(options, mimetype="application/json")


@bp.post("/inlogsleutels/toevoegen")
@login_required
@limiter.limit("10 per 15 minutes")
def add():
    """The second half: the phone's answer is checked and its public key stored."""
    rp_id, origin = _site()
    try:
        passkeys.add_passkey(current_user, passkeys.parse_credential(request.get_data()), session.pop(ADDING, None),
                             rp_id, origin, rules.device_name(request.user_agent.string))
    except passkeys.PasskeyError as error:
        return _problem(error)
    flash(_("Uw inlogsleutel is toegevoegd. De volgende keer kunt u daarmee inloggen."), "success")
    return jsonify(redirect=url_for("passkeys.manage"))


@bp.post("/inlogsleutels/<passkey_id>/verwijderen")
@login_required
def remove(passkey_id: str):
    passkey = get_or_404(Passkey, passkey_id)
    if passkey.user_id != current_user.id:
        abort(404)
    passkeys.remove_passkey(current_user, passkey)
    flash(_("De inlogsleutel is verwijderd. Met die sleutel kunt u niet meer inloggen."), "success")
    return redirect(url_for("passkeys.manage"))


@bp.post("/inloggen/inlogsleutel/opties")
@limiter.limit(LOGIN_LIMIT_PER_IP)
def login_options():
    """Log in with a passkey: after the password (the second step) only that account's passkeys,
    otherwise any passkey for this site on the phone."""
    if current_user.is_authenticated:
        abort(409)
    user, _next = pending_login()
    options, session[LOGGING_IN] = passkeys.authentication_options(_site()[0], user)
    return current_app.response_class(options, mimetype="application/json")


@bp.post("/inloggen/inlogsleutel")
@limiter.limit(LOGIN_LIMIT_PER_IP)
def login():
    if current_user.is_authenticated:
        abort(409)
    pending, pending_next = pending_login()
    rp_id, origin = _site()
    try:
        user = passkeys.authenticate(passkeys.parse_credential(request.get_data()), session.pop(LOGGING_IN, None),
                                     rp_id, origin, expected=pending)
    except passkeys.PasskeyError as error:
        return _problem(error)
    # The phone asked for a fingerprint, face or PIN: a passkey is two factors on its own.
    start_session(user, second_factor=True)
    next_url = pending_next if pending else safe_next(request.args.get("next"))
    return jsonify(redirect=next_url or url_for("main.home"))
