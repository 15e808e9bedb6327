"""Memory benchmark: gunicorn worker RSS after 1,000 mixed requests.

    .venv/bin/python bench/bench_memory.py [--residents 2000] [--requests 1000] [--workers 2]

Seeds a coach who follows `residents` residents (bulk inserts, see bench/harness.py), starts
gunicorn the production way (`--preload`, gunicorn.conf.py with gc.freeze() before each fork),
logs the coach in through the real forms and sends a mix of requests: the caseload (first and a
filtered second page), residents' progress pages and their line charts, the login page, a static
file and the pure hello. It prints each worker's RSS (and its private part, from
/proc/<pid>/smaps_rollup) before and after. Issue 18's target: <= 150 MB per worker.
Exit status as for every server benchmark; 1 also when the target is missed.
"""

import argparse
import random
import shlex
import subprocess
import sys
from pathlib import Path

import _path  # noqa: F401 - puts the project on sys.path

from bench.harness import (
    COACH_PASSWORD,
    COACH_USERNAME,
    Call,
    ServerRun,
    SetupError,
    build_app,
    create_coach,
    dispose,
    free_port,
    log_in,
    migrate,
    run_calls,
    run_server_benchmark,
    seed_residents,
    start_gunicorn,
    wait_healthy,
)

TARGET_MB = 150.0


def workers_of(master: int) -> list[int]:
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(master)], capture_output=True, text=True, check=False)
    return [int(pid) for pid in out.stdout.split()]


def memory_mb(pid: int) -> tuple[float, float]:
    """(RSS, private) in MB of one process."""
    fields = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
        name, value = line.split(":", 1)
        fields[name] = int(value.split()[0])
    private = fields.get("Private_Clean", 0) + fields.get("Private_Dirty", 0)
    return fields["Rss"] / 1024, private / 1024


def measure(run: ServerRun, args: argparse.Namespace) -> None:
    rng = random.Random(args.seed)  # benchmark data, not security
    migrate(run.database_url)
    app = build_app(run.database_url)
    coach_id, _coach_public_id = create_coach(app)
    residents, _answers = seed_residents(app, coach_id, 0, args.residents, 10, rng)
    dispose(app)
    port = free_port()
    run.process, command = start_gunicorn(args.workers, port, run.database_url, run.log_path)
    print(f"server:   {shlex.join(command)}  (cwd {_path.ROOT})")
    wait_healthy(run.process, port)
    cookie = log_in(port, COACH_USERNAME, COACH_PASSWORD).cookie_header()
    workers = workers_of(run.process.pid)
    if not workers:
        raise SetupError("no gunicorn workers found")
    before = {pid: memory_mb(pid) for pid in workers}
    mix = []
    for index in range(args.requests):
        resident = residents[index % len(residents)]
        kind = index % 10
        if kind == 0:
            mix.append(Call("/coach", cookie))
        elif kind == 1:
            mix.append(Call("/coach?aandacht=te_laat&sorteer=volgende&pagina=2", cookie))
        elif kind in (2, 3, 4):
            mix.append(Call(f"/coach/bewoner/{resident}", cookie))
        elif kind == 5:
            mix.append(Call(f"/coach/bewoner/{resident}/verloop.svg", cookie))
        elif kind == 6:
            mix.append(Call("/inloggen"))
        elif kind == 7:
            mix.append(Call("/static/app.css"))
        else:
            mix.append(Call("/bench/hello"))
    result = run_calls("mixed", port, mix, args.concurrency, run.deadline)
    run.results.append(result)
    print(f"\n{result.done} mixed requests, {result.errors} errors, {result.rate:.1f} req/s, "
          f"p95 {result.percentile(0.95):.0f} ms, {args.residents} residents on the caseload\n")
    print(f"{'worker':>8} {'RSS before':>11} {'RSS after':>10} {'private after':>14}")
    worst = 0.0
    for pid in workers:
        rss, private = memory_mb(pid)
        worst = max(worst, rss)
        print(f"{pid:>8} {before[pid][0]:>9.1f}MB {rss:>8.1f}MB {private:>12.1f}MB")
    verdict = "ok" if worst <= TARGET_MB else "MISS"
    print(f"\nlargest worker RSS {worst:.1f} MB; target <= {TARGET_MB:.0f} MB: {verdict}")
    if worst > TARGET_MB:
        run.missed = True


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--residents", type=int, default=2000)
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--time-limit", type=float, default=600.0)
    parser.add_argument("--seed", type=int, default=20241124)
    args = parser.parse_args(argv)
    state = {}

    def go(run: ServerRun) -> None:
        run.missed = False
        state["run"] = run
        measure(run, args)

    status = run_server_benchmark("Veerkracht memory benchmark", "veerkracht-mem-", args.time_limit, go)
    return status or (1 if getattr(state.get("run"), "missed", False) else 0)


if __name__ == "__main__":
    sys.exit(main())
