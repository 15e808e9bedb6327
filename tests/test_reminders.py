"""One next check-in date for every page, chosen by the resident or agreed at a visit, and the calendar
file with an alarm (the e-mail job: tests/test_reminder_job.py)."""

import io
import re
from datetime import date, timedelta

import pytest
from flask_babel import format_date
from icalendar import Calendar
from pypdf import PdfReader
from sqlalchemy import func, select

from tests.conftest import all_answers
from webapp.core import clock
from webapp.core.extensions import db
from webapp.core.models import AuditEvent, Checkin, Resident
from webapp.reminders import rules
from webapp.reminders.rules import Choice, Source

TODAY = date(2026, 12, 3)
JOINED = date(2026, 1, 1)


@pytest.mark.parametrize("last, event, planned, by, expected", [
    (date(2026, 10, 1), "overlijden_naaste", None, None, (date(2026, 11, 12), Source.RITME)),  # 6 weeks
    (date(2026, 10, 1), "geen", None, None, (date(2026, 12, 31), Source.RITME)),   # 13 weeks: waakvlam
    (date(2026, 10, 1), None, None, None, (date(2026, 12, 31), Source.RITME)),
    (date(2026, 10, 1), "geen", date(2027, 1, 5), "coach", (date(2027, 1, 5), Source.AFGESPROKEN)),
    (date(2026, 10, 1), "geen", date(2027, 1, 5), None, (date(2027, 1, 5), Source.AFGESPROKEN)),  # before 0016
    (date(2026, 10, 1), "geen", date(2026, 10, 15), "bewoner", (date(2026, 10, 15), Source.GEKOZEN)),
    (None, None, None, None, (date(2026, 2, 12), Source.RITME)),  # never checked in: six weeks after joining
])
def test_next_checkin_rule(last, event, planned, by, expected):
    got = rules.next_checkin(last, event, planned, by, JOINED)
    assert (got.on, got.source) == expected


@pytest.mark.parametrize("choice, own, expected", [
    (Choice.TWEE_WEKEN, None, date(2026, 12, 17)),
    (Choice.ZES_WEKEN, None, date(2027, 1, 14)),
    (Choice.DRIE_MAANDEN, None, date(2027, 3, 3)),
    (Choice.DATUM, date(2027, 2, 2), date(2027, 2, 2)),
])
def test_a_choice_stands_for_a_date(choice, own, expected):
    assert rules.chosen_date(choice, TODAY, own) == expected


def test_three_months_after_the_thirty_first_is_the_last_of_the_month():
    assert rules.add_months(date(2026, 11, 30), 3) == date(2027, 2, 28)
    assert rules.add_months(date(2027, 1, 31), 1) == date(2027, 2, 28)


@pytest.mark.parametrize("status, attempts, minutes, expected", [
    ("verzonden", 1, 999, False),
    ("mislukt", 1, 0, True),
    ("mislukt", rules.MAX_ATTEMPTS, 0, False),
    ("bezig", 1, 5, False),      # another run is sending it now
    ("bezig", 1, 31, True),      # that run died
])
def test_when_an_earlier_claim_may_be_taken_over(status, attempts, minutes, expected):
    assert rules.may_retry(status, attempts, minutes) is expected


# --- one date on every page ------------------------------------------------------------------------


def _long(app, day: date) -> str:
    with app.test_request_context():
        return format_date(day, "long")


def _today(app) -> date:
    with app.app_context():
        return clock.today()


def _dates_shown(app, resident_client, coach_client, resident: dict, checkin: str) -> dict:
    """The next check-in date as the four places show it, as text."""
    home = resident_client.get("/").get_data(as_text=True)
    coach_page = coach_client.get(f"/coach/bewoner/{resident['resident']}").get_data(as_text=True)
    caseload = coach_client.get("/coach?sorteer=volgende").get_data(as_text=True)
    pdf = resident_client.get(f"/uitslag/{checkin}/samenvatting.pdf")
    pdf_text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.data)).pages)
    return {
        "home": re.search(r'id="volgende-datum">[^:]*: ([^.<]+)\.', home).group(1).strip(),
        "coach": re.search(r'id="volgende-datum">([^<]+?) <span', coach_page).group(1).strip(),
        "caseload": caseload,
        "pdf": " ".join(pdf_text.split()),
    }


