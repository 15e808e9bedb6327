"""On a phone, a resident chooses when to look again and puts the date in the phone's calendar (.ics)."""

from datetime import timedelta

import pytest
from flask_babel import format_date
from icalendar import Calendar
from playwright.sync_api import expect

from tests.conftest import all_answers
from tests.e2e.test_checkin_browser import (
    NARROW,
    PHONE,
    assert_no_axe_violations,
    assert_no_horizontal_scroll,
    log_in,
)
from webapp.core import clock

pytestmark = pytest.mark.e2e


def test_resident_chooses_a_date_and_downloads_the_calendar_file(app, new_page, make_resident, make_checkin,
                                                                   kort_items, artifacts_dir):
    me = make_resident(username="truus")
    checkin = make_checkin(me["resident"], all_answers(kort_items, 6), life_event="pensioen")
    with app.test_request_context():
        today = clock.today()
        in_six_weeks = format_date(today + timedelta(weeks=6), "long")
        own_day = today + timedelta(days=20)
        own_day_text = format_date(own_day, "long")

    phone = new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    log_in(phone, "truus")
    expect(phone.locator("#volgende-datum")).to_contain_text(in_six_weeks)

    phone.goto(f"/uitslag/{checkin}")
    section = phone.locator("#volgende")
    expect(section.get_by_role("heading", name="Wanneer wilt u weer even kijken?")).to_be_visible()
    section.get_by_label("Op een datum die ik kies").check()
    section.get_by_role("button", name="Datum opslaan").click()
    missing = "Vul een datum in, of kies een van de andere mogelijkheden."
    expect(phone.locator("p.error", has_text=missing)).to_be_visible()
    assert_no_axe_violations(phone)

    phone.get_by_label("Op een datum die ik kies").check()
    phone.get_by_label("Datum", exact=True).fill(own_day.isoformat())
    phone.get_by_role("button", name="Datum opslaan").click()
    expect(phone.get_by_text(f"Uw volgende check-in is op {own_day_text}.")).to_be_visible()
    assert f"/uitslag/{checkin}" in phone.url

    phone.get_by_role("link", name="Herinnering instellen of in uw agenda zetten").click()
    expect(phone.get_by_role("heading", name="Volgende check-in", level=1)).to_be_visible()
    assert_no_axe_violations(phone)
    assert_no_horizontal_scroll(phone, NARROW)
    phone.set_viewport_size(PHONE)
    phone.screenshot(path=artifacts_dir / "next-checkin-phone.png", full_page=True)
    with phone.expect_download() as download:
        phone.get_by_role("link", name="Zet de datum in de agenda van uw telefoon").click()
    assert download.value.suggested_filename == "veerkracht-check-in.ics"
    with open(download.value.path(), "rb") as ics:
        event = Calendar.from_ical(ics.read()).walk("VEVENT")[0]
    assert event.decoded("dtstart") == own_day
    assert event.walk("VALARM")
