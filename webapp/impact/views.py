"""Impact: figures about all residents together for the beheerder; no individual data, small groups hidden."""

from datetime import date

from flask import Blueprint, Response, abort, current_app, render_template, request, url_for
from flask_babel import force_locale, format_date, format_time
from flask_babel import gettext as _

from webapp.core import audit, charts, clock
from webapp.core.assets import browser_has, name_body
from webapp.core.definitions import current_questionnaire, life_events
from webapp.core.i18n import locale
from webapp.core.labels import Role
from webapp.core.models._base import as_utc
from webapp.core.permissions import role_required
from webapp.core.spreadsheet import csv_text
from webapp.impact import rules as impact_figures
from webapp.impact import service as impact
from webapp.impact.labels import FILTER_PROBLEMS, OUTCOME_LABELS
from webapp.results.service import cache_key, drawing_version

bp = Blueprint("impact", __name__, url_prefix="/beheer")


def _period_label(key: str) -> str:
    year, _sep, quarter = key.partition("-K")
    return _("%(year)s, kwartaal %(quarter)s", year=year, quarter=quarter) if quarter else _("Heel %(year)s", year=year)


def _impact_request(make: bool = True):
    """The filters from the address, the figures for them, and what is wrong with them.

    Raises impact.BudgetSpent when this month's privacy budget cannot pay for the figures asked;
    with `make` False, impact.NotReleased when they are not made yet (nothing is spent then).
    """
    timezone = clock.timezone()
    periods, wijken = impact.period_choices(timezone), impact.wijk_groups(make)
    period, wijk = request.args.get("periode") or None, request.args.get("wijk") or None
    problems = [key for key, value, allowed in (("period", period, periods), ("wijk", wijk, wijken))
                if value is not None and value not in allowed]
    filters = impact.Filters(period if "period" not in problems else None, wijk if "wijk" not in problems else None)
    choices = {"periods": [(key, _period_label(key)) for key in periods],
               "wijken": [(key, _("Overige wijken en onbekend") if key == impact.OTHER_WIJKEN else key)
                          for key in wijken],
               "pooled": impact.OTHER_WIJKEN in wijken}  # the hint names that group only where it is offered
    if problems:
        return filters, choices, None, [FILTER_PROBLEMS[p] for p in problems]
    questionnaire = current_questionnaire()
    return filters, choices, impact.view(filters, [p.id for p in questionnaire.pillars],
                                         [e.id for e in life_events().events], timezone, wijken, make), []


def _impact_labels(data) -> impact.Labels:
    def month(key: str) -> str:
        year, number = map(int, key.split("-"))
        return format_date(date(year, number, 1), "MMM yyyy")

    return impact.Labels(
        months={key: month(key) for key, _n in data.months},
        pillars={p.id: p.name.get(locale()) for p in current_questionnaire().pillars},
        events={e.id: e.short.get(locale()) for e in life_events().events},
        outcomes={key: str(label) for key, label in OUTCOME_LABELS.items()},
    )


# The page's charts, each served at its own address and drawn for a wide screen or for a phone
# ("smal": 440 wide, larger words; the page offers it below 40rem). Only the one a screen needs is
# fetched, and a page is not held up by drawing: the browser asks for the charts beside each other.
CHARTS = {"maanden": "months", "verandering": "change"}
LAYOUTS = ("breed", "smal")
CHART_MAX_AGE = 31 * 24 * 3600  # the address names the release (a month's figures) and the language


def _draw_chart(name: str, narrow: bool, data, labels: impact.Labels) -> bytes:
    """One chart, drawn from the same (already suppressed) figures as the page's tables."""
    hidden = _("te weinig gegevens")
    if name == "months":
        return charts.counts_svg([labels.months[k] for k, _n in data.months], [n for _k, n in data.months],
                                 hidden, narrow=narrow)
    return charts.changes_svg(
        [labels.pillars[p] for p in data.pillars],
        [(round(e.mean, 1), round(e.low, 1), round(e.high, 1)) if e.shown else _("te onzeker") if e.uncertain
         else None
         for e in (data.change[p] for p in data.pillars)],
        hidden, _("Gemiddelde verandering (punten, 0-10)"), narrow=narrow)


def _chart_key(version: tuple[int, str], wijk: str | None, name: str, layout: str) -> str:
    """Names exactly one drawing, for its address and its ETag: the release, wijk, language and
    layout, and what else it is drawn from (drawing_version: the drawing code, matplotlib,
    translations and questionnaires).
    A hash, so that no wijk name (typed by people: quotes, accents) reaches a header."""
    return cache_key("impact", drawing_version(), list(version), wijk, locale(), name,
                     layout)[:32]


