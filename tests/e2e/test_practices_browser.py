"""The referral link of a practice without accounts: the beheerder makes a practice and reads its code once;
someone at the practice refers on a phone with that code and sees only "Verstuurd" and a reference; a
welzijnscoach finds the referral in the queue, as the practice's."""

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import STAFF_PASSWORD
from tests.e2e.conftest import staff_log_in
from tests.e2e.test_checkin_browser import PHONE, assert_no_axe_violations, assert_no_horizontal_scroll

pytestmark = pytest.mark.e2e
DESKTOP = {"width": 1280, "height": 800}


def test_a_practice_refers_with_its_code_and_the_coach_sees_it(new_page, make_staff, artifacts_dir):
    beheer = make_staff("beheerder", name="Beheer", username="beheer")
    coach = make_staff("welzijnscoach", name="Marieke Jansen", username="marieke")

    admin = new_page(viewport=DESKTOP)
    staff_log_in(admin, beheer["username"], STAFF_PASSWORD)
    admin.goto("/beheer")
    admin.get_by_role("link", name="Praktijkcodes voor verwijzen").click()
    expect(admin.get_by_role("heading", name="Praktijkcodes voor verwijzen", level=1)).to_be_visible()
    assert_no_axe_violations(admin)
    admin.get_by_label("Naam van de praktijk of het wijkteam").fill("Huisartsenpraktijk De Linde")
    admin.get_by_role("button", name="Praktijk toevoegen en code maken").click()
    code = admin.locator("#practice-code").inner_text()
    assert re.fullmatch(r"[A-Z2-9]{4}(-[A-Z2-9]{4}){3}", code)
    assert_no_axe_violations(admin)
    admin.screenshot(path=artifacts_dir / "practice-code.png", full_page=True)
    admin.get_by_role("link", name="Terug naar de praktijkcodes").click()
    expect(admin.get_by_role("row", name=re.compile("Huisartsenpraktijk De Linde"))).to_contain_text("Werkt")
    expect(admin.get_by_text(code)).to_have_count(0)  # shown once only
    # A new code stops the old one at once: a step further, not one tap (found using the app).
    expect(admin.get_by_role("button", name="Nieuwe code voor Huisartsenpraktijk De Linde")).to_be_hidden()
    admin.get_by_text("Nieuwe code voor Huisartsenpraktijk De Linde…").click()
    expect(admin.get_by_text("De oude code werkt dan meteen niet meer.")).to_be_visible()
    assert_no_axe_violations(admin)
    admin.screenshot(path=artifacts_dir / "practice-renew-step.png", full_page=True)

    # Someone at the practice, on a phone, without an account.
    phone = new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    phone.goto("/verwijzen")
    expect(phone.get_by_role("heading", name="Patiënt verwijzen naar een welzijnscoach", level=1)).to_be_visible()
    assert_no_axe_violations(phone)
    assert_no_horizontal_scroll(phone, PHONE["width"])
    phone.get_by_label("Praktijkcode").fill("ABCD-EFGH-JKMN-PQRS")
    phone.get_by_label("Naam of initialen van de patiënt").fill("mevr. T. Bakker")
    phone.get_by_label("Hoe bereikt de welzijnscoach de patiënt?").fill("06 5555 1234")
    phone.get_by_label("Waarom verwijst u? In gewone woorden").fill("Eenzaam sinds de verhuizing.")
    phone.get_by_label("De patiënt weet van deze verwijzing").check()
    phone.get_by_role("button", name="Verwijzing versturen").click()
    # A wrong code sends nothing and says so; what was typed stays, the code has to be typed again.
    expect(phone.locator("p.error", has_text="Deze praktijkcode werkt niet.")).to_be_visible()
    assert_no_axe_violations(phone)
    phone.get_by_label("Praktijkcode").fill(code.lower())
    phone.get_by_role("button", name="Verwijzing versturen").click()
    sent = phone.get_by_role("status").filter(has_text="Verstuurd. De welzijnscoach neemt contact op.")
    expect(sent).to_be_visible()
    reference = re.search(r"WOR-[A-Z2-9]{4}-[A-Z2-9]{4}", sent.inner_text()).group(0)
    body = phone.locator("main").inner_text()
    for personal in ("Bakker", "06 5555 1234", "verhuizing"):
        assert personal not in body
    expect(phone.get_by_label("Praktijkcode")).to_have_value("")
    assert_no_axe_violations(phone)
    assert_no_horizontal_scroll(phone, PHONE["width"])
    phone.screenshot(path=artifacts_dir / "practice-referral-sent-phone.png", full_page=True)

    # The welzijnscoach sees it in the queue, as the practice's, with the reference the practice can quote.
    office = new_page(viewport=DESKTOP)
    staff_log_in(office, coach["username"], STAFF_PASSWORD)
    office.get_by_role("link", name="Welzijn op Recept").first.click()
    row = office.get_by_role("row", name=re.compile("mevr. T. Bakker"))
    expect(row).to_contain_text("Huisartsenpraktijk De Linde (via praktijkcode)")
    assert_no_axe_violations(office)
    office.get_by_role("link", name="mevr. T. Bakker").click()
    expect(office.get_by_text(reference)).to_be_visible()
    expect(office.get_by_text("De praktijk leest in Veerkracht niets terug.", exact=False)).to_be_visible()
    assert_no_axe_violations(office)
