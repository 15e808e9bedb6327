"""Caseload benchmark: a coach with 2,000 residents and 20,000 check-ins, served by gunicorn.

    .venv/bin/python bench/bench_caseload.py [--residents R] [--checkins K] [--requests N]
                                              [--concurrency C] [--workers W]

Seeds a throw-away SQLite database with bulk Core inserts (one coach, R residents enrolled by
that coach, K finished short check-ins each with their 12 answers). It then counts the SQL
statements of one caseload request and one progress-page request in-process, at a small and at
the full caseload, and measures p50/p95 latency of the caseload page and a progress page under
gunicorn on 127.0.0.1. See bench/README.md. Reuses bench/bench_http.py for the database
migration, gunicorn, the login and the load generator.

Exit status: 0 when every request answered 200, 1 when a scenario had errors or ran out of
time, 2 when the set-up failed.
"""

import argparse
import cProfile
import io
import pstats
import random
import shlex
import signal
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # for `bench.bench_http` and `webapp` when run as a script

from bench.bench_http import (  # noqa: E402
    BIN,
    SECRET_KEY,
    Result,
    SetupError,
    _print_server_log,
    _raise_on_sigterm,
    clean_up,
    exit_code,
    free_port,
    log_in,
    machine_info,
    migrate,
    print_table,
    run_load,
    start_gunicorn,
    wait_healthy,
)

COACH_USERNAME = "benchcoach"
COACH_PASSWORD = "bench-coach-wachtwoord-123"  # throw-away benchmark database
WIJKEN = ("Bloemenbuurt", "Havenkwartier", "De Molenwijk", "Oude Dijk", "Parkzicht", "Stationsbuurt",
          "Vogelwei", "Zuiderhof")  # fictional
SMALL_CASELOAD = 20  # residents seeded before the first in-process statement count
CASELOAD_URL = "/coach"
FILTERED_URL = "/coach?aandacht=te_laat&sorteer=volgende&pagina=2"


def build_app(database_url: str):
    """The app in-process, configured like the gunicorn start (see bench_http.app_env)."""
    from webapp import create_app

    return create_app({
        "SECRET_KEY": SECRET_KEY, "SQLALCHEMY_DATABASE_URI": database_url,
        "QUESTIONNAIRE_DIR": str(ROOT / "questionnaires"), "SESSION_COOKIE_SECURE": False,
    })


# --------------------------------------------------------------------------- seeding


def create_coach(app) -> tuple[int, str]:
    """The welzijnscoach who logs in; returns (database id, public id)."""
    from webapp.accounts import service as people
    from webapp.core.extensions import db

    with app.app_context():
        coach = people.create_staff(COACH_USERNAME, COACH_PASSWORD, ["welzijnscoach"], "Bench Coach")
        db.session.commit()
        return coach.id, coach.public_id


def seed_residents(app, coach_id: int, first: int, last: int, checkins: int,
                   rng: random.Random) -> tuple[list[str], int]:
    """Residents number first+1..last, enrolled by the coach, with `checkins` short check-ins each.

    Bulk Core inserts (lists of dicts) in one transaction, no ORM objects. Returns the residents'
    public ids and the number of answer rows.
    """
    from sqlalchemy import func, insert, select

    from webapp.core.definitions import QUESTIONNAIRE_ID, RESIDENT_FORM, current_questionnaire, life_events
    from webapp.core.extensions import db
    from webapp.core.models import Answer, CoachRelation, Measurement, Resident
    from webapp.core.models._base import new_public_id

    with app.app_context():
        questionnaire = current_questionnaire()
        items = [item for group in questionnaire.form_item_ids(RESIDENT_FORM).values() for item in group]
        events = [event.id for event in life_events().events if event.id != "geen"]
        now = datetime.now(UTC)
        residents, relations, measurements, answers, public_ids = [], [], [], [], []
        with db.engine.begin() as conn:
            resident_id = conn.scalar(select(func.coalesce(func.max(Resident.id), 0)))
            measurement_id = conn.scalar(select(func.coalesce(func.max(Measurement.id), 0)))
            for number in range(first + 1, last + 1):
                resident_id += 1
                # Newest check-in 0-120 days ago, earlier ones 50-90 days apart: about two years in all.
                # With the default six weeks between check-ins, most residents come out 'te laat'.
                days_ago = [rng.randint(0, 120)]
                for _ in range(checkins - 1):
                    days_ago.append(days_ago[-1] + rng.randint(50, 90))
                completed = [now - timedelta(days=d, minutes=rng.randint(0, 600)) for d in reversed(days_ago)]
                started = (completed[0] if completed else now) - timedelta(days=rng.randint(1, 30))
                public_id = new_public_id()
                public_ids.append(public_id)
                residents.append({
                    "id": resident_id, "public_id": public_id, "display_name": f"Bewoner {number:04d}",
                    "birth_year": rng.randint(1935, 1975), "wijk": rng.choice(WIJKEN), "created_at": started,
                })
                relations.append({
                    "public_id": new_public_id(), "coach_id": coach_id, "resident_id": resident_id,
                    "origin": "ingeschreven", "consent_date": started.date(), "consent_method": "mondeling",
                    "started_at": started,
                })
                level = rng.uniform(3.0, 8.0)         # this resident's overall level
                drift = rng.uniform(-0.4, 0.4)        # points per check-in, up or down
                offsets = {item: rng.uniform(-1.5, 1.5) for item in items}
                for index, done in enumerate(completed):
                    measurement_id += 1
                    agreed = None
                    if rng.random() < 0.3:  # a next check-in date agreed; old ones lie in the past
                        agreed = done.date() + timedelta(weeks=rng.choice((4, 6, 8, 12)))
                    measurements.append({
                        "id": measurement_id, "public_id": new_public_id(), "resident_id": resident_id,
                        "questionnaire_id": QUESTIONNAIRE_ID, "questionnaire_version": questionnaire.version,
                        "form": RESIDENT_FORM, "mode": "zelf",
                        "life_event": rng.choice(events) if rng.random() < 0.08 else "geen",
                        "started_at": done - timedelta(minutes=rng.randint(3, 15)), "completed_at": done,
                        "next_checkin_on": agreed,
                    })
                    for item in items:
                        score = None
                        if rng.random() >= 0.05:
                            raw = level + drift * index + offsets[item] + rng.gauss(0, 1.2)
                            score = min(10, max(0, round(raw)))
                        answers.append({"measurement_id": measurement_id, "item_id": item, "score": score,
                                        "wants_to_talk": rng.random() < 0.005})
            conn.execute(insert(Resident.__table__), residents)
            conn.execute(insert(CoachRelation.__table__), relations)
            if measurements:
                conn.execute(insert(Measurement.__table__), measurements)
                conn.execute(insert(Answer.__table__), answers)
    return public_ids, len(answers)


