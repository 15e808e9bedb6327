"""Web push reminders: switching notifications on and off per phone, and the job pushing each due
reminder once, through a real push receiver that decrypts what it gets (RFC 8291) like a phone."""

import base64
import hashlib
import json
import os
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import http_ece
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from py_vapid import Vapid02
from sqlalchemy import select

from tests.conftest import all_answers, log_in
from tests.test_email import inbox  # noqa: F401  (the local SMTP server fixture)
from tests.test_permissions import ROLES_UNDER_TEST, build_world
from tests.test_reminder_job import _count_statements, _due_resident, _today, run_at_once
from webapp.core.extensions import db
from webapp.core.models import AuditEvent, PushSubscription, ReminderSent, Resident
from webapp.reminders import job, rules
from webapp.reminders.rules import BadSubscription, PushOutcome

LINK = "http://localhost/"
PAYLOAD = {"title": "Veerkracht", "body": "Het is tijd voor uw Veerkracht check-in", "url": LINK}


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


class Phone:
    """A browser's push subscription: its own P-256 key pair and auth secret, at the test push service."""

    def __init__(self, service: "PushService", name: str) -> None:
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.auth = os.urandom(16)
        self.endpoint = f"{service.url}/push/{name}"
        self.name = name

    def subscription(self) -> dict:
        point = self.key.public_key().public_bytes(serialization.Encoding.X962,
                                                   serialization.PublicFormat.UncompressedPoint)
        return {"endpoint": self.endpoint, "expirationTime": None,
                "keys": {"p256dh": _b64(point), "auth": _b64(self.auth)}}

    def read(self, body: bytes) -> dict:
        """Decrypt what the push service passed on, as the phone's browser does."""
        return json.loads(http_ece.decrypt(body, private_key=self.key, auth_secret=self.auth, version="aes128gcm"))


class PushService:
    """A push service on 127.0.0.1 (a thread): keeps every request; answers 201, or what a test sets per
    phone (410 gone, 500 down) or after a delay (a timeout)."""

    def __init__(self) -> None:
        self.received: list[tuple[str, dict, bytes]] = []
        self.status: dict[str, int] = {}
        self.delay: dict[str, float] = {}
        self.lock = threading.Lock()
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's hook name
                body = self.rfile.read(int(self.headers["Content-Length"]))
                name = self.path.rsplit("/", 1)[-1]
                time.sleep(service.delay.get(name, 0))
                with service.lock:
                    service.received.append((name, {k.lower(): v for k, v in self.headers.items()}, body))
                self.send_response(service.status.get(name, 201))
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def for_phone(self, name: str) -> list[tuple[dict, bytes]]:
        return [(headers, body) for who, headers, body in self.received if who == name]


@pytest.fixture
def push_service():
    service = PushService()
    service.thread.start()
    yield service
    service.server.shutdown()
    service.server.server_close()


def _subscribe(app, resident_public_id: str, phone: Phone) -> None:
    keys = phone.subscription()["keys"]
    with app.app_context():
        resident = db.session.scalar(select(Resident).where(Resident.public_id == resident_public_id))
        db.session.add(PushSubscription(resident_id=resident.id, endpoint=phone.endpoint, **keys))
        db.session.commit()


def _due_with_phone(app, make_resident, make_checkin, kort_items, push_service, name: str, mail: bool = False):
    """A resident whose check-in is due (a life-event seven weeks ago), with one phone; e-mail too if asked."""
    if mail:
        person = _due_resident(app, make_resident, make_checkin, kort_items, name)
    else:
        person = make_resident(username=name)
        make_checkin(person["resident"], all_answers(kort_items, 1), days_ago=49, life_event="overlijden_naaste")
    phone = Phone(push_service, name)
    _subscribe(app, person["resident"], phone)
    return person, phone


def _phones(app) -> list[str]:
    with app.app_context():
        return sorted(db.session.scalars(select(PushSubscription.endpoint)))


# The rules: what a subscription must look like, and what an answer of the push service means.

def _keys(phone_key=None) -> tuple[str, str]:
    key = phone_key or ec.generate_private_key(ec.SECP256R1())
    point = key.public_key().public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    return _b64(point), _b64(os.urandom(16))


