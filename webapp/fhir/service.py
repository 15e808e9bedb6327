"""A resident's check-ins as one FHIR Bundle: the life-event codes, the forms used and a response per check-in."""

import base64
import binascii
import re
import uuid

from sqlalchemy import select

from webapp.core import clock, history
from webapp.core.definitions import life_events, questionnaire_for
from webapp.core.extensions import db
from webapp.core.labels import CheckinMode
from webapp.core.models import Checkin, Resident, User
from webapp.core.models._base import as_utc
from webapp.fhir import rules as fhir


def fhir_id(public_id: str) -> str:
    """The app's ids are URL-safe base64, which FHIR ids do not allow ('_'); hex is the same id, reversibly."""
    try:
        return base64.urlsafe_b64decode(public_id + "=" * (-len(public_id) % 4)).hex()
    except (binascii.Error, ValueError):
        return re.sub(r"[^A-Za-z0-9\-.]", "-", public_id)[:64]


def _coach_ids(checkins) -> dict[int, str]:
    """{user id: public id} of the coaches who filled in a check-in together with the resident (one query)."""
    ids = {c.coach_id for c in checkins if c.coach_id is not None}
    if not ids:
        return {}
    return {user_id: public_id for user_id, public_id in
            db.session.execute(select(User.id, User.public_id).where(User.id.in_(ids)))}


def resident_bundle(resident: Resident, kind: str = "collection", checkins: list[Checkin] | None = None) -> dict:
    """Every finished check-in of the resident as a QuestionnaireResponse, with the forms and codes it uses.

    `kind` is "collection" (a download) or "transaction" (PUT by id, to post to a FHIR server as it is). Each
    export gets its own Bundle id and timestamp. `checkins` are the resident's check-ins with their
    answers (history.checkins_of) when the caller has them already.
    """
    events = life_events()
    checkins = list(reversed(history.checkins_of(resident) if checkins is None else checkins))  # oldest first
    coaches = _coach_ids(checkins)
    definitions: dict[str, dict] = {}
    responses = []
    for checkin in checkins:
        questionnaire = questionnaire_for(checkin)
        definition = fhir.questionnaire_resource(questionnaire, checkin.form, events)
        definitions.setdefault(definition["id"], definition)
        together = checkin.mode == CheckinMode.SAMEN
        response = fhir.questionnaire_response(
            questionnaire, response_id=fhir_id(checkin.public_id), form=checkin.form,
            authored=as_utc(checkin.completed_at), answers=history.answers_of(checkin),
            talk_items=[a.item_id for a in checkin.answers if a.wants_to_talk],
            pillar_scores=history.scores_of(checkin), life_event=checkin.life_event, events=events,
            subject_id=resident.public_id, mode=checkin.mode if checkin.mode in fhir.MODES else CheckinMode.ZELF.value,
            coach_id=coaches.get(checkin.coach_id) if together else None,
        )
        response["identifier"] = {"system": f"{fhir.BASE_URL}/checkin", "value": checkin.public_id}
        responses.append(response)
    terminology = [fhir.life_event_code_system(events), fhir.life_event_value_set(events)] if responses else []
    return fhir.bundle([*terminology, *definitions.values(), *responses], bundle_id=uuid.uuid4().hex,
                       timestamp=clock.now(), kind=kind)
