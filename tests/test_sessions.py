"""Session limits (with a controllable clock, no sleeps), log out everywhere, rate limits, headers."""

import os
import re
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta

import pytest
import redis

from tests.conftest import PASSWORD
from tests.test_permissions import MATRIX
from webapp.accounts import service as people
from webapp.core.extensions import db


def _later(app, **delta):
    app.config["CLOCK"] = lambda: datetime.now(UTC) + timedelta(**delta)


@pytest.fixture
def coach(app):
    with app.test_request_context():
        user = people.create_staff("coach1", "coach-wachtwoord-lang", ["ouderencoach"], "Coach")
        db.session.commit()
        return user.public_id


def test_coach_session_ends_after_fifteen_idle_minutes(app, client, coach, login_as):
    login_as(client, coach)
    _later(app, minutes=14)
    assert client.get("/coach").status_code == 200
    _later(app, minutes=14 + 16)  # 16 minutes after the last request
    response = client.get("/coach")
    assert response.status_code == 302 and response.location.startswith("/inloggen?next=/coach")
    page = client.get(response.location).get_data(as_text=True)
    assert "Uw sessie is verlopen" in page
    assert client.get("/coach").location.startswith("/inloggen")  # and it stays ended


def test_resident_may_stay_idle_longer(app, client, make_resident, login_as):
    login_as(client, make_resident()["user"])
    _later(app, minutes=60)
    assert client.get("/geschiedenis").status_code == 200
    _later(app, minutes=60 + 121)
    assert client.get("/geschiedenis").status_code == 302


def test_absolute_lifetime_ends_even_an_active_session(app, client, coach, login_as):
    login_as(client, coach)
    for minutes in range(10, 10 * 60, 10):  # active every ten minutes for ten hours
        _later(app, minutes=minutes)
        assert client.get("/coach").status_code == 200, minutes
    _later(app, hours=10, minutes=5)
    assert client.get("/coach").status_code == 302


def test_idle_limits_are_configurable(app, client, coach, login_as):
    app.config["IDLE_MINUTES_STAFF"] = 5
    try:
        login_as(client, coach)
        _later(app, minutes=6)
        assert client.get("/coach").status_code == 302
    finally:
        app.config["IDLE_MINUTES_STAFF"] = 15


def test_log_out_everywhere_ends_other_devices(app, make_resident):
    resident = make_resident(username="gerda")
    phone, tablet = app.test_client(), app.test_client()
    for device in (phone, tablet):
        device.post_form("/inloggen", {"username": "gerda", "password": PASSWORD})
        assert device.get("/geschiedenis").status_code == 200
    assert phone.post_form("/overal-uitloggen").status_code == 302
    assert tablet.get("/geschiedenis").status_code == 302
    assert phone.get("/geschiedenis").status_code == 302
    assert resident  # logging in again works
    phone.post_form("/inloggen", {"username": "gerda", "password": PASSWORD})
    assert phone.get("/geschiedenis").status_code == 200


def test_a_session_without_start_time_is_not_trusted(client, make_resident):
    user = make_resident()["user"]
    with client.session_transaction() as session:
        session["_user_id"] = user  # e.g. a cookie from before the limits existed
    assert client.get("/geschiedenis").status_code == 302


def test_login_is_rate_limited_per_account_without_revealing_it_exists(app, client, make_resident):
    make_resident(username="henk")
    for _ in range(10):
        assert client.post_form("/inloggen", {"username": "henk", "password": "fout-wachtwoord"}).status_code == 400
    blocked = client.post_form("/inloggen", {"username": "henk", "password": PASSWORD})
    assert blocked.status_code == 429
    assert "te vaak geprobeerd" in blocked.get_data(as_text=True)
    for _ in range(10):
        client.post_form("/inloggen", {"username": "bestaat-niet", "password": "fout-wachtwoord"})
    unknown = client.post_form("/inloggen", {"username": "bestaat-niet", "password": "fout-wachtwoord"})
    assert unknown.status_code == 429
    assert _without_tokens(unknown) == _without_tokens(blocked)


def _without_tokens(response) -> str:
    """The page without its CSRF tokens and its request id (both differ on every request)."""
    page = re.sub(r'value="[^"]*"', "", response.get_data(as_text=True))
    return re.sub(r'<p class="request-id">.*?</p>', "", page)


def _device(app, address: str):
    device = app.test_client()
    device.environ_base["REMOTE_ADDR"] = address
    return device


def _try(device, password: str, username: str = "anna"):
    return device.post_form("/inloggen", {"username": username, "password": password})


