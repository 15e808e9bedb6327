"""Suggestions for a check-in: the ranking (pure) fed from the database, with a sentence saying why."""

from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import gettext
from sqlalchemy import select

from webapp.catalogue import life_events, questionnaire_for
from webapp.domain.suggestions import Offer, Profile, rank
from webapp.extensions import db
from webapp.models import Activity, Measurement, Resident
from webapp.services import activities, checkins

EVENT_MEMORY = timedelta(days=365)  # a life-event reported within a year still counts


@dataclass
class Suggested:
    activity: Activity
    why: str


def _profile(resident: Resident, measurement: Measurement, today: date) -> Profile:
    questionnaire = questionnaire_for(measurement)
    pillar_of = {item.id: p.id for p in questionnaire.pillars for item in p.items}
    event_id = measurement.life_event if measurement.life_event not in (None, "geen") else None
    if event_id is None:  # the latest life-event reported in the year before this check-in
        event_id = db.session.scalar(
            select(Measurement.life_event)
            .where(Measurement.resident_id == resident.id, Measurement.life_event.is_not(None),
                   Measurement.life_event != "geen", Measurement.completed_at <= measurement.completed_at,
                   Measurement.completed_at >= measurement.completed_at - EVENT_MEMORY)
            .order_by(Measurement.completed_at.desc())
            .limit(1)
        )
    event = life_events().get(event_id)
    return Profile(
        scores=checkins.scores_of(measurement),
        focus=measurement.plan_pillar,
        talk_pillars=frozenset(pillar_of[a.item_id] for a in measurement.answers if a.wants_to_talk),
        life_event=event.id if event else None,
        event_first=tuple(event.pillars_first) if event else (),
        event_later=tuple(event.pillars_later) if event else (),
        age=today.year - resident.birth_year if resident.birth_year else None,
        wijk=resident.wijk,
    )


def _why(reasons: list[tuple[str, str]], pillar_names: dict[str, str], locale: str) -> str:
    parts = []
    for kind, subject in reasons:
        if kind == "focus":
            parts.append(gettext("u wilt werken aan %(pillar)s", pillar=pillar_names[subject]))
        elif kind == "low":
            parts.append(gettext("%(pillar)s nu wat lager scoort", pillar=pillar_names[subject]))
        elif kind == "talk":
            parts.append(gettext("u over %(pillar)s wilt praten", pillar=pillar_names[subject]))
        elif kind == "event_pillar":
            parts.append(gettext("%(pillar)s na een grote gebeurtenis vaak onder druk staat",
                                 pillar=pillar_names[subject]))
        elif kind == "event":
            event = life_events().get(subject)
            if event and event.because:
                parts.append(gettext("u kort geleden %(what)s", what=event.because.get(locale)))
    return gettext("Omdat %(reasons)s.", reasons=gettext(" en ").join(parts)) if parts else ""


def for_measurement(resident: Resident, measurement: Measurement, today: date, locale: str) -> list[Suggested]:
    """Every fitting, current activity for this check-in, best first, each with why."""
    current = {a.public_id: a for a in activities.current_activities(today)}
    offers = [
        Offer(a.public_id, tuple(a.pillars), tuple(a.life_events), a.min_age, a.max_age, a.cost == "gratis", a.wijk)
        for a in current.values()
    ]
    names = {p.id: p.name.get(locale) for p in questionnaire_for(measurement).pillars}
    ranked = rank(offers, _profile(resident, measurement, today))
    return [Suggested(current[s.offer.id], _why(s.reasons, names, locale)) for s in ranked]
