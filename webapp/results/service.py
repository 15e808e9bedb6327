"""The result of a check-in: the comparison with the one before, the plan, the charts (drawn once
and kept in the database) and the printable A4 summary."""

import hashlib
import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import matplotlib
from flask import current_app
from flask_babel import format_date, format_decimal, gettext, ngettext
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from webapp.core import audit, charts, history, metrics, scoring
from webapp.core.charts import lines_svg, spider_svg
from webapp.core.definitions import current_questionnaire, life_events, pillar_title, questionnaire_for, safety_net
from webapp.core.extensions import db
from webapp.core.history import scores_of
from webapp.core.models import Activity, ChartImage, Checkin, CoachRelation, Resident, User
from webapp.core.models._base import utcnow
from webapp.core.questionnaires import NO_LIFE_EVENT
from webapp.referrals import service as referrals
from webapp.reminders import rules as reminder_rules
from webapp.reminders import service as reminders
from webapp.results.summary_pdf import Summary, summary_pdf


@dataclass
class Comparison:
    """Two check-ins side by side, as the result and compare pages show them."""

    current: Checkin
    previous: Checkin | None
    scores: dict[str, float | None]
    previous_scores: dict[str, float | None] | None
    changes: dict[str, float | None]


def compare(current: Checkin, previous: Checkin | None) -> Comparison:
    scores = scores_of(current)
    previous_scores = scores_of(previous) if previous else None
    return Comparison(current, previous, scores, previous_scores, scoring.changes(scores, previous_scores))


PLAN_FIELDS = ("plan_important", "plan_pillar", "plan_step", "plan_helper")


# Every field of the conversation form.
DRAFT_FIELDS = ("plan_important", "plan_pillar", "plan_step", "plan_helper", "coach_notes", "rhythm",
                "next_checkin_on")
# A draft keeps what was typed, also past a field's limit: saving it for real says "Gebruik hoogstens
# ... tekens" and shows the whole text to shorten (cut here, it came back cut mid-word after a reload).
# This only bounds the row; a form's body is at most security.FORM_BODY_LIMIT anyway.
DRAFT_KEEPS = 10_000


def save_conversation_draft(resident: Resident, checkin: Checkin, form: dict, visit: bool) -> None:
    """Keep the conversation as it is being typed (raw values, checked when it is saved for real)."""
    names = DRAFT_FIELDS if visit else PLAN_FIELDS
    checkin.conversation_draft = {name: str(form.get(name, ""))[:DRAFT_KEEPS] for name in names}
    db.session.flush()
    audit.record("plan.draft", resident, checkin)


def save_plan(resident: Resident, checkin: Checkin, values: dict) -> None:
    """Store the dialogue (what matters, which pillar, one small step, who can help)."""
    for name in PLAN_FIELDS:
        setattr(checkin, name, values.get(name) or None)
    checkin.plan_saved_at = utcnow()
    checkin.conversation_draft = None  # saved for real: the draft has done its job
    db.session.flush()
    audit.record("plan.update", resident, checkin)


# Bump by hand only when what a chart shows changes outside the files in DRAWN_BY (how this module
# puts its labels and scores together, say); a change to those files changes the version by itself.
CHART_VERSION = 6
# The code that turns a check-in into a drawing: a deploy that changes how a chart is drawn or scored
# changes drawing_version(), so no browser or stored chart keeps the old drawing.
DRAWN_BY = (Path(charts.__file__), Path(scoring.__file__))