def test_a_stranger_cannot_lock_the_owner_out(app, make_resident):
    make_resident(username="anna")
    phone = _device(app, "10.0.0.7")
    assert _try(phone, PASSWORD).status_code == 302  # anna has logged in on her phone before
    phone.post_form("/uitloggen")

    stranger = _device(app, "10.0.0.66")
    statuses = [_try(stranger, "fout-wachtwoord").status_code for _ in range(11)]
    assert statuses == [400] * 10 + [429]  # ten per account and address, then refused

    # Her own phone is not slowed down at all, from any address.
    assert _try(phone, PASSWORD).status_code == 302
    # A device she never used waits a little (growing with every wrong password), never locked.
    tablet = _device(app, "10.0.0.8")
    waiting = _try(tablet, PASSWORD)
    assert waiting.status_code == 400
    assert re.search(r"Wacht \d+ seconden? en probeer het dan opnieuw", waiting.get_data(as_text=True))
    assert tablet.get("/geschiedenis").status_code == 302


def test_the_wait_grows_with_each_wrong_password_and_then_ends(app, make_resident, monkeypatch):
    from webapp.accounts import rules

    make_resident(username="anna")
    monkeypatch.setattr(rules, "login_delay", lambda failures: 1 if failures >= 3 else 0)
    stranger = _device(app, "10.0.0.66")
    for _ in range(3):
        _try(stranger, "fout-wachtwoord")
    tablet = _device(app, "10.0.0.8")
    assert "Wacht 1 seconde en" in _try(tablet, PASSWORD).get_data(as_text=True)
    time.sleep(1.1)
    assert _try(tablet, PASSWORD).status_code == 302  # and a right password forgets the wrong ones
    assert _try(_device(app, "10.0.0.9"), PASSWORD).status_code == 302


def test_login_delay_grows_to_five_minutes():
    from webapp.accounts.rules import login_delay

    assert [login_delay(n) for n in range(1, 12)] == [0, 0, 0, 0, 2, 4, 8, 16, 32, 64, 128]
    assert login_delay(50) == 300


def test_a_forged_remembered_device_mark_is_ignored(app, make_resident):
    make_resident(username="anna")
    stranger = _device(app, "10.0.0.66")
    for _ in range(6):
        _try(stranger, "fout-wachtwoord")
    forger = _device(app, "10.0.0.67")
    forger.set_cookie("veerkracht_apparaat", "bm90LXNpZ25lZA.abc.def")
    assert "Wacht" in _try(forger, PASSWORD).get_data(as_text=True)


def test_login_is_rate_limited_per_ip(client):
    statuses = [client.post_form("/inloggen", {"username": f"naam{n}", "password": "fout-wachtwoord"}).status_code
                for n in range(31)]
    assert statuses[:30] == [400] * 30 and statuses[30] == 429


REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


WORKER = """
import sys
from webapp import create_app
from webapp.core.extensions import db
app = create_app({"SECRET_KEY": "x", "TESTING": True, "WTF_CSRF_ENABLED": False,
                  "RATELIMIT_STORAGE_URI": sys.argv[1], "RATELIMIT_KEY_PREFIX": sys.argv[2],
                  "SQLALCHEMY_DATABASE_URI": sys.argv[3],
                  "ARGON2": {"time_cost": 1, "memory_cost": 64, "parallelism": 1}})
with app.app_context():
    db.create_all()
client = app.test_client()
codes = [client.post("/inloggen", data={"username": "wie", "password": "fout-wachtwoord"}).status_code
         for _ in range(int(sys.argv[4]))]
print(",".join(map(str, codes)))
"""


def test_rate_limits_are_shared_through_redis(tmp_path):
    """Two processes (like two gunicorn workers) count login attempts in one Redis."""
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError as exc:
        if os.environ.get("CI"):
            pytest.fail(f"Redis must be reachable in CI at {REDIS_URL}: {exc}")
        pytest.skip(f"Redis is not reachable at {REDIS_URL}")
    prefix = f"veerkracht-test-{uuid.uuid4().hex[:8]}"
    database = f"sqlite:///{tmp_path / 'redis.sqlite'}"

    def worker(attempts: int) -> list[int]:
        done = subprocess.run([sys.executable, "-c", WORKER, REDIS_URL, prefix, database, str(attempts)],
                              capture_output=True, text=True, timeout=120, check=True)
        return [int(code) for code in done.stdout.strip().splitlines()[-1].split(",")]

    try:
        assert worker(5) == [400] * 5
        assert worker(6) == [400] * 5 + [429]  # the eleventh attempt, counted across processes
        keys = redis.Redis.from_url(REDIS_URL).keys(f"*{prefix}*")
        assert keys and not any(b"wie" in key for key in keys)  # no account names in Redis
    finally:
        connection = redis.Redis.from_url(REDIS_URL)
        for key in connection.scan_iter(f"*{prefix}*"):
            connection.delete(key)


@pytest.mark.parametrize("endpoint", sorted(e for e, (method, _, _) in MATRIX.items() if method == "GET"))
def test_security_headers_on_every_page(app, client, make_resident, login_as, endpoint):
    login_as(client, make_resident()["user"])
    url = MATRIX[endpoint][1].format(draft="x", checkin="x", earlier="x", relation="x", resident="x", enrolled="x",
                                     activity="x", referral="x", staff="x", wor="x", wor_new="x", wor_linked="x")
    headers = client.get(url).headers
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert "camera=()" in headers["Permissions-Policy"]
    if endpoint == "offline.service_worker":
        # The worker's code holds nothing personal; the browser must check it for updates on every load.
        assert headers["Cache-Control"] == "no-cache"
    elif endpoint != "main.healthz":
        assert headers["Cache-Control"] == "no-store"


