"""Impact benchmark: the beheerder's figures over 2,000 residents and 20,000 check-ins.

    .venv/bin/python bench/bench_impact.py [--residents R] [--checkins K] [--requests N]

Seeds a throw-away SQLite database with bench/harness.py's bulk inserts (R residents with
K short check-ins each, 12 answers per check-in) plus one referral for every third resident, then
times N in-process GETs of the Impact page and of its CSV export (no network, one process), and
prints p50/p95 latency, the SQL statements per request and the process's peak memory.

Exit status: 0 when every request answered 200, 1 otherwise, 2 when the set-up failed.
"""

import argparse
import random
import resource
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta

import _path  # noqa: F401 - puts the project on sys.path

from bench.harness import (
    SetupError,
    build_app,
    count_statements,
    create_coach,
    logged_in_client,
    machine_info,
    migrate,
    seed_residents,
    timed_gets,
)

URLS = ("/beheer/impact", "/beheer/impact.csv", "/beheer/impact?wijk=Parkzicht")


def seed_referrals(app, rng: random.Random) -> int:
    from sqlalchemy import insert, select

    from webapp.core.extensions import db
    from webapp.core.models import Activity, Referral, Resident
    from webapp.core.models._base import new_public_id

    with app.app_context():
        activities = []
        for number in range(8):
            activity = Activity(name=f"Activiteit {number}", organisation="Bench", description="-",
                                last_verified_on=date.today())
            db.session.add(activity)
            activities.append(activity)
        db.session.commit()
        activity_ids = [a.id for a in activities]
        residents = list(db.session.scalars(select(Resident.id)))[::3]
        now = datetime.now(UTC)
        rows = [{"public_id": new_public_id(), "resident_id": r, "activity_id": rng.choice(activity_ids),
                 "status": rng.choice(("aangemeld", "gestart", "afgerond", "gestopt")),
                 "created_at": now - timedelta(days=rng.randint(30, 400)), "updated_at": now} for r in residents]
        with db.engine.begin() as conn:
            conn.execute(insert(Referral.__table__), rows)
        return len(rows)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--residents", type=int, default=2000)
    parser.add_argument("--checkins", type=int, default=10)
    parser.add_argument("--requests", type=int, default=20)
    args = parser.parse_args(argv)
    rng = random.Random(20261124)  # noqa: S311 - benchmark data
    with tempfile.TemporaryDirectory(prefix="veerkracht-impact-") as folder:
        database_url = f"sqlite:///{folder}/bench.db"
        try:
            migrate(database_url)
            app = build_app(database_url)
            coach_id, _coach_public = create_coach(app)
            started = time.perf_counter()
            _ids, answers = seed_residents(app, coach_id, 0, args.residents, args.checkins, rng)
            referrals = seed_referrals(app, rng)
            from webapp.accounts import service as people
            from webapp.core.extensions import db

            with app.app_context():
                beheerder = people.create_staff("benchbeheer", "bench-beheer-wachtwoord-1", ["beheerder"], "B")
                db.session.commit()
                beheerder_id = beheerder.public_id
        except SetupError as error:
            print(f"set-up failed: {error}", file=sys.stderr)
            return 2
        for line in machine_info():
            print(f"# {line}")
        print(f"# seeded {args.residents} residents, {args.residents * args.checkins} check-ins, {answers} answers, "
              f"{referrals} referrals in {time.perf_counter() - started:.1f} s")
        try:
            statements = count_statements(app, beheerder_id, list(URLS))
        except SetupError as error:
            print(f"set-up failed: {error}", file=sys.stderr)
            return 2
        client = logged_in_client(app, beheerder_id)
        failures = 0
        print(f"{'request':40} {'n':>4} {'p50 ms':>8} {'p95 ms':>8} {'SQL':>5}")
        for url in URLS:
            times, failed, _size = timed_gets(client, url, args.requests)
            failures += failed
            p95 = statistics.quantiles(times, n=20)[-1] if len(times) >= 2 else times[0]
            print(f"{url:40} {len(times):>4} {statistics.median(times):>8.0f} {p95:>8.0f} {statements[url]:>5}")
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"# peak memory of this process (seeding included): {peak:.0f} MB")
        return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
