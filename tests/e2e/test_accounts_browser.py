"""A resident who forgot the password: the coach prints a reset code, the resident sets a new one on a phone;
the beheerder blocks a coach who leaves."""

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import STAFF_PASSWORD
from tests.e2e.conftest import menu_link, printed_code, staff_log_in
from tests.e2e.test_checkin_browser import PHONE, assert_no_axe_violations, assert_no_horizontal_scroll

pytestmark = pytest.mark.e2e
TABLET = {"width": 1024, "height": 768}
DESKTOP = {"width": 1280, "height": 800}


def _log_in(page, username: str, password: str) -> None:
    page.goto("/inloggen")
    page.get_by_label("Gebruikersnaam", exact=True).fill(username)
    page.get_by_label("Wachtwoord", exact=True).fill(password)
    page.get_by_role("button", name="Inloggen", exact=True).click()


def test_reset_by_a_printed_code_on_a_phone(new_page, make_resident, make_staff, artifacts_dir):
    resident = make_resident(username="gerrit")
    make_staff("ouderencoach", username="ineke", name="Ineke de Boer", share_with=(resident["resident"],))

    tablet = new_page(viewport=TABLET, has_touch=True)
    staff_log_in(tablet, "ineke", STAFF_PASSWORD)
    tablet.goto(f"/coach/bewoner/{resident['resident']}")
    code = printed_code(tablet, "Herstelcode maken (wachtwoord vergeten)", artifacts_dir / "reset-code-tablet.png")

    phone = new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    phone.goto("/inloggen")
    phone.get_by_role("link", name="Wachtwoord vergeten?").click()
    expect(phone.get_by_role("heading", name="Nieuw wachtwoord kiezen", level=1)).to_be_visible()
    phone.get_by_label("Uw herstelcode").fill("AAAA-BBBB-CCCC")
    phone.get_by_label("Kies een wachtwoord").fill("mijn nieuwe lange wachtwoord")
    phone.get_by_label("Typ het wachtwoord nog een keer").fill("mijn nieuwe lange wachtwoord")
    phone.get_by_role("button", name="Nieuw wachtwoord opslaan").click()
    expect(phone.locator("p.error", has_text="Deze code klopt niet, is al gebruikt of is verlopen.")).to_be_visible()
    assert_no_axe_violations(phone)

    phone.get_by_label("Uw herstelcode").fill(code.lower().replace("-", " "))
    phone.get_by_label("Kies een wachtwoord").fill("mijn nieuwe lange wachtwoord")
    phone.get_by_label("Typ het wachtwoord nog een keer").fill("mijn nieuwe lange wachtwoord")
    assert_no_horizontal_scroll(phone, PHONE["width"])
    phone.screenshot(path=artifacts_dir / "reset-password-phone.png", full_page=True)
    phone.get_by_role("button", name="Nieuw wachtwoord opslaan").click()
    expect(phone.get_by_text("Uw nieuwe wachtwoord is opgeslagen.")).to_be_visible()

    again = new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    _log_in(again, "gerrit", "mijn nieuwe lange wachtwoord")
    expect(again.get_by_role("heading", name="Hoe gaat het met u?", level=1)).to_be_visible()
    expect(menu_link(again, "Mijn check-ins")).to_be_visible()


def test_the_beheerder_blocks_a_coach_who_leaves(new_page, make_staff):
    make_staff("beheerder", username="beheer", name="Beheer")
    make_staff("welzijnscoach", username="vertrekt", name="Karin Vertrek")
    coach = new_page(viewport=DESKTOP)
    staff_log_in(coach, "vertrekt", STAFF_PASSWORD)
    expect(coach.get_by_role("link", name="Mijn bewoners", exact=True)).to_be_visible()

    admin = new_page(viewport=DESKTOP)
    staff_log_in(admin, "beheer", STAFF_PASSWORD)
    admin.goto("/beheer")
    admin.get_by_role("link", name="Karin Vertrek").click()
    assert_no_axe_violations(admin)
    expect(admin.get_by_role("button", name="Account blokkeren")).to_be_hidden()  # not one tap away
    admin.get_by_text("Account blokkeren…").click()
    admin.get_by_role("button", name="Account blokkeren").click()
    expect(admin.get_by_text("Het account van Karin Vertrek is geblokkeerd.")).to_be_visible()
    assert_no_axe_violations(admin)

    coach.goto("/coach")
    expect(coach.get_by_role("heading", name="Inloggen", level=1)).to_be_visible()


def test_a_new_coach_sets_up_the_second_factor_and_logs_in_with_it(new_page, make_staff, app, artifacts_dir):
    import pyotp
    from sqlalchemy import select

    from webapp.core.extensions import db
    from webapp.core.models import User

    make_staff("welzijnscoach", username="sanne", name="Sanne Bakker", totp=False)
    page = new_page(viewport=DESKTOP)
    page.goto("/inloggen")
    page.get_by_label("Gebruikersnaam", exact=True).fill("sanne")
    page.get_by_label("Wachtwoord", exact=True).fill(STAFF_PASSWORD)
    page.get_by_role("button", name="Inloggen", exact=True).click()
    expect(page.get_by_role("heading", name="Tweede stap instellen", level=1)).to_be_visible()
    expect(page.get_by_role("img", name=re.compile("QR-code"))).to_be_visible()
    assert_no_axe_violations(page)
    page.screenshot(path=artifacts_dir / "second-factor-setup-desktop.png", full_page=True)
    secret = "".join(page.locator("strong.code").inner_text().split())

    page.get_by_label("Code uit de app").fill("000000")
    page.get_by_role("button", name="Instellen en inloggen").click()
    expect(page.locator("p.error", has_text="Deze code klopt niet.")).to_be_visible()
    assert_no_axe_violations(page)
    page.get_by_label("Code uit de app").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Instellen en inloggen").click()
    expect(page.get_by_role("heading", name="Uw herstelcodes", level=1)).to_be_visible()
    expect(page.locator("ul.codes li")).to_have_count(10)
    assert_no_axe_violations(page)
    page.get_by_role("link", name="Verder").click()
    page.get_by_role("button", name="Uitloggen").click()
    expect(page.get_by_role("status").filter(has_text="uitgelogd")).to_be_visible()  # the offline script wipes first

    with app.app_context():  # a later moment: the code just used is no longer the newest
        db.session.scalar(select(User).where(User.username == "sanne")).totp_last_step = None
        db.session.commit()
    page.goto("/inloggen")
    page.get_by_label("Gebruikersnaam", exact=True).fill("sanne")
    page.get_by_label("Wachtwoord", exact=True).fill(STAFF_PASSWORD)
    page.get_by_role("button", name="Inloggen", exact=True).click()
    expect(page.get_by_role("heading", name="Tweede stap", level=1, exact=True)).to_be_visible()
    assert_no_axe_violations(page)
    page.get_by_label("Code uit de app").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Inloggen", exact=True).click()
    page.goto("/coach")
    expect(page.get_by_role("heading", name="Wie heeft nu aandacht nodig?", level=1)).to_be_visible()
