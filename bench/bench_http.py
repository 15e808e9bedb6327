"""HTTP benchmark: serve the app with gunicorn on 127.0.0.1 and measure req/s and latency.

    .venv/bin/python bench/bench_http.py [--requests N] [--concurrency C] [--workers W]

Scenarios (see bench/README.md): a bare Flask 'hello' route on the same server as the ceiling,
a questionnaire step, the result page, a cached chart and uncached charts. Everything runs
against a throw-away SQLite database in a temporary directory, which is removed afterwards,
together with the gunicorn process. Only 127.0.0.1 is contacted. Standard library only
(plus the app itself, imported to seed the database).

Exit status: 0 when every request answered 200, 1 when a scenario had errors or ran out of
time, 2 when the set-up failed.
"""

import argparse
import http.client
import math
import os
import platform
import random
import re
import shlex
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.cookies import SimpleCookie
from importlib import metadata
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent  # the venv's bin/ when run as .venv/bin/python
HOST = "127.0.0.1"
SECRET_KEY = "bench-secret-key-not-for-production"  # throw-away benchmark database
USERNAME = "benchbewoner"
PASSWORD = "bench-wachtwoord-123"  # throw-away benchmark database
USER_AGENT = "veerkracht-bench/1"
TOKEN_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
REQUEST_TIMEOUT = 30.0  # seconds per request
STARTUP_TIMEOUT = 60.0  # seconds for gunicorn to answer /healthz
SUBPROCESS_TIMEOUT = 180.0  # seconds for `flask db upgrade`


class SetupError(RuntimeError):
    """The benchmark could not be prepared; nothing was measured."""


# --------------------------------------------------------------------------- HTTP client


