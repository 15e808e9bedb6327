"""Shared harness for the benchmark scripts in bench/; the scripts import it, it is not run itself.

What it offers:

- Constants: ROOT (the project), BIN (the venv's bin/), HOST (127.0.0.1, the only address
  contacted), SECRET_KEY, USER_AGENT, TOKEN_RE (a form's CSRF token), the request, start-up and
  subprocess timeouts, and the bench coach's login (COACH_USERNAME, COACH_PASSWORD).
- SetupError: the benchmark could not be prepared; nothing was measured (exit status 2).
- Over HTTP: Session, a tiny sequential client with a cookie jar; location_path(); log_in()
  through the real form; call_headers(), what a Call sends besides its body (also for wrk, in
  bench/wrkload.py); run_load(), the threaded load generator, which returns a Result
  (requests, errors, req/s and the nearest-rank percentile() in ms); print_table(), one line
  per scenario with each req/s as a fraction of the bare Flask 'hello' route's when that ran.
- The server: workers_cpu_seconds() (the CPU time of gunicorn's workers, from /proc),
  free_port(), app_env(), migrate() (`flask db upgrade` on a fresh database), start_gunicorn()
  (`bench.wsgi_bench:app`), wait_healthy(), stop_gunicorn(), warm_up(), and
  run_server_benchmark(), the frame of a gunicorn benchmark: the venv check, the header with
  machine_info(), a temporary directory with its SQLite database and server log (a
  ServerRun), the clean-up also on Ctrl-C or SIGTERM, and the exit status.
- In-process (Flask's test client, no network): build_app(), create_coach(), seed_residents()
  (bulk Core inserts of residents enrolled by the coach, with their check-ins and answers),
  logged_in_client(), timed_gets(), count_statements() and dispose().
- machine_info(): nproc, the Python version and the versions of the software measured.

Exit statuses of the scripts that use run_server_benchmark(): 0 when every request answered
200, 1 when a scenario had errors or ran out of time, 2 when the set-up failed, 130 on Ctrl-C.
"""

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
from collections.abc import Callable
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
USER_AGENT = "veerkracht-bench/1"
TOKEN_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
REQUEST_TIMEOUT = 30.0  # seconds per request
STARTUP_TIMEOUT = 60.0  # seconds for gunicorn to answer /healthz
SUBPROCESS_TIMEOUT = 180.0  # seconds for `flask db upgrade`
COACH_USERNAME = "benchcoach"
BENCH_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # the bench coach's authenticator app
COACH_PASSWORD = "bench-coach-wachtwoord-123"  # throw-away benchmark database
WIJKEN = ("Bloemenbuurt", "Havenkwartier", "De Molenwijk", "Oude Dijk", "Parkzicht", "Stationsbuurt",
          "Vogelwei", "Zuiderhof")  # fictional


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
    server_cpu: float | None = None  # seconds of the server's workers' CPU while it ran, where known

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


@dataclass(frozen=True)
class Call:
    """One request of a scenario: a GET by default, or a form POST; `expect` is the good status."""

    path: str
    cookie: str | None = None
    method: str = "GET"
    form: dict | None = None
    expect: int = 200
    headers: tuple[tuple[str, str], ...] = ()


def call_headers(call: Call) -> dict[str, str]:
    """The headers a call goes out with, whatever sends it."""
    # As a browser asks: compressed where the app compresses (HTML, SVG), so that cost is measured too.
    headers = {"User-Agent": USER_AGENT, "Accept-Encoding": "gzip, br", **dict(call.headers)}
    if call.cookie:
        headers["Cookie"] = call.cookie
    if call.form is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    return headers


def run_load(name: str, port: int, paths: list[str], concurrency: int, cookie: str | None,
             deadline: float) -> Result:
    """Send every path once, `concurrency` at a time; one HTTP connection object per thread.

    gunicorn's sync workers close the connection after each response, so http.client opens a
    new TCP connection per request: that cost is part of what a browser sees as well.
    """
    return run_calls(name, port, [Call(path, cookie) for path in paths], concurrency, deadline)


def run_calls(name: str, port: int, calls: list[Call], concurrency: int, deadline: float) -> Result:
    """Send every call once, `concurrency` at a time (see run_load); a call whose status is not its
    `expect` counts as an error."""
    result = Result(name, len(calls))
    lock = threading.Lock()
    next_index = iter(range(len(calls)))
    prepared = []
    for call in calls:
        body = urlencode(call.form) if call.form is not None else None
        prepared.append((call.method, call.path, body, call_headers(call), call.expect))
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
                method, path, body, headers, expect = prepared[index]
                began = time.perf_counter()
                try:
                    conn.request(method, path, body=body, headers=headers)
                    response = conn.getresponse()
                    response.read()
                    status = response.status
                    problem = None if status == expect else f"{status} {method} {path}"
                except (OSError, http.client.HTTPException) as exc:
                    conn.close()  # start over with a fresh connection
                    problem = f"{type(exc).__name__}: {exc} {method} {path}"
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


