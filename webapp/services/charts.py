"""Spider charts, drawn once per (check-in, comparison, language) and kept in the database."""

import hashlib
import json

from flask_babel import format_date, gettext
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from webapp.catalogue import questionnaire_for
from webapp.domain.charts import lines_svg, spider_svg
from webapp.extensions import db
from webapp.models import ChartImage, Measurement
from webapp.services.checkins import scores_of

CHART_VERSION = 4  # bump when the drawing code changes


def cache_key(*inputs) -> str:
    """Key on everything the drawing shows (scores, labels, legend, version), not on ids:
    a changed translation, time zone or drawing never serves a stale chart."""
    payload = json.dumps([CHART_VERSION, *inputs], ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()


def chart_svg(measurement: Measurement, compare: Measurement | None, locale: str) -> str:
    """Return the chart SVG, drawing and storing it only the first time it is asked for."""
    questionnaire = questionnaire_for(measurement)
    pillars = [p.id for p in questionnaire.pillars]
    labels = [p.name.get(locale) for p in questionnaire.pillars]
    scores = scores_of(measurement)
    current = [scores[p] for p in pillars]
    current_label = gettext("Deze check-in: %(date)s", date=format_date(measurement.completed_at, "medium"))
    previous = None
    previous_label = ""
    if compare is not None:
        compare_scores = scores_of(compare)
        previous = [compare_scores[p] for p in pillars]
        previous_label = gettext("Eerder: %(date)s", date=format_date(compare.completed_at, "medium"))
    key = cache_key(labels, current, previous, current_label, previous_label)
    cached = db.session.scalar(select(ChartImage.svg).where(ChartImage.cache_key == key))
    if cached is not None:
        return cached
    svg = spider_svg(labels, current, previous, current_label=current_label,
                     previous_label=previous_label).decode("utf-8")
    image = ChartImage(
        cache_key=key,
        measurement_id=measurement.id,
        compare_id=compare.id if compare else None,
        svg=svg,
    )
    db.session.add(image)
    try:
        db.session.flush()  # the request has written nothing before this (see the chart view)
    except IntegrityError:
        db.session.rollback()  # a parallel request stored the same chart first; ours is identical
    return svg


def progress_svg(measurements: list[Measurement], locale: str) -> str:
    """The six pillar scores over time (oldest first), cached like the spider charts."""
    ordered = sorted(measurements, key=lambda m: (m.completed_at, m.id))
    questionnaire = questionnaire_for(ordered[-1])
    scores = [scores_of(m) for m in ordered]
    series = [(p.name.get(locale), [s.get(p.id) for s in scores]) for p in questionnaire.pillars]
    labels = [format_date(m.completed_at, "d MMM yy") for m in ordered]
    key = cache_key("progress", labels, series)
    cached = db.session.scalar(select(ChartImage.svg).where(ChartImage.cache_key == key))
    if cached is not None:
        return cached
    svg = lines_svg([m.completed_at for m in ordered], series, labels).decode("utf-8")
    db.session.add(ChartImage(cache_key=key, measurement_id=ordered[-1].id, svg=svg))
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
    return svg
