"""Language choice: Dutch by default, English on request."""

from babel.dates import get_month_names
from flask import Flask, current_app, request, session
from flask_babel import format_decimal, get_locale, gettext
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError

from webapp.core import clock, templating
from webapp.core.extensions import babel
from webapp.core.labels import EASY_FORMS, ReferralStatus


def select_locale() -> str:
    """Use the language the person chose, else Dutch."""
    chosen = session.get("lang")
    if chosen in current_app.config["LANGUAGES"]:
        return chosen
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def locale() -> str:
    """Return the active language code ('nl' or 'en')."""
    return str(get_locale() or "nl")


def month_names() -> list[tuple[int, str]]:
    """The twelve months in the active language: [(1, "januari"), ...]."""
    names = get_month_names("wide", locale=locale())
    return [(number, names[number]) for number in range(1, 13)]


def one_decimal(value: float) -> str:
    """Format a score the local way: 7,5 in Dutch, 7.5 in English (and -0,04 as 0,0, not -0,0)."""
    return format_decimal(round(value, 1) + 0.0, format="0.0")


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale)
    templating.init_app(app)  # a cheaper gettext and url_for in templates
    app.jinja_env.filters["one_decimal"] = one_decimal
    app.jinja_env.globals["referral_status_labels"] = {status: status.label for status in ReferralStatus}
    # A resident number in groups of four, easier to read out on the phone (spaces are ignored on input).
    app.jinja_env.filters["grouped"] = grouped
    app.jinja_env.filters["cents"] = lambda cents: format_decimal((cents or 0) / 100, format="0.00")
    app.jinja_env.globals["resident_name"] = resident_name
    app.jinja_env.globals["local_day"] = clock.local_day
    app.jinja_env.globals["EASY_FORMS"] = EASY_FORMS  # templates ask "an easy-read form?" with it

    @app.context_processor
    def _inject_locale() -> dict:
        return {"lang": locale(), "request_path": request.full_path.rstrip("?"), "read_aloud": _read_aloud()}


# Where a resident reads: the check-in, the result and the pages for residents (and anyone not
# logged in). Staff pages (caseload, beheer, Impact) get no "Lees voor" buttons.
READ_ALOUD_BLUEPRINTS = frozenset({"checkin", "results", "visits", "main", "sociale_kaart", "reminders", "rights"})


def _read_aloud() -> bool:
    if request.blueprint in READ_ALOUD_BLUEPRINTS:
        return True
    try:
        return not current_user.is_authenticated or current_user.has_role("bewoner")
    except SQLAlchemyError:  # the "database unavailable" page: no login to look up
        return False


def grouped(number: str) -> str:
    """A resident number in groups of four, as it is read out on the phone."""
    return " ".join(number[i:i + 4] for i in range(0, len(number), 4))


def resident_name(resident=None, *, name: str | None = None, number: str | None = None) -> str:
    """How staff see a resident, the same on every page (issue 19): the name the coach wrote, else the
    resident's own username, else "Bewoner" and the resident number. Pass a Resident, or a name and a
    number (a caseload row, whose name may be the number's first characters when there is none)."""
    if resident is not None:
        name = resident.display_name or (resident.user.username if resident.user else None)
        number = resident.public_id
    if name and not (number and name == number[:6]):
        return name
    return gettext("Bewoner %(number)s", number=grouped(number or ""))