def workers_cpu_seconds(master_pid: int) -> float | None:
    """User + system CPU seconds used so far by the processes whose parent is `master_pid` (gunicorn's
    workers), from /proc; None where there is no /proc."""
    ticks = os.sysconf("SC_CLK_TCK")
    total, found = 0, False
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue  # a process that ended meanwhile
        if int(fields[1]) == master_pid:  # fields[1] is the parent's pid; [11] and [12] utime and stime
            total += int(fields[11]) + int(fields[12])
            found = True
    return total / ticks if found else None


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


def reset_database(database_url: str) -> None:
    """Empty a throw-away PostgreSQL database (its public schema) before and after a run."""
    from sqlalchemy import create_engine, text

    engine = create_engine(database_url)
    try:
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    finally:
        engine.dispose()


def migrate(database_url: str) -> None:
    command = [str(BIN / "flask"), "--app", "webapp", "db", "upgrade"]
    done = subprocess.run(
        command, cwd=ROOT, env=app_env(database_url), capture_output=True, text=True,
        timeout=SUBPROCESS_TIMEOUT,
    )
    if done.returncode != 0:
        raise SetupError(f"{shlex.join(command)} failed:\n{done.stdout}{done.stderr}")



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


def log_in(port: int, username: str, password: str) -> Session:
    """Log in through the real forms (CSRF token, password, and for staff the code from the app);
    return the logged-in session."""
    import pyotp

    client = Session(port)
    token = client.csrf_token("/inloggen")
    status, headers, _text = client.request(
        "POST", "/inloggen", {"csrf_token": token, "username": username, "password": password}
    )
    if status != 302:
        raise SetupError(f"POST /inloggen: expected a 302 redirect, got {status}")
    if location_path(headers) == "/inloggen/tweede-stap":
        token = client.csrf_token("/inloggen/tweede-stap")
        status, _headers, _text = client.request(
            "POST", "/inloggen/tweede-stap", {"csrf_token": token, "code": pyotp.TOTP(BENCH_TOTP_SECRET).now()})
        if status != 302:
            raise SetupError(f"POST /inloggen/tweede-stap: expected a 302 redirect, got {status}")
    return client



def warm_up(name: str, port: int, path: str, count: int, concurrency: int, cookie: str | None,
            deadline: float) -> None:
    """Not timed: `count` GETs of `path`, so that each worker compiles its templates (and so on) first."""
    warm = run_load(f"warm-up {name}", port, [path] * count, concurrency, cookie, deadline)
    if warm.errors:
        raise SetupError(f"warm-up of '{name}' failed: {'; '.join(warm.error_samples)}")


def warm_then_measure(run, port: int, scenarios: list[tuple[str, list[str], str | None]], concurrency: int,
                      warm_count: int, warm: int | None = None) -> None:
    """Warm every worker up on the first `warm` scenarios (all by default), then time each scenario
    (name, paths, cookie) into `run.results` and print the table."""
    for name, paths, cookie in scenarios[:warm]:
        warm_up(name, port, paths[0], warm_count, concurrency, cookie, run.deadline)
    print()
    for name, paths, cookie in scenarios:
        run.results.append(run_load(name, port, paths, concurrency, cookie, run.deadline))
    print_table(run.results)


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


# --------------------------------------------------------------------------- the frame of a gunicorn benchmark


@dataclass
class ServerRun:
    """One run of a gunicorn benchmark: its temporary directory, the server and the results so far."""

    tmp: Path
    deadline: float  # time.monotonic() after which run_load stops sending
    process: subprocess.Popen | None = None  # set by the script once gunicorn is started
    results: list[Result] = field(default_factory=list)
    database_override: str | None = None  # --database-url: a throw-away PostgreSQL database

    @property
    def database_url(self) -> str:
        return self.database_override or f"sqlite:///{self.tmp / 'bench.sqlite'}"

    @property
    def log_path(self) -> Path:
        return self.tmp / "gunicorn.log"


