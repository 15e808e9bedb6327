"""Offline visits: hand out a visit bundle, and turn its upload into exactly one check-in."""

import base64
import secrets
from dataclasses import dataclass

from sqlalchemy import select, update

from webapp.checkin import service as drafts
from webapp.core import audit, clock, history
from webapp.core.definitions import QUESTIONNAIRE_ID, current_questionnaire, definitions, life_events
from webapp.core.extensions import db
from webapp.core.models import Checkin, Draft, OfflineVisit, Resident, User
from webapp.core.models._base import as_utc, utcnow
from webapp.core.permissions import can_access
from webapp.offline.rules import Upload, UploadError, UploadSpec, parse_upload, scoring_definition, visit_key
from webapp.referrals import service as referrals
from webapp.results import service as results
from webapp.visits.service import visit_form

REVIEW_STEP = 7  # the check-in's last screen (checkin/views.py): every pillar screen was done


def open_visit(coach: User, resident: Resident) -> OfflineVisit:
    """The coach's prepared, unsent visit to this resident, or a new one, in the form a visit with
    this resident uses (the long one, or the easy-read one the coach chose for them).

    Preparing again (a second device, a second tab) hands out the same visit key, so only one of
    the devices' uploads can become a check-in. After the coach chose another form for the
    resident, preparing again makes a new visit in that form.
    """
    questionnaire, form = current_questionnaire(), visit_form(resident)
    visit = db.session.scalar(
        select(OfflineVisit)
        .where(OfflineVisit.coach_id == coach.id, OfflineVisit.resident_id == resident.id,
               OfflineVisit.sent_at.is_(None), OfflineVisit.questionnaire_version == questionnaire.version,
               OfflineVisit.form == form)
        .order_by(OfflineVisit.id.desc())
        .limit(1)
    )
    if visit is None:
        visit = OfflineVisit(resident_id=resident.id, coach_id=coach.id, questionnaire_id=QUESTIONNAIRE_ID,
                             questionnaire_version=questionnaire.version, form=form)
        db.session.add(visit)
        db.session.flush()
    return visit


def pictures() -> list[str]:
    """Every picture a visit in the current questionnaire can show, as a path under static/: the
    pillars' and, for the easy-read forms, the statements' and the faces'."""
    questionnaire = current_questionnaire()
    found = {pillar.picture for pillar in questionnaire.pillars}
    for form in questionnaire.forms:
        found.update(face.picture for face in questionnaire.faces_for(form) or ())
        found.update(item.picture for _pillar, items in questionnaire.form_pillars(form) for item in items
                     if item.picture)
    return sorted(found)


def _text(text, lang: str) -> str:
    return text.get(lang)


def bundle(coach: User, resident: Resident, lang: str) -> dict:
    """Everything the tablet needs for the visit without network, and a fresh key to encrypt it with.

    The key is not kept here: the device keeps it as a non-extractable key, apart from the data.
    """
    visit = open_visit(coach, resident)
    questionnaire = current_questionnaire()
    form_items = questionnaire.form_item_ids(visit.form)
    previous = next(iter(history.checkins_of(resident)), None)
    faces = questionnaire.faces_for(visit.form)
    audit.record("offline.bundle", resident, visit)
    return {
        "visit": visit.public_id,
        "key": base64.b64encode(secrets.token_bytes(32)).decode(),
        "prepared_at": as_utc(visit.prepared_at).isoformat(),
        "resident": resident.display_name or resident.public_id[:6],
        "questionnaire": {
            "id": questionnaire.id, "version": questionnaire.version, "form": visit.form,
            "title": _text(questionnaire.title, lang),
            "scale": {"min": questionnaire.scale.min, "max": questionnaire.scale.max,
                      "low": _text(questionnaire.scale.low_label, lang),
                      "high": _text(questionnaire.scale.high_label, lang)},
            # An easy-read form is answered with faces (a word and a picture each) instead of 0-10.
            "faces": None if faces is None else [
                {"value": face.value, "label": _text(face.label, lang), "picture": face.picture} for face in faces],
            "pillars": [
                {"id": pillar.id, "name": _text(pillar.name, lang), "short": _text(pillar.short, lang),
                 "intro": _text(pillar.intro, lang),
                 "items": [{"id": item.id, "text": _text(item.text, lang), "picture": item.picture}
                           for item in items]}
                for pillar, items in questionnaire.form_pillars(visit.form)
            ],
        },
        # "Bent u naar ... geweest?": the activities the resident wanted to try, asked on the last screen.
        "followups": [{"id": referral.public_id, "name": referral.activity.name}
                      for referral in referrals.open_referrals(resident)],
        "scoring": scoring_definition(form_items),
        "previous": None if previous is None else {
            "date": previous.completed_at.date().isoformat(), "scores": history.scores_of(previous)},
    }


