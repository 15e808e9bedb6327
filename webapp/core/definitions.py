"""Serve the questionnaire and life-event definitions that create_app loaded (core/questionnaires.py)."""

from flask import current_app

from webapp.core.labels import FormKind
from webapp.core.questionnaires import Definitions, LifeEvents, Questionnaire, SafetyNet

QUESTIONNAIRE_ID = "veerkracht"
RESIDENT_FORM = FormKind.KORT
VISIT_FORM = FormKind.UITGEBREID  # the long form, for home visits with a coach


def definitions() -> Definitions:
    """Return the definitions loaded by create_app."""
    return current_app.extensions["veerkracht_definitions"]


def current_questionnaire() -> Questionnaire:
    """Return the newest version of the six-pillar questionnaire."""
    return definitions().latest(QUESTIONNAIRE_ID)


def questionnaire_for(record) -> Questionnaire:
    """Return the exact version a draft or check-in was answered with."""
    return definitions().get(record.questionnaire_id, record.questionnaire_version)


def life_events() -> LifeEvents:
    """Return the life-event list."""
    return definitions().life_events


def safety_net() -> SafetyNet | None:
    """Return the safety-net texts (None when the organisation removed the file)."""
    return definitions().safety_net


def pillar_title(pillar, lang: str, staff: bool) -> str:
    """How a page names a pillar: the resident's plain word, as the spider chart writes it; for staff
    that word with the official Positive Health name beside it ("Gevoel (Mentaal welbevinden)"), so
    that a chart and a table on one page name each pillar alike."""
    short, official = pillar.short.get(lang), pillar.name.get(lang)
    return f"{short} ({official})" if staff and short != official else short
