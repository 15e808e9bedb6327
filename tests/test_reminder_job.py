"""The reminder job (`flask send-reminders`): every due e-mail once, through a real SMTP server (aiosmtpd),
also when runs overlap or the mail server is down; and only to a verified address."""

import re
import threading
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import event, select

from tests.conftest import all_answers
from tests.test_email import inbox  # noqa: F401  (the local SMTP server fixture)
from webapp.core import clock
from webapp.core.extensions import db
from webapp.core.models import AuditEvent, Checkin, ReminderSent, Resident, User
from webapp.reminders import job

LINK = "http://localhost/"


def _today(app) -> date:
    with app.app_context():
        return clock.today()


def _verify(app, username: str, email: str) -> None:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == username))
        user.email, user.email_verified_at = email, datetime.now(UTC)
        db.session.commit()


def _due_resident(app, make_resident, make_checkin, kort_items, username: str, verified: bool = True) -> dict:
    """A resident who wants e-mail reminders and whose check-in is due (a life-event seven weeks ago)."""
    person = make_resident(username=username)
    make_checkin(person["resident"], all_answers(kort_items, 1), days_ago=49, life_event="overlijden_naaste",
                 talk=(next(iter(kort_items.values()))[0],))
    if verified:
        _verify(app, username, f"{username}@example.org")
    with app.app_context():
        resident = db.session.scalar(select(Resident).where(Resident.public_id == person["resident"]))
        resident.reminder = "email"
        db.session.commit()
    return person


def test_email_reminders_need_a_verified_address(app, client, make_resident, login_as, inbox):  # noqa: F811
    kees = make_resident(username="kees")
    login_as(client, kees["user"])
    refused = client.post_form("/volgende-check-in/herinnering", {"how": "email"})
    page = refused.get_data(as_text=True)
    assert refused.status_code == 400 and "bevestigd e-mailadres" in page
    # Said at the top of the page as well, leading to the choice far below.
    assert page.index('class="error-summary"') < page.index('id="herinnering"') and 'href="#how-0"' in page
    with app.app_context():
        assert db.session.scalar(select(Resident.reminder)) == "geen"
    with app.app_context():
        user = db.session.scalar(select(User))
        user.email = "kees@example.org"  # not verified yet
        db.session.commit()
    assert client.post_form("/volgende-check-in/herinnering", {"how": "email"}).status_code == 400
    _verify(app, "kees", "kees@example.org")
    assert client.post_form("/volgende-check-in/herinnering", {"how": "email"}).status_code == 302
    with app.app_context():
        assert db.session.scalar(select(Resident.reminder)) == "email"
    assert client.post_form("/volgende-check-in/herinnering", {"how": "geen"}).status_code == 302
    with app.app_context():
        assert db.session.scalar(select(Resident.reminder)) == "geen"


def test_the_job_sends_each_due_reminder_once_without_health_data(app, make_resident, make_checkin, kort_items,
                                                                  inbox):  # noqa: F811
    _due_resident(app, make_resident, make_checkin, kort_items, "anna")
    _due_resident(app, make_resident, make_checkin, kort_items, "henk", verified=False)  # never mailed
    not_yet = make_resident(username="fatima")
    make_checkin(not_yet["resident"], all_answers(kort_items), days_ago=5, life_event="overlijden_naaste")
    _verify(app, "fatima", "fatima@example.org")
    runner = app.test_cli_runner()
    first = runner.invoke(args=["send-reminders"])
    assert first.exit_code == 0 and "1 verzonden" in first.output
    second = runner.invoke(args=["send-reminders"])
    assert second.exit_code == 0 and "0 verzonden" in second.output
    assert [m["To"] for m in inbox.messages] == ["anna@example.org"]
    message = inbox.messages[0]
    assert message["Subject"] == "Het is tijd voor uw Veerkracht check-in"
    body = message.get_payload(decode=True).decode().replace("\r\n", "\n").strip()
    greeting, link, snooze_part = body.split("\n\n")
    assert (greeting, link) == ("Het is tijd voor uw Veerkracht check-in.", "http://localhost:5000/")
    assert snooze_part.startswith("Komt het nu niet goed uit? Met deze link schuift u de check-in een week op:\n"
                                  "http://localhost:5000/herinnering/later/")
    with app.app_context():
        sent = db.session.scalar(select(ReminderSent))
        assert (sent.status, sent.attempts, sent.channel) == ("verzonden", 1, "email")


