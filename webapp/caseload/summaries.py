"""Keep each resident's caseload summary current, in the same transaction as the change it follows.

Every flush that adds, changes or deletes a check-in (with its plan and next date), a referral or
a resident refreshes the summaries of the residents it touched (a session hook, so that every
path that writes — a submit, a home visit, the demo, a test factory — keeps them right). An
erasure deletes the row with the resident. `rebuild` recomputes every row from scratch; a test
checks that the rows kept on the way equal the rebuilt ones.
"""

from collections.abc import Iterable
from datetime import UTC

from flask import has_app_context
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from webapp.caseload import rules as caseload
from webapp.core import clock
from webapp.core.definitions import safety_net
from webapp.core.extensions import db
from webapp.core.labels import OPEN_REFERRAL_STATUSES
from webapp.core.models import Answer, Checkin, Referral, Resident, ResidentSummary
from webapp.core.models._base import as_utc, utcnow
from webapp.core.questionnaires import NO_LIFE_EVENT

CHUNK = 500  # residents per round of queries: under every database's parameter limit
_PENDING = "veerkracht_summaries_pending"
COLUMNS = ("last_checkin_on", "due_on", "life_event", "changes", "largest_drop", "has_drop", "talk_count",
           "is_very_low", "oldest_open_news_at")


def compute(session: Session, resident_ids: Iterable[int]) -> dict[int, caseload.Summary]:
    """The summaries of these residents from their check-ins and referrals (four queries per 500)."""
    ids = sorted(set(resident_ids))
    timezone = clock.timezone()
    net = safety_net()
    result = {}
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start:start + CHUNK]
        since = {resident_id: as_utc(created_at).astimezone(timezone).date() for resident_id, created_at in
                 session.execute(select(Resident.id, Resident.created_at).where(Resident.id.in_(chunk)))}
        rank = func.row_number().over(partition_by=Checkin.resident_id,
                                      order_by=(Checkin.completed_at.desc(), Checkin.id.desc())).label("rank")
        ranked = (select(Checkin.id, Checkin.resident_id, Checkin.completed_at, Checkin.life_event,
                         Checkin.next_checkin_on, Checkin.next_checkin_by, Checkin.scores, rank)
                  .where(Checkin.resident_id.in_(chunk)).subquery())
        talk = (select(func.count(Answer.id)).where(Answer.checkin_id == ranked.c.id, Answer.wants_to_talk.is_(True))
                .correlate(ranked).scalar_subquery())
        latest, previous = {}, {}
        for row in session.execute(select(ranked, talk.label("talk")).where(ranked.c.rank <= 2)):
            if row.rank == 1:
                latest[row.resident_id] = caseload.Latest(
                    day=as_utc(row.completed_at).astimezone(timezone).date(), life_event=row.life_event,
                    planned=row.next_checkin_on, planned_by=row.next_checkin_by, scores=row.scores or {},
                    talk_count=row.talk or 0)
            else:
                previous[row.resident_id] = row.scores or {}
        named_rank = func.row_number().over(partition_by=Checkin.resident_id,
                                            order_by=(Checkin.completed_at.desc(), Checkin.id.desc())).label("rank")
        named = (select(Checkin.resident_id, Checkin.life_event, named_rank)
                 .where(Checkin.resident_id.in_(chunk), Checkin.life_event.is_not(None),
                        Checkin.life_event != NO_LIFE_EVENT).subquery())
        events = dict(session.execute(select(named.c.resident_id, named.c.life_event).where(named.c.rank == 1)).all())
        news = dict(session.execute(
            select(Referral.resident_id, func.min(Referral.updated_at))
            .where(Referral.resident_id.in_(chunk), Referral.status.in_(OPEN_REFERRAL_STATUSES))
            .group_by(Referral.resident_id)).all())
        for resident_id, began in since.items():
            oldest = news.get(resident_id)
            result[resident_id] = caseload.summarise(
                latest.get(resident_id), previous.get(resident_id), began, events.get(resident_id),
                as_utc(oldest).astimezone(UTC) if oldest else None,
                net.pillars if net else (), net.threshold if net else None)
    return result


def _values(resident_id: int, summary: caseload.Summary) -> dict:
    return {"resident_id": resident_id, **{name: getattr(summary, name) for name in COLUMNS},
            "updated_at": utcnow()}


def refresh(session: Session, resident_ids: Iterable[int]) -> None:
    """Recompute and store the summaries of these residents (an upsert; rows of gone residents go)."""
    ids = set(resident_ids)
    if not ids:
        return
    summaries = compute(session, ids)
    gone = ids - set(summaries)
    if gone:
        session.execute(delete(ResidentSummary).where(ResidentSummary.resident_id.in_(sorted(gone))))
    if not summaries:
        return
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    statement = insert(ResidentSummary.__table__)
    statement = statement.on_conflict_do_update(
        index_elements=["resident_id"],
        set_={name: statement.excluded[name] for name in (*COLUMNS, "updated_at")})
    session.execute(statement, [_values(key, summary) for key, summary in sorted(summaries.items())])


def rebuild(session: Session | None = None) -> int:
    """Recompute every resident's summary from scratch; returns how many there are."""
    session = session or db.session
    session.execute(delete(ResidentSummary))
    ids = list(session.scalars(select(Resident.id)))
    refresh(session, ids)
    return len(ids)


def fill_missing(session: Session, residents) -> None:
    """Compute the summaries that are missing among `residents` (a select of resident ids).

    Rows are kept on every write; a resident stored before the summaries existed (or by a bulk
    insert) gets theirs here, the first time a caseload shows them.
    """
    kept = select(ResidentSummary.resident_id).where(ResidentSummary.resident_id == Resident.id).exists()
    missing = list(session.scalars(select(Resident.id).where(Resident.id.in_(residents), ~kept)))
    if missing:
        refresh(session, missing)


def _touched(session: Session) -> set[int]:
    ids = set()
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, Checkin | Referral):
            ids.add(obj.resident_id)
        elif isinstance(obj, Resident):
            ids.add(obj.id)
    ids.discard(None)
    return ids


def _after_flush(session: Session, _context) -> None:
    # new, dirty and deleted still list what this flush wrote; new rows have their ids now.
    if has_app_context():
        session.info.setdefault(_PENDING, set()).update(_touched(session))


def _after_flush_postexec(session: Session, _context) -> None:
    pending = session.info.pop(_PENDING, None)
    if pending:
        refresh(session, pending)


def listen() -> None:
    """Keep the summaries current on every flush of every session (called once, at import)."""
    from sqlalchemy import event

    if not event.contains(Session, "after_flush", _after_flush):
        event.listen(Session, "after_flush", _after_flush)
        event.listen(Session, "after_flush_postexec", _after_flush_postexec)


listen()
