"""Caseload benchmark: a municipality of 20,000 residents and 200,000 check-ins; coaches of 150 and 2,000.

    .venv/bin/python bench/bench_caseload.py [--residents R] [--checkins K] [--requests N]
                                              [--database-url postgresql+psycopg://...] [--profile]

Seeds a throw-away SQLite database (or the PostgreSQL database given, whose public schema is
dropped first) with bench/seed_world.py's bulk inserts: R residents with K short check-ins
each (12 answers and the kept scores), a referral for every third resident, one coach following
150 residents and one following 2,000. Then, in-process (Flask's test client, no network):

- the SQL statements of one request of each page, for both coaches (the same number at 150 and
  at 2,000 is the point);
- p50/p95 of N requests of the caseload (page 1, and the late residents sorted by date, page 2),
  interleaved with N requests of a baseline: the same page computed the way it was before the
  summaries were kept (every resident's latest answers scored in Python, sorted and paged in
  Python; service.caseload_rows), rendered with the same template. The ratio is baseline / now.

Exit status: 0 when every request answered 200, 1 otherwise, 2 when the set-up failed.
"""

import argparse
import cProfile
import io
import pstats
import statistics
import sys
import tempfile
import time

import _path  # noqa: F401 - puts the project on sys.path

from bench.harness import SetupError, count_statements, logged_in_client, machine_info
from bench.seed_world import LARGE, SMALL, seed

PAGE_URL = "/coach"
FILTERED_URL = "/coach?aandacht=te_laat&sorteer=volgende&pagina=2"
BASELINE_URL = "/bench/caseload-voorheen"


def add_baseline(app) -> None:
    """The caseload page as it was computed before the summaries were kept, for the same template."""
    from flask import render_template, request
    from flask_login import current_user

    from webapp.caseload import rules as caseload
    from webapp.caseload import service
    from webapp.caseload.labels import FLAG_LABELS, SORT_LABELS
    from webapp.core import audit, clock
    from webapp.core.definitions import current_questionnaire, life_events
    from webapp.core.i18n import locale
    from webapp.reminders import service as reminders

    def before():
        today = clock.today()
        every_row = service.caseload_rows(current_user, today, clock.timezone())
        args = request.args
        flag = args.get("aandacht") if args.get("aandacht") in caseload.FLAGS else None
        sort = args.get("sorteer") if args.get("sorteer") in caseload.SORTS else "aandacht"
        rows = caseload.sort_rows(caseload.filter_rows(every_row, flag), sort)
        coach_names = {}
        for row in every_row:
            coach_names.update(row.coaches)
        page_rows, page, pages = caseload.paginate(rows, args.get("pagina", 1, type=int))
        to_call = caseload.call_list(every_row, today)
        calls = reminders.call_info({row.resident_public_id: row.due for row in to_call})
        audit.record_many("caseload.view", list(dict.fromkeys(r.resident_public_id for r in [*to_call, *page_rows])))
        questionnaire = current_questionnaire()
        return render_template(
            "caseload/home.html", rows=page_rows, total=len(rows), page=page, pages=pages, today=today,
            to_call=to_call, call_total=len(to_call), calls=calls,
            filters={"aandacht": flag, "sorteer": sort, "gebeurtenis": None, "wijk": None, "coach": None, "naam": None},
            coach_names=sorted(coach_names.items(), key=lambda item: item[1].casefold()),
            wijken=sorted({r.wijk for r in every_row if r.wijk}, key=str.casefold),
            events=life_events().events, pillar_names={p.id: p.name.get(locale()) for p in questionnaire.pillars},
            flag_labels=FLAG_LABELS, sort_labels=SORT_LABELS)

    app.add_url_rule(BASELINE_URL, "bench_caseload_before", before)


def percentiles(times: list[float]) -> tuple[float, float]:
    return statistics.median(times), statistics.quantiles(times, n=20)[-1] if len(times) >= 2 else times[0]


