"""Fictional demo residents with several check-ins over months."""

import random
from datetime import datetime, timedelta

from sqlalchemy import func, select

from webapp.core import clock
from webapp.core.definitions import QUESTIONNAIRE_ID, current_questionnaire, life_events
from webapp.core.extensions import db
from webapp.core.labels import CheckinMode, ConsentMethod, Role
from webapp.core.models import Activity, Answer, Checkin, Referral, Resident, User
from webapp.core.passwords import hash_password
from webapp.core.permissions import active_relation
from webapp.core.questionnaires import NO_LIFE_EVENT

DEMO_PASSWORD = "veerkracht-demo"  # noqa: S105 - fictional accounts only; printed in the README

# username, life-event, starting level per pillar, monthly trend per pillar, plan
DEMO_RESIDENTS = [
    (
        "anna", "overlijden_naaste",
        {"lichaam": 6, "mentaal": 4, "zingeving": 5, "kwaliteit": 5, "meedoen": 3, "dagelijks": 5},
        {"mentaal": 0.8, "meedoen": 1.0, "dagelijks": 0.4},
        ("Mijn kleinkinderen zien en weer onder de mensen komen.", "meedoen",
         "Op dinsdag een keer naar de koffieochtend in het buurthuis.", "Mijn buurvrouw gaat mee."),
    ),
    (
        "henk", "pensioen",
        {"lichaam": 5, "mentaal": 7, "zingeving": 4, "kwaliteit": 7, "meedoen": 5, "dagelijks": 8},
        {"zingeving": 0.9, "lichaam": 0.5},
        ("Me nuttig voelen.", "zingeving", "Bellen met de vrijwilligerscentrale.", "Mijn dochter."),
    ),
    (
        "fatima", "mantelzorger",
        {"lichaam": 6, "mentaal": 6, "zingeving": 7, "kwaliteit": 6, "meedoen": 6, "dagelijks": 6},
        {"lichaam": -0.6, "mentaal": -0.7, "meedoen": -0.5},
        ("Dat mijn moeder goed verzorgd wordt en dat ik zelf niet omval.", "lichaam",
         "Eén middag per week iets voor mezelf plannen.", "Het mantelzorgcafé."),
    ),
]
MONTHS_AGO = (7, 5, 3, 1)


def _answer(rng: random.Random, level: float) -> int | None:
    if rng.random() < 0.06:
        return None  # now and then an item is skipped, as real residents do
    return max(0, min(10, round(level + rng.uniform(-1.2, 1.2))))


def is_empty() -> bool:
    """True when the database has no accounts yet (a fresh install)."""
    return db.session.scalar(select(func.count(User.id))) == 0


DEMO_TOTP_SECRET = "VEERKRACHTDEMOKEYVEERKRACHTDEMO2"  # noqa: S105 - fictional accounts; in the README
DEMO_STAFF = [
    # username, roles, name, organisation
    ("marieke", ["ouderencoach", "welzijnscoach"], "Marieke Jansen", "Welzijn Veerstad"),
    ("beheer", ["beheerder"], "Beheer Welzijn Veerstad", "Welzijn Veerstad"),
    ("dokter", ["verwijzer"], "Dokter R. Bos", "Huisartsenpraktijk De Linde"),
]
# Welzijn op Recept: fictional patients the demo GP referred, waiting in the welzijnscoaches' queue.
DEMO_GP_REFERRALS = [
    # name, contact, reason, life-event, urgency, days ago
    ("dhr. P. Smit", "06 0000 0001", "Sinds zijn pensioen weinig te doen en somber. Wil graag iets met zijn handen.",
     "pensioen", "gewoon", 6),
    ("mevr. L. Yilmaz", "06 0000 0002", "Zorgt alleen voor haar moeder en komt zelf niet meer buiten. Erg moe.",
     "mantelzorger", "snel", 2),
]


def _seed_staff(created: list[str]) -> None:
    from webapp.accounts import service as people

    for username, roles, name, organisation in DEMO_STAFF:
        if not people.username_taken(username):
            user = people.create_staff(username, DEMO_PASSWORD, roles, name, organisation, "010 000 00 00")
            # Staff log in with a second factor; the demo accounts share one published key.
            user.totp_secret, user.totp_confirmed_at = DEMO_TOTP_SECRET, clock.now()
            created.append(username)


