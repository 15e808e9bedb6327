"""A resident adds a passkey on a phone and logs in with it, using Chromium's virtual authenticator
(it answers as a phone with a fingerprint reader would)."""

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD
from tests.e2e.conftest import log_out, menu_link
from tests.e2e.test_checkin_browser import PHONE, assert_no_axe_violations, assert_no_horizontal_scroll

pytestmark = pytest.mark.e2e
ANDROID = ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
           "Chrome/156.0 Mobile Safari/537.36")


def _phone_with_fingerprint(new_page, live_server):
    # Passkeys need a domain name, not an IP address: the same server, reached as localhost.
    page = new_page(viewport=PHONE, is_mobile=True, has_touch=True, user_agent=ANDROID,
                    base_url=live_server.replace("127.0.0.1", "localhost"))
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send("WebAuthn.addVirtualAuthenticator", {"options": {
        "protocol": "ctap2", "transport": "internal", "hasResidentKey": True, "hasUserVerification": True,
        "isUserVerified": True, "automaticPresenceSimulation": True}})
    return page


def test_a_resident_adds_a_passkey_and_logs_in_with_a_fingerprint(new_page, live_server, make_resident,
                                                                  artifacts_dir):
    make_resident(username="gerda")
    phone = _phone_with_fingerprint(new_page, live_server)
    phone.goto("/inloggen")
    phone.get_by_label("Gebruikersnaam", exact=True).fill("gerda")
    phone.get_by_label("Wachtwoord", exact=True).fill(PASSWORD)
    phone.get_by_role("button", name="Inloggen", exact=True).click()
    expect(phone.get_by_role("heading", name="Hoe gaat het met u?", level=1)).to_be_visible()
    menu_link(phone, "Mijn account").click()
    phone.get_by_role("link", name="Inloggen met vingerafdruk of gezicht (inlogsleutel)").click()
    expect(phone.get_by_role("heading", name="Inloggen met uw vingerafdruk of gezicht", level=1)).to_be_visible()
    expect(phone.get_by_text("kan geen inlogsleutel maken")).to_be_hidden()

    phone.get_by_label("Typ eerst uw wachtwoord").fill("niet goed")
    phone.get_by_role("button", name="Inlogsleutel maken").click()
    expect(phone.get_by_role("status").filter(has_text="Dit wachtwoord klopt niet.")).to_be_visible()
    phone.get_by_label("Typ eerst uw wachtwoord").fill(PASSWORD)
    phone.get_by_role("button", name="Inlogsleutel maken").click()
    expect(phone.get_by_text("Uw inlogsleutel is toegevoegd.")).to_be_visible()
    expect(phone.get_by_text("Inlogsleutel op Android")).to_be_visible()
    assert_no_axe_violations(phone)
    assert_no_horizontal_scroll(phone, PHONE["width"])
    phone.screenshot(path=artifacts_dir / "passkeys-phone.png", full_page=True)

    log_out(phone)
    phone.goto("/inloggen")
    login = phone.get_by_role("button", name="Inloggen met inlogsleutel")
    expect(login).to_be_visible()
    assert_no_axe_violations(phone)
    phone.screenshot(path=artifacts_dir / "login-passkey-phone.png", full_page=True)
    login.click()  # the script moves to the home page once the server accepted the passkey
    expect(phone.get_by_role("heading", name="Hoe gaat het met u?", level=1)).to_be_visible()
    expect(menu_link(phone, "Mijn check-ins")).to_be_visible()


def test_without_javascript_the_login_page_has_no_passkey_button(new_page):
    page = new_page(viewport=PHONE, java_script_enabled=False)
    page.goto("/inloggen")
    expect(page.get_by_role("button", name="Inloggen", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Inloggen met inlogsleutel")).to_be_hidden()
