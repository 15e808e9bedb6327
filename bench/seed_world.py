"""A municipality for the caseload and Impact benchmarks: 20,000 residents, 200,000 check-ins, fast.

Imported by bench/bench_caseload.py and bench/bench_impact.py; not run itself. Rows go in with
bulk inserts in batches of residents: SQLite gets executemany, PostgreSQL COPY. Every check-in
has its 12 short-form answers and its pillar scores (computed with webapp.core.scoring, as a
submit does), and every resident's caseload summary is built at the end with the app's own
rebuild. Two coaches follow exactly SMALL and LARGE residents; the rest are spread over others.
"""

import json
import random
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from bench.harness import BENCH_TOTP_SECRET, WIJKEN, build_app, migrate

SMALL, LARGE = 150, 2000  # the two measured coaches' caseloads
BATCH = 1000  # residents per round of inserts
PASSWORD = "bench-wachtwoord-lang-1"  # throw-away benchmark database
CHEAP_ARGON2 = {"time_cost": 1, "memory_cost": 64, "parallelism": 1}  # as in tests/conftest.py


@dataclass
class World:
    app: object
    database_url: str
    residents: int
    checkins: int
    answers: int
    referrals: int
    seconds: float
    small_coach: str  # public ids
    large_coach: str
    beheerder: str


def reset(database_url: str) -> None:
    """An empty PostgreSQL database to migrate (everything in its public schema is dropped)."""
    engine = sa.create_engine(database_url)
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP SCHEMA public CASCADE")
        conn.exec_driver_sql("CREATE SCHEMA public")
    engine.dispose()