def run_at_once(app, runs: int) -> list[job.Report]:
    """The job `runs` times at the same moment, each in its own thread (as on two nodes); their reports."""
    today = _today(app)
    start = threading.Barrier(runs)
    reports, errors = [], []

    def run():
        try:
            with app.app_context():
                start.wait()
                reports.append(job.send_due(today, LINK))
                db.session.remove()
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)

    workers = [threading.Thread(target=run) for _ in range(runs)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert errors == []
    return reports


def test_two_runs_at_once_send_every_reminder_once(app, make_resident, make_checkin, kort_items, inbox):  # noqa: F811
    for n in range(6):
        _due_resident(app, make_resident, make_checkin, kort_items, f"bewoner{n}")
    reports = run_at_once(app, 3)
    assert sorted(m["To"] for m in inbox.messages) == sorted(f"bewoner{n}@example.org" for n in range(6))
    assert sum(r.counts["verzonden"] for r in reports) == 6
    assert sum(r.counts["al_gedaan"] for r in reports) == 12


def test_a_mail_server_that_is_down_is_tried_again_later_and_logs_nothing_personal(
        app, make_resident, make_checkin, kort_items, inbox, caplog):  # noqa: F811
    anna = _due_resident(app, make_resident, make_checkin, kort_items, "anna")
    port = app.config["MAIL_PORT"]
    app.config["MAIL_PORT"] = 1  # nothing listens there
    result = app.test_cli_runner().invoke(args=["send-reminders"])
    assert "1 mislukt" in result.output
    with app.app_context():
        sent = db.session.scalar(select(ReminderSent))
        assert (sent.status, sent.attempts) == ("mislukt", 1)
    for record in caplog.records:
        text = record.getMessage()
        assert "anna" not in text and anna["resident"] not in text
    app.config["MAIL_PORT"] = port
    assert "1 verzonden" in app.test_cli_runner().invoke(args=["send-reminders"]).output
    assert "0 verzonden" in app.test_cli_runner().invoke(args=["send-reminders"]).output
    assert len(inbox.messages) == 1
    with app.app_context():
        sent = db.session.scalar(select(ReminderSent))
        assert (sent.status, sent.attempts, sent.error) == ("verzonden", 2, None)


def test_a_new_date_is_a_new_reminder(app, client, make_resident, make_checkin, kort_items, login_as,
                                      inbox):  # noqa: F811
    anna = _due_resident(app, make_resident, make_checkin, kort_items, "anna")
    app.test_cli_runner().invoke(args=["send-reminders"])
    login_as(client, anna["user"])
    client.post_form("/volgende-check-in", {"choice": "twee_weken"})
    app.test_cli_runner().invoke(args=["send-reminders"])
    assert len(inbox.messages) == 1  # not due yet
    app.config["CLOCK"] = lambda: datetime.now(UTC) + timedelta(weeks=2, hours=1)
    app.test_cli_runner().invoke(args=["send-reminders"])
    app.test_cli_runner().invoke(args=["send-reminders"])
    assert len(inbox.messages) == 2


def test_without_a_mail_server_or_push_keys_the_job_says_so(app):
    key = app.config["VAPID_PRIVATE_KEY"]
    app.config["VAPID_PRIVATE_KEY"] = None
    try:
        result = app.test_cli_runner().invoke(args=["send-reminders"])
    finally:
        app.config["VAPID_PRIVATE_KEY"] = key
    assert result.exit_code != 0 and "MAIL_SERVER" in result.output and "VAPID" in result.output


def test_erasing_a_resident_removes_their_reminders(app, make_resident, make_checkin, kort_items,
                                                    inbox):  # noqa: F811
    anna = _due_resident(app, make_resident, make_checkin, kort_items, "anna")
    app.test_cli_runner().invoke(args=["send-reminders"])
    with app.test_request_context():
        from webapp.rights import service as rights

        rights.erase(db.session.scalar(select(Resident).where(Resident.public_id == anna["resident"])))
        db.session.commit()
        assert db.session.scalar(select(ReminderSent)) is None


def _mail_body(message) -> str:
    return message.get_payload(decode=True).decode().replace("\r\n", "\n")


def _snooze_path(message) -> str:
    return re.search(r"http://localhost:5000(/herinnering/later/\S+)", _mail_body(message)).group(1)


def _next_date(app, client) -> str:
    return re.search(r'id="volgende-datum">([^<]*)<', client.get("/volgende-check-in").get_data(as_text=True)).group(1)


def test_the_later_link_moves_the_check_in_a_week_once(app, client, make_resident, make_checkin, kort_items,
                                                       login_as, inbox):  # noqa: F811
    anna = _due_resident(app, make_resident, make_checkin, kort_items, "anna")
    app.test_cli_runner().invoke(args=["send-reminders"])
    path = _snooze_path(inbox.messages[0])
    visitor = app.test_client()  # the link works without logging in
    page = visitor.get(path)
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "Ja, een week later" in text and "anna" not in text
    with app.app_context():
        assert db.session.scalar(select(Checkin.next_checkin_on)) is None  # opening the link changes nothing
    done = visitor.post_form(path, {})
    assert done.status_code == 200 and "Gelukt" in done.get_data(as_text=True)
    today = _today(app)
    with app.app_context():
        latest = db.session.scalar(select(Checkin).order_by(Checkin.completed_at.desc()))
        assert (latest.next_checkin_on, latest.next_checkin_by) == (today + timedelta(weeks=1), "bewoner")
        actions = list(db.session.scalars(select(AuditEvent.action).where(AuditEvent.action.like("reminder.snooze%"))))
        assert sorted(actions) == ["reminder.snooze", "reminder.snooze_view"]
    # The same link again: the date changed since, so it moves nothing a second time.
    again = visitor.post_form(path, {})
    assert "al veranderd" in again.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(Checkin.next_checkin_on).order_by(Checkin.completed_at.desc())) \
            == today + timedelta(weeks=1)
    # The resident's own page shows the same date, and no reminder goes out before it.
    login_as(client, anna["user"])
    assert "(zelf gekozen)" in client.get("/volgende-check-in").get_data(as_text=True)
    app.test_cli_runner().invoke(args=["send-reminders"])
    assert len(inbox.messages) == 1