def test_a_subscription_must_be_https_at_a_push_service_with_keys_of_the_right_size():
    p256dh, auth = _keys()
    fcm = "https://fcm.googleapis.com/fcm/send/abc:APA91b"
    assert rules.push_subscription(fcm, p256dh, auth).endpoint == fcm
    assert rules.push_subscription("https://web.push.apple.com/QGx", p256dh + "=", auth).p256dh == p256dh
    refused = {
        "plain http": ("http://fcm.googleapis.com/fcm/send/abc", p256dh, auth),
        "unknown host": ("https://push.example.org/abc", p256dh, auth),
        "look-alike host": ("https://evilfcm.googleapis.com.example.org/abc", p256dh, auth),
        "own network": ("https://10.0.0.5/abc", p256dh, auth),
        "user in the address": ("https://x@fcm.googleapis.com/abc", p256dh, auth),
        "too long": ("https://fcm.googleapis.com/" + "a" * rules.MAX_ENDPOINT, p256dh, auth),
        "not text": (["https://fcm.googleapis.com/"], p256dh, auth),
        "local without testing": ("http://127.0.0.1:8000/push", p256dh, auth),
        "key too short": (fcm, p256dh[:-4], auth),
        "key not on the curve": (fcm, _b64(b"\x04" + b"\x01" * 64), auth),
        "key not base64url": (fcm, p256dh[:-2] + "+/", auth),
        "auth too long": (fcm, p256dh, _b64(os.urandom(32))),
        "auth missing": (fcm, p256dh, None),
    }
    for why, (endpoint, key, secret) in refused.items():
        with pytest.raises(BadSubscription):
            rules.push_subscription(endpoint, key, secret)
            pytest.fail(why)
    assert rules.push_subscription("http://127.0.0.1:8000/push", p256dh, auth, testing=True)
    with pytest.raises(BadSubscription):
        rules.push_subscription("http://localhost:8000/push", p256dh, auth, testing=True)


def test_what_an_answer_of_the_push_service_means():
    assert rules.push_outcome(201) == PushOutcome.AFGELEVERD
    assert rules.push_outcome(404) == rules.push_outcome(410) == PushOutcome.WEG
    assert {rules.push_outcome(s) for s in (None, 400, 413, 429, 500, 503)} == {PushOutcome.MISLUKT}
    assert rules.reminder_outcome([PushOutcome.WEG, PushOutcome.AFGELEVERD]) == PushOutcome.AFGELEVERD
    assert rules.reminder_outcome([PushOutcome.WEG, PushOutcome.MISLUKT]) == PushOutcome.MISLUKT
    assert rules.reminder_outcome([PushOutcome.WEG, PushOutcome.WEG]) == PushOutcome.WEG


# The settings page and its routes.

def test_the_page_offers_notifications_and_says_plainly_when_a_phone_cannot(app, client, make_resident, login_as):
    anna = make_resident(username="anna")
    login_as(client, anna["user"])
    page = client.get("/volgende-check-in").get_data(as_text=True)
    assert "Meldingen op deze telefoon" in page and f'data-key="{app.config["VAPID_PUBLIC_KEY"]}"' in page
    # Without JavaScript the plain message is what shows; the buttons wait hidden for push.js.
    assert "Deze telefoon kan geen meldingen van Veerkracht krijgen" in page and "data-push-panel hidden" in page
    key = app.config["VAPID_PUBLIC_KEY"]
    app.config["VAPID_PUBLIC_KEY"] = None
    try:
        page = client.get("/volgende-check-in").get_data(as_text=True)
        assert "Meldingen op deze telefoon" not in page and "push.js" not in page
        assert client.post_json("/volgende-check-in/meldingen", {}).status_code == 404
    finally:
        app.config["VAPID_PUBLIC_KEY"] = key


