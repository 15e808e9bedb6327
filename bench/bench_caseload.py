"""Caseload benchmark: a coach with 2,000 residents and 20,000 check-ins, served by gunicorn.

    .venv/bin/python bench/bench_caseload.py [--residents R] [--checkins K] [--requests N]
                                              [--concurrency C] [--workers W]

Seeds a throw-away SQLite database with bulk Core inserts (one coach, R residents enrolled by
that coach, K finished short check-ins each with their 12 answers). It then counts the SQL
statements of one caseload request and one progress-page request in-process, at a small and at
the full caseload, and measures p50/p95 latency of the caseload page and a progress page under
gunicorn on 127.0.0.1. See bench/README.md. Uses bench/harness.py for the database migration,
the seeding, the in-process client, gunicorn, the login, the load generator and the table.

Exit status as for every server benchmark (bench/harness.py, run_server_benchmark).
"""

import argparse
import cProfile
import io
import pstats
import random
import shlex
import sys
import time

import _path  # noqa: F401 - puts the project on sys.path

from bench.harness import (
    COACH_PASSWORD,
    COACH_USERNAME,
    ServerRun,
    SetupError,
    build_app,
    count_statements,
    create_coach,
    dispose,
    free_port,
    log_in,
    logged_in_client,
    migrate,
    run_server_benchmark,
    seed_residents,
    start_gunicorn,
    wait_healthy,
    warm_then_measure,
)

SMALL_CASELOAD = 20  # residents seeded before the first in-process statement count
CASELOAD_URL = "/coach"
FILTERED_URL = "/coach?aandacht=te_laat&sorteer=volgende&pagina=2"


# --------------------------------------------------------------------------- in-process checks


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


def measure(run: ServerRun, args: argparse.Namespace) -> None:
    """Seed, count statements in-process, start gunicorn, log in as the coach, run the scenarios."""
    rng = random.Random(args.seed)  # benchmark data, not security
    migrate(run.database_url)
    app = build_app(run.database_url)
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
          f"{small_answers + rest_answers} answers in {seconds:.1f}s (bulk Core inserts, SQLite in {run.tmp})")
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
    run.process, command = start_gunicorn(args.workers, port, run.database_url, run.log_path)
    print(f"\nserver:   {shlex.join(command)}  (cwd {_path.ROOT})")
    print(f"client:   {args.concurrency} threads, {args.requests} requests per scenario, logged in as the coach")
    wait_healthy(run.process, port)
    session = log_in(port, COACH_USERNAME, COACH_PASSWORD)
    cookie = session.cookie_header()
    status, _headers, page = session.request("GET", CASELOAD_URL)
    if status != 200 or f"{residents} bewoners" not in page:
        raise SetupError(f"GET {CASELOAD_URL}: status {status}, '{residents} bewoners' not on the page")
    status, _headers, page = session.request("GET", FILTERED_URL)
    if status != 200 or "pagina 2 van" not in page:
        raise SetupError(f"GET {FILTERED_URL}: status {status}, not on page 2 of the overdue residents")

    scenarios = [
        ("caseload page 1", [CASELOAD_URL] * args.requests, cookie),
        ("caseload te_laat p2", [FILTERED_URL] * args.requests, cookie),
        ("progress page", [progress_url] * args.requests, cookie),
    ]
    # Warm-up, not timed: each worker compiles its templates on first use.
    warm_then_measure(run, port, scenarios, args.concurrency, warm_count=2 * args.workers)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    return run_server_benchmark("Veerkracht caseload benchmark", "veerkracht-bench-caseload-", args.time_limit,
                                lambda run: measure(run, args))


if __name__ == "__main__":
    sys.exit(main())
