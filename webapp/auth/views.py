"""Register, log in and log out."""

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import func, select

from webapp.auth.forms import LoginForm, RegisterForm
from webapp.extensions import db
from webapp.models import Resident, User
from webapp.models._base import utcnow
from webapp.passwords import hash_password, verify_password
from webapp.urls import safe_next

bp = Blueprint("auth", __name__)


def _clear_session() -> None:
    """Empty the session (nothing from before carries over), keeping only the chosen language."""
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang


def _start_session(user: User) -> None:
    _clear_session()
    login_user(user)
    user.last_login_at = utcnow()


@bp.route("/registreren", methods=["GET", "POST"])
def register():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = RegisterForm()
    if form.validate_on_submit():
        username = form.username.data.strip().lower()
        taken = db.session.scalar(select(User.id).where(func.lower(User.username) == username))
        if taken:
            form.username.errors.append(_("Deze gebruikersnaam is al bezet. Kies een andere."))
        else:
            user = User(username=username, password_hash=hash_password(form.password.data), role="bewoner")
            db.session.add(user)
            db.session.flush()
            db.session.add(Resident(user_id=user.id))
            db.session.flush()
            _start_session(user)
            flash(_("Uw account is klaar. Welkom!"), "success")
            return redirect(url_for("main.home"))
    status = 400 if form.errors else 200
    return render_template("auth/register.html", form=form), status


@bp.route("/inloggen", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm()
    if form.validate_on_submit():
        username = form.username.data.strip().lower()
        user = db.session.scalar(select(User).where(func.lower(User.username) == username))
        if verify_password(user.password_hash if user else None, form.password.data) and user.is_active:
            _start_session(user)
            return redirect(safe_next(request.args.get("next")) or url_for("main.home"))
        form.password.errors.append(_("Deze gebruikersnaam en dit wachtwoord horen niet bij elkaar."))
    status = 400 if form.errors else 200
    return render_template("auth/login.html", form=form), status


@bp.post("/uitloggen")
@login_required
def logout():
    logout_user()
    _clear_session()
    flash(_("U bent uitgelogd."), "success")
    return redirect(url_for("main.home"))
