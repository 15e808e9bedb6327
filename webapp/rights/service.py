"""The resident's rights (AVG): download everything held about them, and erasure."""

from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import delete, select

from webapp.checkin import service as drafts
from webapp.core import erasures, history
from webapp.core.extensions import db
from webapp.core.models import (
    ActivationCode,
    Activity,
    Answer,
    AuditEvent,
    ChartImage,
    Checkin,
    CoachRelation,
    Draft,
    PushSubscription,
    Referral,
    ReminderCall,
    ReminderSent,
    Resident,
    ResidentSummary,
    User,
    WorContactAttempt,
    WorReferral,
)
from webapp.core.models._base import as_utc
from webapp.fhir import service as fhir_export
from webapp.reminders import service as reminders


def _when(value):
    return value.isoformat() if value is not None else None


def _fhir(resident: Resident, checkins: list[Checkin]) -> dict | None:
    """The check-ins as FHIR; None (and a warning without personal data) if one does not fit the standard form,
    so that the resident's own download never fails because of it."""
    try:
        return fhir_export.resident_bundle(resident, checkins=checkins)
    except ValueError:
        current_app.logger.warning("FHIR export skipped for a data download: a check-in does not fit its form")
        return None


def export(resident: Resident, with_fhir: bool = True) -> dict:
    """Everything held about this resident, as plain JSON-ready values."""
    user = db.session.get(User, resident.user_id) if resident.user_id else None
    checkins = history.checkins_of(resident)
    coaches = {u.id: u for u in db.session.scalars(
        select(User).join(CoachRelation, CoachRelation.coach_id == User.id)
        .where(CoachRelation.resident_id == resident.id))}
    activities = {a.id: a for a in db.session.scalars(
        select(Activity).join(Referral, Referral.activity_id == Activity.id)
        .where(Referral.resident_id == resident.id))}
    next_on = reminders.next_checkin(resident, checkins[0] if checkins else None).on
    return {
        "format": "veerkracht-export-1",
        "profile": {
            "id": resident.public_id, "username": user.username if user else None,
            "name": resident.display_name, "birth_year": resident.birth_year, "wijk": resident.wijk,
            "created_at": _when(resident.created_at),
            "email": user.email if user else None,
            "email_verified_at": _when(user.email_verified_at) if user else None,
            "second_factor": bool(user and user.has_totp),  # whether it is on; never the secret
            # Which passkeys exist, never their keys.
            "passkeys": [{"device": p.device, "created_at": _when(p.created_at), "last_used_at": _when(p.last_used_at)}
                         for p in (user.passkeys if user else [])],
        },
        "checkins": [{
            "id": m.public_id, "questionnaire": m.questionnaire_id, "version": m.questionnaire_version,
            "form": m.form, "life_event": m.life_event, "life_event_on": _when(m.life_event_on),
            "mode": m.mode, "started_at": _when(m.started_at),
            "completed_at": _when(m.completed_at),
            "answers": [{"item": a.item_id, "score": a.score, "wants_to_talk": a.wants_to_talk}
                        for a in sorted(m.answers, key=lambda a: a.item_id)],
            "pillar_scores": history.scores_of(m),
            "plan": {"important": m.plan_important, "pillar": m.plan_pillar, "small_step": m.plan_step,
                     "who_helps": m.plan_helper},
            "coach_notes": m.coach_notes, "next_checkin_on": _when(m.next_checkin_on),
        } for m in checkins],
        "checkins_in_progress": [{
            "id": d.public_id, "form": d.form, "life_event": d.life_event, "answers": d.answers,
            "talk_items": d.talk_items, "created_at": _when(d.created_at),
        } for d in db.session.scalars(select(Draft).where(Draft.resident_id == resident.id))
            if drafts.checkin_for_draft(d) is None],
        "coach_relations": [{
            "id": r.public_id, "coach": coaches[r.coach_id].display_name if r.coach_id in coaches else None,
            "origin": r.origin, "consent_date": _when(r.consent_date), "consent_method": r.consent_method,
            "started_at": _when(r.started_at), "ended_at": _when(r.ended_at),
        } for r in db.session.scalars(select(CoachRelation).where(CoachRelation.resident_id == resident.id))],
        "referrals": [{
            "id": r.public_id, "activity": activities[r.activity_id].name, "status": r.status,
            "stop_reason": r.stop_reason, "created_at": _when(r.created_at), "followup_rating": r.followup_rating,
            "followup_text": r.followup_text,
        } for r in db.session.scalars(select(Referral).where(Referral.resident_id == resident.id))],
        # Welzijn op Recept: what the practice wrote when referring, and what the resident lets it hear.
        "gp_referrals": [{
            "id": r.public_id, "reference": r.reference, "name": r.patient_name, "contact": r.contact,
            "reason": r.reason,
            "life_event": r.life_event, "urgency": r.urgency, "status": r.status,
            "not_started_reason": r.not_started_reason, "sharing": r.sharing, "note_for_referrer": r.feedback_note,
            "created_at": _when(r.created_at),
            # At the close: improved in words, hours of coaching, what the coach judged was avoided.
            "closed_at": _when(r.closed_at), "improved": r.improved, "coaching_hours": r.coaching_hours,
            "avoided": list(r.avoided or []),
            "contact_attempts": [{"at": _when(a.at), "outcome": a.outcome, "note": a.note} for a in r.attempts],
        } for r in db.session.scalars(select(WorReferral).where(WorReferral.resident_id == resident.id))],
        # The next check-in, how the resident is reminded, which reminders went out and who called.
        "reminders": {
            "next_checkin_on": _when(next_on), "how": resident.reminder,
            "language": resident.reminder_locale, "phone": resident.phone,
            "sent": [{"due_on": _when(r.due_on), "channel": r.channel, "status": r.status, "sent_at": _when(r.sent_at)}
                     for r in db.session.scalars(select(ReminderSent).where(ReminderSent.resident_id == resident.id)
                                                 .order_by(ReminderSent.due_on))],
            "calls": [{"due_on": _when(c.due_on), "called_at": _when(c.called_at), "note": c.note}
                      for c in db.session.scalars(select(ReminderCall).where(ReminderCall.resident_id == resident.id)
                                                  .order_by(ReminderCall.called_at))],
            # Phones with notifications on: since when, and which push service passes them on.
            "notification_phones": [{"since": _when(n.created_at), "push_service": urlsplit(n.endpoint).hostname}
                                    for n in db.session.scalars(select(PushSubscription)
                                                                .where(PushSubscription.resident_id == resident.id)
                                                                .order_by(PushSubscription.created_at))],
        },
        "access_log": [{
            "at": _when(e.at), "action": e.action, "by_role": e.actor_role, "object": e.object_public_id,
        } for e in db.session.scalars(select(AuditEvent).where(AuditEvent.resident_public_id == resident.public_id)
                                      .order_by(AuditEvent.at))],
        "fhir": _fhir(resident, checkins) if with_fhir else None,
    }


