"""The sociale kaart in the database: what residents may see, CSV import and export."""

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from flask_babel import gettext
from sqlalchemy import case, func, select

from webapp.core import clock, history
from webapp.core.clock import months_between
from webapp.core.definitions import life_events, questionnaire_for
from webapp.core.extensions import db
from webapp.core.labels import OPEN_REFERRAL_STATUSES, ReferralStatus
from webapp.core.models import Activity, Checkin, Referral, Resident
from webapp.core.models._base import as_utc
from webapp.core.questionnaires import NO_LIFE_EVENT
from webapp.sociale_kaart import activity_csv
from webapp.sociale_kaart.rules import Feedback, Offer, Profile, rank, search_text, terms

FIELDS = (
    "public_id", "name", "organisation", "organisation_url", "organisation_phone", "organisation_email",
    "description", "status", "pillars", "life_events", "eligibility", "min_age", "max_age", "cost", "cost_cents",
    "schedule", "location_kind", "address", "postcode", "city", "wijk", "wheelchair", "hearing_loop",
    "public_transport", "how_to_join", "contact_person", "last_verified_on", "for_event_only",
)
VERIFY_EVERY = timedelta(days=365)
DEMO_FILE = Path(__file__).resolve().parent.parent / "data" / "demo-activities.csv"


def as_dict(activity: Activity) -> dict:
    return {field: getattr(activity, field) for field in FIELDS}


def is_current(activity: Activity, today: date) -> bool:
    """Shown to residents: active and checked within the last twelve months."""
    return activity.status == "actief" and activity.last_verified_on >= today - VERIFY_EVERY


def all_activities() -> list[Activity]:
    return list(db.session.scalars(select(Activity).order_by(Activity.name)))


def current_activities(today: date) -> list[Activity]:
    return [a for a in all_activities() if is_current(a, today)]


def to_check(today: date, every: list[Activity] | None = None) -> list[Activity]:
    """Active activities nobody verified for more than a year: hidden until the beheerder checks them.
    Out of `every` activity when the caller has loaded them already."""
    every = all_activities() if every is None else every
    return [a for a in every if a.status == "actief" and not is_current(a, today)]


def serves_wijk(activity: Activity, wijk: str) -> bool:
    """In this wijk, or for everyone wherever they live: the whole town, at home, or online."""
    return (activity.location_kind in ("thuis", "online") or not activity.wijk
            or activity.wijk.casefold() == wijk.casefold())


def search(activities: list[Activity], pillar: str | None = None, wijk: str | None = None, free: bool = False,
           wheelchair: bool = False, words: str | None = None, life_event: str | None = None) -> list[Activity]:
    """Filter the catalogue the way "Wat is er te doen?" offers it; words are searched in Dutch word
    forms and with small typos (rules.search_text)."""
    chosen = [
        a for a in activities
        if (not pillar or pillar in a.pillars)
        and (not wijk or serves_wijk(a, wijk))
        and (not free or a.cost == "gratis")
        and (not wheelchair or a.wheelchair)
        and (not life_event or life_event in a.life_events)
    ]
    if not (words or "").strip():
        return chosen
    documents = {a.public_id: terms(" ".join(filter(None, (
        a.name, a.description, a.organisation, a.eligibility, a.wijk, a.city, a.schedule)))) for a in chosen}
    found = search_text(words, documents)
    return [a for a in chosen if a.public_id in found]


def _by_name(activities) -> dict[tuple[str, str], str]:
    """The catalogue's activities by name and organisation (activity_csv.same_activity) -> id."""
    return {activity_csv.same_activity(a.name, a.organisation): a.public_id for a in activities}


def import_csv(data: bytes) -> tuple[int, int, int, list[activity_csv.Problem]]:
    """Check every row first; with any problem nothing is imported. Returns (new, changed, unchanged, problems)."""
    existing = {a.public_id: a for a in all_activities()}
    rows, problems = activity_csv.parse(data, {e.id for e in life_events().events}, clock.today(),
                                        _by_name(existing.values()), set(existing))
    if problems:
        return 0, 0, 0, problems
    new = changed = unchanged = 0
    for row in rows:
        activity = existing.get(row["public_id"]) if row["public_id"] else None
        values = {k: v for k, v in row.items() if k != "public_id"}
        if activity is None:
            db.session.add(Activity(**values))
            new += 1
        elif any(getattr(activity, key) != value for key, value in values.items()):
            for key, value in values.items():
                setattr(activity, key, value)
            changed += 1
        else:
            unchanged += 1
    db.session.flush()
    return new, changed, unchanged, []