class Session:
    """A tiny sequential HTTP client with a cookie jar, for logging in and creating the draft."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}

    def cookie_header(self) -> str:
        return "; ".join(f"{name}={value}" for name, value in self.cookies.items())

    def request(self, method: str, path: str, form: dict | None = None) -> tuple[int, dict, str]:
        headers = {"User-Agent": USER_AGENT}
        if self.cookies:
            headers["Cookie"] = self.cookie_header()
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn = http.client.HTTPConnection(HOST, self.port, timeout=REQUEST_TIMEOUT)
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            text = response.read().decode("utf-8", "replace")
            for raw in response.headers.get_all("Set-Cookie") or []:
                jar = SimpleCookie()
                jar.load(raw)
                for name, morsel in jar.items():
                    if morsel.value and morsel["max-age"] != "0":
                        self.cookies[name] = morsel.value
                    else:
                        self.cookies.pop(name, None)
            return response.status, dict(response.headers), text
        finally:
            conn.close()

    def csrf_token(self, path: str) -> str:
        status, _headers, text = self.request("GET", path)
        match = TOKEN_RE.search(text)
        if status != 200 or match is None:
            raise SetupError(f"GET {path}: status {status}, no csrf_token found")
        return match.group(1)


def location_path(headers: dict) -> str:
    return urlsplit(headers.get("Location", "")).path


# --------------------------------------------------------------------------- load generation


@dataclass
class Result:
    name: str
    planned: int
    latencies: list[float] = field(default_factory=list)  # seconds, every finished request
    errors: int = 0
    error_samples: list[str] = field(default_factory=list)
    wall: float = 0.0
    cut_short: bool = False

    @property
    def done(self) -> int:
        return len(self.latencies)

    @property
    def rate(self) -> float:
        return self.done / self.wall if self.wall > 0 else 0.0

    def percentile(self, q: float) -> float:
        """Nearest-rank percentile in milliseconds."""
        if not self.latencies:
            return math.nan
        ordered = sorted(self.latencies)
        return ordered[max(0, math.ceil(q * len(ordered)) - 1)] * 1000


def run_load(name: str, port: int, paths: list[str], concurrency: int, cookie: str | None,
             deadline: float) -> Result:
    """Send every path once, `concurrency` at a time; one HTTP connection object per thread.

    gunicorn's sync workers close the connection after each response, so http.client opens a
    new TCP connection per request: that cost is part of what a browser sees as well.
    """
    result = Result(name, len(paths))
    lock = threading.Lock()
    next_index = iter(range(len(paths)))
    headers = {"User-Agent": USER_AGENT}
    if cookie:
        headers["Cookie"] = cookie
    start_gate = threading.Barrier(concurrency + 1)

    def worker() -> None:
        conn = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT)
        latencies: list[float] = []
        try:
            start_gate.wait()
            while True:
                with lock:
                    index = next(next_index, None)
                if index is None:
                    break
                if time.monotonic() > deadline:
                    result.cut_short = True
                    break
                path = paths[index]
                began = time.perf_counter()
                try:
                    conn.request("GET", path, headers=headers)
                    response = conn.getresponse()
                    response.read()
                    status = response.status
                    problem = None if status == 200 else f"{status} GET {path}"
                except (OSError, http.client.HTTPException) as exc:
                    conn.close()  # start over with a fresh connection
                    problem = f"{type(exc).__name__}: {exc} GET {path}"
                latencies.append(time.perf_counter() - began)
                if problem:
                    with lock:
                        result.errors += 1
                        if len(result.error_samples) < 5:
                            result.error_samples.append(problem)
        finally:
            conn.close()
            with lock:
                result.latencies.extend(latencies)

    threads = [threading.Thread(target=worker, daemon=True, name=f"{name}-{i}") for i in range(concurrency)]
    for thread in threads:
        thread.start()
    start_gate.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    result.wall = time.perf_counter() - began
    return result


# --------------------------------------------------------------------------- set-up


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def app_env(database_url: str) -> dict:
    env = dict(os.environ)
    for name in ("FLASK_APP", "QUESTIONNAIRE_DIR", "SESSION_COOKIE_SECURE"):
        env.pop(name, None)  # a production-like start, whatever the caller's shell holds
    env.update({"DATABASE_URL": database_url, "SECRET_KEY": SECRET_KEY, "PYTHONUNBUFFERED": "1"})
    return env


def migrate(database_url: str) -> None:
    command = [str(BIN / "flask"), "--app", "webapp", "db", "upgrade"]
    done = subprocess.run(
        command, cwd=ROOT, env=app_env(database_url), capture_output=True, text=True,
        timeout=SUBPROCESS_TIMEOUT,
    )
    if done.returncode != 0:
        raise SetupError(f"{shlex.join(command)} failed:\n{done.stdout}{done.stderr}")


def seed(database_url: str, count: int, rng: random.Random) -> list[str]:
    """Create one resident with a login and `count` finished check-ins; return their ids, oldest first."""
    sys.path.insert(0, str(ROOT))
    from webapp import create_app
    from webapp.core.definitions import QUESTIONNAIRE_ID, RESIDENT_FORM, current_questionnaire
    from webapp.core.extensions import db
    from webapp.core.models import Answer, Measurement, Resident, User
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
            measurement = Measurement(
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


def start_gunicorn(workers: int, port: int, database_url: str, log_path: Path) -> tuple[subprocess.Popen, list[str]]:
    command = [
        str(BIN / "gunicorn"), "-w", str(workers), "--preload", "-b", f"{HOST}:{port}",
        "bench.wsgi_bench:app",
    ]
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            command, cwd=ROOT, env=app_env(database_url), stdout=log, stderr=subprocess.STDOUT,
        )
    return process, command


def wait_healthy(process: subprocess.Popen, port: int) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    last = "no answer"
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SetupError(f"gunicorn exited with status {process.returncode} before answering /healthz")
        conn = http.client.HTTPConnection(HOST, port, timeout=2)
        try:
            conn.request("GET", "/healthz")
            response = conn.getresponse()
            response.read()
            if response.status == 200:
                return
            last = f"status {response.status}"
        except (OSError, http.client.HTTPException) as exc:
            last = type(exc).__name__
        finally:
            conn.close()
        time.sleep(0.1)
    raise SetupError(f"gunicorn did not answer /healthz with 200 within {STARTUP_TIMEOUT:.0f}s ({last})")


def stop_gunicorn(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    process.terminate()  # SIGTERM: graceful shutdown of the master and its workers
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


def log_in(port: int, username: str = USERNAME, password: str = PASSWORD) -> Session:
    """Log in through the real form (CSRF token, password); return the logged-in session."""
    client = Session(port)
    token = client.csrf_token("/inloggen")
    status, _headers, _text = client.request(
        "POST", "/inloggen", {"csrf_token": token, "username": username, "password": password}
    )
    if status != 302:
        raise SetupError(f"POST /inloggen: expected a 302 redirect, got {status}")
    return client


def log_in_and_open_draft(port: int) -> tuple[str, str]:
    """Log in through the form and open a draft at pillar step 1; return (cookie header, draft id)."""
    client = log_in(port)
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


# --------------------------------------------------------------------------- reporting


def machine_info() -> list[str]:
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        usable = os.cpu_count()

    def version(package: str) -> str:
        try:
            return metadata.version(package)
        except metadata.PackageNotFoundError:
            return "?"

    return [
        f"machine:  nproc={usable} (cpu_count={os.cpu_count()}), {platform.platform()}",
        f"python:   {platform.python_implementation()} {platform.python_version()} ({sys.executable})",
        f"software: gunicorn {version('gunicorn')}, Flask {version('flask')}, "
        f"SQLAlchemy {version('sqlalchemy')}, matplotlib {version('matplotlib')}, SQLite {sqlite3.sqlite_version}",
    ]


def print_table(results: list[Result]) -> None:
    """One line per scenario; the 'vs hello' column only when a 'hello' scenario ran."""
    hello = next((r for r in results if r.name == "hello"), None)
    header = f"{'scenario':<20} {'requests':>8} {'errors':>6} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8}"
    if hello:
        header += f" {'vs hello':>9}"
    print(header)
    print("-" * len(header))
    for r in results:
        ratio = ""
        if hello:
            ratio = " " + (f"{r.rate / hello.rate:.2f}x" if hello.rate else "-").rjust(9)
        note = f"  (cut short: {r.done} of {r.planned})" if r.cut_short else ""
        print(
            f"{r.name:<20} {r.done:>8} {r.errors:>6} {r.rate:>8.1f} {r.percentile(0.50):>8.1f} "
            f"{r.percentile(0.95):>8.1f}{ratio}{note}"
        )


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


def _raise_on_sigterm(signum, frame):
    raise KeyboardInterrupt  # so the finally blocks stop gunicorn and remove the temp dir


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _raise_on_sigterm)
    for tool in ("flask", "gunicorn"):
        if not (BIN / tool).exists():
            print(f"{BIN / tool} not found: run this with the project's venv python (.venv/bin/python)",
                  file=sys.stderr)
            return 2
    print("Veerkracht HTTP benchmark")
    for line in machine_info():
        print(line)
    print(f"command:  {shlex.join(getattr(sys, 'orig_argv', [sys.executable, *sys.argv]))}")
    started = time.monotonic()
    deadline = started + args.time_limit
    rng = random.Random(args.seed)  # benchmark data, not security
    tmp = Path(tempfile.mkdtemp(prefix="veerkracht-bench-"))
    database_url = f"sqlite:///{tmp / 'bench.sqlite'}"
    log_path = tmp / "gunicorn.log"
    process = None
    results: list[Result] = []
    try:
        migrate(database_url)
        ids = seed(database_url, args.measurements, rng)
        port = free_port()
        process, command = start_gunicorn(args.workers, port, database_url, log_path)
        print(f"server:   {shlex.join(command)}  (cwd {ROOT})")
        print(f"client:   {args.concurrency} threads, {args.requests} requests per scenario, "
              f"{args.measurements} seeded check-ins, SQLite in {tmp}")
        wait_healthy(process, port)
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
        warm_count = 4 * args.workers
        for name, paths, scenario_cookie in scenarios[:4]:
            warm = run_load(f"warm-up {name}", port, paths[:1] * warm_count, args.concurrency,
                            scenario_cookie, deadline)
            if warm.errors:
                raise SetupError(f"warm-up of '{name}' failed: {'; '.join(warm.error_samples)}")

        print()
        for name, paths, scenario_cookie in scenarios:
            results.append(run_load(name, port, paths, args.concurrency, scenario_cookie, deadline))
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


def _print_server_log(log_path: Path, tail_lines: int = 12) -> None:
    """Show what the server logged: its error lines and exception messages, then the last lines."""
    try:
        lines = log_path.read_text(errors="replace").splitlines()
    except OSError:
        return
    exception = re.compile(r"^[\w.]+(Error|Exception|Exit)\b")
    errors = [line for line in lines if "ERROR" in line or exception.match(line)]
    if errors:
        print(f"\nerror lines in the gunicorn log ({len(errors)}; first 20):", file=sys.stderr)
        for line in errors[:20]:
            print(f"  {line}", file=sys.stderr)
    if lines:
        print(f"\nlast {min(tail_lines, len(lines))} lines of the gunicorn log:", file=sys.stderr)
        for line in lines[-tail_lines:]:
            print(f"  {line}", file=sys.stderr)


def clean_up(process, results: list, log_path, tmp) -> None:
    """Stop gunicorn, show the failing requests with the server log, remove the temp dir."""
    if process is not None:
        stop_gunicorn(process)
    failing = [r for r in results if r.errors]
    if failing:
        print("\nerrors:")
        for r in failing:
            for sample in r.error_samples:
                print(f"  {r.name}: {sample}")
        _print_server_log(log_path)
    shutil.rmtree(tmp, ignore_errors=True)


def exit_code(results: list, started: float, time_limit: float) -> int:
    """0 when every request succeeded in time, 1 otherwise."""
    print(f"\ntotal time {time.monotonic() - started:.1f}s; temp dir removed, gunicorn stopped")
    if any(r.errors for r in results):
        return 1
    if any(r.cut_short for r in results):
        print(f"time limit of {time_limit:.0f}s reached: results are incomplete", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
