"""The beheerder reads the Impact figures on a desktop, filters them and downloads the CSV."""

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import staff_log_in
from tests.e2e.test_checkin_browser import assert_no_axe_violations, assert_no_horizontal_scroll
from webapp import demo
from webapp.core.extensions import db

pytestmark = pytest.mark.e2e
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def demo_data(app):
    with app.test_request_context():
        demo.seed_demo()
        db.session.commit()


def test_beheerder_reads_filters_and_downloads_the_impact_figures(new_page, demo_data, artifacts_dir):
    page = new_page(viewport=DESKTOP)
    staff_log_in(page, "beheer", demo.DEMO_PASSWORD, demo.DEMO_TOTP_SECRET)
    page.goto("/beheer")
    page.get_by_role("link", name="Impact: cijfers over alle bewoners").click()
    expect(page.get_by_role("heading", name="Impact", level=1)).to_be_visible()
    change = page.get_by_role("table", name="Gemiddelde verandering per pijler")
    expect(change.locator("tbody tr")).to_have_count(6)
    expect(change).to_contain_text("bewoners")  # real figures: the demo has enough residents
    expect(page.get_by_role("img", name="Staafdiagram van het aantal bewoners per maand", exact=False)).to_be_visible()
    assert "Bakker" not in page.content() and "anna" not in page.content()
    assert_no_axe_violations(page)
    assert_no_horizontal_scroll(page, DESKTOP["width"])
    page.set_viewport_size(DESKTOP)
    page.screenshot(path=str(artifacts_dir / "impact-desktop.png"), full_page=True)
    charts = page.locator("figure.chart img")
    phone = "img => img.currentSrc === new URL(img.previousElementSibling.srcset, document.baseURI).href"
    chosen = f"imgs => imgs.map({phone})"
    expect(charts.first).to_have_js_property("complete", True)
    assert charts.evaluate_all(chosen) == [False, False]  # the wide drawings
    assert charts.evaluate_all("imgs => imgs.map(img => img.naturalWidth > 0)") == [True, True]  # served
    page.set_viewport_size({"width": 390, "height": 844})
    expect(charts.first).to_have_js_property("complete", True)
    page.wait_for_function(f"() => [...document.querySelectorAll('figure.chart img')].every({phone})"
                           " && [...document.querySelectorAll('figure.chart img')].every(img => img.complete)")
    assert all(box["width"] <= 390 for box in (charts.nth(n).bounding_box() for n in range(2)))
    page.screenshot(path=str(artifacts_dir / "impact-390.png"), full_page=True)
    page.set_viewport_size(DESKTOP)

    with page.expect_download() as download:
        page.get_by_role("link", name="Download deze cijfers (CSV)").click()
    with open(download.value.path(), encoding="utf-8-sig") as csv_file:
        text = csv_file.read()
    assert text.startswith("onderdeel;groep;pijler;aantal bewoners;waarde")

    # A single wijk has fewer residents per life-event: those cells (or, when the noisy count of
    # the whole wijk falls under ten, the whole view) say so instead of a number.
    page.get_by_label("Wijk", exact=True).select_option("Oosterhof")
    page.get_by_role("button", name="Toon cijfers").click()
    assert "wijk=Oosterhof" in page.url
    hidden_cells = page.get_by_role("table", name="Verandering per levensgebeurtenis").filter(
        has_text="te weinig gegevens")
    hidden_view = page.get_by_role("heading", name="te weinig gegevens", level=2)
    expect(hidden_cells.or_(hidden_view)).to_be_visible()

    # Another period: a new release, still within the month's privacy budget.
    page.get_by_label("Periode", exact=True).select_option(index=1)  # the newest year
    page.get_by_role("button", name="Toon cijfers").click()
    assert "periode=" in page.url and "wijk=Oosterhof" in page.url
    expect(page.get_by_role("heading", name="Impact", level=1)).to_be_visible()
    assert_no_axe_violations(page)