def erase(resident: Resident, by: User | None = None) -> None:
    """Remove every row about this resident; the audit trail keeps only that an erasure happened.

    `by` is the coach or beheerder who erased at the resident's request; the event names them
    (staff, not the resident), never the resident.
    """
    checkin_ids = select(Checkin.id).where(Checkin.resident_id == resident.id)
    public_id, user_id = resident.public_id, resident.user_id
    statements = [
        delete(ChartImage).where(ChartImage.checkin_id.in_(checkin_ids) |
                                 ChartImage.compare_id.in_(checkin_ids)),
        delete(Referral).where(Referral.resident_id == resident.id),
        # A Welzijn op Recept referral names the person and why: it goes too (its attempts cascade).
        delete(WorContactAttempt).where(WorContactAttempt.referral_id.in_(
            select(WorReferral.id).where(WorReferral.resident_id == resident.id))),
        delete(WorReferral).where(WorReferral.resident_id == resident.id),
        delete(Answer).where(Answer.checkin_id.in_(checkin_ids)),
        delete(Checkin).where(Checkin.resident_id == resident.id),
        delete(Draft).where(Draft.resident_id == resident.id),
        delete(CoachRelation).where(CoachRelation.resident_id == resident.id),
        delete(ActivationCode).where(ActivationCode.resident_id == resident.id),
        delete(ReminderSent).where(ReminderSent.resident_id == resident.id),
        delete(PushSubscription).where(PushSubscription.resident_id == resident.id),
        delete(AuditEvent).where(AuditEvent.resident_public_id == public_id),
        delete(ResidentSummary).where(ResidentSummary.resident_id == resident.id),
        delete(Resident).where(Resident.id == resident.id),
    ]
    if user_id is not None:
        statements.append(delete(AuditEvent).where(AuditEvent.actor_public_id == _user_public_id(user_id)))
        statements.append(delete(User).where(User.id == user_id))
    for statement in statements:
        db.session.execute(statement)
    staff = {"actor_public_id": by.public_id, "actor_role": by.role_label} if by is not None else {}
    db.session.add(AuditEvent(action="resident.erase", resident_public_id=public_id, object_type="resident", **staff))
    db.session.flush()
    # Outside the database too, so that restoring an older backup erases them again.
    erasures.remember(db.session, current_app.config["ERASED_LIST"], public_id)


def _user_public_id(user_id: int) -> str | None:
    return db.session.scalar(select(User.public_id).where(User.id == user_id))


def inactive_residents(cutoff) -> list[Resident]:
    """Residents with no sign of life since `cutoff`: no login, check-in, draft or new account."""
    from sqlalchemy import func

    last_checkin = (select(Checkin.resident_id, func.max(Checkin.completed_at).label("at"))
                    .group_by(Checkin.resident_id).subquery())
    last_draft = (select(Draft.resident_id, func.max(Draft.updated_at).label("at"))
                  .group_by(Draft.resident_id).subquery())
    rows = db.session.execute(
        select(Resident, User.last_login_at, last_checkin.c.at, last_draft.c.at)
        .outerjoin(User, User.id == Resident.user_id)
        .outerjoin(last_checkin, last_checkin.c.resident_id == Resident.id)
        .outerjoin(last_draft, last_draft.c.resident_id == Resident.id)
    ).all()
    stale = []
    for resident, *moments in rows:
        latest = max(as_utc(m) for m in (resident.created_at, *moments) if m is not None)
        if latest < cutoff:
            stale.append(resident)
    return stale