def _bulk(conn, table: str, columns: list[str], rows: list[tuple]) -> None:
    if not rows:
        return
    if conn.dialect.name == "postgresql":
        cursor = conn.connection.driver_connection.cursor()
        quoted = ", ".join(f'"{c}"' for c in columns)
        with cursor.copy(f'COPY "{table}" ({quoted}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row(row)
    else:
        marks = ", ".join("?" for _ in columns)
        conn.connection.driver_connection.executemany(
            f'INSERT INTO "{table}" ({", ".join(columns)}) VALUES ({marks})', rows)


def _stamp(conn, moment: datetime):
    """A timestamp as each driver stores it (SQLite: SQLAlchemy's text format in UTC)."""
    if conn.dialect.name == "postgresql":
        return moment
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def seed(database_url: str, residents: int = 20000, checkins: int = 10, rng: random.Random | None = None,
         fresh_postgres: bool = False) -> World:
    """Migrate an empty database and fill it; returns the app and who logs in."""
    rng = rng or random.Random(20261203)  # noqa: S311 - benchmark data, not security
    if fresh_postgres:
        reset(database_url)
    migrate(database_url)
    app = build_app(database_url, ARGON2=CHEAP_ARGON2)  # logins are not measured here; 33 staff hashes are
    started = time.perf_counter()
    from webapp.accounts import service as people
    from webapp.caseload import summaries
    from webapp.core import scoring
    from webapp.core.definitions import QUESTIONNAIRE_ID, RESIDENT_FORM, current_questionnaire, life_events
    from webapp.core.extensions import db
    from webapp.core.models import Activity
    from webapp.core.models._base import new_public_id

    with app.app_context():
        small = people.create_staff("benchklein", PASSWORD, ["welzijnscoach"], "Coach Klein")
        large = people.create_staff("benchgroot", PASSWORD, ["welzijnscoach"], "Coach Groot")
        others = [people.create_staff(f"benchcoach{n}", PASSWORD, ["ouderencoach"], f"Coach {n}") for n in range(30)]
        beheerder = people.create_staff("benchbeheer", PASSWORD, ["beheerder"], "Beheer")
        for staff in (small, large, beheerder, *others):  # the authenticator app was set up earlier
            staff.totp_secret, staff.totp_confirmed_at = BENCH_TOTP_SECRET, datetime.now(UTC)
        activities = [Activity(name=f"Activiteit {n}", organisation="Bench", description="-",
                               last_verified_on=datetime.now(UTC).date()) for n in range(8)]
        db.session.add_all(activities)
        db.session.commit()
        coach_ids = {"small": small.id, "large": large.id, "others": [c.id for c in others]}
        activity_ids = [a.id for a in activities]
        public = (small.public_id, large.public_id, beheerder.public_id)
        questionnaire = current_questionnaire()
        form_items = questionnaire.form_item_ids(RESIDENT_FORM)
        items = [item for group in form_items.values() for item in group]
        events = [event.id for event in life_events().events if event.id != "geen"]

    engine = sa.create_engine(database_url)
    now = datetime.now(UTC)
    answer_count = referral_count = 0
    measurement_id = 0
    with engine.begin() as conn:
        for first in range(0, residents, BATCH):
            resident_rows, relation_rows, checkin_rows, answer_rows, referral_rows = [], [], [], [], []
            for resident_id in range(first + 1, min(residents, first + BATCH) + 1):
                days_ago = [rng.randint(0, 120)]
                for _ in range(checkins - 1):
                    days_ago.append(days_ago[-1] + rng.randint(50, 90))
                completed = [now - timedelta(days=d, minutes=rng.randint(0, 600)) for d in reversed(days_ago)]
                began = completed[0] - timedelta(days=rng.randint(1, 30))
                resident_rows.append((resident_id, new_public_id(), f"Bewoner {resident_id:05d}",
                                      rng.randint(1935, 1975), rng.choice(WIJKEN), _stamp(conn, began), "geen"))
                if resident_id <= SMALL:
                    coach = coach_ids["small"]
                elif resident_id <= SMALL + LARGE:
                    coach = coach_ids["large"]
                else:
                    coach = rng.choice(coach_ids["others"])
                followers = [coach]
                if rng.random() < 0.1:
                    followers.append(rng.choice(coach_ids["others"]))
                for follower in dict.fromkeys(followers):
                    relation_rows.append((new_public_id(), follower, resident_id, "ingeschreven", began.date(),
                                          "mondeling", _stamp(conn, began)))
                level, drift = rng.uniform(3.0, 8.0), rng.uniform(-0.4, 0.4)
                offsets = {item: rng.uniform(-1.5, 1.5) for item in items}
                for index, done in enumerate(completed):
                    measurement_id += 1
                    answers = {}
                    for item in items:
                        answers[item] = None if rng.random() < 0.05 else min(10, max(0, round(
                            level + drift * index + offsets[item] + rng.gauss(0, 1.2))))
                        answer_rows.append((measurement_id, item, answers[item], rng.random() < 0.005))
                    agreed = done.date() + timedelta(weeks=rng.choice((4, 6, 8, 12))) if rng.random() < 0.3 else None
                    checkin_rows.append((
                        measurement_id, new_public_id(), resident_id, QUESTIONNAIRE_ID, questionnaire.version,
                        RESIDENT_FORM, rng.choice(events) if rng.random() < 0.08 else "geen",
                        "samen" if index == 0 and rng.random() < 0.2 else "zelf",
                        _stamp(conn, done - timedelta(minutes=rng.randint(3, 15))), _stamp(conn, done), agreed,
                        json.dumps(scoring.pillar_scores(form_items, answers))))
                if resident_id % 3 == 0:
                    referral_rows.append((
                        new_public_id(), resident_id, rng.choice(activity_ids),
                        rng.choice(("voorgesteld", "aangemeld", "gestart", "afgerond", "gestopt")),
                        _stamp(conn, now - timedelta(days=rng.randint(30, 400))),
                        _stamp(conn, now - timedelta(days=rng.randint(0, 60)))))
            _bulk(conn, "resident", ["id", "public_id", "display_name", "birth_year", "wijk", "created_at",
                                     "reminder"], resident_rows)
            _bulk(conn, "coach_relation", ["public_id", "coach_id", "resident_id", "origin", "consent_date",
                                           "consent_method", "started_at"], relation_rows)
            _bulk(conn, "measurement", ["id", "public_id", "resident_id", "questionnaire_id", "questionnaire_version",
                                        "form", "life_event", "mode", "started_at", "completed_at",
                                        "next_checkin_on", "scores"], checkin_rows)
            _bulk(conn, "answer", ["measurement_id", "item_id", "score", "wants_to_talk"], answer_rows)
            _bulk(conn, "referral", ["public_id", "resident_id", "activity_id", "status", "created_at",
                                     "updated_at"], referral_rows)
            answer_count += len(answer_rows)
            referral_count += len(referral_rows)
        if conn.dialect.name == "postgresql":
            for table in ("resident", "measurement"):
                conn.exec_driver_sql(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                     f"(SELECT max(id) FROM {table}))")
            conn.exec_driver_sql("ANALYZE")
    engine.dispose()
    with app.app_context():
        summaries.rebuild()
        db.session.commit()
    return World(app=app, database_url=database_url, residents=residents, checkins=measurement_id,
                 answers=answer_count, referrals=referral_count, seconds=time.perf_counter() - started,
                 small_coach=public[0], large_coach=public[1], beheerder=public[2])
