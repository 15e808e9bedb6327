"""Login sessions and the security headers every response carries."""

from flask import Flask, request, session
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from webapp.extensions import db, login_manager
from webapp.models import User

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


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Log eerst in om verder te gaan.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"

    @app.before_request
    def _keep_session() -> None:
        # A locked phone or a closed browser must not lose a half-done check-in.
        session.permanent = True

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