def _seed_relations(now: datetime) -> None:
    """anna shares with coach marieke; marieke enrolled a resident who has no phone."""
    from webapp.accounts import service as people

    coach = db.session.scalar(select(User).where(User.username == "marieke"))
    anna = db.session.scalar(select(Resident).join(User, User.id == Resident.user_id).where(User.username == "anna"))
    if coach is None or anna is None or active_relation(coach, anna):
        return
    people.share_with_coach(anna, coach.coach_code)
    for relation in anna.relations:  # she began sharing after her third check-in, two months ago
        relation.started_at = now - timedelta(days=60)
    # Mevrouw Bakker has no phone: the coach enrolled her at the first home visit, with her spoken
    # consent, and every check-in since was done together at a visit (one story, issue 19).
    first_visit = now - timedelta(days=30 * MONTHS_AGO[0], hours=9)  # before the first check-in (see _add_checkins)
    enrolled = people.enrol_resident(coach, "mevr. T. Bakker", 1941, "Oosterhof", first_visit.date(),
                                     ConsentMethod.MONDELING)
    enrolled.created_at = first_visit
    for relation in enrolled.relations:
        relation.started_at = first_visit
    _add_checkins(enrolled, "bakker", "verhuizing", {"lichaam": 5, "mentaal": 6, "zingeving": 6, "kwaliteit": 5,
                                           "meedoen": 3, "dagelijks": 5}, {"meedoen": 0.8}, None, now, "uitgebreid",
                  first_mode=CheckinMode.SAMEN, later_mode=CheckinMode.SAMEN, coach=coach)


def _seed_gp_referrals(now: datetime) -> None:
    """The demo GP's referrals, once."""
    from webapp.core.models import WorReferral

    gp = db.session.scalar(select(User).where(User.username == "dokter"))
    if gp is None or db.session.scalar(select(WorReferral.id).where(WorReferral.referrer_id == gp.id).limit(1)):
        return
    for name, contact, reason, event, urgency, days_ago in DEMO_GP_REFERRALS:
        when = now - timedelta(days=days_ago)
        db.session.add(WorReferral(referrer_id=gp.id, patient_name=name, contact=contact, reason=reason,
                                   life_event=event, urgency=urgency, created_at=when, updated_at=when))


DEMO_PRACTICE = "Wijkteam Havenkwartier"
DEMO_PRACTICE_CODE = "VEER-KRAC-HTDE-MA23"  # fictional; printed in the README, like the demo passwords


def _seed_practice(now: datetime) -> None:
    """A wijkteam without accounts that referred once with its practice code (the public referral link)."""
    from webapp.accounts.service import hash_code
    from webapp.core.models import WorPractice, WorReferral

    if db.session.scalar(select(WorPractice.id).where(WorPractice.name == DEMO_PRACTICE)):
        return
    practice = WorPractice(name=DEMO_PRACTICE, kind="wijkteam", code_hash=hash_code(DEMO_PRACTICE_CODE),
                           code_set_at=now - timedelta(days=20), created_at=now - timedelta(days=20))
    db.session.add(practice)
    db.session.flush()
    when = now - timedelta(days=2)
    db.session.add(WorReferral(practice_id=practice.id, reference="WOR-DEMA-2345", patient_name="dhr. S. Yilmaz",
                               contact="06 9876 5432", reason="Zorgt alleen voor zijn zieke vrouw, slaapt slecht.",
                               life_event="mantelzorger", urgency="gewoon", created_at=when, updated_at=when))


def seed_demo(now: datetime | None = None) -> list[str]:
    """Create the demo residents, their check-ins and demo staff; return the usernames created."""
    now = now or clock.now()
    created: list[str] = []
    _seed_staff(created)
    created += _seed_residents(now)
    db.session.flush()
    _seed_relations(now)
    _seed_gp_referrals(now)
    _seed_practice(now)
    from webapp.sociale_kaart.service import seed_demo_activities

    seed_demo_activities()
    db.session.flush()
    _seed_population(now)
    return created


POPULATION = 120  # enough residents for the Impact figures to show numbers, not "te weinig gegevens"
POPULATION_WIJKEN = ("Centrum", "Havenkwartier", "Oosterhof", "Westkade", "Zuidrand")


