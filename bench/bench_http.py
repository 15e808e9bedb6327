"""HTTP benchmark: serve the app with gunicorn on 127.0.0.1 and measure req/s and latency.

    .venv/bin/python bench/bench_http.py [--client wrk|python] [--seconds S] [--requests N] [--rounds R]
                                         [--concurrency C] [--workers W]
                                         [--database-url postgresql+psycopg://.../throwaway]

Scenarios (see bench/README.md): a pure Flask 'hello' app on the same server as the ceiling, the
app's own empty logged-in page, a questionnaire step GET, a step POST that saves the draft, the
result page and a cached chart (with and without If-None-Match). They run interleaved: R rounds,
each sending N/R requests of every scenario in turn, so that a slower minute of the shared machine
hits all of them alike. Every ratio is req/s against 'hello' over all rounds; the range shows the
lowest and highest ratio of a single round. Uncached charts run once at the end.

The load comes from wrk (Debian's package) when it is installed: R rounds of S/R seconds per
scenario, each connection going through the scenario's calls in turn. The Python client
(--client python, N/R requests per scenario and round) needs more CPU per request than 'hello'
itself and shares the two cores with the server, so it caps 'hello' far below what the server
does and makes every ratio look about twice as good (see bench/wrkload.py); use it only where
wrk cannot be installed. The run says which client it used.

SQLite in a temporary directory by default; with --database-url a throw-away PostgreSQL database
whose public schema is dropped and re-created before and after the run. Only 127.0.0.1 is
contacted (and the given database). The HTTP client, gunicorn, the load generator and the
clean-up come from bench/harness.py.

Exit status as for every server benchmark (bench/harness.py, run_server_benchmark).
"""

import argparse
import random
import shlex
import sys
import time
from datetime import UTC, datetime, timedelta

import _path  # noqa: F401 - puts the project on sys.path

from bench.harness import (
    Call,
    Result,
    ServerRun,
    Session,
    SetupError,
    build_app,
    dispose,
    free_port,
    logged_in_client,
    migrate,
    reset_database,
    run_calls,
    run_server_benchmark,
    start_gunicorn,
    wait_healthy,
    workers_cpu_seconds,
)
from bench.wrkload import run_wrk, wrk_path

PASSWORD = "bench-wachtwoord-123"  # throw-away benchmark database
RENEWAL_FREE_SECONDS = 3600  # see sessions(): longer than any run
# name: (lowest ratio to hello, highest p95 in ms) from issue 18; None: no target.
TARGETS = {
    "empty page": (0.6, 50.0),
    "step GET": (0.12, 50.0),
    "step POST (save)": (0.10, 50.0),
    "chart cached": (0.3, None),
}
# What a scenario must do at least, as one of the bare floors: a logged-in page that shows no
# resident's data checks its session on the server (+ query); one that does also writes its audit
# row (+ audit). "vs floor" is the scenario's req/s against that floor's, in the same run.
FLOOR_OF = {
    "hooks only": "floor: + query",
    "empty page": "floor: + query",
    "step GET": "floor: + audit",
    "step POST (save)": "floor: + audit",
    "result page": "floor: + audit",
    "chart cached": "floor: + audit",
    "chart 304": "floor: + audit",
}


# --------------------------------------------------------------------------- set-up


