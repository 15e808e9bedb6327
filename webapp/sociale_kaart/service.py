"""The sociale kaart in the database: what residents may see, CSV import and export."""

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from flask_babel import gettext
from sqlalchemy import select

from webapp.core import clock, history
from webapp.core.definitions import life_events, questionnaire_for
from webapp.core.extensions import db
from webapp.core.models import Activity, Checkin, Resident
from webapp.core.questionnaires import NO_LIFE_EVENT
from webapp.sociale_kaart import activity_csv
from webapp.sociale_kaart.rules import Offer, Profile, rank

FIELDS = (
    "public_id", "name", "organisation", "organisation_url", "organisation_phone", "organisation_email",
    "description", "status", "pillars", "life_events", "eligibility", "min_age", "max_age", "cost", "cost_cents",
    "schedule", "location_kind", "address", "postcode", "city", "wijk", "wheelchair", "hearing_loop",
    "public_transport", "how_to_join", "contact_person", "last_verified_on",
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


def to_check(today: date) -> list[Activity]:
    """Active activities nobody verified for more than a year: hidden until the beheerder checks them."""
    return [a for a in all_activities() if a.status == "actief" and not is_current(a, today)]


def search(activities: list[Activity], pillar: str | None = None, wijk: str | None = None, free: bool = False,
           wheelchair: bool = False, words: str | None = None) -> list[Activity]:
    """Filter the catalogue the way "Wat is er te doen?" offers it."""
    terms = [t for t in (words or "").casefold().split() if t]

    def matches(a: Activity) -> bool:
        text = " ".join(filter(None, (a.name, a.description, a.organisation, a.eligibility, a.wijk))).casefold()
        return all(term in text for term in terms)

    return [
        a for a in activities
        if (not pillar or pillar in a.pillars)
        and (not wijk or (a.wijk or "").casefold() == wijk.casefold())
        and (not free or a.cost == "gratis")
        and (not wheelchair or a.wheelchair)
        and matches(a)
    ]


def import_csv(data: bytes) -> tuple[int, int, int, list[activity_csv.Problem]]:
    """Check every row first; with any problem nothing is imported. Returns (new, changed, unchanged, problems)."""
    rows, problems = activity_csv.parse(data, {e.id for e in life_events().events}, clock.today())
    existing = {a.public_id: a for a in all_activities()}
    for row in rows:
        if row["public_id"] and row["public_id"] not in existing:
            problems.append(activity_csv.Problem(0, "id", f"onbekende id '{row['public_id']}'"))
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


def form_values(activity: Activity | None, today: date) -> dict:
    """The edit form's values (CSV column names) for an activity, or defaults for a new one."""
    if activity is not None:
        return activity_csv.row_from_fields(as_dict(activity))
    values = dict.fromkeys(activity_csv.COLUMNS, "")
    values.update(status="actief", kosten="gratis", locatie="adres", aanmelden="zelf", rolstoel="nee",
                  ringleiding="nee", ov="nee", plaats="", gecontroleerd_op=today.isoformat())
    return values


def save_from_form(activity: Activity | None, values: dict) -> tuple[Activity | None, dict[str, str]]:
    """Check the form with the same rules as the CSV import; save only when everything is right."""
    fields, problems = activity_csv.check_row(values, {e.id for e in life_events().events}, clock.today())
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


@dataclass
class Suggested:
    activity: Activity
    why: str


def _profile(resident: Resident, checkin: Checkin, today: date) -> Profile:
    questionnaire = questionnaire_for(checkin)
    pillar_of = {item.id: p.id for p in questionnaire.pillars for item in p.items}
    event_id = checkin.life_event if checkin.life_event not in (None, NO_LIFE_EVENT) else None
    if event_id is None:  # the latest life-event reported in the year before this check-in
        event_id = db.session.scalar(
            select(Checkin.life_event)
            .where(Checkin.resident_id == resident.id, Checkin.life_event.is_not(None),
                   Checkin.life_event != NO_LIFE_EVENT, Checkin.completed_at <= checkin.completed_at,
                   Checkin.completed_at >= checkin.completed_at - EVENT_MEMORY)
            .order_by(Checkin.completed_at.desc())
            .limit(1)
        )
    event = life_events().get(event_id)
    return Profile(
        scores=history.scores_of(checkin),
        focus=checkin.plan_pillar,
        talk_pillars=frozenset(pillar_of[a.item_id] for a in checkin.answers if a.wants_to_talk),
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


def for_checkin(resident: Resident, checkin: Checkin, today: date, locale: str) -> list[Suggested]:
    """Every fitting, current activity for this check-in, best first, each with why."""
    current = {a.public_id: a for a in current_activities(today)}
    offers = [
        Offer(a.public_id, tuple(a.pillars), tuple(a.life_events), a.min_age, a.max_age, a.cost == "gratis", a.wijk)
        for a in current.values()
    ]
    names = {p.id: p.name.get(locale) for p in questionnaire_for(checkin).pillars}
    ranked = rank(offers, _profile(resident, checkin, today))
    return [Suggested(current[s.offer.id], _why(s.reasons, names, locale)) for s in ranked]
