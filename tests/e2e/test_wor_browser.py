"""Welzijn op Recept across three roles: the beheerder makes a verwijzer, who refers a patient in a
minute at the practice desktop; the welzijnscoach picks it up, enrols and closes it in a few taps; the
verwijzer hears back, in words, and downloads the feedback as a PDF; the beheerder sees the estimate."""

from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.conftest import STAFF_PASSWORD
from tests.e2e.conftest import staff_log_in
from tests.e2e.test_checkin_browser import assert_no_axe_violations

pytestmark = pytest.mark.e2e
DESKTOP = {"width": 1280, "height": 800}
VERWIJZER_PASSWORD = "praktijk-wachtwoord-lang"


def test_a_referral_from_the_practice_to_feedback(new_page, make_staff, artifacts_dir):
    beheer = make_staff("beheerder", name="Beheer", username="beheer")
    coach = make_staff("welzijnscoach", name="Marieke Jansen", username="marieke")

    admin = new_page(viewport=DESKTOP)
    staff_log_in(admin, beheer["username"], STAFF_PASSWORD)
    admin.goto("/beheer/medewerker-nieuw")
    admin.get_by_label("Gebruikersnaam").fill("dokter-bos")
    admin.get_by_label("Naam", exact=True).fill("Dokter Bos")
    admin.get_by_label("Organisatie").fill("Praktijk De Linde")
    admin.get_by_label("Verwijzer (huisarts, POH, verpleegkundige)").check()
    admin.get_by_label("Eerste wachtwoord").fill(VERWIJZER_PASSWORD)
    admin.get_by_label("Typ het wachtwoord nog een keer").fill(VERWIJZER_PASSWORD)
    admin.get_by_role("button", name="Account maken").click()
    expect(admin.get_by_text("Het account is gemaakt.")).to_be_visible()

    # The verwijzer's first login sets up the second factor; then the one-minute referral.
    gp = new_page(viewport=DESKTOP)
    staff_log_in(gp, "dokter-bos", VERWIJZER_PASSWORD)
    gp.goto("/")
    gp.get_by_role("link", name="Patiënt verwijzen").click()
    expect(gp.get_by_role("heading", name="Patiënt verwijzen naar een welzijnscoach", level=1)).to_be_visible()
    assert_no_axe_violations(gp)
    gp.get_by_label("Naam of initialen van de patiënt").fill("mevr. J. de Vries")
    gp.get_by_label("Hoe bereikt de welzijnscoach de patiënt?").fill("06 1234 5678")
    gp.get_by_label("Waarom verwijst u? In gewone woorden").fill("Sinds het overlijden van haar man eenzaam.")
    gp.get_by_label("Is er iets ingrijpends gebeurd?").select_option("overlijden_naaste")
    gp.get_by_label("Graag snel").check()
    gp.get_by_role("button", name="Verwijzing versturen").click()
    # Without the patient's agreement nothing is sent, with a clear message.
    expect(gp.locator("p.error", has_text="Verwijs alleen als de patiënt dat goed vindt.")).to_be_visible()
    assert_no_axe_violations(gp)
    gp.get_by_label("De patiënt weet van deze verwijzing").check()
    gp.get_by_role("button", name="Verwijzing versturen").click()
    expect(gp.get_by_text("Uw verwijzing is verstuurd.")).to_be_visible()
    expect(gp.get_by_role("row", name="mevr. J. de Vries")).to_contain_text("Ontvangen")
    assert_no_axe_violations(gp)
    gp.screenshot(path=artifacts_dir / "wor-verwijzer-desktop.png", full_page=True)

    # The welzijnscoach's queue, pick-up, a first conversation that enrols.
    office = new_page(viewport=DESKTOP)
    staff_log_in(office, coach["username"], STAFF_PASSWORD)
    office.get_by_role("link", name="Welzijn op Recept").first.click()
    expect(office.get_by_role("row", name="mevr. J. de Vries")).to_contain_text("sinds vandaag")
    assert_no_axe_violations(office)
    office.get_by_role("link", name="mevr. J. de Vries").click()
    office.get_by_role("button", name="Deze verwijzing oppakken").click()
    office.get_by_label("Gesproken").check()
    office.get_by_role("button", name="Contact noteren").click()
    expect(office.get_by_text("Het contact is genoteerd.")).to_be_visible()
    assert_no_axe_violations(office)
    # Each fact's name stands beside its own value, one fact per line (they ran together in one line).
    names, values = office.locator("dl.facts dt"), office.locator("dl.facts dd")
    assert abs(names.first.bounding_box()["y"] - values.first.bounding_box()["y"]) < 2
    assert names.nth(1).bounding_box()["y"] >= values.first.bounding_box()["y"] + values.first.bounding_box()["height"]
    # Both forms have a note: tapping one's label writes in that form, not the other.
    office.get_by_text("Toelichting voor collega's (niet verplicht").click()
    assert office.evaluate("document.activeElement.form.getAttribute('action')").endswith("/niet-gestart")
    office.set_viewport_size({"width": 390, "height": 844})
    office.screenshot(path=artifacts_dir / "wor-coach-referral-phone.png", full_page=True)
    office.set_viewport_size(DESKTOP)
    office.get_by_role("link", name="Bewoner inschrijven").click()
    office.get_by_label("Mondeling").check()
    office.get_by_label("Datum van de toestemming").fill(date.today().isoformat())
    office.get_by_label("Ik heb uitgelegd wat Veerkracht bewaart").check()
    office.get_by_label("Hoe ver de begeleiding is, of het beter gaat, welke activiteiten gekozen zijn, "
                        "en een korte notitie").check()
    assert_no_axe_violations(office)
    office.get_by_role("button", name="Inschrijven en koppelen").click()
    expect(office.get_by_role("heading", name="mevr. J. de Vries", level=1)).to_be_visible()
    office.go_back()
    office.goto("/coach/welzijn-op-recept")
    office.get_by_role("link", name="mevr. J. de Vries").click()
    office.get_by_label("Korte notitie voor de verwijzer").fill("Gaat naar de wandelgroep op dinsdag.")
    office.get_by_role("button", name="Notitie opslaan").click()
    expect(office.get_by_text("De notitie voor de verwijzer is opgeslagen.")).to_be_visible()

    # The verwijzer hears back what the resident agreed to, nothing more.
    gp.goto("/verwijzer")
    row = gp.get_by_role("row", name="mevr. J. de Vries")
    expect(row).to_contain_text("In begeleiding")
    expect(row).to_contain_text("Gaat naar de wandelgroep op dinsdag.")
    assert_no_axe_violations(gp)

    expect(row).to_contain_text("Ja, gestart")

    # The coach closes in a few taps; a wrong number of hours changes nothing and says why.
    office.reload()
    close = office.locator("section", has=office.get_by_role("heading", name="Begeleiding afronden"))
    close.get_by_label("Beter", exact=True).check()
    close.get_by_label("Hoeveel uur begeleiding was het, ongeveer?").fill("250")
    close.get_by_label("Consulten bij de huisarts").check()
    close.get_by_label("Gesprekken bij de POH-GGZ").check()
    close.get_by_role("button", name="Begeleiding afronden").click()
    expect(office.locator("p.error", has_text="Vul het aantal uren in als heel getal, van 0 tot en met 200.")
           ).to_be_visible()
    assert_no_axe_violations(office)
    close = office.locator("section", has=office.get_by_role("heading", name="Begeleiding afronden"))
    expect(close.get_by_label("Consulten bij de huisarts")).to_be_checked()  # the taps are kept
    close.get_by_label("Hoeveel uur begeleiding was het, ongeveer?").fill("12")
    close.get_by_role("button", name="Begeleiding afronden").click()
    expect(office.get_by_text("De begeleiding is afgerond.")).to_be_visible()
    office.screenshot(path=artifacts_dir / "wor-coach-afgerond-desktop.png", full_page=True)

    # The verwijzer reads the close in words (never the hours) and downloads the one-page PDF.
    gp.goto("/verwijzer")
    row = gp.get_by_role("row", name="mevr. J. de Vries")
    expect(row).to_contain_text("Afgerond")
    expect(row).to_contain_text("Gaat het beter? Beter")
    expect(row).not_to_contain_text("12")
    assert_no_axe_violations(gp)
    with gp.expect_download() as download:
        row.get_by_role("link", name="PDF terugkoppeling van mevr. J. de Vries").click()
    pdf = download.value
    assert pdf.suggested_filename == "terugkoppeling-welzijn-op-recept.pdf"
    assert Path(pdf.path()).read_bytes()[:5] == b"%PDF-"
    with gp.expect_download() as download:
        row.get_by_role("link", name="FHIR terugkoppeling van mevr. J. de Vries").click()
    assert b'"ServiceRequest"' in Path(download.value.path()).read_bytes()

    # The beheerder reaches the estimate from Impact; one closed case is a group too small to show.
    admin.goto("/beheer/impact")
    admin.get_by_role("link", name="Rendementsmeter: wat Welzijn op Recept mogelijk bespaarde (schatting)").click()
    expect(admin.get_by_role("heading", name="Rendementsmeter (schatting)", level=1)).to_be_visible()
    expect(admin.get_by_role("row", name="Praktijk De Linde")).to_contain_text("te weinig gegevens")
    assert_no_axe_violations(admin)