# --------------------------------------------------------------------------- in-process checks


def logged_in_client(app, coach_public_id: str):
    """A test client logged in the way tests/conftest.py login_as does (no password form)."""
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = coach_public_id
        session["_fresh"] = True
        session["started"] = session["seen"] = time.time()
        session["sv"] = 0
    return client


def timed_gets(client, url: str, requests: int) -> tuple[list[float], int, int]:
    """Milliseconds of `requests` in-process GETs of `url`, how many did not answer 200, and the last size."""
    times, failures, size = [], 0, 0
    for _ in range(requests):
        begin = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - begin) * 1000)
        failures += response.status_code != 200
        size = len(response.data)
    return times, failures, size


def count_statements(app, coach_public_id: str, urls: list[str]) -> dict[str, int]:
    """SQL statements sent for one GET of each URL, after one untimed warm-up GET of it."""
    from sqlalchemy import event

    from webapp.core.extensions import db

    client = logged_in_client(app, coach_public_id)
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    counts = {}
    for url in urls:
        warm = client.get(url)
        if warm.status_code != 200:
            raise SetupError(f"in-process GET {url} answered {warm.status_code}")
        statements.clear()
        event.listen(engine, "before_cursor_execute", count)
        try:
            status = client.get(url).status_code
        finally:
            event.remove(engine, "before_cursor_execute", count)
        if status != 200:
            raise SetupError(f"in-process GET {url} answered {status}")
        counts[url] = len(statements)
    return counts


def profile_request(app, coach_public_id: str, url: str, top: int = 20) -> str:
    """cProfile of one in-process GET (after a warm-up), the top functions by cumulative time."""
    client = logged_in_client(app, coach_public_id)
    client.get(url)
    profiler = cProfile.Profile()
    began = time.perf_counter()
    profiler.enable()
    status = client.get(url).status_code
    profiler.disable()
    took = (time.perf_counter() - began) * 1000
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(top)
    return f"GET {url}: status {status}, {took:.0f} ms under cProfile\n{out.getvalue()}"


def dispose(app) -> None:
    from webapp.core.extensions import db

    with app.app_context():
        db.session.remove()
        db.engine.dispose()  # no connection of ours stays open on the file gunicorn will use


