"""Friendly Dutch error pages; never a stack trace."""

from urllib.parse import urlsplit

from flask import Flask, current_app, flash, g, redirect, render_template, request, session, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DisconnectionError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

from webapp.checkin.service import DraftConflict
from webapp.core.extensions import db, login_manager
from webapp.core.urls import safe_next

MESSAGES = {
    400: (_l("Dat ging niet goed"),
          _l("Wat er werd verstuurd, klopt niet. Er is niets opgeslagen. Ga terug en probeer het opnieuw.")),
    403: (_l("Geen toegang"), _l("U mag deze pagina niet bekijken.")),
    404: (_l("Pagina niet gevonden"), _l("Deze pagina bestaat niet, of u mag hem niet zien.")),
    405: (_l("Dat kan zo niet"), _l("Deze pagina werkt niet op deze manier. Ga terug naar de startpagina.")),
    409: (_l("Tegelijk veranderd"),
          _l("Dit werd op een ander scherm tegelijk veranderd. Laad de pagina opnieuw en kijk of alles klopt.")),
    413: (_l("Te veel gegevens"), None),  # the message names the limit: see _render
    429: (_l("Even wachten"), _l("U heeft het te vaak geprobeerd. Wacht een paar minuten en probeer het dan opnieuw.")),
    500: (_l("Er ging iets mis"),
          _l("Er ging bij ons iets mis. Uw eerdere antwoorden zijn bewaard. Probeer het later opnieuw.")),
    503: (_l("Veerkracht is even niet bereikbaar"),
          _l("Er is bij ons een storing. Wat u al had opgeslagen, is bewaard. Probeer het over een paar minuten "
             "opnieuw.")),
}

# The database cannot be reached (down, restarting, no connections left): the pages say so in
# Dutch, without needing the database themselves.
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError, DisconnectionError, PoolTimeoutError)
RETRY_AFTER_SECONDS = 60


def _a_page(path: str) -> bool:
    """Whether a GET of this path reaches a page (a form shown after a failed POST has a POST-only URL)."""
    try:
        current_app.url_map.bind("").match(path, method="GET")
    except HTTPException:
        return False
    return True


def _back() -> str | None:
    """The page the request came from, when it is a page of this site (a form's page): the way back."""
    referrer = urlsplit(request.referrer or "")
    if referrer.netloc not in ("", request.host) or not referrer.path or not _a_page(referrer.path):
        return None
    return safe_next(referrer.path + (f"?{referrer.query}" if referrer.query else ""))


def _render(code: int, title=None, message=None):
    default_title, default_message = MESSAGES.get(code, MESSAGES[500])
    if code == 413 and request.mimetype == "multipart/form-data":  # a file: say how large it may be
        default_message = _l("Het bestand is te groot: hoogstens %(mb)s MB. Er is niets opgeslagen.",
                             mb=current_app.config["MAX_CONTENT_LENGTH"] // (1024 * 1024))
    elif code == 413:  # a form (security.FORM_BODY_LIMIT): far more than any form needs
        default_message = _l("U heeft veel te veel tekst verstuurd. Er is niets opgeslagen. Maak de tekst korter "
                             "en probeer het opnieuw.")
    return render_template(
        "errors/error.html", code=code, title=title or default_title,
        message=message or default_message,
        back=_back() if request.method == "POST" else None,  # a form that failed: back to it, not only home
    ), code


def _rollback_quietly() -> None:
    """Roll back what the request did; with the database gone even that may fail."""
    try:
        db.session.rollback()
    except Exception:  # noqa: BLE001 - the connection is broken; dropping the session is all that is left
        db.session.remove()


def _unavailable(app: Flask, error: Exception):
    """The 503 page: it touches no database, not even to load the logged-in user."""
    _rollback_quietly()
    # One line, no traceback: a driver's message may quote a query; the cause's class name says enough.
    app.logger.error("database unavailable on %s %s (%s)", request.method, request.url_rule,
                     type(getattr(error, "orig", None) or error).__name__)
    # Flask-Login loads the user for every template; the page is drawn as for a visitor instead.
    # The cookie is left alone, so nobody is logged out by an outage.
    g._login_user = login_manager.anonymous_user()
    title, message = MESSAGES[503]
    return (render_template("errors/unavailable.html", title=title, message=message), 503,
            {"Retry-After": str(RETRY_AFTER_SECONDS)})


def init_app(app: Flask) -> None:
    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    @app.errorhandler(DisconnectionError)
    @app.errorhandler(PoolTimeoutError)
    def _database_unavailable(error: Exception):
        if request.path == "/healthz":
            _rollback_quietly()
            return {"status": "error", "database": "unreachable"}, 503
        return _unavailable(app, error)

    @app.errorhandler(CSRFError)
    def _csrf(error):
        db.session.rollback()
        needs_login = getattr(app.view_functions.get(request.endpoint), "allowed_roles", None)
        if needs_login and not current_user.is_authenticated:
            # The session ended (timed out, or logged out elsewhere) while the page stayed open: the form
            # token went with it. Log in again and come back to that page, as any page needing a login
            # does; what was typed there was kept as a draft while typing. Said once: a background save
            # may already have said that the session ended.
            if not session.get("_flashes"):
                flash(_l("Uw sessie is verlopen. Log opnieuw in. Wat u net verstuurde, is niet opgeslagen."), "info")
            return redirect(url_for("accounts.login", next=_back()))
        return _render(
            400, _l("Uw sessie is verlopen"),
            _l("Voor uw veiligheid werkte dit formulier niet meer. Er is niets opgeslagen. "
               "Ga terug, laad de pagina opnieuw en probeer het nog een keer."),
        )

    @app.errorhandler(StaleDataError)
    @app.errorhandler(DraftConflict)
    def _conflict(error):
        db.session.rollback()
        return _render(409)

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException):
        if isinstance(getattr(error, "original_exception", None), DATABASE_UNAVAILABLE):
            return _database_unavailable(error.original_exception)  # e.g. the final commit failed
        _rollback_quietly()
        if request.path == "/healthz":
            return error
        return _render(error.code or 500)

    @app.errorhandler(Exception)
    def _unexpected(error: Exception):
        _rollback_quietly()
        app.logger.exception("unhandled error on %s %s", request.method, request.url_rule)
        return _render(500)