def test_a_resident_switches_notifications_on_for_two_phones_and_off_again(app, client, make_resident, login_as,
                                                                           push_service):
    anna = make_resident(username="anna")
    login_as(client, anna["user"])
    first, second = Phone(push_service, "eerste"), Phone(push_service, "tweede")
    on = client.post_json("/volgende-check-in/meldingen", first.subscription())
    assert on.status_code == 200 and on.json["message"] == "Meldingen staan aan op deze telefoon."
    assert client.post_json("/volgende-check-in/meldingen", first.subscription()).status_code == 200  # again: one row
    assert client.post_json("/volgende-check-in/meldingen", second.subscription()).status_code == 200
    assert _phones(app) == sorted([first.endpoint, second.endpoint])
    page = client.get("/volgende-check-in").get_data(as_text=True)
    assert "Meldingen staan aan op 2 telefoons of computers." in page
    # The page tells its script which phones are this account's by fingerprint, never by address.
    marks = " ".join(sorted(hashlib.sha256(p.endpoint.encode()).hexdigest() for p in (first, second)))
    assert marks in page or " ".join(reversed(marks.split())) in page
    assert first.endpoint not in page
    off = client.post_json("/volgende-check-in/meldingen/uit", {"endpoint": first.endpoint},
                           headers={"X-CSRFToken": client.csrf_token(), "X-Requested-With": "fetch"})
    assert off.status_code == 200 and off.json["message"] == "Meldingen staan uit op deze telefoon."
    assert _phones(app) == [second.endpoint]
    everywhere = client.post_form("/volgende-check-in/meldingen/uit")  # the plain form: every phone
    assert everywhere.status_code == 302 and everywhere.location.endswith("#meldingen")
    assert _phones(app) == []
    with app.app_context():
        actions = list(db.session.scalars(select(AuditEvent.action).where(AuditEvent.action.like("reminder.push%"))))
    assert actions.count("reminder.push_on") == 3 and actions.count("reminder.push_off") == 2


def test_the_push_routes_for_every_role_and_a_phone_of_another_account(app, push_service):
    world = build_world(app)
    residents = ("owner", "other_resident")
    for role in ROLES_UNDER_TEST:
        client = app.test_client()
        if role != "anonymous":
            log_in(client, world["users"][role])
        phone = Phone(push_service, role)
        on = client.post_json("/volgende-check-in/meldingen", phone.subscription())
        off = client.post_form("/volgende-check-in/meldingen/uit", {"endpoint": phone.endpoint})
        if role == "anonymous":
            assert on.status_code == off.status_code == 302 and off.location.startswith("/inloggen")
        elif role in residents:
            assert (on.status_code, off.status_code) == (200, 302), role
        else:  # staff have no reminders
            assert (on.status_code, off.status_code) == (403, 403), role
    assert _phones(app) == []
    # The owner's phone, posted by the neighbour who logs in on it: refused, and it stays the owner's.
    owner, neighbour = app.test_client(), app.test_client()
    log_in(owner, world["users"]["owner"])
    log_in(neighbour, world["users"]["other_resident"])
    phone = Phone(push_service, "gedeeld")
    assert owner.post_json("/volgende-check-in/meldingen", phone.subscription()).status_code == 200
    taken = neighbour.post_json("/volgende-check-in/meldingen", phone.subscription())
    assert taken.status_code == 409
    assert taken.json["message"].startswith("Deze telefoon krijgt al meldingen voor een ander account.")
    assert neighbour.post_form("/volgende-check-in/meldingen/uit", {"endpoint": phone.endpoint}).status_code == 302
    with app.app_context():
        kept = db.session.scalar(select(PushSubscription))
        assert kept.endpoint == phone.endpoint
        assert db.session.get(Resident, kept.resident_id).public_id == world["ids"]["resident"]


def test_a_bad_subscription_gets_a_clear_message_and_nothing_is_stored(app, client, make_resident, login_as,
                                                                       push_service):
    login_as(client, make_resident(username="anna")["user"])
    good = Phone(push_service, "goed").subscription()
    bad = {
        "an address outside the push services": {**good, "endpoint": "https://intranet.example.org/x"},
        "plain http elsewhere": {**good, "endpoint": "http://fcm.googleapis.com/fcm/send/x"},
        "a very long address": {**good, "endpoint": "https://fcm.googleapis.com/" + "x" * 900},
        "a short key": {**good, "keys": {**good["keys"], "p256dh": good["keys"]["p256dh"][:40]}},
        "no auth secret": {**good, "keys": {"p256dh": good["keys"]["p256dh"]}},
        "keys not an object": {**good, "keys": "p256dh"},
        "not a subscription": ["endpoint"],
    }
    for why, body in bad.items():
        response = client.post_json("/volgende-check-in/meldingen", body)
        assert response.status_code == 400, why
        assert response.json["message"].startswith("Deze telefoon gaf"), why
    assert client.post("/volgende-check-in/meldingen", data="{", content_type="application/json",
                       headers={"X-CSRFToken": client.csrf_token()}).status_code == 400
    # Without the CSRF token the post is refused before anything is read.
    assert client.post("/volgende-check-in/meldingen", json=good).status_code == 400
    assert _phones(app) == []