def _chart_urls(data, filters, version) -> dict[str, str]:
    """Where the page finds its charts: "<name>" wide, "<name>_narrow" for a phone."""
    names = [n for n in CHARTS if n != "maanden" or data.months]
    return {CHARTS[n] + suffix: url_for("impact.chart", name=n, vorm=layout, periode=filters.period,
                                        wijk=filters.wijk, versie=_chart_key(version, filters.wijk, n, layout),
                                        lang=locale())
            for n in names for layout, suffix in (("breed", ""), ("smal", "_narrow"))}


def _next_month() -> str:
    today = clock.now().astimezone(clock.timezone()).date()
    first = date(today.year + 1, 1, 1) if today.month == 12 else date(today.year, today.month + 1, 1)
    return format_date(first, "d MMMM yyyy")


def _budget_page(status: int):
    return render_template(
        "errors/error.html", title=_("Het privacybudget van deze maand is op"),
        message=_("Deze maand zijn er al zoveel cijfers gemaakt als de organisatie toestaat. Cijfers die deze "
                  "maand al gemaakt zijn, kunt u nog bekijken. Nieuwe cijfers kunnen weer vanaf %(day)s.",
                  day=_next_month())), status


@bp.get("/impact")
@role_required(Role.BEHEERDER)
def page():
    """Figures about all residents together, released with noise; no individual data, groups under ten hidden."""
    try:
        filters, choices, shown, problems = _impact_request()
    except impact.BudgetSpent:
        return _budget_page(200)
    data = shown.data if shown else None
    labels = _impact_labels(data) if data else None
    if not problems:  # a page that shows no figures, because its filter was wrong, saves nothing
        audit.record("impact.view", None, object_type="impact")
    made_at = as_utc(shown.made_at).astimezone(clock.timezone()) if shown else None
    return render_template(
        "impact/page.html", filters=filters, choices=choices, data=data, labels=labels, problems=problems,
        made_on=format_date(made_at, "d MMMM yyyy") if made_at else None,
        made_time=format_time(made_at, "HH:mm") if made_at else None, next_release=_next_month(),
        charts=_chart_urls(data, filters, shown.version) if data else {}, minimum=impact_figures.MIN_GROUP,
        epsilon=current_app.config["IMPACT_EPSILON"], budget=current_app.config["IMPACT_BUDGET"],
        change_limit=impact_figures.CHANGE_LIMIT,
        event_groups=[(labels.events.get(e, e), estimates) for e, estimates in data.change_by_event] if data else [],
        csv_url=url_for("impact.csv", periode=filters.period, wijk=filters.wijk),
    ), (400 if problems else 200)


@bp.get("/impact/grafiek/<name>.svg")
@role_required(Role.BEHEERDER)
def chart(name: str):
    """One chart of the Impact page, from this month's kept release only: asking for a chart never
    makes (or pays for) figures, the page does that. Only figures that the page shows as well, so
    the page's audit ("impact.view") covers it; an address of an older release gives 404."""
    layout, lang = request.args.get("vorm", "breed"), request.args.get("lang")
    if name not in CHARTS or layout not in LAYOUTS or lang not in current_app.config["LANGUAGES"]:
        abort(404)
    with force_locale(lang):  # the page's language, named in the address (the browser keeps each)
        return _chart_response(name, layout)


def _chart_response(name: str, layout: str) -> Response:
    try:
        filters, _choices, shown, problems = _impact_request(make=False)
    except impact.NotReleased:
        abort(404)
    data = shown.data if shown else None
    if problems or data is None or (name == "maanden" and not data.months):
        abort(404)
    key = _chart_key(shown.version, filters.wijk, name, layout)
    if request.args.get("versie") != key:  # an older release or drawing: not these figures
        abort(404)
    unchanged = browser_has(key)
    if unchanged:
        response = Response(status=304)
    else:  # drawn once per release, wijk, language and layout in each worker
        svg = impact.cached(("chart", shown.version, filters.wijk, locale(), name, layout),
                            lambda: _draw_chart(CHARTS[name], layout == "smal", data, _impact_labels(data)))
        response = Response(svg, mimetype="image/svg+xml")
        name_body(f"impact:{key}")  # compressed once per worker, then kept
    response.set_etag(key)
    response.headers["Cache-Control"] = f"private, max-age={CHART_MAX_AGE}"
    return response


@bp.get("/impact.csv")
@role_required(Role.BEHEERDER)
def csv():
    try:
        _filters, _choices, shown, problems = _impact_request()
    except impact.BudgetSpent:
        return _budget_page(503)
    data = shown.data if shown else None
    if problems:
        return render_template("errors/error.html", title=_("Deze cijfers kunnen we niet maken"),
                               message=" ".join(str(p) for p in problems)), 400
    header, rows = impact.csv_rows(data, _impact_labels(data) if data else None)
    audit.record("impact.export", None, object_type="impact")
    return Response(csv_text(header, rows), mimetype="text/csv",
                    headers={"Content-Disposition": 'attachment; filename="veerkracht-impact.csv"'})
