"""Impact benchmark: the beheerder's figures over a municipality of 20,000 residents and 200,000 check-ins.

    .venv/bin/python bench/bench_impact.py [--residents R] [--checkins K] [--requests N] [--builds B]
                                            [--database-url postgresql+psycopg://...]

Seeds a throw-away SQLite database (or the PostgreSQL database given, whose public schema is
dropped first) with bench/seed_world.py's bulk inserts, then, in-process (no network):

- the SQL statements of one request of each URL (after a warm-up);
- p50/p95 of N requests of each URL, interleaved with N "cold" requests of the same URL: the
  per-worker cache of figures and charts emptied first, so the figures are derived (and a chart
  drawn) again, as every request did before they were kept per release. Ratio = cold / now. The
  page names its charts; a browser fetches the two it shows beside the page (the wide ones here,
  the phone's below 40rem), so those are measured as URLs of their own;
- the release build (what the first view of a period in a month costs): the exact contributions
  from the kept scores in four queries, interleaved B times with the computation it replaced
  (every check-in of the period loaded, answers scored in Python; tests/test_impact_sql.py).

Exit status: 0 when every request answered 200, 1 otherwise, 2 when the set-up failed.
"""

import argparse
import html
import re
import statistics
import sys
import tempfile
import time

import _path  # noqa: F401 - puts the project on sys.path

from bench.harness import SetupError, count_statements, logged_in_client, machine_info
from bench.seed_world import seed

URLS = ("/beheer/impact", "/beheer/impact.csv", "/beheer/impact?wijk=Parkzicht")


def percentiles(times: list[float]) -> tuple[float, float]:
    return statistics.median(times), statistics.quantiles(times, n=20)[-1] if len(times) >= 2 else times[0]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--residents", type=int, default=20000)
    parser.add_argument("--checkins", type=int, default=10, help="check-ins per resident (default 10)")
    parser.add_argument("--requests", type=int, default=30, help="timed requests per URL (default 30)")
    parser.add_argument("--builds", type=int, default=3, help="timed release builds each way (default 3)")
    parser.add_argument("--database-url", help="a PostgreSQL database to use instead of a temporary SQLite "
                                               "file; its public schema is DROPPED first")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="veerkracht-impact-") as folder:
        url = args.database_url or f"sqlite:///{folder}/bench.db"
        try:
            world = seed(url, args.residents, args.checkins, fresh_postgres=bool(args.database_url))
        except SetupError as error:
            print(f"set-up failed: {error}", file=sys.stderr)
            return 2
        app = world.app
        app.config.update(IMPACT_BUDGET=1e6)  # the benchmark makes a release per period it shows
        for line in machine_info():
            print(f"# {line}")
        print(f"# command:  {' '.join(sys.argv)}")
        print(f"# database: {world.database_url.split('@')[-1] if args.database_url else 'SQLite ' + url}")
        print(f"# seeded {world.residents} residents, {world.checkins} check-ins, {world.answers} answers, "
              f"{world.referrals} referrals in {world.seconds:.1f} s")

        client = logged_in_client(app, world.beheerder)
        began = time.perf_counter()
        first = client.get(URLS[0])
        print(f"# first view (makes this month's releases: wijk sizes and the period): "
              f"{(time.perf_counter() - began) * 1000:.0f} ms, status {first.status_code}")
        page_html = first.get_data(as_text=True)
        charts = [html.unescape(u) for attribute in ("<img src", "srcset")  # wide, then the phone's
                  for u in re.findall(rf'{attribute}="(/beheer/impact/grafiek/[^"]+)"', page_html)]
        urls = [*URLS, *charts]
        try:
            statements = count_statements(app, world.beheerder, urls)
        except SetupError as error:
            print(f"set-up failed: {error}", file=sys.stderr)
            return 2

        failures = 0
        print(f"\n{'request':52} {'n':>4} {'p50 ms':>8} {'p95 ms':>8} {'SQL':>5} {'cold p50':>9} {'ratio':>7}")
        for page in urls:
            warm, cold = [], []
            for _ in range(args.requests):  # interleaved; the cold request refills the cache the warm one reads
                for times, clear in ((cold, True), (warm, False)):
                    if clear:
                        with app.app_context():
                            app.extensions.get("veerkracht_impact_cache", {}).clear()
                    began = time.perf_counter()
                    failures += client.get(page).status_code != 200
                    times.append((time.perf_counter() - began) * 1000)
            p50, p95 = percentiles(warm)
            c50, _c95 = percentiles(cold)
            label = re.sub(r"\?.*?(vorm=\w+).*", r" (\1)", page) if "/grafiek/" in page else page
            print(f"{label:52} {len(warm):>4} {p50:>8.1f} {p95:>8.1f} {statements[page]:>5} {c50:>9.1f} "
                  f"{c50 / p50:>6.1f}x")

        from tests.test_impact_sql import reference_contributions
        from webapp.core.definitions import current_questionnaire
        from webapp.impact import service

        now, before = [], []
        with app.test_request_context():
            pillars = [p.id for p in current_questionnaire().pillars]
            timezone = service.clock.timezone()
            for _ in range(args.builds):
                for times, compute in ((now, service._contributions), (before, reference_contributions)):
                    began = time.perf_counter()
                    result = compute(service.Filters(), pillars, timezone)
                    times.append((time.perf_counter() - began) * 1000)
            same = service._contributions(service.Filters(), pillars, timezone) == reference_contributions(
                service.Filters(), pillars, timezone)
        print(f"\nrelease build, exact contributions of {len(result)} residents (all periods), {args.builds} each:")
        print(f"  kept scores, 4 queries:        median {statistics.median(now):8.0f} ms")
        print(f"  answers scored in Python:      median {statistics.median(before):8.0f} ms  "
              f"({statistics.median(before) / statistics.median(now):.1f}x; same contributions: {same})")
        print("\nratio = p50 with the per-worker cache emptied before each request (as before) / p50 now")
        return 1 if failures or not same else 0


if __name__ == "__main__":
    sys.exit(main())