# The job.

def test_two_runs_at_once_push_each_due_reminder_once_without_health_data(app, make_resident, make_checkin,
                                                                          kort_items, push_service,
                                                                          inbox):  # noqa: F811
    phones = {}
    for n in range(5):
        person, phones[f"bewoner{n}"] = _due_with_phone(app, make_resident, make_checkin, kort_items, push_service,
                                                        f"bewoner{n}", mail=n == 0)
    reports = run_at_once(app, 2)
    assert sorted(name for name, _headers, _body in push_service.received) == sorted(phones)
    assert [m["To"] for m in inbox.messages] == ["bewoner0@example.org"]  # e-mail beside push, once too
    assert sum(r.counts["verzonden"] for r in reports) == 6
    public_key = app.config["VAPID_PUBLIC_KEY"]
    for name, phone in phones.items():
        [(headers, body)] = push_service.for_phone(name)
        assert headers["content-encoding"] == "aes128gcm" and int(headers["ttl"]) > 0
        assert headers["authorization"].startswith("vapid t=") and f"k={public_key}" in headers["authorization"]
        assert b"Veerkracht" not in body  # encrypted on the way
        message = phone.read(body)
        assert message == PAYLOAD  # the words and the start page: no name, no scores, no life-event
    with app.app_context():
        claims = list(db.session.scalars(select(ReminderSent).where(ReminderSent.channel == "push")))
        assert len(claims) == 5 and {c.status for c in claims} == {"verzonden"}
        assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "reminder.push")) is not None
    again = app.test_cli_runner().invoke(args=["send-reminders"])
    assert "0 verzonden" in again.output and len(push_service.received) == 5


def test_a_phone_that_is_gone_is_deleted_and_one_that_is_down_is_tried_again(app, make_resident, make_checkin,
                                                                             kort_items, push_service, caplog):
    gone_person, gone = _due_with_phone(app, make_resident, make_checkin, kort_items, push_service, "weg")
    down_person, down = _due_with_phone(app, make_resident, make_checkin, kort_items, push_service, "plat")
    _ok_person, ok = _due_with_phone(app, make_resident, make_checkin, kort_items, push_service, "goed")
    push_service.status.update(weg=410, plat=500)
    first = app.test_cli_runner().invoke(args=["send-reminders"])
    assert "1 verzonden, 2 mislukt" in first.output and "1 telefoon(s)" in first.output
    assert _phones(app) == sorted([down.endpoint, ok.endpoint])  # the gone one is deleted
    for record in caplog.records:
        text = record.getMessage()
        for secret in (gone_person["resident"], down_person["resident"], gone.endpoint, down.endpoint, "plat"):
            assert secret not in text
    push_service.status["plat"] = 201  # the push service is back
    second = app.test_cli_runner().invoke(args=["send-reminders"])
    assert "1 verzonden, 0 mislukt" in second.output
    third = app.test_cli_runner().invoke(args=["send-reminders"])
    assert "0 verzonden, 0 mislukt" in third.output
    assert [len(push_service.for_phone(n)) for n in ("weg", "plat", "goed")] == [1, 2, 1]
    start_page = app.config["PUBLIC_URL"].rstrip("/") + "/"  # `flask send-reminders` links to the site
    assert down.read(push_service.for_phone("plat")[-1][1]) == {**PAYLOAD, "url": start_page}
    with app.app_context():
        retried = db.session.scalar(select(ReminderSent).join(Resident).where(
            Resident.public_id == down_person["resident"]))
        assert (retried.status, retried.attempts, retried.error) == ("verzonden", 2, None)


