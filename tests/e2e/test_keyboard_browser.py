"""A keyboard-only walk: log in (a wrong password first), start a check-in, skip the life-event
question: after each failed submit the focus is on the error summary, whose links lead to the field."""

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD
from tests.e2e.test_checkin_browser import assert_no_axe_violations

pytestmark = pytest.mark.e2e


def test_keyboard_only_login_and_check_in_errors_take_the_focus(new_page, resident):
    page = new_page(viewport={"width": 1024, "height": 768})
    page.goto("/inloggen")
    page.get_by_label("Gebruikersnaam", exact=True).focus()
    page.keyboard.type(resident["username"])
    page.keyboard.press("Tab")
    page.keyboard.type("een verkeerd wachtwoord")
    page.keyboard.press("Enter")
    expect(page).to_have_title("Fout: Inloggen · Veerkracht")
    expect(page.locator(".error-summary")).to_be_focused()  # waits for autofocus under load
    assert_no_axe_violations(page)
    page.keyboard.press("Tab")  # the summary's link to the password field
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#password"

    page.get_by_label("Wachtwoord", exact=True).fill(PASSWORD)
    page.get_by_label("Wachtwoord", exact=True).press("Enter")
    start = page.get_by_role("button", name="Start de check-in")
    start.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Wat is er gebeurd?")).to_be_visible()
    page.get_by_role("button", name="Volgende").focus()
    page.keyboard.press("Enter")  # nothing chosen
    expect(page).to_have_title("Fout: Wat is er gebeurd? · Veerkracht")
    expect(page.locator(".error-summary")).to_be_focused()  # waits for autofocus under load
    assert_no_axe_violations(page)
