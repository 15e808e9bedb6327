"""From the result page to 'Dit wil ik proberen' on a phone, and the catalogue pages with axe-core."""

from datetime import date

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import menu_link
from tests.e2e.test_checkin_browser import PHONE, assert_no_axe_violations, assert_no_horizontal_scroll, log_in
from webapp.core.extensions import db
from webapp.core.models import Activity

pytestmark = pytest.mark.e2e


@pytest.fixture
def catalogue(app):
    with app.app_context():
        db.session.add_all([
            Activity(name="Wandelgroep De Beemden", organisation="Welzijn Veerstad", pillars=["lichaam", "meedoen"],
                     description="Elke week samen een uur wandelen in het park. U loopt in uw eigen tempo.",
                     schedule="Dinsdag 10.00 uur", wijk="De Beemden", city="Veerstad", address="Parklaan 1",
                     wheelchair=True, last_verified_on=date.today(), organisation_phone="0180 512 345"),
            Activity(name="Eettafel Oosterhof", organisation="Buurthuis Oosterhof", pillars=["meedoen"],
                     description="Samen eten met buren, elke donderdag.", cost="bijdrage", cost_cents=450,
                     wijk="Oosterhof", last_verified_on=date.today(), how_to_join="coach"),
        ])
        db.session.commit()


def test_from_result_to_dit_wil_ik_proberen_on_a_phone(new_page, resident, make_checkin, kort_items, catalogue,
                                                       artifacts_dir):
    low_body = {item: (3 if pillar == "lichaam" else 8) for pillar, items in kort_items.items() for item in items}
    checkin = make_checkin(resident["resident"], low_body)
    page = new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    log_in(page, resident["username"])
    page.goto(f"/uitslag/{checkin}")
    suggestion = page.locator("#suggesties article").first
    expect(suggestion).to_contain_text("Wandelgroep De Beemden")
    expect(suggestion).to_contain_text("Omdat uw cijfer voor Lichaam laag is.")
    suggestion.get_by_role("button", name="Dit wil ik proberen").click()
    # Said where the page comes back to (#proberen), not at the top of a long page out of sight.
    expect(page.get_by_text("Genoteerd: Wandelgroep De Beemden.")).to_be_in_viewport()
    tries = page.locator("#proberen")
    expect(tries).to_contain_text("Stand: Wil ik proberen")
    tries.get_by_role("button", name="Ik heb me aangemeld").click()
    expect(page.locator("#proberen")).to_contain_text("Stand: Aangemeld")
    assert_no_axe_violations(page)
    assert_no_horizontal_scroll(page, PHONE["width"])
    page.screenshot(path=artifacts_dir / "result-suggestions-390.png", full_page=True)

    page.get_by_role("link", name="Wandelgroep De Beemden").first.click()
    expect(page.get_by_role("heading", name="Zo doet u mee")).to_be_visible()
    expect(page.get_by_role("link", name="0180 512 345")).to_be_visible()


def test_catalogue_pages_are_accessible(new_page, catalogue, artifacts_dir):
    page = new_page(viewport=PHONE, is_mobile=True)
    page.goto("/")
    menu_link(page, "Wat is er te doen?").click()
    expect(page.get_by_role("heading", name="Wat is er te doen?", level=1)).to_be_visible()
    expect(page.get_by_text("2 activiteiten gevonden.")).to_be_visible()
    assert_no_axe_violations(page)
    assert_no_horizontal_scroll(page, PHONE["width"])
    page.get_by_role("link", name="Wandelgroep De Beemden").click()
    expect(page.get_by_text("geschikt voor rolstoel")).to_be_visible()
    assert_no_axe_violations(page)
    assert_no_horizontal_scroll(page, PHONE["width"])
    page.screenshot(path=artifacts_dir / "activity-390.png", full_page=True)


def test_catalogue_filters_work_without_javascript(new_page, catalogue):
    page = new_page(viewport=PHONE, is_mobile=True, java_script_enabled=False)
    page.goto("/wat-is-er-te-doen")
    expect(page.get_by_text("2 activiteiten gevonden.")).to_be_visible()
    page.get_by_label("Alleen gratis").check()
    page.get_by_role("button", name="Zoek").click()
    expect(page.get_by_text("1 activiteit gevonden.")).to_be_visible()
    page.get_by_label("Zoek op een woord").fill("eten")
    page.get_by_label("Alleen gratis").uncheck()
    page.get_by_role("button", name="Zoek").click()
    expect(page.get_by_role("link", name="Eettafel Oosterhof")).to_be_visible()
