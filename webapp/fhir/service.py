"""A resident's check-ins as one FHIR Bundle: the Questionnaire forms used and a response per check-in."""

import base64
import binascii
import re

from webapp.core import history
from webapp.core.definitions import questionnaire_for
from webapp.core.models import Resident
from webapp.core.models._base import as_utc
from webapp.core.questionnaires import NO_LIFE_EVENT
from webapp.fhir import rules as fhir


def fhir_id(public_id: str) -> str:
    """The app's ids are URL-safe base64, which FHIR ids do not allow ('_'); hex is the same id, reversibly."""
    try:
        return base64.urlsafe_b64decode(public_id + "=" * (-len(public_id) % 4)).hex()
    except (binascii.Error, ValueError):
        return re.sub(r"[^A-Za-z0-9\-.]", "-", public_id)[:64]


def resident_bundle(resident: Resident) -> dict:
    """Every finished check-in of the resident as a QuestionnaireResponse, with the forms it answers."""
    definitions: dict[str, dict] = {}
    responses = []
    for checkin in reversed(history.checkins_of(resident)):  # oldest first
        questionnaire = questionnaire_for(checkin)
        definition = fhir.questionnaire_resource(questionnaire, checkin.form)
        definitions.setdefault(definition["id"], definition)
        response = fhir.questionnaire_response(
            questionnaire, response_id=fhir_id(checkin.public_id), form=checkin.form,
            authored=as_utc(checkin.completed_at), answers=history.answers_of(checkin),
            talk_items=[a.item_id for a in checkin.answers if a.wants_to_talk],
            pillar_scores=history.scores_of(checkin),
            life_event=checkin.life_event if checkin.life_event != NO_LIFE_EVENT else None,
            subject_id=resident.public_id, mode=checkin.mode if checkin.mode in fhir.MODES else "zelf",
        )
        response["identifier"] = {"system": f"{fhir.BASE_URL}/checkin", "value": checkin.public_id}
        responses.append(response)
    return fhir.bundle([*definitions.values(), *responses], bundle_id=fhir_id(resident.public_id))