class UploadRefused(Exception):
    """Nothing was stored; `code` names why, `status` is the HTTP status to answer with."""

    def __init__(self, code: str, status: int = 400):
        super().__init__(code)
        self.code, self.status = code, status


@dataclass
class UploadResult:
    created: bool
    visit: OfflineVisit
    checkin: Checkin | None


def _spec(visit: OfflineVisit) -> UploadSpec:
    try:
        questionnaire = definitions().get(visit.questionnaire_id, visit.questionnaire_version)
    except KeyError:
        raise UploadRefused("wrong_version") from None
    return UploadSpec(
        questionnaire_id=visit.questionnaire_id, version=visit.questionnaire_version, form=visit.form,
        item_ids=questionnaire.forms[visit.form].items, allowed_scores=questionnaire.allowed_scores(visit.form),
        life_events={event.id for event in life_events().events},
    )


def receive(coach: User, payload: object) -> UploadResult:
    """Make the visit's one check-in from an upload, or find the one an earlier upload made.

    Checked like the online flow before anything is stored: the visit is this coach's, the coach
    still follows the resident, and every answer fits the questionnaire the visit was prepared with.
    """
    try:
        key = visit_key(payload)
    except UploadError as problem:
        raise UploadRefused(problem.code) from None
    visit = db.session.scalar(select(OfflineVisit).where(OfflineVisit.public_id == key))
    if visit is None or visit.coach_id != coach.id:
        raise UploadRefused("visit_missing", 404)  # another coach's key looks like an unknown one
    resident = db.session.get(Resident, visit.resident_id)
    if resident is None or not can_access(coach, resident):
        raise UploadRefused("not_following", 403)
    if visit.sent_at is not None:
        return _already_sent(resident, visit)
    try:
        upload = parse_upload(payload, _spec(visit), clock.now())
    except UploadError as problem:
        raise UploadRefused(problem.code) from None
    theirs = {referral.public_id: referral for referral in referrals.referrals_of(resident)}
    if set(upload.followups) - set(theirs):
        raise UploadRefused("followup")  # not an activity of this resident's: nothing is stored
    # The claim: one UPDATE from "not sent" to "sent". A second request (retry, other tab, other
    # device) waits for this one's commit and then changes no row, so it makes no check-in.
    claimed = db.session.execute(
        update(OfflineVisit).where(OfflineVisit.id == visit.id, OfflineVisit.sent_at.is_(None))
        .values(sent_at=utcnow()).execution_options(synchronize_session=False)
    ).rowcount
    db.session.refresh(visit)
    if claimed != 1:
        return _already_sent(resident, visit)
    checkin = _make_checkin(coach, resident, visit, upload)
    for referral in referrals.open_referrals(resident):  # answered online meanwhile: that answer stays
        if referral.public_id in upload.followups:
            referrals.save_followup(resident, referral, *upload.followups[referral.public_id])
    visit.checkin_id = checkin.id
    db.session.flush()
    audit.record("offline.upload", resident, visit)
    return UploadResult(True, visit, checkin)


def _already_sent(resident: Resident, visit: OfflineVisit) -> UploadResult:
    audit.record("offline.upload_again", resident, visit)
    checkin = db.session.get(Checkin, visit.checkin_id) if visit.checkin_id else None
    return UploadResult(False, visit, checkin)


def _make_checkin(coach: User, resident: Resident, visit: OfflineVisit, upload: Upload) -> Checkin:
    """The check-in through the same service as online, so its scores and summaries match."""
    draft = Draft(
        resident_id=resident.id, questionnaire_id=visit.questionnaire_id,
        questionnaire_version=visit.questionnaire_version, form=visit.form, coach_id=coach.id,
        answers=upload.answers, talk_items=[i for i in upload.answers if i in upload.talk],
        life_event=upload.life_event, life_event_on=upload.life_event_on, steps_done=REVIEW_STEP,
        created_at=visit.prepared_at,
    )
    db.session.add(draft)
    db.session.flush()
    checkin = drafts.submit_draft(resident, draft)
    if upload.finished_at is not None and upload.finished_at >= as_utc(visit.prepared_at):
        checkin.completed_at = upload.finished_at  # when the visit was, not when the network came back
    if upload.conversation:
        results.save_visit(resident, checkin, {"rhythm": "gewoon", **upload.conversation}, clock.today())
    db.session.flush()
    return checkin