def test_hsts_over_https_only(client):
    assert "Strict-Transport-Security" not in client.get("/").headers
    assert "max-age" in client.get("/", base_url="https://localhost").headers["Strict-Transport-Security"]


def test_after_logging_in_or_out_a_request_beside_the_page_sends_no_new_cookie(app, client, make_staff):
    """The service worker fetches /sw.js and the kept visit page beside the next page, and the last
    cookie a browser gets wins: one of those answers with the cookie from before the page added its
    form token made the second login step fail now and then. Only the pages may change the session."""
    from tests.conftest import STAFF_PASSWORD, forget_last_step, totp_code

    staff = make_staff("ouderencoach")

    def sets_cookie(path: str) -> bool:
        return any(h.startswith("session=") for h in client.get(path).headers.getlist("Set-Cookie"))

    client.get("/inloggen")
    assert client.post_form("/inloggen", {"username": staff["username"], "password": STAFF_PASSWORD}).status_code == 302
    for beside in ("/sw.js", "/bezoek-zonder-internet", "/manifest.webmanifest"):
        assert not sets_cookie(beside), beside
    assert sets_cookie("/inloggen/tweede-stap")  # the page itself adds its form token
    forget_last_step(app, staff["username"])
    done = client.post_form("/inloggen/tweede-stap", {"code": totp_code()})
    assert done.status_code == 302 and done.location == "/"
    assert not sets_cookie("/sw.js")
    assert client.post_form("/uitloggen").status_code == 302
    for beside in ("/sw.js", "/bezoek-zonder-internet"):
        assert not sets_cookie(beside), beside


def test_what_the_service_worker_fetches_never_rewrites_a_logged_in_session(app, client, make_resident, login_as):
    """Once a minute a request renews the session's "seen" time with a new cookie; the service worker's
    fetches (and static files) never do, so they cannot undo what the page beside them stored."""
    resident = make_resident()
    login_as(client, resident["user"])
    with client.session_transaction() as stored:
        stored["seen"] = time.time() - 120  # due for a new cookie
    for beside in ("/sw.js", "/manifest.webmanifest", "/bezoek-zonder-internet", "/static/app.css"):
        reply = client.get(beside)
        assert reply.status_code == 200, beside
        assert not reply.headers.getlist("Set-Cookie"), beside
    assert any(h.startswith("session=") for h in client.get("/").headers.getlist("Set-Cookie"))  # a page does


def test_the_charts_beside_a_page_never_rewrite_the_session(app, client, make_resident, make_staff, make_checkin,
                                                             kort_items, login_as):
    """A result or progress page loads its charts as images, in parallel with nothing but itself: a
    chart answered with a renewed cookie could bring back a message the page had just shown, or drop
    one it had just stored. The charts leave the cookie alone; the page renews it."""
    from tests.conftest import all_answers

    resident = make_resident()
    checkin = make_checkin(resident["resident"], all_answers(kort_items, 6))
    coach = make_staff("ouderencoach", share_with=(resident["resident"],))
    for user, chart in ((resident["user"], f"/grafiek/{checkin}.svg"),
                        (coach["user"], f"/coach/bewoner/{resident['resident']}/verloop.svg")):
        login_as(client, user)
        with client.session_transaction() as stored:
            stored["seen"] = time.time() - 120  # due for a new cookie
        reply = client.get(chart)
        assert reply.status_code == 200 and reply.mimetype == "image/svg+xml", chart
        assert not reply.headers.getlist("Set-Cookie"), chart
        assert any(h.startswith("session=") for h in client.get("/").headers.getlist("Set-Cookie"))
        client.post_form("/uitloggen")


def test_a_chart_that_finds_the_session_timed_out_still_sends_the_ended_session(
        app, client, make_resident, make_checkin, kort_items, login_as):
    """The one time a chart writes the cookie: the session timed out. The browser must then get the
    ended session (with what it leaves for the next login), not keep the old cookie."""
    from tests.conftest import all_answers

    resident = make_resident()
    checkin = make_checkin(resident["resident"], all_answers(kort_items, 6))
    login_as(client, resident["user"])
    with client.session_transaction() as stored:
        stored["seen"] = time.time() - 24 * 3600  # idle far too long
    reply = client.get(f"/grafiek/{checkin}.svg")
    assert reply.status_code == 302 and "/inloggen" in reply.location
    assert any(h.startswith("session=") for h in reply.headers.getlist("Set-Cookie"))
    with client.session_transaction() as stored:
        assert "_user_id" not in stored and "sid" not in stored
