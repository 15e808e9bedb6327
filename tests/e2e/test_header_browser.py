"""The header on a phone: one compact row (brand and "Menu"), few tab stops before the content, a
menu that works without JavaScript, logging out apart from the links, and a focus ring that can be
seen on the dark blue; at tablet size the links in one row."""

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import open_menu
from tests.e2e.test_checkin_browser import assert_no_axe_violations, assert_no_horizontal_scroll, log_in

pytestmark = pytest.mark.e2e


def _tab_stops_before_content(page) -> int:
    """Press Tab from the top until focus is inside <main>; count the stops on the way."""
    page.evaluate("document.activeElement && document.activeElement.blur()")
    for stops in range(1, 15):
        page.keyboard.press("Tab")
        if page.evaluate("!!document.activeElement.closest('main')"):
            return stops - 1
    return 99


@pytest.mark.parametrize("width", [320, 390])
def test_the_phone_header_is_one_row_with_a_menu(new_page, resident, artifacts_dir, width):
    page = new_page(viewport={"width": width, "height": 700}, is_mobile=True, has_touch=True)
    log_in(page, resident["username"])
    page.goto("/account")
    header = page.locator("header.site-header").bounding_box()
    assert header["height"] <= 64, header
    assert _tab_stops_before_content(page) <= 3  # skip link, brand, "Menu"
    assert_no_horizontal_scroll(page, width)
    open_menu(page)
    panel = page.locator(".menu-panel")
    expect(panel.get_by_role("link", name="Mijn check-ins")).to_be_visible()
    logout = panel.get_by_role("button", name="Uitloggen")
    expect(logout).to_be_visible()
    # Logging out stands apart: below every link, not between them.
    last_link = panel.locator("nav a, nav button").last.bounding_box()
    assert logout.bounding_box()["y"] >= last_link["y"] + last_link["height"]
    assert_no_axe_violations(page)
    assert_no_horizontal_scroll(page, width)
    page.screenshot(path=artifacts_dir / f"header-menu-{width}.png")


def test_the_menu_works_without_javascript(new_page, resident):
    page = new_page(viewport={"width": 390, "height": 700}, java_script_enabled=False)
    page.goto("/inloggen")
    page.locator("details.menu > summary").click()
    expect(page.locator(".menu-panel").get_by_role("link", name="Wat is er te doen?")).to_be_visible()


def test_the_focus_ring_in_the_header_is_white(new_page, resident):
    page = new_page(viewport={"width": 390, "height": 700})
    page.goto("/inloggen")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")  # the brand
    color = page.evaluate("getComputedStyle(document.activeElement).outlineColor")
    assert color == "rgb(255, 255, 255)", color  # 11:1 on the dark blue (WCAG 2.2 wants 3:1)


def test_at_tablet_size_the_links_are_in_one_row_and_logout_at_the_end(new_page, resident):
    page = new_page(viewport={"width": 1024, "height": 768})
    log_in(page, resident["username"])
    expect(page.locator("details.menu")).to_be_hidden()
    nav = page.locator("nav.site-nav")
    expect(nav.get_by_role("link", name="Mijn account")).to_be_visible()
    logout = page.get_by_role("button", name="Uitloggen")
    assert logout.bounding_box()["x"] > nav.bounding_box()["x"] + nav.bounding_box()["width"] - 1
    header = page.locator("header.site-header").bounding_box()
    assert header["height"] <= 64
