"""Issue 14: the coach's call list on a phone: call the number, tick "gebeld" with a short note."""

import pytest
from playwright.sync_api import expect

from tests.conftest import STAFF_PASSWORD, all_answers
from tests.e2e.conftest import staff_log_in
from tests.e2e.test_checkin_browser import PHONE, assert_no_axe_violations, assert_no_horizontal_scroll

pytestmark = pytest.mark.e2e


def test_coach_records_a_number_and_ticks_called_on_a_phone(new_page, make_resident, make_checkin, make_staff,
                                                           kort_items, artifacts_dir):
    person = make_resident(username="truus")
    make_checkin(person["resident"], all_answers(kort_items, 5), days_ago=49, life_event="overlijden_naaste")
    coach = make_staff("ouderencoach", name="Coach C", share_with=(person["resident"],))
    page = new_page(viewport={"width": 1024, "height": 768}, has_touch=True)
    staff_log_in(page, coach["username"], STAFF_PASSWORD)
    page.set_viewport_size(PHONE)  # the coach goes on on a phone
    page.goto("/coach")
    call_list = page.locator("#bellijst")
    expect(call_list.get_by_text("geen telefoonnummer")).to_be_visible()
    # The number is recorded on the resident's page ...
    call_list.get_by_role("link", name="truus").click()
    page.get_by_label("Telefoonnummer", exact=True).fill("bel me")
    page.get_by_role("button", name="Nummer opslaan").click()
    expect(page.get_by_role("status").filter(has_text="Dit lijkt geen telefoonnummer")).to_be_visible()
    page.get_by_label("Telefoonnummer", exact=True).fill("06 1234 5678")
    page.get_by_role("button", name="Nummer opslaan").click()
    expect(page.get_by_role("status").filter(has_text="Het telefoonnummer is opgeslagen.")).to_be_visible()
    # ... and the call list offers it to tap, then takes the tick.
    page.goto("/coach")
    expect(call_list.get_by_role("link", name="Bel 06 1234 5678")).to_have_attribute("href", "tel:0612345678")
    call_list.get_by_label("Korte notitie (mag leeg)").fill("Komt donderdag langs")
    assert_no_axe_violations(page)
    assert_no_horizontal_scroll(page, PHONE["width"])
    call_list.get_by_role("button", name="Gebeld").click()
    expect(page.locator("#bellijst .called")).to_contain_text("Komt donderdag langs")
    expect(page.locator("#bellijst .called")).to_contain_text("Coach C")
    page.screenshot(path=artifacts_dir / "call-list-phone.png", full_page=False)


@pytest.mark.parametrize("width", [320, 390, 1024])
def test_the_caseload_shows_attention_first_and_fits(new_page, make_resident, make_checkin, make_staff, kort_items,
                                                     artifacts_dir, width):
    """Issue 19: the caseload's "Aandacht" column was off-screen at 390 px."""
    person = make_resident(username="truus")
    make_checkin(person["resident"], all_answers(kort_items, 5), days_ago=49, life_event="overlijden_naaste")
    coach = make_staff("ouderencoach", share_with=(person["resident"],))
    page = new_page(viewport={"width": 1024, "height": 768})
    staff_log_in(page, coach["username"], STAFF_PASSWORD)
    page.set_viewport_size({"width": width, "height": 844})
    page.goto("/coach")
    row = page.locator("table.caseload tbody tr").first
    attention = row.locator("td").first
    expect(attention).to_contain_text("te laat")
    box = attention.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= width, box
    assert_no_horizontal_scroll(page, width)
    assert_no_axe_violations(page)
    row.screenshot(path=artifacts_dir / f"caseload-row-{width}.png")