def export_csv() -> str:
    return activity_csv.export([as_dict(a) for a in all_activities()])


def seed_demo_activities() -> int:
    """Load the fictional municipality's activities once (an empty catalogue only)."""
    if db.session.scalar(select(Activity.id).limit(1)) is not None or not DEMO_FILE.exists():
        return 0
    new, _changed, _unchanged, problems = import_csv(DEMO_FILE.read_bytes())
    if problems:
        raise ValueError("; ".join(str(p) for p in problems[:5]))
    return new


def mark_verified(activity: Activity, today: date) -> None:
    """The beheerder checked today that the activity is still right ("vandaag gecontroleerd")."""
    activity.last_verified_on = today
    db.session.flush()


def form_values(activity: Activity | None, today: date) -> dict:
    """The edit form's values (CSV column names) for an activity, or defaults for a new one."""
    if activity is not None:
        return activity_csv.row_from_fields(as_dict(activity))
    values = dict.fromkeys(activity_csv.COLUMNS, "")
    values.update(status="actief", kosten="gratis", locatie="adres", aanmelden="zelf", rolstoel="nee",
                  ringleiding="nee", ov="nee", alleen_voor_gebeurtenis="nee", plaats="",
                  gecontroleerd_op=today.isoformat())
    return values


def save_from_form(activity: Activity | None, values: dict) -> tuple[Activity | None, dict[str, str]]:
    """Check the form with the same rules as the CSV import; save only when everything is right."""
    fields, problems = activity_csv.check_row(values, {e.id for e in life_events().events}, clock.today())
    if not problems:  # the same name at the same organisation would list one activity twice
        twin = _by_name(all_activities()).get(activity_csv.same_activity(fields["name"], fields["organisation"]))
        if twin not in (None, activity.public_id if activity else None):
            problems = {"naam": gettext("Deze activiteit staat al in de sociale kaart. Pas die aan in plaats van "
                                        "een nieuwe te maken.")}
    if problems:
        return None, problems
    fields.pop("public_id", None)
    if activity is None:
        activity = Activity(**fields)
        db.session.add(activity)
    else:
        for key, value in fields.items():
            setattr(activity, key, value)
    db.session.flush()
    return activity, {}


EVENT_MEMORY = timedelta(days=365)  # a life-event reported within a year still counts
TRIED = (ReferralStatus.GESTART, ReferralStatus.AFGEROND, ReferralStatus.GESTOPT)


def feedback(life_event: str | None) -> dict[int, Feedback]:
    """What residents said of each activity they tried, per activity id: from those who tried it
    after the same life-event (or after none, when this resident reported none). One query."""
    event = life_event or NO_LIFE_EVENT
    same = func.coalesce(Checkin.life_event, NO_LIFE_EVENT) == event
    rows = db.session.execute(
        select(Referral.activity_id,
               func.count(Referral.followup_rating), func.coalesce(func.sum(Referral.followup_rating), 0),
               func.sum(case((Referral.status.in_(TRIED), 1), else_=0)),
               func.sum(case((Referral.status == ReferralStatus.GESTOPT, 1), else_=0)))
        .join(Checkin, Checkin.id == Referral.checkin_id)
        .where(same)
        .group_by(Referral.activity_id))
    return {activity_id: Feedback(rated or 0, int(total or 0), tried or 0, stopped or 0)
            for activity_id, rated, total, tried, stopped in rows}


@dataclass
class Suggested:
    activity: Activity
    why: str