# --------------------------------------------------------------------------- main


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--residents", type=int, default=2000, help="residents on the caseload (default 2000)")
    parser.add_argument("--checkins", type=int, default=10, help="finished check-ins per resident (default 10)")
    parser.add_argument("--requests", type=int, default=200, help="requests per scenario (default 200)")
    parser.add_argument("--concurrency", type=int, default=2, help="client threads (default 2)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers (default 2)")
    parser.add_argument("--time-limit", type=float, default=600.0,
                        help="stop measuring after this many seconds in total (default 600; keep it under "
                             "the staff idle limit of 15 minutes)")
    parser.add_argument("--profile", action="store_true",
                        help="also print a cProfile of one in-process caseload and progress request")
    parser.add_argument("--seed", type=int, default=20241124, help="random seed for the seeded data")
    args = parser.parse_args(argv)
    if min(args.requests, args.concurrency, args.workers, args.checkins) < 1 or args.residents <= SMALL_CASELOAD:
        parser.error(f"--requests, --concurrency, --workers and --checkins must be >= 1, "
                     f"--residents > {SMALL_CASELOAD}")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _raise_on_sigterm)
    for tool in ("flask", "gunicorn"):
        if not (BIN / tool).exists():
            print(f"{BIN / tool} not found: run this with the project's venv python (.venv/bin/python)",
                  file=sys.stderr)
            return 2
    print("Veerkracht caseload benchmark")
    for line in machine_info():
        print(line)
    print(f"command:  {shlex.join(getattr(sys, 'orig_argv', [sys.executable, *sys.argv]))}")
    started = time.monotonic()
    deadline = started + args.time_limit
    rng = random.Random(args.seed)  # benchmark data, not security
    tmp = Path(tempfile.mkdtemp(prefix="veerkracht-bench-caseload-"))
    database_url = f"sqlite:///{tmp / 'bench.sqlite'}"
    log_path = tmp / "gunicorn.log"
    process = None
    results: list[Result] = []
    try:
        migrate(database_url)
        app = build_app(database_url)
        coach_id, coach_public_id = create_coach(app)

        # Seed a small caseload first and count statements, then the rest and count again.
        seeding = time.perf_counter()
        small_ids, small_answers = seed_residents(app, coach_id, 0, SMALL_CASELOAD, args.checkins, rng)
        small_seconds = time.perf_counter() - seeding
        progress_url = f"/coach/bewoner/{small_ids[0]}"
        urls = [CASELOAD_URL, FILTERED_URL, progress_url]
        small_counts = count_statements(app, coach_public_id, urls)
        seeding = time.perf_counter()
        rest_ids, rest_answers = seed_residents(app, coach_id, SMALL_CASELOAD, args.residents, args.checkins, rng)
        seconds = small_seconds + time.perf_counter() - seeding
        residents = len(small_ids) + len(rest_ids)
        print(f"seeded:   {residents} residents, {residents * args.checkins} check-ins, "
              f"{small_answers + rest_answers} answers in {seconds:.1f}s (bulk Core inserts, SQLite in {tmp})")
        full_counts = count_statements(app, coach_public_id, urls)

        print("\nSQL statements per request (in-process, after one warm-up request):")
        header = f"{'request':<52} {f'{SMALL_CASELOAD} residents':>14} {f'{residents} residents':>16}"
        print(header)
        print("-" * len(header))
        for url in urls:
            label = url.replace(small_ids[0], "<id>")
            print(f"{label:<52} {small_counts[url]:>14} {full_counts[url]:>16}")
        if small_counts != full_counts:
            print("note:     the statement counts differ between the two caseload sizes")
        if args.profile:
            for url in (CASELOAD_URL, progress_url):
                print(f"\nprofile:  {profile_request(app, coach_public_id, url)}")
        dispose(app)

        port = free_port()
        process, command = start_gunicorn(args.workers, port, database_url, log_path)
        print(f"\nserver:   {shlex.join(command)}  (cwd {ROOT})")
        print(f"client:   {args.concurrency} threads, {args.requests} requests per scenario, logged in as the coach")
        wait_healthy(process, port)
        session = log_in(port, COACH_USERNAME, COACH_PASSWORD)
        cookie = session.cookie_header()
        status, _headers, page = session.request("GET", CASELOAD_URL)
        if status != 200 or f"{residents} bewoners" not in page:
            raise SetupError(f"GET {CASELOAD_URL}: status {status}, '{residents} bewoners' not on the page")
        status, _headers, page = session.request("GET", FILTERED_URL)
        if status != 200 or "pagina 2 van" not in page:
            raise SetupError(f"GET {FILTERED_URL}: status {status}, not on page 2 of the overdue residents")

        scenarios = [
            ("caseload page 1", [CASELOAD_URL] * args.requests),
            ("caseload te_laat p2", [FILTERED_URL] * args.requests),
            ("progress page", [progress_url] * args.requests),
        ]
        # Warm-up, not timed: each worker compiles its templates on first use.
        for name, paths in scenarios:
            warm = run_load(f"warm-up {name}", port, paths[:1] * (2 * args.workers), args.concurrency,
                            cookie, deadline)
            if warm.errors:
                raise SetupError(f"warm-up of '{name}' failed: {'; '.join(warm.error_samples)}")

        print()
        for name, paths in scenarios:
            results.append(run_load(name, port, paths, args.concurrency, cookie, deadline))
        print_table(results)
    except SetupError as exc:
        print(f"\nset-up failed: {exc}", file=sys.stderr)
        _print_server_log(log_path)
        return 2
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        return 130
    finally:
        clean_up(process, results, log_path, tmp)
    return exit_code(results, started, args.time_limit)


if __name__ == "__main__":
    sys.exit(main())
