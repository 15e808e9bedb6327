"""Login sessions and the security headers every response carries."""

import io
from datetime import timedelta

from flask import Flask, abort, current_app, flash, redirect, request, session, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select

from webapp.core import clock
from webapp.core.extensions import db, limiter, login_manager
from webapp.core.labels import STAFF_ROLES
from webapp.core.models import User
from webapp.core.models._base import utcnow

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'none'; object-src 'none'"
)
# matplotlib's SVG carries an inline <style>; charts contain no script.
CHART_CONTENT_SECURITY_POLICY = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'"


@login_manager.user_loader
def _load_user(public_id: str) -> User | None:
    user = db.session.scalar(select(User).where(User.public_id == public_id))
    return user if user and user.is_active else None


def clear_session() -> None:
    """Empty the session (nothing from before carries over), keeping only the chosen language."""
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang


def start_session(user: User, second_factor: bool = False) -> None:
    """Log a user in on a fresh session that carries its start time, version and whether the
    second factor was given."""
    clear_session()
    login_user(user)
    stamp = clock.now().timestamp()
    session["started"] = session["seen"] = stamp
    session["sv"] = user.session_version
    session["mfa"] = second_factor
    user.last_login_at = utcnow()


PENDING_LOGIN = "pending_login"  # the password was right; the second factor is still to come
PENDING_SECONDS = 600


def begin_second_step(user: User, next_url: str | None) -> None:
    """Remember, for ten minutes, who gave the right password; nobody is logged in yet."""
    clear_session()
    session[PENDING_LOGIN] = {"user": user.public_id, "at": clock.now().timestamp(), "next": next_url}


def pending_login() -> tuple[User | None, str | None]:
    """The account waiting for its second factor on this device, and where to go next."""
    pending = session.get(PENDING_LOGIN)
    if not isinstance(pending, dict) or clock.now().timestamp() - pending.get("at", 0) > PENDING_SECONDS:
        return None, None
    return _load_user(pending.get("user", "")), pending.get("next")


def end_session() -> None:
    logout_user()
    clear_session()


def _limits(user: User) -> tuple[timedelta, timedelta]:
    config = current_app.config
    if user.has_role(*STAFF_ROLES):
        return (timedelta(minutes=config["IDLE_MINUTES_STAFF"]), timedelta(hours=config["ABSOLUTE_HOURS_STAFF"]))
    return (timedelta(minutes=config["IDLE_MINUTES_RESIDENT"]),
            timedelta(hours=config["ABSOLUTE_HOURS_RESIDENT"]))


def session_expired(user: User) -> bool:
    """Idle too long, open too long, or ended by "log out everywhere"."""
    started, seen = session.get("started"), session.get("seen")
    if started is None or seen is None or session.get("sv") != user.session_version:
        return True
    idle, absolute = _limits(user)
    now = clock.now().timestamp()
    return now - seen > idle.total_seconds() or now - started > absolute.total_seconds()


FORM_BODY_LIMIT = 64 * 1024  # a check-in step is a few hundred bytes


def limit_body_size(app: Flask) -> None:
    """Refuse oversized bodies before anything reads them: forms up to 64 KB, file uploads up to
    MAX_CONTENT_LENGTH (2 MB, for a CSV of the sociale kaart).

    A chunked body has no Content-Length to check up front: it is read here up to one byte past the
    limit (werkzeug's own cap stops reading at the limit and would parse the cut-off part).
    """

    @app.before_request
    def _refuse_oversized_body():
        limit = app.config["MAX_CONTENT_LENGTH"] if request.mimetype == "multipart/form-data" else FORM_BODY_LIMIT
        if (request.content_length or 0) > limit:
            abort(413)
        request.max_content_length = limit
        chunked = "chunked" in request.headers.get("Transfer-Encoding", "").lower()
        if chunked and request.environ.get("wsgi.input_terminated"):  # else werkzeug reads no body at all
            body = request.environ["wsgi.input"].read(limit + 1)
            if len(body) > limit:
                abort(413)
            request.environ["wsgi.input"] = io.BytesIO(body)


def init_app(app: Flask) -> None:
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Log eerst in om verder te gaan.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"

    @app.before_request
    def _check_session():
        # A locked phone or a closed browser must not lose a half-done check-in (drafts are
        # in the database); the login itself still ends after the idle and absolute limits.
        session.permanent = True
        if request.endpoint in ("static", "main.healthz") or not current_user.is_authenticated:
            return None
        if session_expired(current_user) or (current_user.needs_second_factor and not session.get("mfa")):
            end_session()
            flash(_l("Uw sessie is verlopen. Log opnieuw in. Uw antwoorden zijn bewaard."), "info")
            target = request.full_path.rstrip("?") if request.method == "GET" else None
            return redirect(url_for("accounts.login", next=target))
        session["seen"] = clock.now().timestamp()
        return None

    @app.after_request
    def _headers(response):
        headers = response.headers
        if response.mimetype == "image/svg+xml":
            headers.setdefault("Content-Security-Policy", CHART_CONTENT_SECURITY_POLICY)
        else:
            headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault(
            "Permissions-Policy", "camera=(), microphone=(), geolocation=(), interest-cohort=()"
        )
        if request.is_secure:
            headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        if not request.path.startswith("/static/") and current_user.is_authenticated:
            headers["Cache-Control"] = "no-store"
        headers.add("Vary", "Cookie")
        return response