def seed(database_url: str, count: int, residents: int, rng: random.Random) -> tuple[list[str], list[tuple[str, str]]]:
    """Resident 0 gets `count` finished check-ins; every one of `residents` residents gets a login and
    a draft at pillar step 1. Returns the check-in ids (oldest first) and (user id, draft id) pairs."""
    from webapp.core.definitions import QUESTIONNAIRE_ID, RESIDENT_FORM, current_questionnaire
    from webapp.core.extensions import db
    from webapp.core.models import Answer, Checkin, Draft, Resident, User
    from webapp.core.passwords import hash_password

    app = build_app(database_url)
    with app.app_context():
        questionnaire = current_questionnaire()
        form_items = questionnaire.form_item_ids(RESIDENT_FORM)
        password_hash = hash_password(PASSWORD)
        people = []
        for number in range(residents):
            user = User(username=f"benchbewoner{number:02d}", password_hash=password_hash, role="bewoner")
            db.session.add(user)
            db.session.flush()
            resident = Resident(user_id=user.id)
            db.session.add(resident)
            db.session.flush()
            draft = Draft(resident_id=resident.id, questionnaire_id=QUESTIONNAIRE_ID,
                          questionnaire_version=questionnaire.version, form=RESIDENT_FORM, answers={},
                          talk_items=[], life_event="geen", steps_done=1)
            db.session.add(draft)
            people.append((user, resident, draft))
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
                resident_id=people[0][1].id, questionnaire_id=QUESTIONNAIRE_ID,
                questionnaire_version=questionnaire.version, form=RESIDENT_FORM,
                life_event="geen" if index else "verhuizing",
                started_at=completed - timedelta(minutes=5), completed_at=completed,
                answers=answers,
            )
            db.session.add(measurement)
            measurements.append(measurement)
        db.session.flush()
        public_ids = [m.public_id for m in measurements]
        pairs = [(user.public_id, draft.public_id) for user, _resident, draft in people]
        db.session.commit()
    dispose(app)
    return public_ids, pairs


def step_form() -> dict:
    """A valid answer to every item of pillar step 1, pressing "Volgende"."""
    from webapp.core.definitions import RESIDENT_FORM, current_questionnaire

    app = build_app("sqlite://")
    with app.app_context():
        _pillar, items = current_questionnaire().form_pillars(RESIDENT_FORM)[0]
        return {"action": "next", **{item.id: "6" for item in items}}


