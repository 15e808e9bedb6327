"""The edge: what the app accepts from outside, checked in one place before any view runs.

PostgreSQL cannot store a NUL byte and psycopg cannot send a lone surrogate, and no person types
a control character on purpose: they come from pasting, broken clients or probes. So every URL
path, query value and form value (names too) is checked here once, and a request that carries
one is refused with a clear page before anything reads or writes the database. Uploaded files
are checked where they are decoded, with `find_control_character`.
"""

import re
from datetime import date

from flask import Flask, current_app, render_template, request
from flask_babel import lazy_gettext as _l

# C0 controls and DEL, C1 controls, lone surrogates. Multi-line text (a form's textarea, a CSV
# file) may hold tab, line feed and carriage return; a path or query value may not.
_SINGLE_LINE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
_MULTI_LINE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
_WHOLE_NUMBER = re.compile(r"[0-9]{1,9}")  # ASCII only: no "５", "²" or "1_948"; fits any integer column
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")

EARLIEST_DATE = date(2000, 1, 1)  # older than Veerkracht itself: a typing error


def find_control_character(text: str, multiline: bool = False) -> int | None:
    """The position of the first character the app refuses in this text, or None."""
    found = (_MULTI_LINE if multiline else _SINGLE_LINE).search(text)
    return found.start() if found else None


def whole_number(text: str) -> int | None:
    """A whole number written with the digits 0-9 (at most nine), or None for anything else."""
    text = text.strip()
    return int(text) if _WHOLE_NUMBER.fullmatch(text) else None


def iso_date(text: str) -> date | None:
    """A date written as 2026-11-24 with the digits 0-9, or None for anything else."""
    text = text.strip()
    if not _ISO_DATE.fullmatch(text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def _refused_part() -> str | None:
    """Which part of the request carries a refused character: the path, the query or the form."""
    if find_control_character(request.path) is not None:
        return "path"
    for key, values in request.args.lists():
        if any(find_control_character(text) is not None for text in (key, *values)):
            return "query"
    for key, values in request.form.lists():  # reading the form applies the body-size limit
        if find_control_character(key) is not None or any(
                find_control_character(text, multiline=True) is not None for text in values):
            return "form"
    for key, storage in request.files.items(multi=True):
        if any(find_control_character(text) is not None for text in (key, storage.filename or "")):
            return "form"
    return None


def init_app(app: Flask) -> None:
    """Refuse control characters in every request, after the body-size limit and before CSRF."""

    @app.before_request
    def _refuse_control_characters():
        part = _refused_part()
        if part is None:
            return None
        # Never the value itself: it may be personal data.
        current_app.logger.info("refused a control character in the %s of %s %s", part, request.method,
                                request.endpoint)
        return render_template(
            "errors/error.html", code=400, title=_l("Onbekend teken"),
            message=_l("In wat u verstuurde, staat een teken dat wij niet kunnen lezen. Dat gebeurt soms bij "
                       "kopiëren en plakken. Er is niets opgeslagen. Ga terug, typ de tekst zelf opnieuw en "
                       "probeer het nog een keer."),
        ), 400