def test_a_slow_push_service_times_out_without_holding_up_the_others(app, make_resident, make_checkin, kort_items,
                                                                     push_service):
    _due_with_phone(app, make_resident, make_checkin, kort_items, push_service, "traag")
    for n in range(3):
        _due_with_phone(app, make_resident, make_checkin, kort_items, push_service, f"snel{n}")
    push_service.delay["traag"] = 1.5
    app.config["PUSH_TIMEOUT"] = 0.3
    try:
        began = time.perf_counter()
        result = app.test_cli_runner().invoke(args=["send-reminders"])
        took = time.perf_counter() - began
    finally:
        app.config["PUSH_TIMEOUT"] = 10
    assert "3 verzonden, 1 mislukt" in result.output and took < 1.5
    with app.app_context():
        assert db.session.scalar(select(ReminderSent.error).where(ReminderSent.status == "mislukt")) == "ReadTimeout"


def test_the_notification_is_in_the_language_the_resident_switched_it_on_in(app, client, make_resident,
                                                                            make_checkin, kort_items, login_as,
                                                                            push_service):
    tom = make_resident(username="tom")
    make_checkin(tom["resident"], all_answers(kort_items), days_ago=49, life_event="overlijden_naaste")
    login_as(client, tom["user"])
    client.post_form("/taal", {"lang": "en"})
    phone = Phone(push_service, "tom")
    assert client.post_json("/volgende-check-in/meldingen", phone.subscription()).json["message"] == (
        "Notifications are on for this phone.")
    app.test_cli_runner().invoke(args=["send-reminders"])
    [(_headers, body)] = push_service.for_phone("tom")
    assert phone.read(body) == {**PAYLOAD, "body": "It is time for your Veerkracht check-in",
                                "url": app.config["PUBLIC_URL"].rstrip("/") + "/"}


def test_pushes_cost_the_same_number_of_queries_for_few_and_many(app, make_resident, make_checkin, kort_items,
                                                                  push_service):
    today = _today(app)
    for n in range(2):
        _due_with_phone(app, make_resident, make_checkin, kort_items, push_service, f"weinig{n}")
    few = _count_statements(app, lambda: job.send_due(today, LINK))
    for n in range(12):
        _due_with_phone(app, make_resident, make_checkin, kort_items, push_service, f"veel{n}")
    many = _count_statements(app, lambda: job.send_due(today, LINK))
    assert len(push_service.received) == 14
    assert few == many, (few, many)


def test_the_export_lists_the_phones_and_erasing_a_resident_removes_them(app, make_resident, make_checkin,
                                                                         kort_items, push_service):
    anna, _phone = _due_with_phone(app, make_resident, make_checkin, kort_items, push_service, "anna")
    with app.test_request_context():
        from webapp.rights import service as rights

        resident = db.session.scalar(select(Resident).where(Resident.public_id == anna["resident"]))
        [phone] = rights.export(resident, with_fhir=False)["reminders"]["notification_phones"]
        assert phone["push_service"] == "127.0.0.1" and phone["since"]
        rights.erase(resident)
        db.session.commit()
    assert _phones(app) == []


def test_the_vapid_keys_command_prints_a_pair_that_belongs_together(app):
    result = app.test_cli_runner().invoke(args=["vapid-keys"])
    lines = dict(line.split("=", 1) for line in result.stdout.splitlines() if "=" in line)
    vapid = Vapid02.from_string(lines["VAPID_PRIVATE_KEY"])
    public = vapid.public_key.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    assert _b64(public) == lines["VAPID_PUBLIC_KEY"] and lines["VAPID_SUBJECT"].startswith("mailto:")


def test_the_job_queue_counts_pushes_due_and_not_sent_yet(app, make_resident, make_checkin, kort_items,
                                                          push_service, inbox):  # noqa: F811
    """/metrics' veerkracht_job_queue_length: a due push waits like a due e-mail, until the job sends it."""
    from webapp.core import clock
    from webapp.reminders import service as reminder_service

    _due_with_phone(app, make_resident, make_checkin, kort_items, push_service, "anna", mail=True)  # mail + push
    _due_with_phone(app, make_resident, make_checkin, kort_items, push_service, "bram")  # push only
    with app.app_context():
        assert reminder_service.queue_counts(clock.today()) == {"wachtend": 3, "opnieuw": 0, "bezig": 0}
    push_service.status["bram"] = 500  # bram's phone service is down: retried at the next run
    app.test_cli_runner().invoke(args=["send-reminders"])
    with app.app_context():
        assert reminder_service.queue_counts(clock.today()) == {"wachtend": 0, "opnieuw": 1, "bezig": 0}