def run_server_benchmark(title: str, tmp_prefix: str, time_limit: float,
                         measure: Callable[[ServerRun], None]) -> int:
    """Prepare a run, call `measure(run)`, clean up whatever happened; return the exit status.

    `measure` migrates and seeds `run.database_url`, starts gunicorn into `run.process`, appends
    to `run.results` and prints the table; it raises SetupError when it cannot measure.
    Exit status: 0 when every request answered 200, 1 when a scenario had errors or ran out of
    time, 2 when the set-up failed, 130 when interrupted.
    """
    signal.signal(signal.SIGTERM, _raise_on_sigterm)
    for tool in ("flask", "gunicorn"):
        if not (BIN / tool).exists():
            print(f"{BIN / tool} not found: run this with the project's venv python (.venv/bin/python)",
                  file=sys.stderr)
            return 2
    print(title)
    for line in machine_info():
        print(line)
    print(f"command:  {shlex.join(getattr(sys, 'orig_argv', [sys.executable, *sys.argv]))}")
    started = time.monotonic()
    run = ServerRun(Path(tempfile.mkdtemp(prefix=tmp_prefix)), started + time_limit)
    try:
        measure(run)
    except SetupError as exc:
        print(f"\nset-up failed: {exc}", file=sys.stderr)
        _print_server_log(run.log_path)
        return 2
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        return 130
    finally:
        clean_up(run.process, run.results, run.log_path, run.tmp)
    return exit_code(run.results, started, time_limit)


def _raise_on_sigterm(signum, frame):
    raise KeyboardInterrupt  # so the finally blocks stop gunicorn and remove the temp dir


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


# --------------------------------------------------------------------------- in-process (Flask's test client)


def build_app(database_url: str, **config):
    """The app in-process, configured like the gunicorn start (see app_env), plus `config`."""
    from webapp import create_app

    return create_app({
        "SECRET_KEY": SECRET_KEY, "SQLALCHEMY_DATABASE_URI": database_url,
        "QUESTIONNAIRE_DIR": str(ROOT / "questionnaires"), "SESSION_COOKIE_SECURE": False, **config,
    })


def create_coach(app) -> tuple[int, str]:
    """The welzijnscoach who logs in; returns (database id, public id)."""
    from webapp.accounts import service as people
    from webapp.core.extensions import db

    with app.app_context():
        coach = people.create_staff(COACH_USERNAME, COACH_PASSWORD, ["welzijnscoach"], "Bench Coach")
        coach.totp_secret, coach.totp_confirmed_at = BENCH_TOTP_SECRET, datetime.now(UTC)  # app set up
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
    from webapp.core.models import Answer, Checkin, CoachRelation, Resident
    from webapp.core.models._base import new_public_id

    with app.app_context():
        questionnaire = current_questionnaire()
        items = [item for group in questionnaire.form_item_ids(RESIDENT_FORM).values() for item in group]
        events = [event.id for event in life_events().events if event.id != "geen"]
        now = datetime.now(UTC)
        residents, relations, measurements, answers, public_ids = [], [], [], [], []
        with db.engine.begin() as conn:
            resident_id = conn.scalar(select(func.coalesce(func.max(Resident.id), 0)))
            measurement_id = conn.scalar(select(func.coalesce(func.max(Checkin.id), 0)))
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
                conn.execute(insert(Checkin.__table__), measurements)
                conn.execute(insert(Answer.__table__), answers)
    return public_ids, len(answers)


def logged_in_client(app, user_public_id: str):
    """A test client logged in the way tests/conftest.py login_as does (no password form)."""
    from sqlalchemy import select

    from webapp.core.extensions import db
    from webapp.core.models import User
    from webapp.core.security import SESSION_KEY, new_login_session

    client = app.test_client()
    with app.app_context():
        token = new_login_session(db.session.scalar(select(User).where(User.public_id == user_public_id)))
        db.session.commit()
    with client.session_transaction() as session:
        session["_user_id"] = user_public_id
        session["_fresh"] = True
        session["started"] = session["seen"] = time.time()
        session[SESSION_KEY] = token  # the LoginSession on the server
        session["mfa"] = True  # as after the second step
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


def count_statements(app, user_public_id: str, urls: list[str]) -> dict[str, int]:
    """SQL statements sent for one GET of each URL, after one untimed warm-up GET of it."""
    from sqlalchemy import event

    from webapp.core.extensions import db

    client = logged_in_client(app, user_public_id)
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


def dispose(app) -> None:
    """Close the app's database connections, so that none stays open on the benchmark's file."""
    from webapp.core.extensions import db

    with app.app_context():
        db.session.remove()
        db.engine.dispose()  # no connection of ours stays open on the file gunicorn will use