def _profile(resident: Resident, checkin: Checkin, today: date) -> Profile:
    questionnaire = questionnaire_for(checkin)
    pillar_of = {item.id: p.id for p in questionnaire.pillars for item in p.items}
    reported = checkin if checkin.life_event not in (None, NO_LIFE_EVENT) else None
    if reported is None:  # the latest life-event reported in the year before this check-in
        reported = db.session.scalar(
            select(Checkin)
            .where(Checkin.resident_id == resident.id, Checkin.life_event.is_not(None),
                   Checkin.life_event != NO_LIFE_EVENT, Checkin.completed_at <= checkin.completed_at,
                   Checkin.completed_at >= checkin.completed_at - EVENT_MEMORY)
            .order_by(Checkin.completed_at.desc())
            .limit(1)
        )
    event = life_events().get(reported.life_event) if reported else None
    on_day = as_utc(checkin.completed_at).date()
    months_ago = None
    if reported is not None and reported.life_event_on is not None:
        months_ago = months_between(reported.life_event_on, on_day)
    elif reported is not None and reported is not checkin:  # it happened before it was reported
        months_ago = months_between(as_utc(reported.completed_at).date(), on_day)
    return Profile(
        scores=history.scores_of(checkin),
        focus=checkin.plan_pillar,
        talk_pillars=frozenset(pillar_of[a.item_id] for a in checkin.answers if a.wants_to_talk),
        life_event=event.id if event else None,
        event_first=tuple(event.pillars_first) if event else (),
        event_later=tuple(event.pillars_later) if event else (),
        age=today.year - resident.birth_year if resident.birth_year else None,
        wijk=resident.wijk,
        event_months_ago=months_ago,
    )


MAX_WORDS = 15  # the reason is one short B1 sentence


def _clause(kind: str, subject: str, pillar_names: dict[str, str], locale: str) -> str | None:
    if kind == "focus":
        return gettext("u wilt werken aan %(pillar)s", pillar=pillar_names[subject])
    if kind == "low":
        return gettext("uw cijfer voor %(pillar)s laag is", pillar=pillar_names[subject])  # a level, not a change
    if kind == "talk":
        return gettext("u over %(pillar)s wilt praten", pillar=pillar_names[subject])
    if kind == "event_pillar":
        return gettext("%(pillar)s na een grote gebeurtenis vaak moeilijker wordt", pillar=pillar_names[subject])
    if kind in ("event", "event_recent"):
        event = life_events().get(subject)
        if event and event.because:
            what = event.because.get(locale)
            return (gettext("u kort geleden %(what)s", what=what) if kind == "event_recent"
                    else gettext("u %(what)s", what=what))
    if kind == "liked":
        return gettext("anderen het fijn vonden")
    return None


def why(reasons: list[tuple[str, str]], pillar_names: dict[str, str], locale: str) -> str:
    """One short sentence: the main reason, and the next ones while it stays at most 15 words."""
    clauses: list[str] = []
    if any(kind in ("event", "event_recent") for kind, _subject in reasons):
        # The life-event itself says more than "this pillar is often under pressure after one".
        reasons = [r for r in reasons if r[0] != "event_pillar"]
    for kind, subject in reasons:
        clause = _clause(kind, subject, pillar_names, locale)
        if clause is None:
            continue
        candidate = gettext("Omdat %(reasons)s.", reasons=gettext(" en ").join([*clauses, clause]))
        if clauses and len(candidate.split()) > MAX_WORDS:
            continue
        clauses.append(clause)
    return gettext("Omdat %(reasons)s.", reasons=gettext(" en ").join(clauses)) if clauses else ""


def chosen_activities(resident: Resident) -> set[int]:
    """The activities this resident wants to try or tries now (an open referral): a suggestion card
    says so instead of offering "Dit wil ik proberen" again."""
    return set(db.session.scalars(select(Referral.activity_id).where(
        Referral.resident_id == resident.id, Referral.status.in_(OPEN_REFERRAL_STATUSES))))


def for_checkin(resident: Resident, checkin: Checkin, today: date, locale: str) -> list[Suggested]:
    """Every fitting, current activity for this check-in, best first, each with why."""
    current = {a.public_id: a for a in current_activities(today)}
    profile = _profile(resident, checkin, today)
    said = feedback(profile.life_event)
    offers = [
        Offer(a.public_id, tuple(a.pillars), tuple(a.life_events), a.min_age, a.max_age, a.cost == "gratis", a.wijk,
              a.for_event_only, said.get(a.id, Feedback()))
        for a in current.values()
    ]
    names = {p.id: p.short.get(locale) for p in questionnaire_for(checkin).pillars}  # residents read these
    ranked = rank(offers, profile)
    return [Suggested(current[s.offer.id], why(s.reasons, names, locale)) for s in ranked]
