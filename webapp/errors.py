"""Friendly Dutch error pages; never a stack trace."""

from flask import Flask, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

from webapp.checkin.service import DraftConflict
from webapp.core.extensions import db

MESSAGES = {
    400: (_l("Dat ging niet goed"),
          _l("Wat er werd verstuurd, klopt niet. Er is niets opgeslagen. Ga terug en probeer het opnieuw.")),
    403: (_l("Geen toegang"), _l("U mag deze pagina niet bekijken.")),
    404: (_l("Pagina niet gevonden"), _l("Deze pagina bestaat niet, of u mag hem niet zien.")),
    405: (_l("Dat kan zo niet"), _l("Deze pagina werkt niet op deze manier. Ga terug naar de startpagina.")),
    409: (_l("Tegelijk veranderd"),
          _l("Dit werd op een ander scherm tegelijk veranderd. Laad de pagina opnieuw en kijk of alles klopt.")),
    413: (_l("Te veel gegevens"),
          _l("U heeft te veel tekst of een te groot bestand verstuurd. Er is niets opgeslagen.")),
    429: (_l("Even wachten"), _l("U heeft het te vaak geprobeerd. Wacht een paar minuten en probeer het dan opnieuw.")),
    500: (_l("Er ging iets mis"),
          _l("Er ging bij ons iets mis. Uw eerdere antwoorden zijn bewaard. Probeer het later opnieuw.")),
    503: (_l("Even niet bereikbaar"), _l("Veerkracht is even niet bereikbaar. Probeer het later opnieuw.")),
}


def _render(code: int, title=None, message=None):
    default_title, default_message = MESSAGES.get(code, MESSAGES[500])
    return render_template(
        "errors/error.html", code=code, title=title or default_title,
        message=message or default_message,
    ), code


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def _csrf(error):
        db.session.rollback()
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
        db.session.rollback()
        if request.path == "/healthz":
            return error
        return _render(error.code or 500)

    @app.errorhandler(Exception)
    def _unexpected(error: Exception):
        db.session.rollback()
        app.logger.exception("unhandled error on %s %s", request.method, request.url_rule)
        return _render(500)
