"""Reminder job benchmark: `flask send-reminders` for 20,000 residents of whom 2,000 are due.

    .venv/bin/python bench/bench_reminders.py [--residents R] [--due D] [--wanting W] [--push P]
                                              [--database-url URL]

Seeds a throw-away database (a temporary SQLite file, or an EMPTY database at --database-url) with
bulk Core inserts: R residents with three check-ins each; W of them want an e-mail reminder and have
a verified address, D of those are due, and the first P of the due have a phone with notifications on
(web push, the third channel). A real SMTP server (aiosmtpd, on 127.0.0.1) receives the mails and a
local push service (http.server, on 127.0.0.1) the pushes, encrypted and VAPID-signed as for a real
one (it counts them; tests/test_push.py decrypts them). It then prints, in one run:

- the job's wall time and its SQL statements (in all, and per batch of 500 claims);
- the floor: the same number of mails sent straight over one smtplib connection to the same server,
  measured interleaved with the job (baseline, job, baseline, job, ...), and the ratio job / floor;
- a second run right after (everything already sent: it must send nothing);
- two runs at once on a fresh set of due reminders: each mail and each push arrives once.

Target (issue 14): the job for 20,000 residents with 2,000 due finishes in under 30 s, with a fixed
number of queries per batch. Exit status 0 when every due mail arrived exactly once, 1 otherwise.
"""

import argparse
import base64
import os
import random
import shutil
import smtplib
import statistics
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import _path  # noqa: F401 - puts the project on sys.path
from aiosmtpd.controller import Controller
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from sqlalchemy import event, func, insert, select

from bench.harness import build_app, free_port, machine_info, migrate

ROUNDS = 3


class Sink:
    """An SMTP server that only counts what it receives, per address."""

    def __init__(self) -> None:
        self.received: dict[str, int] = {}
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        with self.lock:
            for address in envelope.rcpt_tos:
                self.received[address] = self.received.get(address, 0) + 1
        return "250 OK"


class PushSink:
    """A push service that only counts what it receives, per phone, and answers 201 Created."""

    def __init__(self) -> None:
        self.received: dict[str, int] = {}
        self.lock = threading.Lock()
        sink = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as a real push service

            def do_POST(self):  # noqa: N802 - http.server's hook name
                self.rfile.read(int(self.headers["Content-Length"]))
                with sink.lock:
                    sink.received[self.path] = sink.received.get(self.path, 0) + 1
                self.send_response(201)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def seed(app, residents: int, wanting: int, due: int, pushing: int, push_url: str, rng: random.Random) -> None:
    """Residents with three check-ins each; the first `due` of the `wanting` ones are due today, the
    first `pushing` of those have a phone with notifications on."""
    from webapp.core.definitions import QUESTIONNAIRE_ID, RESIDENT_FORM, current_questionnaire
    from webapp.core.extensions import db
    from webapp.core.models import Checkin, PushSubscription, Resident, User
    from webapp.core.models._base import new_public_id, new_resident_number

    now = datetime.now(UTC)
    with app.app_context():
        version = current_questionnaire().version
        users, people, checkins = [], [], []
        checkin_id = 0
        for number in range(1, residents + 1):
            wants = number <= wanting
            if wants:
                users.append({"id": number, "public_id": new_public_id(), "username": f"bench{number}",
                              "password_hash": "x", "email": f"bewoner{number}@example.org",
                              "email_verified_at": now, "is_enabled": True, "created_at": now})
            people.append({"id": number, "public_id": new_resident_number(), "user_id": number if wants else None,
                           "created_at": now - timedelta(days=400), "reminder": "email" if wants else "geen",
                           "reminder_locale": rng.choice(("nl", "nl", "en")) if wants else None})
            # Due: the latest check-in 60-90 days ago with no date agreed (13 weeks "waakvlam" for some,
            # so agree a date in the past); not due: a date agreed ahead.
            is_due = wants and number <= due
            for back in (300, 180, rng.randint(60, 90)):
                checkin_id += 1
                done = now - timedelta(days=back)
                checkins.append({"id": checkin_id, "public_id": new_public_id(), "resident_id": number,
                                 "questionnaire_id": QUESTIONNAIRE_ID, "questionnaire_version": version,
                                 "form": RESIDENT_FORM, "mode": "zelf", "life_event": "geen",
                                 "started_at": done, "completed_at": done,
                                 "next_checkin_on": (now - timedelta(days=3)).date() if is_due
                                 else (now + timedelta(days=20)).date(),
                                 "next_checkin_by": "bewoner"})
        phone_key = ec.generate_private_key(ec.SECP256R1()).public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
        phones = [{"id": number, "resident_id": number, "endpoint": f"{push_url}/push/{number}",
                   "p256dh": _b64(phone_key), "auth": _b64(os.urandom(16)), "created_at": now}
                  for number in range(1, min(pushing, due) + 1)]
        with db.engine.begin() as conn:
            for table, rows in ((User, users), (Resident, people), (Checkin, checkins), (PushSubscription, phones)):
                for start in range(0, len(rows), 5000):
                    conn.execute(insert(table), rows[start:start + 5000])
        with db.engine.connect() as conn:
            count = conn.scalar(select(func.count()).select_from(Checkin))
    print(f"seeded {residents:,} residents ({wanting:,} want e-mail, {due:,} due, {min(pushing, due):,} of those "
          f"with a phone for push) and {count:,} check-ins")


