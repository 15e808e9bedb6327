"""Data-rights benchmark: a resident's JSON and PDF download and the coach's FHIR export.

    .venv/bin/python bench/bench_export.py [--checkins 10 40 80] [--requests 5]

For each size, seeds a throw-away SQLite database with one resident who has a login and K short
check-ins (12 answers each; bench/harness.py's bulk inserts), enrolled by one coach; then
times in-process GETs (Flask's test client, no network) of /account/mijn-gegevens.json,
/account/mijn-gegevens.pdf and /coach/bewoner/<id>/fhir.json and prints p50/max latency and the
response size. The PDF route is rate-limited per resident (10 per hour); the benchmark app turns
rate limiting off.

Exit status: 0 when every request answered 200, 1 otherwise, 2 when the set-up failed.
"""

import argparse
import random
import statistics
import sys
import tempfile

import _path  # noqa: F401 - puts the project on sys.path

from bench.harness import (
    SetupError,
    build_app,
    create_coach,
    dispose,
    logged_in_client,
    machine_info,
    migrate,
    seed_residents,
    timed_gets,
)


def give_login(app, resident_public_id: str) -> str:
    """Attach a resident login to the seeded resident; returns the user's public id."""
    from sqlalchemy import select

    from webapp.core.extensions import db
    from webapp.core.models import Resident, User
    from webapp.core.passwords import hash_password

    with app.app_context():
        user = User(username="benchbewoner", password_hash=hash_password("bench-bewoner-wachtwoord"))
        db.session.add(user)
        db.session.flush()
        db.session.scalar(select(Resident).where(Resident.public_id == resident_public_id)).user_id = user.id
        db.session.commit()
        return user.public_id


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--checkins", type=int, nargs="+", default=[10, 40, 80])
    parser.add_argument("--requests", type=int, default=5)
    args = parser.parse_args(argv)
    for line in machine_info():
        print(f"# {line}")
    print(f"{'check-ins':>9} {'request':32} {'n':>3} {'p50 ms':>8} {'max ms':>8} {'size kB':>8}")
    failures = 0
    for count in args.checkins:
        with tempfile.TemporaryDirectory(prefix="veerkracht-export-") as folder:
            database_url = f"sqlite:///{folder}/bench.db"
            try:
                migrate(database_url)
                app = build_app(database_url, RATELIMIT_ENABLED=False)
                coach_id, coach_public_id = create_coach(app)
                (resident,), _answers = seed_residents(app, coach_id, 0, 1, count, random.Random(count))  # noqa: S311
                user_public_id = give_login(app, resident)
            except SetupError as error:
                print(f"set-up failed: {error}", file=sys.stderr)
                return 2
            resident_client = logged_in_client(app, user_public_id)
            coach_client = logged_in_client(app, coach_public_id)
            for client, url in ((resident_client, "/account/mijn-gegevens.json"),
                                (resident_client, "/account/mijn-gegevens.pdf"),
                                (coach_client, f"/coach/bewoner/{resident}/fhir.json")):
                client.get(url)  # warm-up
                times, failed, size = timed_gets(client, url, args.requests)
                failures += failed
                shown = url.replace(resident, "<id>")
                print(f"{count:>9} {shown:32} {len(times):>3} {statistics.median(times):>8.0f} "
                      f"{max(times):>8.0f} {size / 1024:>8.0f}")
            dispose(app)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