def sessions(database_url: str, port: int, pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """A logged-in cookie and a CSRF token per resident: the LoginSession row is made in-process
    (as tests/conftest.py login_as does, no argon2 per resident), the token comes from a real GET
    of the draft's step over HTTP (which also stores it in the session cookie)."""
    app = build_app(database_url)
    out = []
    for user_id, draft in pairs:
        client = logged_in_client(app, user_id)
        with client.session_transaction() as stored:
            # A browser takes the renewed cookie the app sends once a minute; wrk sends the same cookie
            # all along. Seen "later" than the run, every request of every round does the same work
            # (no renewal) instead of all of them renewing from the first minute on.
            stored["seen"] = time.time() + RENEWAL_FREE_SECONDS
        browser = Session(port)
        browser.cookies["session"] = client.get_cookie("session").value
        token = browser.csrf_token(f"/checkin/{draft}/stap/1")
        out.append((browser.cookie_header(), token))
    dispose(app)
    return out


# --------------------------------------------------------------------------- measuring


def merge(name: str, parts: list[Result]) -> Result:
    """One scenario over all rounds: every latency, the summed wall time and errors."""
    merged = Result(name, sum(p.planned for p in parts))
    for part in parts:
        merged.latencies.extend(part.latencies)
        merged.errors += part.errors
        merged.error_samples.extend(part.error_samples[: 5 - len(merged.error_samples)])
        merged.wall += part.wall
        merged.cut_short |= part.cut_short
    cpu = [part.server_cpu for part in parts]
    merged.server_cpu = None if None in cpu else sum(cpu)
    return merged


def print_rounds(results: list[Result], per_round: dict[str, list[Result]]) -> list[str]:
    """The table with each ratio over all rounds and its range per round; returns missed targets."""
    hello = next(r for r in results if r.name == "hello")
    by_name = {r.name: r for r in results}
    rounds_hello = per_round["hello"]
    header = (f"{'scenario':<20} {'requests':>8} {'errors':>6} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} "
              f"{'cpu ms':>7} {'vs hello':>9} {'per round':>13} {'vs floor':>9} {'target':>16}")
    print(header)
    print("-" * len(header))
    missed = []
    for r in results:
        ratio = r.rate / hello.rate if hello.rate else 0.0
        ratios = [p.rate / h.rate for p, h in zip(per_round.get(r.name, []), rounds_hello, strict=False) if h.rate]
        spread = f"{min(ratios):.2f}-{max(ratios):.2f}" if ratios and r.name != "hello" else ""
        target = ""
        if r.name in TARGETS:
            low, p95 = TARGETS[r.name]
            good = ratio >= low and (p95 is None or r.percentile(0.95) <= p95)
            target = f">={low:.2f}x" + (f" p95<={p95:.0f}" if p95 else "") + (" ok" if good else " MISS")
            if not good:
                missed.append(r.name)
        note = f"  (cut short: {r.done} of {r.planned})" if r.cut_short else ""
        cpu = f"{r.server_cpu / r.done * 1000:.2f}" if r.server_cpu is not None and r.done else "-"
        floor = by_name.get(FLOOR_OF.get(r.name, ""))
        to_floor = f"{r.rate / floor.rate:.2f}x" if floor is not None and floor.rate else ""
        print(f"{r.name:<20} {r.done:>8} {r.errors:>6} {r.rate:>8.1f} {r.percentile(0.50):>8.1f} "
              f"{r.percentile(0.95):>8.1f} {cpu:>7} {ratio:>8.2f}x {spread:>13} {to_floor:>9} {target:>16}{note}")
    print("cpu ms: the gunicorn workers' CPU time per request while the scenario ran (from /proc)")
    print("vs floor: req/s against the floor of what the page must do (FLOOR_OF): '+ query' for a page")
    print("          without a resident's data, '+ audit' for one that shows it")
    return missed


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--client", choices=("wrk", "python"), default="wrk" if wrk_path() else "python",
                        help="load generator (default: wrk when installed, else the Python client)")
    parser.add_argument("--seconds", type=int, default=10,
                        help="with wrk: seconds per scenario, over all rounds (default 10)")
    parser.add_argument("--requests", type=int, default=400,
                        help="with the Python client: requests per scenario, over all rounds (400)")
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds (default 5)")
    parser.add_argument("--concurrency", type=int, default=16, help="client connections at once (default 16)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers (default 2)")
    parser.add_argument("--measurements", type=int, default=40,
                        help="finished check-ins to seed (default 40: 40x39 = 1560 uncached chart pairs)")
    parser.add_argument("--uncached", type=int, default=60, help="uncached charts drawn at the end (default 60)")
    parser.add_argument("--database-url", help="a throw-away PostgreSQL database (its schema is dropped!); "
                                               "default: SQLite in a temporary directory")
    parser.add_argument("--time-limit", type=float, default=600.0,
                        help="stop measuring after this many seconds in total (default 600)")
    parser.add_argument("--seed", type=int, default=20241124, help="random seed for data and pair order")
    args = parser.parse_args(argv)
    if min(args.requests, args.rounds, args.concurrency, args.workers) < 1 or args.measurements < 3:
        parser.error("--requests, --rounds, --concurrency and --workers must be >= 1, --measurements >= 3")
    if args.client == "wrk" and not wrk_path():
        parser.error("--client wrk: wrk is not installed (apt-get install wrk)")
    if args.client == "wrk" and (args.seconds < args.rounds or args.seconds % args.rounds):
        parser.error("--seconds must be a multiple of --rounds (wrk runs whole seconds per round)")
    if args.database_url and not args.database_url.startswith("postgresql"):
        parser.error("--database-url must be a PostgreSQL URL (SQLite is the default)")
    return args


