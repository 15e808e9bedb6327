"""On a phone, the reminder page offers notifications where the browser can have them, and says plainly
when it cannot (no Push API, notifications blocked, no JavaScript). The service worker shows a pushed
reminder as a notification.

What headless Chromium cannot do here: subscribe for real. `pushManager.subscribe` asks Google's push
service (FCM) for an address, which needs the internet; the test checks that the page then says it did
not work and stores nothing. Subscribing, sending and decrypting are tested with a local push service in
tests/test_push.py; tapping a notification (notificationclick) has no browser automation here.
"""

import json

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from tests.e2e.test_checkin_browser import PHONE, assert_no_axe_violations, log_in
from webapp.core.extensions import db
from webapp.core.models import PushSubscription

pytestmark = pytest.mark.e2e

PLAIN = "Deze telefoon kan geen meldingen van Veerkracht krijgen."
NO_PUSH_API = "delete window.PushManager;"
BLOCKED = "Object.defineProperty(Notification, 'permission', { get: () => 'denied' });"


def _phone(new_page, **options):
    return new_page(viewport=PHONE, is_mobile=True, has_touch=True, **options)


def _settings(page):
    page.goto("/volgende-check-in")
    section = page.locator("#meldingen")
    expect(section.get_by_role("heading", name="Meldingen op deze telefoon")).to_be_visible()
    return section


def test_the_page_offers_notifications_where_the_browser_has_push(app, new_page, make_resident):
    make_resident(username="truus")
    phone = _phone(new_page)
    log_in(phone, "truus")
    section = _settings(phone)
    expect(section.get_by_role("button", name="Zet meldingen aan")).to_be_visible()
    expect(section.get_by_text(PLAIN)).to_be_hidden()
    assert_no_axe_violations(phone)


def test_without_push_blocked_or_without_javascript_the_page_says_so_plainly(app, new_page, make_resident):
    make_resident(username="truus")
    for name, options, script in (("no Push API", {}, NO_PUSH_API), ("blocked", {}, BLOCKED),
                                  ("no JavaScript", {"java_script_enabled": False}, None)):
        phone = _phone(new_page, **options)
        if script:
            phone.add_init_script(script)
        log_in(phone, "truus")
        section = _settings(phone)
        expect(section.get_by_text(PLAIN), name).to_be_visible()
        expect(section.get_by_role("button", name="Zet meldingen aan"), name).to_be_hidden()
        # The calendar is still offered on the same page; e-mail only with a mail server (none here).
        expect(phone.get_by_role("link", name="Zet de datum in de agenda van uw telefoon"), name).to_be_visible()
        expect(phone.get_by_label("Een e-mail op die dag"), name).to_have_count(0)
        expect(section.get_by_text("Zet de datum daarom in de agenda van uw telefoon."), name).to_be_visible()
        if name == "blocked":
            expect(section.get_by_text("Meldingen van Veerkracht staan uit in de instellingen")).to_be_visible()


def test_permission_refused_at_the_question_says_so_and_stores_nothing(app, new_page, make_resident):
    make_resident(username="truus")
    phone = _phone(new_page)
    phone.add_init_script("Notification.requestPermission = () => Promise.resolve('denied');")
    log_in(phone, "truus")
    section = _settings(phone)
    section.get_by_role("button", name="Zet meldingen aan").click()
    expect(section.get_by_text("U gaf geen toestemming voor meldingen.")).to_be_visible()
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(PushSubscription)) == 0


def test_a_subscription_the_push_service_refuses_says_so_and_stores_nothing(app, new_page, make_resident):
    make_resident(username="truus")
    phone = _phone(new_page, permissions=["notifications"])
    log_in(phone, "truus")
    section = _settings(phone)
    section.get_by_role("button", name="Zet meldingen aan").click()
    # No FCM from this machine: the browser's subscribe fails, and the page says so in plain words.
    expect(section.get_by_text("Dat lukte niet. Probeer het nog eens")).to_be_visible(timeout=30_000)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(PushSubscription)) == 0


def test_the_service_worker_shows_a_pushed_reminder_as_a_notification(app, new_page, make_resident, live_server):
    make_resident(username="truus")
    phone = _phone(new_page, permissions=["notifications"])
    log_in(phone, "truus")
    phone.evaluate("navigator.serviceWorker.ready.then(() => true)")
    cdp = phone.context.new_cdp_session(phone)
    registrations = []
    cdp.on("ServiceWorker.workerRegistrationUpdated", lambda event: registrations.extend(event["registrations"]))
    cdp.send("ServiceWorker.enable")
    phone.wait_for_timeout(200)  # the registration event arrives right after enable
    # One registration; the event may report it more than once (an update while the worker installs).
    [registration] = {r["registrationId"]: r for r in registrations
                      if r["scopeURL"] == live_server + "/" and not r["isDeleted"]}.values()
    reminder = {"title": "Veerkracht", "body": "Het is tijd voor uw Veerkracht check-in", "url": live_server + "/"}
    cdp.send("ServiceWorker.deliverPushMessage", {"origin": live_server, "registrationId":
                                                  registration["registrationId"], "data": json.dumps(reminder)})
    shown = []
    for _ in range(50):  # the worker shows it in a few milliseconds; up to 5 seconds on a busy machine
        shown = phone.evaluate("navigator.serviceWorker.ready.then(r => r.getNotifications())"
                               ".then(list => list.map(n => ({title: n.title, body: n.body, url: n.data.url})))")
        if shown:
            break
        phone.wait_for_timeout(100)
    assert shown == [reminder]
