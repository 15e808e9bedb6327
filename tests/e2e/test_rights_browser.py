"""A resident downloads their data and erases their account on a phone; a coach erases an enrolled resident."""

import json

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD
from tests.e2e.conftest import menu_link, staff_log_in
from tests.e2e.test_checkin_browser import (
    NARROW,
    PHONE,
    assert_no_axe_violations,
    assert_no_horizontal_scroll,
    log_in,
)
from webapp.accounts import service as people
from webapp.core.extensions import db

pytestmark = pytest.mark.e2e
TABLET = {"width": 1024, "height": 768}


def test_resident_downloads_their_data_and_then_erases_the_account(new_page, make_resident, make_checkin,
                                                                     kort_items, artifacts_dir):
    from tests.conftest import all_answers

    me = make_resident(username="greet")
    make_checkin(me["resident"], all_answers(kort_items, 5), days_ago=40, life_event="pensioen")
    make_checkin(me["resident"], all_answers(kort_items, 7))
    phone = new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    log_in(phone, "greet")
    menu_link(phone, "Mijn account").click()
    grouped = " ".join(me["resident"][i:i + 4] for i in range(0, len(me["resident"]), 4))
    expect(phone.get_by_text(f"Uw bewonernummer: {grouped}", exact=False)).to_be_visible()
    assert_no_axe_violations(phone)
    assert_no_horizontal_scroll(phone, NARROW)
    phone.set_viewport_size(PHONE)

    with phone.expect_download() as pdf:
        phone.get_by_role("link", name="Mijn gegevens downloaden om te lezen of te printen (PDF)").click()
    with open(pdf.value.path(), "rb") as pdf_file:
        assert pdf_file.read(5) == b"%PDF-"
    with phone.expect_download() as raw:
        phone.get_by_role("link", name="Mijn gegevens downloaden als bestand voor de computer (JSON)").click()
    with open(raw.value.path(), encoding="utf-8") as json_file:
        data = json.load(json_file)
    assert data["profile"]["username"] == "greet" and len(data["checkins"]) == 2
    assert len(data["fhir"]["entry"]) == 5  # life-event CodeSystem and ValueSet, the short form, two responses

    phone.get_by_role("link", name="Account verwijderen").click()
    expect(phone.get_by_role("heading", name="Account verwijderen", level=1)).to_be_visible()
    assert_no_axe_violations(phone)
    phone.get_by_label("Uw wachtwoord").fill(PASSWORD)
    phone.get_by_role("button", name="Alles verwijderen").click()
    unticked = "Vink dit aan als u zeker weet dat u alles wilt verwijderen."
    expect(phone.locator("p.error", has_text=unticked)).to_be_visible()
    phone.get_by_label("Ja, verwijder mijn account en al mijn gegevens", exact=False).check()
    phone.get_by_label("Uw wachtwoord").fill(PASSWORD)
    phone.screenshot(path=artifacts_dir / "erase-phone.png", full_page=True)
    phone.get_by_role("button", name="Alles verwijderen").click()
    expect(phone.get_by_text("Uw account en al uw gegevens zijn verwijderd.")).to_be_visible()

    phone.goto("/inloggen")
    phone.get_by_label("Gebruikersnaam", exact=True).fill("greet")
    phone.get_by_label("Wachtwoord", exact=True).fill(PASSWORD)
    phone.get_by_role("button", name="Inloggen", exact=True).click()
    expect(phone.get_by_role("heading", name="Hoe gaat het met u?", level=1)).to_have_count(0)


def test_coach_erases_an_enrolled_resident_on_request(app, new_page):
    from datetime import date

    with app.test_request_context():
        coach = people.create_staff("coach-k", "coach-k-wachtwoord", ["ouderencoach"], "Coach K")
        resident = people.enrol_resident(coach, "dhr. P. Smit", 1938, "Centrum", date(2026, 11, 2), "mondeling")
        db.session.commit()
        resident_id = resident.public_id
    tablet = new_page(viewport=TABLET, has_touch=True)
    staff_log_in(tablet, "coach-k", "coach-k-wachtwoord")
    tablet.goto(f"/coach/bewoner/{resident_id}")
    tablet.get_by_role("link", name="Alle gegevens verwijderen, op verzoek van de bewoner").click()
    expect(tablet.get_by_role("heading", name="Alle gegevens van dhr. P. Smit verwijderen", level=1)).to_be_visible()
    assert_no_axe_violations(tablet)
    tablet.get_by_label("De bewoner heeft mij gevraagd alles te verwijderen", exact=False).check()
    tablet.get_by_label("Uw eigen wachtwoord").fill("coach-k-wachtwoord")
    tablet.get_by_role("button", name="Alles verwijderen").click()
    expect(tablet.get_by_text("Alle gegevens van deze bewoner zijn verwijderd.")).to_be_visible()
    expect(tablet.get_by_text("dhr. P. Smit")).to_have_count(0)