def measure(run: ServerRun, args: argparse.Namespace) -> None:
    """Seed, start gunicorn, make the sessions, warm up, run the rounds, print the table."""
    rng = random.Random(args.seed)  # benchmark data, not security
    if args.database_url:
        reset_database(args.database_url)
        run.database_override = args.database_url
    migrate(run.database_url)
    ids, pairs = seed(run.database_url, args.measurements, args.concurrency, rng)
    port = free_port()
    run.process, command = start_gunicorn(args.workers, port, run.database_url, run.log_path)
    where = "PostgreSQL (--database-url)" if args.database_url else f"SQLite in {run.tmp}"
    print(f"server:   {shlex.join(command)}  (cwd {_path.ROOT})")
    if args.client == "wrk":
        load = f"wrk, {args.concurrency} connections, {args.seconds} s per scenario in {args.rounds} interleaved rounds"
    else:
        load = (f"Python client (hello is capped by the client: ratios look better than they are), "
                f"{args.concurrency} connections, {args.requests} requests per scenario "
                f"in {args.rounds} interleaved rounds")
    print(f"client:   {load}, {args.measurements} seeded check-ins, {where}")
    wait_healthy(run.process, port)
    logged_in = sessions(run.database_url, port, pairs)
    form = step_form()

    latest, previous = ids[-1], ids[-2]
    owner = logged_in[0][0]
    cached_url = f"/grafiek/{latest}.svg?vs={previous}"
    drafts = [draft for _user, draft in pairs]

    def each(n: int, make) -> list[Call]:
        return [make(i % len(drafts)) for i in range(n)]

    def scenarios(n: int) -> list[tuple[str, list[Call]]]:
        return [
            ("hello", [Call("/bench/hello")] * n),
            ("floor: cookie", each(n, lambda i: Call("/bench/floor/cookie", logged_in[i][0]))),
            ("floor: + query", each(n, lambda i: Call("/bench/floor/query", logged_in[i][0]))),
            ("floor: + audit", each(n, lambda i: Call("/bench/floor/audit", logged_in[i][0]))),
            ("hooks only", each(n, lambda i: Call("/bench/hooks", logged_in[i][0]))),
            ("empty page", each(n, lambda i: Call("/bench/empty", logged_in[i][0]))),
            ("step GET", each(n, lambda i: Call(f"/checkin/{drafts[i]}/stap/1", logged_in[i][0]))),
            ("step POST (save)", each(n, lambda i: Call(
                f"/checkin/{drafts[i]}/stap/1", logged_in[i][0], "POST",
                {"csrf_token": logged_in[i][1], **form}, expect=302))),
            ("result page", [Call(f"/uitslag/{latest}", owner)] * n),
            ("chart cached", [Call(cached_url, owner)] * n),
        ]

    # Warm-up, not timed: every worker compiles its templates and loads its fonts; the cached
    # chart is drawn (and stored) here, once.
    for name, calls in scenarios(4 * args.workers):
        warm = run_calls(f"warm-up {name}", port, calls, args.concurrency, run.deadline)
        if warm.errors:
            raise SetupError(f"warm-up of '{name}' failed: {'; '.join(warm.error_samples)}")
    browser = Session(port)
    browser.cookies.update(dict(part.split("=", 1) for part in owner.split("; ")))
    _status, headers, _text = browser.request("GET", cached_url)
    etag = headers.get("ETag")
    extra = []
    if etag:
        extra = [("chart 304", [Call(cached_url, owner, headers=(("If-None-Match", etag),), expect=304)])]
    else:
        print("note:     the cached chart has no ETag: no 'chart 304' scenario")

    per_round: dict[str, list[Result]] = {}
    def python_client(name: str, calls: list[Call]) -> Result:
        return run_calls(name, port, calls, args.concurrency, run.deadline)

    def wrk(name: str, calls: list[Call]) -> Result:
        return run_wrk(name, port, calls, args.concurrency, args.seconds // args.rounds, run.deadline)

    # With wrk every session's call once: wrk goes round them for the round's seconds.
    send = wrk if args.client == "wrk" else python_client
    batch = len(drafts) if args.client == "wrk" else max(1, args.requests // args.rounds)

    def measured(name: str, calls: list[Call], sender=send) -> Result:
        before = workers_cpu_seconds(run.process.pid)
        result = sender(name, calls)
        after = workers_cpu_seconds(run.process.pid)
        if before is not None and after is not None:
            result.server_cpu = after - before
        return result

    print()
    for _round in range(args.rounds):
        for name, calls in scenarios(batch) + [(n, c * batch) for n, c in extra]:
            per_round.setdefault(name, []).append(measured(name, calls))
    results = [merge(name, parts) for name, parts in per_round.items()]

    pairs_left = [(m, vs) for m in ids for vs in ids if m != vs and (m, vs) != (latest, previous)]
    rng.shuffle(pairs_left)
    uncached = [Call(f"/grafiek/{m}.svg?vs={vs}", owner) for m, vs in pairs_left[: args.uncached]]
    if uncached:
        single = measured("chart uncached", uncached, python_client)  # each pair once: never wrk
        per_round["chart uncached"] = [single]
        results.append(single)
    run.results.extend(results)
    missed = print_rounds(results, per_round)
    print("\ntargets (issue 18): " + ("all met" if not missed else "missed: " + ", ".join(missed)))


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        return run_server_benchmark("Veerkracht HTTP benchmark", "veerkracht-bench-", args.time_limit,
                                    lambda run: measure(run, args))
    finally:
        if args.database_url:
            reset_database(args.database_url)


if __name__ == "__main__":
    sys.exit(main())
