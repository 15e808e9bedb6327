"""A coach enrols a resident on a tablet; the resident activates their own account on a phone."""


import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import menu_link, printed_code, staff_log_in
from tests.e2e.test_checkin_browser import PHONE, assert_no_axe_violations, assert_no_horizontal_scroll
from webapp.accounts import service as people
from webapp.core.extensions import db

pytestmark = pytest.mark.e2e
TABLET = {"width": 1024, "height": 768}
COACH_PASSWORD = "coach-wachtwoord-lang"


@pytest.fixture
def coach(app):
    with app.test_request_context():
        user = people.create_staff("marieke", COACH_PASSWORD, ["ouderencoach"], "Marieke Jansen", "Welzijn Zuid")
        db.session.commit()
        return user.username


def test_coach_enrols_on_a_tablet_and_resident_activates_on_a_phone(new_page, coach, artifacts_dir):
    tablet = new_page(viewport=TABLET, has_touch=True)
    staff_log_in(tablet, coach, COACH_PASSWORD)
    tablet.get_by_role("link", name="Naar mijn bewoners").click()
    expect(tablet.get_by_role("heading", name="Wie heeft nu aandacht nodig?", level=1)).to_be_visible()
    tablet.get_by_role("link", name="Bewoner inschrijven").click()

    tablet.get_by_label("Naam of initialen").fill("mevr. J. de V.")
    tablet.get_by_label("Geboortejaar").fill("1944")
    tablet.get_by_label("Wijk").fill("Oosterflank")
    tablet.get_by_label("Mondeling").check()
    tablet.get_by_label("Datum van de toestemming").fill("2026-11-20")
    tablet.get_by_label("Ik heb uitgelegd wat Veerkracht bewaart").check()
    assert_no_axe_violations(tablet)
    tablet.get_by_role("button", name="Inschrijven").click()
    expect(tablet.get_by_text("De bewoner is ingeschreven.")).to_be_visible()
    expect(tablet.get_by_role("heading", name="mevr. J. de V.", level=1)).to_be_visible()

    code = printed_code(tablet, "Activeringscode maken", artifacts_dir / "activation-code-tablet.png")

    phone = new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    phone.goto("/")
    phone.get_by_role("link", name="Account activeren met een code van uw coach").click()
    phone.get_by_label("Uw activeringscode").fill(code.lower())
    phone.get_by_label("Kies een gebruikersnaam").fill("jdevries")
    phone.get_by_label("Kies een wachtwoord").fill("mijn eigen lange wachtwoord")
    phone.get_by_label("Typ het wachtwoord nog een keer").fill("mijn eigen lange wachtwoord")
    assert_no_horizontal_scroll(phone, PHONE["width"])
    phone.get_by_role("button", name="Account activeren").click()
    expect(phone.get_by_text("Uw account is klaar.")).to_be_visible()
    expect(phone.get_by_role("heading", name="Hoe gaat het met u?", level=1)).to_be_visible()

    # The resident sees their coach and who looked at their data.
    menu_link(phone, "Mijn account").click()
    expect(phone.get_by_text("Marieke Jansen", exact=True)).to_be_visible()
    phone.get_by_role("link", name="Bekijk wie wanneer uw gegevens heeft bekeken").click()
    expect(phone.get_by_role("cell", name="Ingeschreven door een coach")).to_be_visible()
    assert_no_axe_violations(phone)
    assert_no_horizontal_scroll(phone, PHONE["width"])

    # The coach sees the account is now active.
    tablet.get_by_role("link", name="Terug naar deze bewoner").click()
    expect(tablet.get_by_text("Ja, de bewoner logt zelf in.")).to_be_visible()