def _assert_same(app, shown: dict, expected: date) -> None:
    long = _long(app, expected)
    assert shown["home"] == long
    assert shown["coach"] == long
    with app.test_request_context():
        assert format_date(expected, "d MMM yyyy") in shown["caseload"]
    assert long in shown["pdf"]


def test_home_coach_page_caseload_and_summary_show_the_same_date(app, client, make_resident, make_staff,
                                                                  make_checkin, login_as, kort_items):
    anna = make_resident(username="anna")
    coach = make_staff(share_with=(anna["resident"],))
    checkin = make_checkin(anna["resident"], all_answers(kort_items), days_ago=10, life_event="overlijden_naaste")
    login_as(client, anna["user"])
    coach_client = app.test_client()
    login_as(coach_client, coach["user"])
    today = _today(app)
    # The default rhythm: six weeks after a life-event check-in.
    six_weeks_on = today - timedelta(days=10) + timedelta(weeks=6)
    _assert_same(app, _dates_shown(app, client, coach_client, anna, checkin), six_weeks_on)

    # The resident chooses "over 2 weken" on the result page: every place follows.
    response = client.post_form("/volgende-check-in", {"choice": "twee_weken", "next": f"/uitslag/{checkin}#volgende"})
    assert response.status_code == 302 and response.location == f"/uitslag/{checkin}#volgende"
    assert _long(app, today + timedelta(weeks=2)) in client.get(f"/uitslag/{checkin}").get_data(as_text=True)
    _assert_same(app, _dates_shown(app, client, coach_client, anna, checkin), today + timedelta(weeks=2))

    # An own date.
    own = today + timedelta(days=40)
    assert client.post_form("/volgende-check-in", {"choice": "datum", "day": own.isoformat()}).status_code == 302
    _assert_same(app, _dates_shown(app, client, coach_client, anna, checkin), own)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AuditEvent)
                                 .where(AuditEvent.action == "next_checkin.choose")) == 2


def test_a_resident_who_registers_alone_gets_a_date(app, client, make_resident, login_as, kort_items, make_checkin):
    piet = make_resident(username="piet")
    login_as(client, piet["user"])
    page = client.get("/volgende-check-in")
    assert page.status_code == 200
    assert _long(app, _today(app) + timedelta(weeks=6)) in page.get_data(as_text=True)
    refused = client.post_form("/volgende-check-in", {"choice": "twee_weken"})
    assert refused.status_code == 400 and "Doe eerst een check-in" in refused.get_data(as_text=True)
    make_checkin(piet["resident"], all_answers(kort_items), life_event="geen")
    assert _long(app, _today(app) + timedelta(weeks=13)) in client.get("/").get_data(as_text=True)  # waakvlam


@pytest.mark.parametrize("form, message", [
    ({}, "Kies wanneer u weer wilt kijken."),
    ({"choice": "elke_dag"}, "Ongeldige keuze."),
    ({"choice": "datum"}, "Vul een datum in, of kies een van de andere mogelijkheden."),
    ({"choice": "datum", "day": "volgende week"}, "Vul een geldige datum in"),
    ({"choice": "datum", "day": "2020-01-01"}, "Kies een datum na vandaag."),
    ({"choice": "datum", "day": "2031-12-01"}, "Kies een datum binnen twee jaar."),
])
def test_bad_input_changes_nothing_and_says_why(app, client, make_resident, login_as, kort_items, make_checkin,
                                               form, message):
    els = make_resident(username="els")
    make_checkin(els["resident"], all_answers(kort_items))
    login_as(client, els["user"])
    response = client.post_form("/volgende-check-in", form)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(Checkin.next_checkin_on)) is None


def test_without_a_csrf_token_nothing_is_chosen(app, client, make_resident, login_as, kort_items, make_checkin):
    els = make_resident(username="els")
    make_checkin(els["resident"], all_answers(kort_items))
    login_as(client, els["user"])
    response = client.post("/volgende-check-in", data={"choice": "twee_weken"})
    assert response.status_code == 400
    with app.app_context():
        assert db.session.scalar(select(Checkin.next_checkin_on)) is None