def _seed_population(now: datetime) -> None:
    """Fictional residents without a login or a name, only there to give the Impact page figures."""
    if db.session.scalar(select(func.count(Resident.id))) > len(DEMO_RESIDENTS) + 1:
        return
    rng = random.Random("population")  # noqa: S311 - demo data, not security
    events = [e.id for e in life_events().events if e.id != NO_LIFE_EVENT]
    activities = list(db.session.scalars(select(Activity).order_by(Activity.name).limit(6)))
    for number in range(POPULATION):
        resident = Resident(wijk=rng.choice(POPULATION_WIJKEN), birth_year=rng.randint(1935, 1965),
                            created_at=now - timedelta(days=330))
        db.session.add(resident)
        db.session.flush()
        start = {pillar: rng.uniform(3, 7) for pillar in current_questionnaire().form_item_ids("kort")}
        trend = {pillar: rng.uniform(-0.3, 0.8) for pillar in start}
        count = rng.choice((1, 2, 3, 4))
        _add_checkins(resident, f"population-{number}", rng.choice(events), start, trend, None, now, "kort",
                      months_ago=tuple(sorted(rng.sample(range(1, 11), count), reverse=True)),
                      first_mode=CheckinMode.SAMEN)  # met a coach: they count in the Impact figures
        if activities and count >= 2 and rng.random() < 0.6:
            status = rng.choice(("aangemeld", "gestart", "gestart", "afgerond", "afgerond", "gestopt"))
            db.session.add(Referral(resident_id=resident.id, activity_id=rng.choice(activities).id, status=status,
                                    created_at=now - timedelta(days=rng.randint(40, 200))))
    db.session.flush()


def _seed_residents(now: datetime) -> list[str]:
    created = []
    password_hash = hash_password(DEMO_PASSWORD)
    for username, event, start, trend, plan in DEMO_RESIDENTS:
        if db.session.scalar(select(User.id).where(User.username == username)):
            continue
        # The account was made just before the first check-in, seven months ago (one story, issue 19).
        registered = now - timedelta(days=30 * MONTHS_AGO[0], hours=10)
        user = User(username=username, password_hash=password_hash, role=Role.BEWONER, created_at=registered)
        db.session.add(user)
        db.session.flush()
        resident = Resident(user_id=user.id, created_at=registered)
        db.session.add(resident)
        db.session.flush()
        _add_checkins(resident, username, event, start, trend, plan, now, "kort")
        created.append(username)
    return created


def _add_checkins(resident: Resident, seed: str, event: str, start: dict, trend: dict, plan: tuple | None,
                  now: datetime, form: str, months_ago: tuple[int, ...] = MONTHS_AGO,
                  first_mode: str = CheckinMode.ZELF, later_mode: str = CheckinMode.ZELF,
                  coach: User | None = None) -> None:
    """Check-ins `months_ago` (four over seven months by default), drifting by `trend` per two months;
    done together with `coach` where the mode is "samen"."""
    questionnaire = current_questionnaire()
    form_items = questionnaire.form_item_ids(form)
    rng = random.Random(seed)  # noqa: S311 - demo data, not security
    for index, months in enumerate(months_ago):
        completed = now - timedelta(days=30 * months, hours=rng.randint(0, 8))
        elapsed = (months_ago[0] - months) / 2
        answers = []
        for pillar, item_ids in form_items.items():
            level = start[pillar] + trend.get(pillar, 0) * elapsed
            for item_id in item_ids:
                talk = plan is not None and pillar == plan[1] and rng.random() < 0.5
                answers.append(Answer(item_id=item_id, score=_answer(rng, level), wants_to_talk=talk))
        checkin = Checkin(
            resident_id=resident.id, questionnaire_id=QUESTIONNAIRE_ID,
            questionnaire_version=questionnaire.version, form=form,
            life_event=event if index == 0 else NO_LIFE_EVENT,
            started_at=completed - timedelta(minutes=4), completed_at=completed,
            answers=answers, mode=first_mode if index == 0 else later_mode,
        )
        if checkin.mode == CheckinMode.SAMEN and coach is not None:
            checkin.coach_id = coach.id
        if plan is not None and index == len(months_ago) - 1:
            checkin.plan_important, checkin.plan_pillar = plan[0], plan[1]
            checkin.plan_step, checkin.plan_helper = plan[2], plan[3]
            checkin.plan_saved_at = completed
        db.session.add(checkin)
    db.session.flush()
