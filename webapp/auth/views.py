"""Register, log in, activate an enrolled resident's account, log out."""

import hashlib

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import func, select

from webapp.accounts import service as people
from webapp.auth.forms import ActivateForm, LoginForm, RegisterForm
from webapp.core.extensions import db, limiter
from webapp.core.models import User
from webapp.core.passwords import verify_password
from webapp.core.security import end_session, start_session
from webapp.core.urls import safe_next

bp = Blueprint("auth", __name__)

LOGIN_LIMIT_PER_IP = "30 per 15 minutes"
LOGIN_LIMIT_PER_ACCOUNT = "10 per 15 minutes"


def _account_key() -> str:
    """Rate-limit key per account name, hashed so no names end up in the limiter's storage."""
    name = (request.form.get("username") or "").strip().lower()
    return "login-account:" + hashlib.sha256(name.encode()).hexdigest()


@bp.route("/registreren", methods=["GET", "POST"])
@limiter.limit("20 per hour", methods=["POST"])
def register():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = RegisterForm()
    if form.validate_on_submit():
        if people.username_taken(form.username.data.strip()):
            form.username.errors.append(_("Deze gebruikersnaam is al bezet. Kies een andere."))
        else:
            user = people.create_resident_account(form.username.data.strip(), form.password.data)
            start_session(user)
            flash(_("Uw account is klaar. Welkom!"), "success")
            return redirect(url_for("main.home"))
    status = 400 if form.errors else 200
    return render_template("auth/register.html", form=form), status


@bp.route("/inloggen", methods=["GET", "POST"])
@limiter.limit(LOGIN_LIMIT_PER_IP, methods=["POST"])
@limiter.limit(LOGIN_LIMIT_PER_ACCOUNT, methods=["POST"], key_func=_account_key)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm()
    if form.validate_on_submit():
        username = form.username.data.strip().lower()
        user = db.session.scalar(select(User).where(func.lower(User.username) == username))
        if verify_password(user.password_hash if user else None, form.password.data) and user.is_active:
            start_session(user)
            return redirect(safe_next(request.args.get("next")) or url_for("main.home"))
        form.password.errors.append(_("Deze gebruikersnaam en dit wachtwoord horen niet bij elkaar."))
    status = 400 if form.errors else 200
    return render_template("auth/login.html", form=form), status


@bp.route("/activeren", methods=["GET", "POST"])
@limiter.limit("10 per 15 minutes", methods=["POST"])
def activate():
    """An enrolled resident turns the coach's printed code into their own login."""
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = ActivateForm()
    if form.validate_on_submit():
        try:
            people.check_activation_code(form.code.data)
        except people.CodeError:
            form.code.errors.append(
                _("Deze code klopt niet, is al gebruikt of is verlopen. Vraag uw coach om een nieuwe code.")
            )
        else:
            if people.username_taken(form.username.data.strip()):
                form.username.errors.append(_("Deze gebruikersnaam is al bezet. Kies een andere."))
            else:
                user = people.activate(form.code.data, form.username.data.strip(), form.password.data)
                start_session(user)
                flash(_("Uw account is klaar. U ziet nu uw eigen gegevens."), "success")
                return redirect(url_for("main.home"))
    status = 400 if form.errors else 200
    return render_template("auth/activate.html", form=form), status


@bp.post("/uitloggen")
@login_required
def logout():
    end_session()
    flash(_("U bent uitgelogd."), "success")
    return redirect(url_for("main.home"))


@bp.post("/overal-uitloggen")
@login_required
def logout_everywhere():
    """End every session of this account, on every device."""
    current_user.session_version += 1
    end_session()
    flash(_("U bent overal uitgelogd, op alle apparaten."), "success")
    return redirect(url_for("main.home"))