def test_a_coach_agreement_at_a_visit_is_the_date_until_the_next_checkin(app, make_resident, kort_items,
                                                                         make_checkin):
    anna = make_resident(username="anna")
    make_checkin(anna["resident"], all_answers(kort_items), days_ago=3)
    with app.test_request_context():
        from webapp.reminders import service as reminders
        from webapp.results import service as results

        resident = db.session.scalar(select(Resident))
        checkin = db.session.scalar(select(Checkin))
        results.save_visit(resident, checkin, {"rhythm": "waakvlam"}, clock.today())
        upcoming = reminders.next_checkin(resident)
        assert (upcoming.on, upcoming.source) == (clock.today() + timedelta(weeks=13), Source.AFGESPROKEN)
        db.session.commit()
    make_checkin(anna["resident"], all_answers(kort_items), life_event="scheiding")
    with app.test_request_context():
        upcoming = reminders.next_checkin(db.session.scalar(select(Resident)))
        assert (upcoming.on, upcoming.source) == (clock.today() + timedelta(weeks=6), Source.RITME)


# --- the calendar file ------------------------------------------------------------------------------

def test_the_calendar_file_has_the_date_an_alarm_and_no_health_data(app, client, make_resident, login_as,
                                                                    kort_items, make_checkin):
    anna = make_resident(username="anna")
    make_checkin(anna["resident"], all_answers(kort_items, 2), days_ago=10, life_event="overlijden_naaste")
    login_as(client, anna["user"])
    response = client.get("/volgende-check-in.ics")
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    assert "attachment" in response.headers["Content-Disposition"]
    calendar = Calendar.from_ical(response.data)
    event = calendar.walk("VEVENT")[0]
    assert event.decoded("dtstart") == _today(app) + timedelta(weeks=6) - timedelta(days=10)
    alarm = event.walk("VALARM")[0]
    assert str(alarm["action"]) == "DISPLAY" and alarm.decoded("trigger") == timedelta(hours=9)
    text = response.data.decode()
    assert "Het is tijd voor uw Veerkracht check-in" in text
    for private in ("anna", anna["resident"], "overlijden", "naaste", "cijfer"):
        assert private not in text.lower()
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AuditEvent)
                                 .where(AuditEvent.action == "reminder.calendar")) == 1


# --- the coach's call list --------------------------------------------------------------------------

def test_the_call_list_holds_who_is_overdue_or_due_this_week(app, client, make_resident, make_staff,
                                                               make_checkin, login_as, kort_items):
    late, soon, later = (make_resident(username=n) for n in ("laat", "binnenkort", "later"))
    coach = make_staff(share_with=(late["resident"], soon["resident"], later["resident"]))
    make_checkin(late["resident"], all_answers(kort_items), days_ago=60, life_event="scheiding")  # 18 days late
    make_checkin(soon["resident"], all_answers(kort_items), days_ago=42, life_event="scheiding")  # due today
    make_checkin(later["resident"], all_answers(kort_items), days_ago=1, life_event="scheiding")  # in 41 days
    login_as(client, coach["user"])
    page = client.get("/coach").get_data(as_text=True)
    call_list = page[page.index('id="bellijst"'):page.index("</section>", page.index('id="bellijst"'))]
    assert call_list.index("laat") < call_list.index("binnenkort")
    assert "later" not in call_list and "te laat" in call_list


def test_call_list_rule_ends_on_sunday():
    from webapp.caseload.rules import Row, call_list

    thursday = date(2026, 12, 3)

    def row(name, due):
        return Row(name, name, None, None, None, due)

    rows = [row("zondag", date(2026, 12, 6)), row("maandag", date(2026, 12, 7)), row("gisteren", date(2026, 12, 2))]
    assert [r.name for r in call_list(rows, thursday)] == ["gisteren", "zondag"]


def test_a_snoozed_reminder_moves_a_week_from_today_or_from_a_date_still_ahead():
    from webapp.reminders.rules import snoozed_date

    today = date(2026, 12, 3)
    assert snoozed_date(date(2026, 11, 20), today) == date(2026, 12, 10)  # overdue: a week from today
    assert snoozed_date(today, today) == date(2026, 12, 10)
    assert snoozed_date(date(2026, 12, 5), today) == date(2026, 12, 12)  # still ahead: a week after it