PHONE = {"width": 390, "height": 844}


def test_a_referral_for_someone_the_coach_already_follows_is_linked_not_enrolled_again(new_page, make_staff, app):
    from sqlalchemy import func, select

    from tests.e2e.conftest import menu_link
    from webapp.accounts import service as accounts
    from webapp.core.extensions import db
    from webapp.core.models import Resident, User

    gp_account = make_staff("verwijzer", name="Dokter Bos", username="dokter-bos")
    coach = make_staff("welzijnscoach", name="Marieke Jansen", username="marieke")
    with app.test_request_context():
        marieke = db.session.scalar(select(User).where(User.public_id == coach["user"]))
        accounts.enrol_resident(marieke, "Johanna de Vries", 1948, "Oosterhof", date(2026, 10, 1), "mondeling")
        db.session.commit()

    gp = new_page(viewport=DESKTOP)
    staff_log_in(gp, gp_account["username"], STAFF_PASSWORD)
    gp.goto("/verwijzer/nieuw")
    gp.get_by_label("Naam of initialen van de patiënt").fill("mevr. J. de Vries")
    gp.get_by_label("Hoe bereikt de welzijnscoach de patiënt?").fill("06 1234 5678")
    gp.get_by_label("Waarom verwijst u? In gewone woorden").fill("Eenzaam sinds de verhuizing.")
    gp.get_by_label("De patiënt weet van deze verwijzing").check()
    gp.get_by_role("button", name="Verwijzing versturen").click()
    expect(gp.get_by_text("Uw verwijzing is verstuurd.")).to_be_visible()

    # On the coach's phone: the person is already followed by this coach, so the referral is linked.
    phone = new_page(viewport=DESKTOP)
    staff_log_in(phone, coach["username"], STAFF_PASSWORD)  # the helper waits for the desktop header
    phone.set_viewport_size(PHONE)
    phone.reload()
    menu_link(phone, "Welzijn op Recept").click()
    phone.get_by_role("link", name="mevr. J. de Vries").click()
    phone.get_by_role("button", name="Deze verwijzing oppakken").click()
    phone.get_by_role("link", name="Koppelen aan een bewoner die u al begeleidt").click()
    expect(phone.get_by_role("heading", name="Koppelen aan een bewoner die u al begeleidt", level=1)).to_be_visible()
    phone.get_by_label("Zoek op naam bij de bewoners die u begeleidt").fill("vries")
    phone.get_by_role("button", name="Zoeken").click()
    assert_no_axe_violations(phone)
    phone.get_by_role("link", name="Johanna de Vries").click()
    expect(phone.get_by_role("heading", name="Klopt dit?")).to_be_visible()
    phone.get_by_role("button", name="Ja, koppelen").click()
    # No choice made: nothing is linked, and the page says why.
    expect(phone.locator("p.error", has_text="Kies wat de verwijzer mag terughoren.")).to_be_visible()
    phone.get_by_label("Hoe ver de begeleiding is, en aan het eind of het beter gaat").check()
    assert_no_axe_violations(phone)
    phone.get_by_role("button", name="Ja, koppelen").click()
    expect(phone.get_by_text("De verwijzing is gekoppeld aan deze bewoner")).to_be_visible()
    expect(phone.get_by_role("heading", name="Johanna de Vries", level=1)).to_be_visible()
    section = phone.locator("section", has=phone.get_by_role("heading", name="Verwijzing via Welzijn op Recept"))
    expect(section).to_contain_text("een verwijzer van Welzijn Zuid")
    expect(section).to_contain_text("Eenzaam sinds de verhuizing.")
    expect(section).to_contain_text("In begeleiding")
    expect(section).not_to_contain_text("Dokter Bos")
    assert_no_axe_violations(phone)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Resident)) == 1  # no second enrolment

    # From the resident's page straight to the close.
    section.get_by_role("link", name="Begeleiding afronden").click()
    close = phone.locator("section#afronden")
    close.get_by_label("Beter", exact=True).check()
    close.get_by_label("Hoeveel uur begeleiding was het, ongeveer?").fill("6")
    close.get_by_role("checkbox", name="Weet ik niet").check()
    close.get_by_role("button", name="Begeleiding afronden").click()
    expect(phone.get_by_text("De begeleiding is afgerond.")).to_be_visible()

    gp.goto("/verwijzer")
    row = gp.get_by_role("row", name="mevr. J. de Vries")
    expect(row).to_contain_text("Afgerond")
    expect(row).to_contain_text("Gaat het beter? Beter")