def baseline(port: int, addresses: list[str]) -> float:
    """The floor: the same number of mails straight over one SMTP connection."""
    began = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port, timeout=15) as server:
        for address in addresses:
            message = EmailMessage()
            message["From"], message["To"], message["Subject"] = "bench@localhost", address, "Veerkracht"
            message.set_content("Het is tijd voor uw Veerkracht check-in.\n\nhttp://localhost/\n")
            server.send_message(message)
    return time.perf_counter() - began


def run_job(app) -> tuple[float, int, object]:
    """One `send_due` like `flask send-reminders`; (seconds, SQL statements, report)."""
    from webapp.core import clock
    from webapp.core.extensions import db
    from webapp.reminders import job, service

    statements = []
    with app.app_context():
        engine = db.engine

        def count(*_args):
            statements.append(1)

        event.listen(engine, "before_cursor_execute", count)
        try:
            began = time.perf_counter()
            report = job.send_due(clock.today(), "http://localhost/",
                                  lambda due: f"http://localhost/herinnering/later/"
                                              f"{service.snooze_token(due.resident_public_id, due.on)}")
            took = time.perf_counter() - began
        finally:
            event.remove(engine, "before_cursor_execute", count)
            db.session.remove()
    return took, len(statements), report


def reset_claims(app) -> None:
    """Forget every claim, so the next run sends the same reminders again (between rounds)."""
    from webapp.core.extensions import db
    from webapp.core.models import ReminderSent

    with app.app_context(), db.engine.begin() as conn:
        conn.execute(ReminderSent.__table__.delete())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--residents", type=int, default=20_000)
    parser.add_argument("--wanting", type=int, default=5_000, help="residents who want an e-mail reminder")
    parser.add_argument("--due", type=int, default=2_000, help="of those, due today")
    parser.add_argument("--push", type=int, default=1_000, help="of the due, with a phone for web push too")
    parser.add_argument("--database-url", help="an EMPTY database (default: a temporary SQLite file)")
    parser.add_argument("--seed", type=int, default=20261203)
    args = parser.parse_args(argv)
    tmp = Path(tempfile.mkdtemp(prefix="veerkracht-bench-reminders-"))
    url = args.database_url or f"sqlite:///{tmp / 'bench.sqlite'}"
    sink = Sink()
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    push_sink = PushSink()
    try:
        print("\n".join(machine_info()))
        migrate(url)
        from webapp.reminders.push import new_key_pair

        vapid_private, vapid_public = new_key_pair()
        app = build_app(url, MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_DEFAULT_SENDER="Veerkracht <b@localhost>",
                        PUBLIC_URL="http://localhost", VAPID_PRIVATE_KEY=vapid_private, VAPID_PUBLIC_KEY=vapid_public,
                        VAPID_SUBJECT="mailto:bench@example.org")
        seed(app, args.residents, args.wanting, args.due, args.push, push_sink.url, random.Random(args.seed))
        pushing = min(args.push, args.due)
        floor_addresses = [f"floor{n}@example.org" for n in range(args.due)]
        jobs, floors, statements = [], [], set()
        for round_ in range(ROUNDS):
            floors.append(baseline(port, floor_addresses))
            reset_claims(app)
            took, count, report = run_job(app)
            jobs.append(took)
            statements.add(count)
            print(f"round {round_ + 1}: job {took:.2f} s ({report.line()}), {count} SQL statements; "
                  f"floor {floors[-1]:.2f} s")
        again, again_count, again_report = run_job(app)
        print(f"second run right after: {again:.2f} s, {again_count} SQL statements: {again_report.line()}")
        # Two runs at once, on reminders nobody sent yet.
        reset_claims(app)
        before = dict(sink.received)
        pushes_before = dict(push_sink.received)
        reports = []
        runners = [threading.Thread(target=lambda: reports.append(run_job(app)[2])) for _ in range(2)]
        for runner in runners:
            runner.start()
        for runner in runners:
            runner.join()
        after = {a: n - before.get(a, 0) for a, n in sink.received.items() if n - before.get(a, 0)}
        resident_mails = {a: n for a, n in after.items() if a.startswith("bewoner")}
        pushes = {p: n - pushes_before.get(p, 0) for p, n in push_sink.received.items() if n - pushes_before.get(p, 0)}
        once = (len(resident_mails) == args.due and set(resident_mails.values()) == {1}
                and len(pushes) == pushing and set(pushes.values()) <= {1})
        batches = -(-(args.due + pushing) // 500)
        job_median, floor_median = statistics.median(jobs), statistics.median(floors)
        print()
        print(f"reminder job, {args.residents:,} residents, {args.due:,} due: {args.due:,} mails and {pushing:,} "
              f"pushes ({batches} batches of 500 reminders):")
        print(f"  job median {job_median:.2f} s (target < 30 s), {(args.due + pushing) / job_median:,.0f} reminders/s")
        print(f"  floor (plain smtplib, one connection, mails only) median {floor_median:.2f} s; job / floor = "
              f"{job_median / floor_median:.2f}x")
        print(f"  SQL statements per run: {sorted(statements)} "
              f"(= {max(statements) / batches:.1f} per batch, the same in every round)")
        print(f"  two runs at once: {sum(resident_mails.values()):,} mails to {len(resident_mails):,} residents and "
              f"{sum(pushes.values()):,} pushes to {len(pushes):,} phones, each once: {'yes' if once else 'NO'}")
        if args.database_url:
            from webapp.core.extensions import db

            with app.app_context():
                db.drop_all()
                with db.engine.begin() as conn:
                    conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
        return 0 if once and again_report.counts["verzonden"] == 0 else 1
    finally:
        controller.stop()
        push_sink.server.shutdown()
        push_sink.server.server_close()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
