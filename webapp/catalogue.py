"""Access to the questionnaire and life-event definitions loaded at start-up."""

from flask import current_app

from webapp.domain.questionnaire import Catalogue, LifeEvents, Questionnaire

QUESTIONNAIRE_ID = "veerkracht"
RESIDENT_FORM = "kort"
VISIT_FORM = "uitgebreid"  # the long form, for home visits with a coach


def catalogue() -> Catalogue:
    """Return the definitions loaded by create_app."""
    return current_app.extensions["veerkracht_catalogue"]


def current_questionnaire() -> Questionnaire:
    """Return the newest version of the six-pillar questionnaire."""
    return catalogue().latest(QUESTIONNAIRE_ID)


def questionnaire_for(record) -> Questionnaire:
    """Return the exact version a draft or measurement was answered with."""
    return catalogue().get(record.questionnaire_id, record.questionnaire_version)


def life_events() -> LifeEvents:
    """Return the life-event list."""
    return catalogue().life_events
