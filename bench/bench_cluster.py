"""Load through the proxy: the deployment of deploy/nginx.conf (nginx in front of two gunicorn nodes,
one PostgreSQL database, Redis) with locust's simulated residents (bench/locustfile.py).

    .venv/bin/python bench/bench_cluster.py                  # 200 residents, 5 minutes
    .venv/bin/python bench/bench_cluster.py --duration 60    # shorter

Starts everything on this machine in a temporary folder and its own fresh database (cluster_*),
seeds the residents (one production-cost password hash, shared), runs locust headless and prints
throughput, p50/p95/p99 and the error count, overall and per kind of request. Exit status 0 when no
request failed, 1 when some did, 2 when the set-up could not start.
"""

import argparse
import csv
import json
import os
import platform
import subprocess
import sys
import tempfile
from pathlib import Path

import _path  # noqa: F401 - the project on sys.path

from deploy.localcluster import BIN, ROOT, Cluster, missing_services

PASSWORD = "bench-wachtwoord-voor-iedereen"  # noqa: S105 - throw-away benchmark database
LOCUST = "locust>=2.40,<3"


def _locust() -> str:
    """The locust command of this venv; installed with pip (the bench extra) when missing."""
    command = BIN / "locust"
    if not command.exists():
        print(f"== installing {LOCUST} (pip install -e '.[bench]' does the same)", flush=True)
        subprocess.run([str(BIN / "python"), "-m", "pip", "install", "-q", LOCUST], check=True)
    return str(command)


def _figures(stats_csv: Path) -> list[dict]:
    with stats_csv.open(newline="") as handle:
        return list(csv.DictReader(handle))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=300, help="seconds of load after the start (default 300)")
    parser.add_argument("--users", type=int, default=200, help="simulated residents (default 200)")
    parser.add_argument("--spawn-rate", type=float, default=5, help="residents starting per second (default 5)")
    parser.add_argument("--nodes", type=int, default=2, help="gunicorn nodes (default 2)")
    parser.add_argument("--workers", type=int, default=2, help="sync workers per node (default 2)")
    parser.add_argument("--database", default=os.environ.get("BENCH_DATABASE_URL",
                                                             "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"),
                        help="a PostgreSQL database to connect to for CREATE DATABASE")
    parser.add_argument("--redis", default=os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0")
    args = parser.parse_args()

    missing = missing_services(args.database, args.redis)
    if missing:
        print("cannot start the set-up, missing: " + "; ".join(missing), file=sys.stderr)
        return 2
    locust = _locust()
    workdir = Path(tempfile.mkdtemp(prefix="veerkracht-cluster-"))
    # nginx believes the X-Forwarded-For locust writes (as from a load balancer in front): every
    # resident has their own address, so the per-address login limit sees 200 people, not one.
    cluster = Cluster(workdir, args.database, args.redis, nodes=args.nodes, workers=args.workers,
                      trusted_proxy="127.0.0.1")
    try:
        cluster.start()
        world = cluster.seed(residents=args.users, password=PASSWORD, checkins=2, username_prefix="bench")
        world["password"] = PASSWORD
        (workdir / "world.json").write_text(json.dumps(world))
        cluster.start_servers()
    except Exception as error:  # noqa: BLE001 - reported, then the clean-up
        print(f"set-up failed: {error}", file=sys.stderr)
        cluster.stop()
        return 2
    print(f"nproc {os.cpu_count()}, load average {os.getloadavg()[0]:.1f} before the run, Python "
          f"{platform.python_version()}; nginx -> {args.nodes} nodes x "
          f"{args.workers} sync workers (gunicorn --preload), PostgreSQL, Redis")
    print(f"locust: {args.users} residents, spawn rate {args.spawn_rate}/s, {args.duration} s, think time 1-5 s",
          flush=True)
    try:
        run = subprocess.run(
            [locust, "-f", str(ROOT / "bench" / "locustfile.py"), "--headless", "-u", str(args.users),
             "-r", str(args.spawn_rate), "-t", f"{args.duration}s", "--host", cluster.url, "--only-summary",
             "--csv", str(workdir / "locust"), "--stop-timeout", "10", "--loglevel", "WARNING"],
            env={**os.environ, "BENCH_WORLD": str(workdir / "world.json")}, capture_output=True, text=True,
            check=False, timeout=args.duration + 300)
        rows = _figures(workdir / "locust_stats.csv")
        errors_5xx = [line for line in cluster.access_log() if _status(line) >= 500]
    finally:
        cluster.stop()
    print(f"\n{'request':<34}{'count':>8}{'errors':>8}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}")
    for row in rows:
        print(f"{row['Name'] or row['Type']:<34}{row['Request Count']:>8}{row['Failure Count']:>8}"
              f"{float(row['Requests/s']):>9.1f}{row['50%']:>9}{row['95%']:>9}{row['99%']:>9}")
    total = next(row for row in rows if row["Name"] == "Aggregated")
    failures = int(total["Failure Count"])
    print(f"\nthroughput {float(total['Requests/s']):.1f} req/s, p95 {total['95%']} ms, "
          f"{failures} errors of {total['Request Count']} requests; 5xx at the proxy: {len(errors_5xx)}; "
          f"load average {os.getloadavg()[0]:.1f} at the end")
    if failures:
        print(run.stderr[-3000:], file=sys.stderr)
    return 1 if failures or errors_5xx else 0


def _status(access_line: str) -> int:
    return int(access_line.split("] ", 1)[1].split()[2])


if __name__ == "__main__":
    sys.exit(main())
