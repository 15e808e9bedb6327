"""HTTP benchmark: serve the app with gunicorn on 127.0.0.1 and measure req/s and latency.

    .venv/bin/python bench/bench_http.py [--requests N] [--concurrency C] [--workers W]

Scenarios (see bench/README.md): a bare Flask 'hello' route on the same server as the ceiling,
a questionnaire step, the result page, a cached chart and uncached charts. Everything runs
against a throw-away SQLite database in a temporary directory, which is removed afterwards,
together with the gunicorn process. Only 127.0.0.1 is contacted. Standard library only
(plus the app itself, imported to seed the database). The HTTP client, gunicorn, the load
generator, the table and the clean-up come from bench/harness.py.

Exit status as for every server benchmark (bench/harness.py, run_server_benchmark).
"""

import argparse
import random
import shlex
import sys
from datetime import UTC, datetime, timedelta

import _path  # noqa: F401 - puts the project on sys.path

from bench.harness import (
    SECRET_KEY,
    ServerRun,
    SetupError,
    free_port,
    location_path,
    log_in,
    migrate,
    run_server_benchmark,
    start_gunicorn,
    wait_healthy,
    warm_then_measure,
)

USERNAME = "benchbewoner"
PASSWORD = "bench-wachtwoord-123"  # throw-away benchmark database


# --------------------------------------------------------------------------- set-up


def seed(database_url: str, count: int, rng: random.Random) -> list[str]:
    """Create one resident with a login and `count` finished check-ins; return their ids, oldest first."""
    from webapp import create_app
    from webapp.core.definitions import QUESTIONNAIRE_ID, RESIDENT_FORM, current_questionnaire
    from webapp.core.extensions import db
    from webapp.core.models import Answer, Checkin, Resident, User
    from webapp.core.passwords import hash_password

    app = create_app({"SECRET_KEY": SECRET_KEY, "SQLALCHEMY_DATABASE_URI": database_url})
    with app.app_context():
        questionnaire = current_questionnaire()
        form_items = questionnaire.form_item_ids(RESIDENT_FORM)
        user = User(username=USERNAME, password_hash=hash_password(PASSWORD), role="bewoner")
        db.session.add(user)
        db.session.flush()
        resident = Resident(user_id=user.id)
        db.session.add(resident)
        db.session.flush()
        now = datetime.now(UTC)
        measurements = []
        for index in range(count):
            completed = now - timedelta(days=14 * (count - index), hours=rng.randint(0, 8))
            answers = [
                Answer(
                    item_id=item_id,
                    score=None if rng.random() < 0.05 else rng.randint(0, 10),
                    wants_to_talk=rng.random() < 0.05,
                )
                for item_ids in form_items.values()
                for item_id in item_ids
            ]
            measurement = Checkin(
                resident_id=resident.id, questionnaire_id=QUESTIONNAIRE_ID,
                questionnaire_version=questionnaire.version, form=RESIDENT_FORM,
                life_event="geen" if index else "verhuizing",
                started_at=completed - timedelta(minutes=5), completed_at=completed,
                answers=answers,
            )
            db.session.add(measurement)
            measurements.append(measurement)
        db.session.flush()
        public_ids = [m.public_id for m in measurements]
        db.session.commit()
        db.session.remove()
        db.engine.dispose()  # no connection of ours stays open on the file gunicorn will use
    return public_ids


def log_in_and_open_draft(port: int) -> tuple[str, str]:
    """Log in through the form and open a draft at pillar step 1; return (cookie header, draft id)."""
    client = log_in(port, USERNAME, PASSWORD)
    token = client.csrf_token("/")
    status, headers, _text = client.request("POST", "/checkin/start", {"csrf_token": token})
    path = location_path(headers)
    if status != 302 or not path.endswith("/gebeurtenis"):
        raise SetupError(f"POST /checkin/start: expected a redirect to the life-event, got {status} {path!r}")
    draft = path.split("/")[2]
    status, headers, _text = client.request(
        "POST", f"/checkin/{draft}/gebeurtenis", {"csrf_token": token, "life_event": "geen"}
    )
    if status != 302 or location_path(headers) != f"/checkin/{draft}/stap/1":
        raise SetupError(f"POST /checkin/{draft}/gebeurtenis: expected a redirect to step 1, got {status}")
    status, _headers, _text = client.request("GET", f"/checkin/{draft}/stap/1")
    if status != 200:
        raise SetupError(f"GET /checkin/{draft}/stap/1 answered {status}")
    return client.cookie_header(), draft


# --------------------------------------------------------------------------- main


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=400, help="requests per scenario (default 400)")
    parser.add_argument("--concurrency", type=int, default=4, help="client threads (default 4)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers (default 2)")
    parser.add_argument("--measurements", type=int, default=40,
                        help="finished check-ins to seed (default 40: 40x39 = 1560 uncached chart pairs)")
    parser.add_argument("--time-limit", type=float, default=600.0,
                        help="stop measuring after this many seconds in total (default 600)")
    parser.add_argument("--seed", type=int, default=20241124, help="random seed for data and pair order")
    args = parser.parse_args(argv)
    if args.requests < 1 or args.concurrency < 1 or args.workers < 1 or args.measurements < 3:
        parser.error("--requests, --concurrency and --workers must be >= 1, --measurements >= 3")
    return args


def measure(run: ServerRun, args: argparse.Namespace) -> None:
    """Seed, start gunicorn, log in and open a draft, warm up, run the scenarios, print the table."""
    rng = random.Random(args.seed)  # benchmark data, not security
    migrate(run.database_url)
    ids = seed(run.database_url, args.measurements, rng)
    port = free_port()
    run.process, command = start_gunicorn(args.workers, port, run.database_url, run.log_path)
    print(f"server:   {shlex.join(command)}  (cwd {_path.ROOT})")
    print(f"client:   {args.concurrency} threads, {args.requests} requests per scenario, "
          f"{args.measurements} seeded check-ins, SQLite in {run.tmp}")
    wait_healthy(run.process, port)
    cookie, draft = log_in_and_open_draft(port)

    latest, previous = ids[-1], ids[-2]
    cached_url = f"/grafiek/{latest}.svg?vs={previous}"
    pairs = [(m, vs) for m in ids for vs in ids if m != vs and (m, vs) != (latest, previous)]
    rng.shuffle(pairs)
    uncached_count = min(args.requests, len(pairs))
    if uncached_count < args.requests:
        print(f"note:     only {len(pairs)} distinct chart pairs; 'chart uncached' sends {uncached_count} requests")
    scenarios = [
        ("hello", ["/bench/hello"] * args.requests, None),
        ("questionnaire step", [f"/checkin/{draft}/stap/1"] * args.requests, cookie),
        ("result page", [f"/uitslag/{latest}"] * args.requests, cookie),
        ("chart cached", [cached_url] * args.requests, cookie),
        ("chart uncached", [f"/grafiek/{m}.svg?vs={vs}" for m, vs in pairs[:uncached_count]], cookie),
    ]

    # Warm-up, not timed: each worker compiles its templates and loads fonts on first use.
    # The cached chart is drawn (and stored) here, once; no uncached pair is touched.
    warm_then_measure(run, port, scenarios, args.concurrency, warm_count=4 * args.workers, warm=4)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    return run_server_benchmark("Veerkracht HTTP benchmark", "veerkracht-bench-", args.time_limit,
                                lambda run: measure(run, args))


if __name__ == "__main__":
    sys.exit(main())