def profile(client, url: str, top: int = 18) -> str:
    profiler = cProfile.Profile()
    profiler.enable()
    status = client.get(url).status_code
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(top)
    return f"GET {url}: status {status}\n{out.getvalue()}"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--residents", type=int, default=20000)
    parser.add_argument("--checkins", type=int, default=10, help="check-ins per resident (default 10)")
    parser.add_argument("--requests", type=int, default=40, help="timed requests per scenario (default 40)")
    parser.add_argument("--database-url", help="a PostgreSQL database to use instead of a temporary SQLite "
                                               "file; its public schema is DROPPED first")
    parser.add_argument("--profile", action="store_true", help="print a cProfile of one request of each page")
    args = parser.parse_args(argv)
    if args.residents < SMALL + LARGE or args.requests < 2:
        parser.error(f"--residents must be >= {SMALL + LARGE} and --requests >= 2")
    with tempfile.TemporaryDirectory(prefix="veerkracht-caseload-") as folder:
        url = args.database_url or f"sqlite:///{folder}/bench.db"
        try:
            world = seed(url, args.residents, args.checkins, fresh_postgres=bool(args.database_url))
            add_baseline(world.app)
        except SetupError as error:
            print(f"set-up failed: {error}", file=sys.stderr)
            return 2
        for line in machine_info():
            print(f"# {line}")
        print(f"# command:  {' '.join(sys.argv)}")
        print(f"# database: {world.database_url.split('@')[-1] if args.database_url else 'SQLite ' + url}")
        print(f"# seeded {world.residents} residents, {world.checkins} check-ins, {world.answers} answers, "
              f"{world.referrals} referrals, summaries rebuilt, in {world.seconds:.1f} s")
        coaches = {f"{SMALL} residents": world.small_coach, f"{LARGE} residents": world.large_coach}
        urls = [PAGE_URL, FILTERED_URL, BASELINE_URL]
        counts = {}
        try:
            for label, coach in coaches.items():
                counts[label] = count_statements(world.app, coach, urls)
        except SetupError as error:
            print(f"set-up failed: {error}", file=sys.stderr)
            return 2
        print("\nSQL statements per request (in-process, after one warm-up request):")
        print(f"{'request':52} " + " ".join(f"{label:>15}" for label in coaches))
        for page in urls:
            print(f"{page:52} " + " ".join(f"{counts[label][page]:>15}" for label in coaches))

        failures = 0
        print(f"\n{'coach':15} {'request':45} {'n':>4} {'p50 ms':>8} {'p95 ms':>8} {'before p50':>11} {'ratio':>7}")
        for label, coach in coaches.items():
            client = logged_in_client(world.app, coach)
            timings = {PAGE_URL: [], FILTERED_URL: [], BASELINE_URL: [], BASELINE_URL + "?f": []}
            for _ in range(args.requests):  # interleaved: the baseline and the page share the machine's mood
                for key, page in ((PAGE_URL, PAGE_URL), (BASELINE_URL, BASELINE_URL),
                                  (FILTERED_URL, FILTERED_URL),
                                  (BASELINE_URL + "?f", BASELINE_URL + FILTERED_URL[len(PAGE_URL):])):
                    began = time.perf_counter()
                    status = client.get(page).status_code
                    timings[key].append((time.perf_counter() - began) * 1000)
                    failures += status != 200
            for page, before in ((PAGE_URL, BASELINE_URL), (FILTERED_URL, BASELINE_URL + "?f")):
                p50, p95 = percentiles(timings[page])
                b50, _b95 = percentiles(timings[before])
                print(f"{label:15} {page:45} {len(timings[page]):>4} {p50:>8.1f} {p95:>8.1f} {b50:>11.1f} "
                      f"{b50 / p50:>6.1f}x")
            if args.profile:
                print(profile(client, PAGE_URL))
        print("\nratio = the baseline's p50 (every resident scored from answers per request) / the page's p50")
        return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
