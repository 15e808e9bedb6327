"""Searching the sociale kaart on a small phone (320 px): Dutch word forms, the wijk filter keeping
what is for everyone, nothing sticking out sideways, tap targets of at least 44 px, axe-core clean."""

from datetime import date

import pytest
from playwright.sync_api import expect

from tests.e2e.test_checkin_browser import assert_no_axe_violations, assert_no_horizontal_scroll
from webapp.core.extensions import db
from webapp.core.models import Activity

pytestmark = pytest.mark.e2e
SMALL = {"width": 320, "height": 640}


@pytest.fixture
def catalogue(app):
    with app.app_context():
        db.session.add_all([
            Activity(name="Wandelgroep De Beemden", organisation="Welzijn Veerstad", pillars=["lichaam", "meedoen"],
                     description="Elke week samen een uur wandelen in het park.", wijk="De Beemden",
                     city="Veerstad", last_verified_on=date.today(), organisation_phone="0180 512 345",
                     organisation_email="wandelgroep.debeemden.veerstad@welzijnveerstad-voorbeeld.example.nl"),
            Activity(name="Wandeling met gids", organisation="Natuurvereniging", pillars=["lichaam"],
                     description="Een wandeling door de polder.", wijk="Westkade", last_verified_on=date.today()),
            Activity(name="Telefooncirkel", organisation="Welzijn Veerstad", pillars=["meedoen"],
                     description="Elke ochtend een belletje.", location_kind="thuis", last_verified_on=date.today()),
        ])
        db.session.commit()


def _tap_sizes(page, selector: str) -> list[float]:
    return page.eval_on_selector_all(selector, "els => els.map(e => e.getBoundingClientRect().height)")


def test_search_the_catalogue_on_a_small_phone(new_page, catalogue, artifacts_dir):
    page = new_page(viewport=SMALL, is_mobile=True, has_touch=True)
    page.goto("/wat-is-er-te-doen")
    page.get_by_label("Zoek op een woord").fill("wandelen")
    page.get_by_role("button", name="Zoek").click()
    expect(page.get_by_role("status")).to_contain_text("2 activiteiten gevonden")
    expect(page.get_by_role("link", name="Wandeling met gids")).to_be_visible()
    assert_no_horizontal_scroll(page, SMALL["width"])
    assert_no_axe_violations(page)
    assert min(_tap_sizes(page, "article.activity h2 a")) >= 44
    page.screenshot(path=artifacts_dir / "catalogue-search-320.png", full_page=True)

    page.get_by_label("Zoek op een woord").fill("")
    page.get_by_label("Wijk").select_option("De Beemden")
    page.get_by_role("button", name="Zoek").click()
    expect(page.get_by_role("status")).to_contain_text("2 activiteiten gevonden")
    expect(page.get_by_text("Bij u thuis", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Wandeling met gids")).to_have_count(0)

    page.get_by_role("link", name="Wandelgroep De Beemden").click()
    assert_no_horizontal_scroll(page, SMALL["width"])
    assert_no_axe_violations(page)
    assert min(_tap_sizes(page, "a[href^='tel:'], a[href^='mailto:']")) >= 44
    page.screenshot(path=artifacts_dir / "catalogue-detail-320.png", full_page=True)