def _tampered(path: str, at: int) -> str:
    """The link with one character of its signature changed. Not the last one: in base64 the last
    character also carries padding bits, so some changes there decode to the same signature."""
    changed = "A" if path[at] != "A" else "B"
    return path[:at] + changed + path[at + 1:]


def test_a_changed_or_old_later_link_is_refused(app, make_resident, make_checkin, kort_items, inbox,  # noqa: F811
                                                monkeypatch):
    _due_resident(app, make_resident, make_checkin, kort_items, "anna")
    app.test_cli_runner().invoke(args=["send-reminders"])
    path = _snooze_path(inbox.messages[0])
    visitor = app.test_client()
    tampered = visitor.get(_tampered(path, -6))
    assert tampered.status_code == 400 and "Deze link werkt niet" in tampered.get_data(as_text=True)
    assert visitor.post_form(_tampered(path, -4), {}).status_code == 400
    monkeypatch.setitem(app.config, "CLOCK", lambda: datetime.now(UTC) + timedelta(days=61))
    assert visitor.get(path).status_code == 400
    with app.app_context():
        assert db.session.scalar(select(Checkin.next_checkin_on)) is None


def test_the_reminder_is_in_the_language_the_resident_chose_it_in(app, client, make_resident, make_checkin,
                                                                  kort_items, login_as, inbox):  # noqa: F811
    anna = _due_resident(app, make_resident, make_checkin, kort_items, "anna")
    login_as(client, anna["user"])
    client.post_form("/taal", {"lang": "en"})
    assert client.post_form("/volgende-check-in/herinnering", {"how": "email"}).status_code == 302
    app.test_cli_runner().invoke(args=["send-reminders"])
    message = inbox.messages[0]
    assert message["Subject"] == "It is time for your Veerkracht check-in"
    assert _mail_body(message).startswith("It is time for your Veerkracht check-in.")


def _count_statements(app, work) -> int:
    statements = []
    with app.app_context():
        engine = db.engine

        def count(*_args):
            statements.append(1)

        event.listen(engine, "before_cursor_execute", count)
        try:
            work()
        finally:
            event.remove(engine, "before_cursor_execute", count)
    return len(statements)


def test_the_job_costs_the_same_number_of_queries_for_few_and_many(app, make_resident, make_checkin, kort_items,
                                                                    inbox):  # noqa: F811
    today = _today(app)
    for n in range(3):
        _due_resident(app, make_resident, make_checkin, kort_items, f"weinig{n}")
    few = _count_statements(app, lambda: job.send_due(today, LINK))
    for n in range(30):
        _due_resident(app, make_resident, make_checkin, kort_items, f"veel{n}")
    many = _count_statements(app, lambda: job.send_due(today, LINK))
    assert len(inbox.messages) == 33
    assert few == many, (few, many)


def test_without_a_mail_server_no_e_mail_reminder_is_offered(app, client, make_resident, login_as):
    """No mail server: "Mijn account" has no e-mail address either, so the choice would lead nowhere."""
    assert not app.config.get("MAIL_SERVER")
    login_as(client, make_resident(username="truus")["user"])
    page = client.get("/volgende-check-in").get_data(as_text=True)
    assert "Een e-mail op die dag" not in page and "bevestigd e-mailadres" not in page
    assert "Zet de datum in de agenda van uw telefoon" in page


def test_an_e_mail_choice_from_before_can_still_be_undone_without_a_mail_server(app, client, make_resident,
                                                                                login_as):
    person = make_resident(username="kees")
    with app.app_context():
        db.session.scalar(select(Resident).where(Resident.public_id == person["resident"])).reminder = "email"
        db.session.commit()
    login_as(client, person["user"])
    assert 'value="geen"' in client.get("/volgende-check-in").get_data(as_text=True)
    assert client.post_form("/volgende-check-in/herinnering", {"how": "geen"}).status_code == 302
    assert "Een e-mail op die dag" not in client.get("/volgende-check-in").get_data(as_text=True)
