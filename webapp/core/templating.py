"""The two helpers every template calls dozens of times, made cheap (issue 18, the request path).

An empty page calls `_()` about 36 times and `url_for` about 40 times. Flask-Babel's template
`gettext` looks the locale and the catalogue up again through several context-local proxies on
every call, and Flask's `url_for` runs the url_defaults hooks (a file stat for a fingerprinted
static file) and werkzeug's URL builder on every call. Together that was a fifth of an empty page.

- `gettext`/`ngettext` here take the catalogue Flask-Babel chose for this request (its own
  `babel_locale` on `g`), look it up once per request and locale, and format exactly as Jinja's
  "newstyle" gettext does (autoescaped, `%` with the variables, `num` for ngettext). When the
  locale is not chosen yet, or was reset with `flask_babel.refresh()`, Flask-Babel decides.
- `url_for` keeps each URL it built inside a request, by endpoint, values and what the request
  adds to a URL (script root, scheme, host), up to URL_CACHE_SIZE entries. The result is the same
  string Flask builds: a relative URL, the fingerprint from the url_defaults hook. Blueprint-
  relative endpoints, options (`_external`, `_anchor`, ...), unhashable values, and debug mode
  (static files change while the server runs) go straight to Flask.
- `_` is this `gettext` itself. Jinja's i18n extension makes `_` an alias that looks `gettext` up in
  the template's context and calls it through the context again: two calls for every text on a
  page. Nothing here passes its own `gettext` to a template, so the alias only cost time.
"""

from flask import Flask
from flask.globals import _cv_app, _cv_request
from flask_babel import get_translations
from jinja2 import pass_context
from markupsafe import Markup

URL_CACHE_SIZE = 4096


def _catalogue():
    """This request's translations, without the proxies; Flask-Babel's own choice when unsure."""
    app_ctx = _cv_app.get(None)
    state = app_ctx.g.__dict__.get("_flask_babel") if app_ctx is not None else None
    chosen = getattr(state, "babel_locale", None)
    if chosen is None:
        return get_translations()
    remembered = getattr(state, "veerkracht_catalogue", None)  # (locale, catalogue) of this request
    if remembered is not None and remembered[0] is chosen:
        return remembered[1]
    catalogue = get_translations()
    state.veerkracht_catalogue = (chosen, catalogue)
    return catalogue


@pass_context
def gettext(context, string: str, **variables) -> str:
    text = _catalogue().ugettext(string)
    if context.eval_ctx.autoescape:
        text = Markup(text)  # noqa: S704 - our own catalogue, marked safe as Jinja's i18n does
    return text % variables


@pass_context
def ngettext(context, singular: str, plural: str, num: int, **variables) -> str:
    variables.setdefault("num", num)
    text = _catalogue().ungettext(singular, plural, num)
    if context.eval_ctx.autoescape:
        text = Markup(text)  # noqa: S704 - our own catalogue, marked safe as Jinja's i18n does
    return text % variables


def remembering_url_for(app: Flask):
    """`url_for` for templates, remembering what it built (see the module's notes)."""
    built: dict[tuple, str] = {}
    build = app.url_for

    def url_for(endpoint: str, **values) -> str:
        req_ctx = _cv_request.get(None)
        if req_ctx is None or app.debug or endpoint[:1] == "." or req_ctx.url_adapter is None:
            return build(endpoint, **values)
        adapter = req_ctx.url_adapter
        try:
            key = (endpoint, adapter.script_name, adapter.url_scheme, adapter.server_name, *sorted(values.items()))
            url = built.get(key)
        except TypeError:  # an unhashable value (a list of ids)
            return build(endpoint, **values)
        if url is None:
            if any(name[:1] == "_" for name in values):
                return build(endpoint, **values)
            url = build(endpoint, **values)
            if len(built) < URL_CACHE_SIZE:
                built[key] = url
        return url

    return url_for


def init_app(app: Flask) -> None:
    """After Flask-Babel: replace its template gettext and Flask's template url_for."""
    app.jinja_env.globals.update(_=gettext, gettext=gettext, ngettext=ngettext, url_for=remembering_url_for(app))