def cache_key(*inputs) -> str:
    """Key on everything the drawing shows (scores, labels, legend, version), not on ids:
    a changed translation, time zone or drawing never serves a stale chart."""
    payload = json.dumps([CHART_VERSION, *inputs], ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()


def drawing_version() -> str:
    """What a chart depends on besides its data and language: the drawing and scoring code
    (DRAWN_BY), matplotlib's version, the translations, the questionnaires and the time zone.
    Computed once per process (they only change with a deploy), so a cached chart is found by ids,
    language and this version alone."""
    app = current_app._get_current_object()
    version = app.extensions.get("veerkracht_chart_version")
    if version is None:
        digest = hashlib.sha256(
            f"{CHART_VERSION}|{matplotlib.__version__}|{app.config['BABEL_DEFAULT_TIMEZONE']}".encode())
        folders = [Path(app.root_path) / "translations", Path(app.config["QUESTIONNAIRE_DIR"])]
        data = sorted(f for folder in folders for f in folder.rglob("*") if f.suffix in (".mo", ".yaml"))
        for path in [*DRAWN_BY, *data]:
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
        version = app.extensions["veerkracht_chart_version"] = digest.hexdigest()[:12]
    return version


def chart_key(checkin: Checkin, compare: Checkin | None, locale: str) -> str:
    """The stored chart's key and ETag: the two check-ins, the language and the drawing version.
    A finished check-in's answers never change, so nothing else is needed (no answers are read)."""
    return chart_key_of(checkin.public_id, compare.public_id if compare else None, locale)


def chart_key_of(checkin_public_id: str, compare_public_id: str | None, locale: str) -> str:
    """`chart_key` from the check-ins' public ids alone (as a chart's URL names them)."""
    return cache_key("spider", drawing_version(), checkin_public_id, compare_public_id, locale)


def _svg_under(key: str):
    return select(ChartImage.svg).where(ChartImage.cache_key == key)


def stored_chart(key: str):
    """The stored SVG under this key as a scalar subquery, to be read in another statement."""
    return _svg_under(key).scalar_subquery()


def cached_chart(key: str) -> str | None:
    return db.session.scalar(_svg_under(key))


def _stored_chart(key: str) -> str | None:
    """The chart stored under this key; after a wait for the lock, what another node drew meanwhile."""
    cached = cached_chart(key)
    if cached is not None or db.session.get_bind().dialect.name != "postgresql":
        return cached
    # One drawer at a time per chart, on every node: an advisory lock on the key, held until this
    # request commits (or rolls back). Whoever waited finds the chart stored and draws nothing. On
    # SQLite (one machine) two workers may both draw; the unique key still keeps one row.
    db.session.execute(text("SELECT pg_advisory_xact_lock(:lock)"), {"lock": int(key[:15], 16)})
    return cached_chart(key)


def chart_svg(checkin: Checkin, compare: Checkin | None, locale: str, key: str | None = None) -> str:
    """Return the chart SVG, drawing and storing it only the first time it is asked for."""
    key = key or chart_key(checkin, compare, locale)
    cached = _stored_chart(key)
    if cached is not None:
        return cached
    questionnaire = questionnaire_for(checkin)
    pillars = [p.id for p in questionnaire.pillars]
    labels = [p.short.get(locale) for p in questionnaire.pillars]  # the resident's plain names
    scores = scores_of(checkin)
    current = [scores[p] for p in pillars]
    current_label = gettext("Deze check-in: %(date)s", date=format_date(checkin.completed_at, "medium"))
    previous = None
    previous_label = ""
    if compare is not None:
        compare_scores = scores_of(compare)
        previous = [compare_scores[p] for p in pillars]
        previous_label = gettext("Eerder: %(date)s", date=format_date(compare.completed_at, "medium"))
    svg = spider_svg(labels, current, previous, current_label=current_label,
                     previous_label=previous_label).decode("utf-8")
    metrics.record_chart_drawn("spider")
    image = ChartImage(
        cache_key=key,
        checkin_id=checkin.id,
        compare_id=compare.id if compare else None,
        svg=svg,
    )
    db.session.add(image)
    try:
        db.session.flush()  # the request has written nothing before this (see the chart view)
    except IntegrityError:
        db.session.rollback()  # a parallel request stored the same chart first; ours is identical
    return svg


def progress_svg(checkins: list[Checkin], locale: str, narrow: bool = False) -> str:
    """The six pillar scores over time (oldest first), cached like the spider charts; `narrow`: the
    layout for a phone (charts.lines_svg)."""
    ordered = sorted(checkins, key=lambda m: (m.completed_at, m.id))
    questionnaire = questionnaire_for(ordered[-1])
    scores = [scores_of(m) for m in ordered]
    series = [(p.name.get(locale), [s.get(p.id) for s in scores]) for p in questionnaire.pillars]
    labels = [format_date(m.completed_at, "d MMM yy") for m in ordered]
    key = cache_key("progress-narrow" if narrow else "progress", drawing_version(), labels, series)
    cached = _stored_chart(key)
    if cached is not None:
        return cached
    svg = lines_svg([m.completed_at for m in ordered], series, labels, narrow=narrow).decode("utf-8")
    metrics.record_chart_drawn("progress")
    db.session.add(ChartImage(cache_key=key, checkin_id=ordered[-1].id, svg=svg))
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
    return svg


def _score(value: float | None) -> str:
    return gettext("te weinig ingevuld") if value is None else format_decimal(value, format="0.0")


PRINTED_ACTIVITIES = 2  # what fits beside the plan on the one printed page


def chosen_activities(resident: Resident, checkin: Checkin) -> tuple[list[Activity], int]:
    """The activities the resident chose to try at this check-in, the first chosen first (at most
    PRINTED_ACTIVITIES), else the newest one they are still trying; and how many more there are."""
    still_trying = referrals.open_referrals(resident)  # newest first
    current = [r for r in still_trying if r.checkin_id == checkin.id][::-1] or still_trying[:1]
    return [r.activity for r in current[:PRINTED_ACTIVITIES]], max(0, len(current) - PRINTED_ACTIVITIES)


def activity_lines(activity: Activity) -> str:
    """Name, when, where and whom to call, one per line, for the printed page."""
    if activity.location_kind == "thuis":
        where = gettext("Bij u thuis")
    elif activity.location_kind == "online":
        where = gettext("Online")
    else:
        where = ", ".join(x for x in (activity.address, activity.city) if x) or activity.wijk
    lines = [activity.name]
    if activity.schedule:
        lines.append(gettext("Wanneer: %(when)s", when=activity.schedule))
    if where:
        lines.append(gettext("Waar: %(where)s", where=where))
    if activity.organisation_phone:
        lines.append(gettext("Bellen: %(phone)s", phone=activity.organisation_phone))
    return "\n".join(lines)


def build_summary(resident: Resident, checkin: Checkin, locale: str) -> bytes:
    """The one-page PDF: spider web with the previous one, scores in words, the plan, next date, coach."""
    questionnaire = questionnaire_for(checkin)
    previous = history.previous_of(checkin)
    comparison = compare(checkin, previous)
    pillars = questionnaire.pillars
    rows = []
    for pillar in pillars:
        value = _score(comparison.scores[pillar.id])
        if comparison.previous_scores is not None:
            value += " " + gettext("(eerder %(score)s)", score=_score(comparison.previous_scores[pillar.id]))
        rows.append((pillar_title(pillar, locale, staff=False), value))  # the words of the chart beside it
    focus = next((pillar_title(p, locale, staff=False) for p in pillars if p.id == checkin.plan_pillar), None)
    coach = db.session.get(User, checkin.coach_id) if checkin.coach_id else None
    next_on = reminders.date_for_checkin(resident, checkin)
    sections = [
        (gettext("Wat is voor u belangrijk?"), checkin.plan_important),
        (gettext("Hier wilt u aan werken"), focus),
        (gettext("Uw kleine stap"), checkin.plan_step),
        (gettext("Wie of wat kan helpen"), checkin.plan_helper),
    ]
    side = [(gettext("Volgende check-in"), format_date(next_on, "long") if next_on else None)]
    trying = gettext("Wat u gaat proberen")
    printed, more = chosen_activities(resident, checkin)
    side += [(trying, activity_lines(activity)) for activity in printed]
    if more:  # never left off without a word
        side.append((trying, ngettext("En nog %(num)s andere activiteit. U ziet die in Veerkracht.",
                                      "En nog %(num)s andere activiteiten. U ziet ze in Veerkracht.", more)))
    if coach is not None:
        contact = ", ".join(x for x in (coach.display_name, coach.organisation, coach.phone) if x)
        side.append((gettext("Uw coach"), contact))
    event = life_events().get(checkin.life_event)
    subtitle = gettext("Check-in van %(date)s", date=format_date(checkin.completed_at, "long"))
    if resident.display_name:
        subtitle = f"{resident.display_name} · {subtitle}"
    if event and event.id != NO_LIFE_EVENT:
        subtitle += f" · {event.name.get(locale)}"  # the resident's own sentence, as on the result page
    score_heading = gettext("Uw cijfers (0 tot en met 10)")
    summary = Summary(
        title=gettext("Hoe gaat het met u?"),
        subtitle=subtitle,
        chart_svg=chart_svg(checkin, previous, locale),  # the result page's chart, drawn once and kept
        chart_alt=gettext("Spinnenweb met uw cijfers.") + " " + score_heading + ": "
        + "; ".join(f"{name}: {value}" for name, value in rows) + ".",
        score_heading=score_heading,
        score_header=(gettext("Onderdeel"), gettext("Cijfer")),
        score_rows=rows,
        sections=sections,
        side_sections=side,
        footer=gettext("Veerkracht is geïnspireerd op de zes dimensies van Positieve Gezondheid (Huber)."),
        lang=locale,
    )
    return summary_pdf(summary)


def save_visit(resident: Resident, checkin: Checkin, values: dict, today: date) -> None:
    """The home-visit conversation: the plan plus the coach's notes and the next check-in date."""
    save_plan(resident, checkin, values)
    checkin.coach_notes = values.get("coach_notes") or None
    checkin.rhythm = values.get("rhythm") or "gewoon"
    checkin.next_checkin_on = values.get("next_checkin_on") or reminder_rules.rhythm_date(today, checkin.rhythm)
    checkin.next_checkin_by = "coach"
    db.session.flush()
    audit.record("visit.update", resident, checkin)


@dataclass
class SafetyLine:
    text: str
    phone: str | None = None
    url: str | None = None


@dataclass
class SafetyMessage:
    """Who to talk to, shown calmly after a very low score on how one feels or on meaning."""

    heading: str
    intro: str
    lines: list[SafetyLine]


def coach_names(resident: Resident) -> list[str]:
    """The names of the coaches this resident shares with now."""
    return list(db.session.scalars(
        select(User.display_name).join(CoachRelation, CoachRelation.coach_id == User.id)
        .where(CoachRelation.resident_id == resident.id, CoachRelation.ended_at.is_(None),
               User.display_name.is_not(None))
        .order_by(CoachRelation.started_at)))


def safety_message(resident: Resident, scores: dict, locale: str) -> SafetyMessage | None:
    """The safety net's texts (questionnaires/safety-net.yaml) when a score is very low, else None.
    The line about the resident's own coach is only there when they have one."""
    net = safety_net()
    low = scoring.very_low(scores, net.pillars, net.threshold) if net is not None else []
    if not low:
        return None
    coaches = gettext(" of ").join(coach_names(resident))
    lines = [SafetyLine(c.text.get(locale).replace("{coach}", coaches), c.phone, c.url)
             for c in net.contacts if c.id != "coach" or coaches]
    words = {p.id: p.short.get(locale) for p in current_questionnaire().pillars}  # the resident's own words
    named = gettext(" en ").join(words.get(p, p) for p in low)
    return SafetyMessage(net.heading.get(locale), net.intro.get(locale).replace("{pillar}", named), lines)
