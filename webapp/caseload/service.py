"""Load a coach's caseload in a fixed number of queries, however many residents there are.

The page reads the kept summaries (webapp/caseload/summaries.py) and lets the database filter,
sort, count and cut the page; only the 25 rows shown and this week's call list leave it.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import and_, case, func, select

from webapp.caseload import rules as caseload
from webapp.caseload import summaries
from webapp.core import clock, scoring
from webapp.core.definitions import definitions, safety_net
from webapp.core.extensions import db
from webapp.core.labels import OPEN_REFERRAL_STATUSES
from webapp.core.models import Activity, Answer, Checkin, CoachRelation, Referral, Resident, ResidentSummary, User
from webapp.core.models._base import as_utc
from webapp.core.questionnaires import NO_LIFE_EVENT
from webapp.referrals import service as referrals
from webapp.referrals.rules import NO_NEWS_DAYS
from webapp.reminders.rules import next_checkin

PER_PAGE = 25
CALL_LIST_LIMIT = 25  # the call list shows the first 25 due (a page); the rest are a link away, by date


@dataclass
class Page:
    """One page of the caseload, with the call list and the choices of the filters."""

    rows: list[caseload.Row]
    total: int  # residents matching the filters
    page: int
    pages: int
    to_call: list[caseload.Row]  # the first CALL_LIST_LIMIT of this week's call list
    call_total: int  # how many are on it in all
    coach_names: list[tuple[str, str]]  # (public id, name) of every coach following these residents
    wijken: list[str]


def _shared(coach: User):
    return select(CoachRelation.resident_id).where(CoachRelation.coach_id == coach.id,
                                                   CoachRelation.ended_at.is_(None))


def caseload_page(coach: User, today: date, now: datetime, *, sort: str = "aandacht", flag: str | None = None,
                  life_event: str | None = None, wijk: str | None = None, coach_filter: str | None = None,
                  name: str | None = None, page: int = 1, per_page: int = PER_PAGE) -> Page:
    """The caseload as the page shows it, filtered, sorted and paged in SQL: seven queries, whatever its size.

    Names sort and match by the database's lower(): on PostgreSQL for every letter, on SQLite for
    A-Z only (Python's casefold did both before).
    """
    summary = ResidentSummary
    shared = _shared(coach)
    summaries.fill_missing(db.session, shared)
    cutoff = now - timedelta(days=NO_NEWS_DAYS)
    name_expr = func.coalesce(Resident.display_name, User.username, func.substr(Resident.public_id, 1, 6))
    name_key = func.lower(name_expr)
    quiet = and_(summary.oldest_open_news_at.is_not(None), summary.oldest_open_news_at < cutoff)
    late = summary.due_on < today
    conditions = {
        caseload.FLAG_VERY_LOW: summary.is_very_low.is_(True), caseload.FLAG_DROP: summary.has_drop.is_(True),
        caseload.FLAG_TALK: summary.talk_count > 0, caseload.FLAG_OVERDUE: late, caseload.FLAG_NO_NEWS: quiet,
    }
    where = [Resident.id.in_(shared)]
    if flag in conditions:
        where.append(conditions[flag])
    if life_event:
        where.append(summary.life_event == life_event)
    if wijk:
        where.append(func.lower(func.coalesce(Resident.wijk, "")) == func.lower(wijk))
    if coach_filter:
        where.append(Resident.id.in_(
            select(CoachRelation.resident_id).join(User, User.id == CoachRelation.coach_id)
            .where(User.public_id == coach_filter, CoachRelation.ended_at.is_(None))))
    for word in (name or "").lower().split():
        where.append(name_key.contains(word, autoescape=True))

    def base(*columns):
        return (select(*columns).select_from(Resident)
                .join(summary, summary.resident_id == Resident.id)
                .outerjoin(User, User.id == Resident.user_id))

    total = db.session.scalar(base(func.count(Resident.id)).where(*where)) or 0
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    attention = sum(case((condition, 1), else_=0) for condition in conditions.values())
    order = {
        "naam": (),
        "laatste": (summary.last_checkin_on.is_(None), summary.last_checkin_on.desc()),
        "volgende": (summary.due_on,),
        "daling": (summary.largest_drop,),
    }.get(sort, (attention.desc(), summary.due_on))
    columns = (Resident.public_id, name_expr.label("name"), Resident.wijk, summary.life_event,
               summary.last_checkin_on, summary.due_on, summary.changes, summary.talk_count, summary.is_very_low,
               summary.has_drop, summary.oldest_open_news_at)

    def rows(statement, found: list | None = None) -> list[caseload.Row]:
        result = db.session.execute(statement).all()
        if found is not None:
            found.extend(row.total for row in result[:1])
        return [caseload.Row(
            resident_public_id=row.public_id, name=row.name, wijk=row.wijk, life_event=row.life_event,
            last_checkin=row.last_checkin_on, due=row.due_on, changes=dict(row.changes or {}),
            talk_count=row.talk_count,
            flags=caseload.flags_of(_Kept(row.is_very_low, row.has_drop, row.talk_count, row.due_on,
                                          as_utc(row.oldest_open_news_at)), today, cutoff),
        ) for row in result]

    shown = rows(base(*columns).where(*where).order_by(*order, name_key, Resident.id)
                 .limit(per_page).offset((page - 1) * per_page))
    week_end = today + timedelta(days=6 - today.weekday())
    call_total: list[int] = []
    to_call = rows(base(*columns, func.count().over().label("total"))
                   .where(Resident.id.in_(shared), summary.due_on <= week_end)
                   .order_by(summary.due_on, name_key, Resident.id).limit(CALL_LIST_LIMIT), call_total)
    coach_names = db.session.execute(
        select(User.public_id, func.coalesce(User.display_name, User.username)).distinct()
        .join(CoachRelation, CoachRelation.coach_id == User.id)
        .where(CoachRelation.resident_id.in_(shared), CoachRelation.ended_at.is_(None))).all()
    wijken = db.session.scalars(select(Resident.wijk).distinct()
                                .where(Resident.id.in_(shared), Resident.wijk.is_not(None))).all()
    return Page(rows=shown, total=total, page=page, pages=pages, to_call=to_call,
                call_total=call_total[0] if call_total else 0,
                coach_names=sorted(((p, n) for p, n in coach_names), key=lambda item: item[1].casefold()),
                wijken=sorted((w for w in wijken if w), key=lambda w: (w.casefold(), w)))


@dataclass(frozen=True)
class _Kept:
    is_very_low: bool
    has_drop: bool
    talk_count: int
    due_on: date
    oldest_open_news_at: datetime | None


def _ranked(coach: User, *where):
    """Check-ins of this coach's residents, numbered newest first per resident."""
    shared = select(CoachRelation.resident_id).where(
        CoachRelation.coach_id == coach.id, CoachRelation.ended_at.is_(None)
    )
    rank = func.row_number().over(
        partition_by=Checkin.resident_id,
        order_by=(Checkin.completed_at.desc(), Checkin.id.desc()),
    ).label("rank")
    return (
        select(Checkin.id, Checkin.resident_id, Checkin.completed_at, Checkin.form,
               Checkin.questionnaire_id, Checkin.questionnaire_version, Checkin.life_event,
               Checkin.next_checkin_on, Checkin.next_checkin_by, rank)
        .where(Checkin.resident_id.in_(shared), *where)
        .subquery()
    )


def caseload_rows(coach: User, today: date, timezone) -> list[caseload.Row]:
    """Every resident this coach may see, with flags and their coaches, scored from the raw answers.

    The caseload as it was computed before the summaries were kept (migration 0018): no page uses
    it now; the tests compare caseload_page with it, and bench/bench_caseload.py measures against it.
    """
    residents = db.session.execute(
        select(Resident.id, Resident.public_id, func.coalesce(Resident.display_name, User.username), Resident.wijk,
               Resident.created_at)
        .join(CoachRelation, CoachRelation.resident_id == Resident.id)
        .outerjoin(User, User.id == Resident.user_id)
        .where(CoachRelation.coach_id == coach.id, CoachRelation.ended_at.is_(None))
    ).all()

    latest_two = _ranked(coach)
    checkins = db.session.execute(select(latest_two).where(latest_two.c.rank <= 2)).all()
    answers = db.session.execute(
        select(Answer.checkin_id, Answer.item_id, Answer.score, Answer.wants_to_talk)
        .join(latest_two, latest_two.c.id == Answer.checkin_id)
        .where(latest_two.c.rank <= 2)
    ).all()
    events = _ranked(coach, Checkin.life_event.is_not(None), Checkin.life_event != NO_LIFE_EVENT)
    life_events = dict(db.session.execute(
        select(events.c.resident_id, events.c.life_event).where(events.c.rank == 1)
    ).all())

    shared = select(CoachRelation.resident_id).where(
        CoachRelation.coach_id == coach.id, CoachRelation.ended_at.is_(None)
    )
    coaches_by_resident = defaultdict(dict)
    for resident_id, coach_public_id, coach_name in db.session.execute(
        select(CoachRelation.resident_id, User.public_id, func.coalesce(User.display_name, User.username))
        .join(User, User.id == CoachRelation.coach_id)
        .where(CoachRelation.resident_id.in_(shared), CoachRelation.ended_at.is_(None))
    ):
        coaches_by_resident[resident_id][coach_public_id] = coach_name

    quiet = defaultdict(int)
    now = clock.now()
    for resident_id, updated_at in db.session.execute(
        select(Referral.resident_id, Referral.updated_at)
        .where(Referral.resident_id.in_(shared), Referral.status.in_(OPEN_REFERRAL_STATUSES))
    ):
        quiet[resident_id] += referrals.without_news(updated_at, now)

    answers_by_checkin = defaultdict(dict)
    talk_by_checkin = defaultdict(int)
    for checkin_id, item_id, score, wants_to_talk in answers:
        answers_by_checkin[checkin_id][item_id] = score
        talk_by_checkin[checkin_id] += bool(wants_to_talk)
    by_resident = defaultdict(list)
    for row in sorted(checkins, key=lambda m: m.rank):
        by_resident[row.resident_id].append(row)

    forms: dict[tuple, dict] = {}  # item ids per (questionnaire, version, form), looked up once

    def scores(row) -> dict:
        key = (row.questionnaire_id, row.questionnaire_version, row.form)
        if key not in forms:
            forms[key] = definitions().get(*key[:2]).form_item_ids(row.form)
        return scoring.pillar_scores(forms[key], answers_by_checkin[row.id])

    net = safety_net()

    def very_low(latest_scores: dict) -> bool:
        return net is not None and bool(scoring.very_low(latest_scores, net.pillars, net.threshold))

    rows = []
    for resident_id, public_id, name, wijk, created_at in residents:
        history = by_resident.get(resident_id, [])
        latest = history[0] if history else None
        previous = history[1] if len(history) > 1 else None
        last_day = as_utc(latest.completed_at).astimezone(timezone).date() if latest else None
        due = next_checkin(last_day, latest.life_event if latest else None,
                           latest.next_checkin_on if latest else None, latest.next_checkin_by if latest else None,
                           as_utc(created_at).astimezone(timezone).date()).on
        latest_scores = scores(latest) if latest else {}
        changes = scoring.changes(latest_scores, scores(previous)) if latest and previous else {}
        talk = talk_by_checkin[latest.id] if latest else 0
        rows.append(caseload.Row(
            resident_public_id=public_id, name=name or public_id[:6], wijk=wijk,
            life_event=life_events.get(resident_id), last_checkin=last_day, due=due, changes=changes,
            talk_count=talk, flags=caseload.flags_for(changes, talk, due, today, quiet[resident_id],
                                                      very_low(latest_scores)),
            coaches=coaches_by_resident[resident_id],
        ))
    return rows


def referral_rows(coach: User, now, timezone) -> list[caseload.ReferralRow]:
    """Every referral of the residents this coach follows now, in one query."""
    shared = select(CoachRelation.resident_id).where(
        CoachRelation.coach_id == coach.id, CoachRelation.ended_at.is_(None))
    rows = db.session.execute(
        select(Referral, Activity.name, Resident.public_id, func.coalesce(Resident.display_name, User.username))
        .join(Activity, Activity.id == Referral.activity_id)
        .join(Resident, Resident.id == Referral.resident_id)
        .outerjoin(User, User.id == Resident.user_id)
        .where(Referral.resident_id.in_(shared)))

    def day(moment) -> date:
        return as_utc(moment).astimezone(timezone).date()

    return [caseload.ReferralRow(
        referral_public_id=referral.public_id, resident_public_id=public_id, resident_name=name or public_id[:6],
        activity_name=activity_name, status=referral.status, since=day(referral.created_at),
        last_news=day(referral.updated_at),
        quiet=referral.status in OPEN_REFERRAL_STATUSES and referrals.without_news(referral.updated_at, now),
        rating=referral.followup_rating, followup=referral.followup_text,
    ) for referral, activity_name, public_id, name in rows]
