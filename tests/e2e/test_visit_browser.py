"""A home visit on a tablet (landscape 1024x768 and portrait 768x1024): hand-over, answers, conversation."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import staff_log_in
from tests.e2e.test_checkin_browser import assert_no_axe_violations, assert_no_horizontal_scroll
from webapp.accounts import service as people
from webapp.core.extensions import db

pytestmark = pytest.mark.e2e
COACH_PASSWORD = "coach-wachtwoord-lang"


@pytest.fixture
def enrolled(app):
    from datetime import date

    with app.test_request_context():
        coach = people.create_staff("ineke", COACH_PASSWORD, ["ouderencoach"], "Ineke de Boer", "Welzijn Zuid",
                                    "010 765 43 21")
        resident = people.enrol_resident(coach, "dhr. P. Smit", 1938, "Centrum", date(2026, 11, 2), "mondeling")
        db.session.commit()
        return {"coach": coach.username, "resident": resident.public_id}


def take_back(page, password=COACH_PASSWORD) -> None:
    """"Terug naar de coach": the coach types their password to open their own screens again."""
    page.get_by_role("link", name="Terug naar de coach").first.click()
    expect(page.get_by_role("heading", name="Terug naar de coach", level=1)).to_be_visible()
    page.get_by_label("Wachtwoord van de coach").fill(password)
    page.get_by_role("button", name="Ontgrendelen", exact=True).click()
    expect(page.get_by_text("U bent weer in uw eigen scherm.")).to_be_visible()


@pytest.mark.parametrize("viewport", [{"width": 1024, "height": 768}, {"width": 768, "height": 1024}],
                         ids=["landscape", "portrait"])
def test_handover_shows_only_the_checkin_until_the_coach_unlocks(new_page, enrolled, artifacts_dir, viewport):
    """On a tablet: no way from the resident's screens to the coach's, only with the coach's password."""
    page = new_page(viewport=viewport, has_touch=True)
    staff_log_in(page, enrolled["coach"], COACH_PASSWORD)
    page.goto(f"/coach/bewoner/{enrolled['resident']}")
    page.get_by_role("button", name="Check-in samen doen").click()
    expect(page.get_by_role("heading", name="Geef de tablet nu aan dhr. P. Smit")).to_be_visible()
    header = page.locator("header")
    expect(header.get_by_role("link")).to_have_count(1)  # only "Terug naar de coach"
    expect(header.get_by_role("link", name="Terug naar de coach")).to_be_visible()
    for gone in ("Mijn bewoners", "Uitloggen", "Wat is er te doen?", "Veerkracht"):
        expect(page.get_by_role("link", name=gone, exact=True)).to_have_count(0)
        expect(page.get_by_role("button", name=gone, exact=True)).to_have_count(0)
    assert_no_axe_violations(page)
    page.screenshot(path=artifacts_dir / f"handover-{viewport['width']}.png")
    page.get_by_role("link", name="Ik begin").click()
    expect(page.get_by_role("button", name="Volgende")).to_be_visible()
    draft_url = page.url
    # Typing the caseload's address does not open it either.
    page.goto("/coach")
    expect(page.get_by_role("heading", name="Terug naar de coach", level=1)).to_be_visible()
    assert_no_axe_violations(page)
    page.get_by_label("Wachtwoord van de coach").fill("raden-maar")
    page.get_by_role("button", name="Ontgrendelen", exact=True).click()
    expect(page.locator("p.error", has_text="Dit wachtwoord klopt niet")).to_be_visible()
    page.get_by_role("link", name="Toch niet: verder met de check-in").click()
    assert page.url == draft_url
    # The language switch stays on the check-in.
    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("link", name="Back to the coach")).to_be_visible()
    assert page.url == draft_url
    page.get_by_role("button", name="Nederlands").click()
    take_back(page)
    expect(page.get_by_role("heading", name="dhr. P. Smit", level=1)).to_be_visible()
    expect(page.get_by_role("link", name="Mijn bewoners")).to_be_visible()


@pytest.mark.parametrize("viewport", [{"width": 1024, "height": 768}, {"width": 768, "height": 1024}],
                         ids=["landscape", "portrait"])
def test_home_visit_on_a_tablet(new_page, enrolled, viewport, artifacts_dir, app):
    page = new_page(viewport=viewport, has_touch=True)
    staff_log_in(page, enrolled["coach"], COACH_PASSWORD)
    page.goto(f"/coach/bewoner/{enrolled['resident']}")
    page.get_by_role("button", name="Check-in samen doen").click()

    expect(page.get_by_role("heading", name="Geef de tablet nu aan dhr. P. Smit")).to_be_visible()
    assert_no_axe_violations(page)
    page.get_by_role("link", name="Ik begin").click()
    page.get_by_label("Ik ben verhuisd", exact=True).check()
    page.get_by_role("button", name="Volgende").click()

    for step in range(1, 7):
        expect(page.get_by_text(f"Stap {step + 1} van 8", exact=True)).to_be_visible()
        expect(page.locator(".pillar-head img")).to_be_visible()  # the pillar's icon on every screen
        items = page.locator("fieldset.item")
        expect(items).to_have_count(4)
        for index in range(4):
            button = items.nth(index).locator("label.score").nth(5 + (index + step) % 4)
            box = button.bounding_box()
            assert box["height"] >= 60 and box["width"] >= 44  # big enough to tap on a tablet
            button.click()
        if step == 1:
            assert_no_axe_violations(page)
            assert_no_horizontal_scroll(page, viewport["width"])
            page.screenshot(path=artifacts_dir / f"visit-step-{viewport['width']}.png")
        page.get_by_role("button", name="Volgende").click()

    page.get_by_role("button", name="Klaar").click()
    expect(page.get_by_role("heading", name="Geef de tablet terug aan uw coach")).to_be_visible()
    expect(page.get_by_role("heading", name="Het gesprek")).to_have_count(0)
    take_back(page)
    expect(page.get_by_role("heading", name="Het gesprek")).to_be_visible()
    page.get_by_label("Wat is één kleine stap die u kunt zetten?").fill("Elke dag een rondje om het blok")
    page.get_by_label("Waakvlam: over 3 maanden").check()
    page.get_by_label("Aantekeningen van de coach").fill("Loopt weer met de rollator.")
    page.get_by_role("button", name="Gesprek opslaan").click()
    expect(page.get_by_text("Het gesprek is opgeslagen.")).to_be_visible()
    assert_no_axe_violations(page)
    assert_no_horizontal_scroll(page, viewport["width"])
    page.screenshot(path=artifacts_dir / f"visit-result-{viewport['width']}.png", full_page=True)

    with page.expect_response(lambda r: r.url.endswith(".pdf")) as pdf:
        page.evaluate("url => fetch(url)", page.get_by_role("link", name="Samenvatting om af te drukken (PDF)")
                      .get_attribute("href"))
    assert pdf.value.status == 200 and pdf.value.headers["content-type"] == "application/pdf"


def test_caseload_and_progress_at_desktop_size(new_page, app, enrolled, make_checkin, kort_items, artifacts_dir):
    answers = {item: 7 for items in kort_items.values() for item in items}
    make_checkin(enrolled["resident"], answers, days_ago=150, life_event="verhuizing")
    # No life-event at the latest check-in: the next one is due 13 weeks later, so 100 days is late.
    make_checkin(enrolled["resident"], {item: 4 for item in answers}, days_ago=100,
                     talk=(kort_items["meedoen"][0],))
    page = new_page(viewport={"width": 1280, "height": 800})
    staff_log_in(page, enrolled["coach"], COACH_PASSWORD)
    page.goto("/coach")
    expect(page.get_by_role("heading", name="Wie heeft nu aandacht nodig?")).to_be_visible()
    row = page.get_by_role("row", name=re.compile("dhr. P. Smit"))
    for text in ("2 punten of meer gedaald", "wil ergens over praten", "check-in te laat", "Meedoen −3,0"):
        expect(row).to_contain_text(text)
    assert_no_axe_violations(page)
    page.get_by_label("Toon").select_option("te_laat")
    page.get_by_role("button", name="Toon").click()
    expect(page.get_by_text("1 bewoner", exact=False)).to_be_visible()
    page.screenshot(path=artifacts_dir / "caseload-1280.png", full_page=True)

    page.get_by_role("rowheader").get_by_role("link", name="dhr. P. Smit").click()
    expect(page.get_by_role("heading", name="Verloop")).to_be_visible()
    expect(page.locator("figure.wide img")).to_have_js_property("complete", True)
    assert page.locator("figure.wide img").evaluate("img => img.naturalWidth") > 0
    assert "vorm=smal" not in page.locator("figure.wide img").evaluate("img => img.currentSrc")
    expect(page.get_by_text(re.compile(r"Verhuizing\s+\(7 weken na de gebeurtenis\)"))).to_be_visible()
    assert_no_axe_violations(page)
    page.screenshot(path=artifacts_dir / "progress-1280.png", full_page=True)


def test_progress_on_a_phone_is_drawn_for_its_width(new_page, enrolled, make_checkin, kort_items, artifacts_dir):
    answers = {item: 7 for items in kort_items.values() for item in items}
    for days_ago, score in ((150, 7), (100, 4), (40, 6)):
        make_checkin(enrolled["resident"], {item: score for item in answers}, days_ago=days_ago)
    page = new_page(viewport={"width": 1024, "height": 768})
    staff_log_in(page, enrolled["coach"], COACH_PASSWORD)  # looks for "Uitloggen" in the wide header
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/coach")
    page.get_by_role("link", name="dhr. P. Smit").first.click()
    chart = page.locator("figure.wide img")
    expect(chart).to_have_js_property("complete", True)
    assert "vorm=smal" in chart.evaluate("img => img.currentSrc")
    assert chart.evaluate("img => img.naturalWidth") > 0
    box = chart.bounding_box()
    assert box["width"] <= 390 and box["height"] > box["width"]  # the tall phone layout, within the screen
    assert_no_horizontal_scroll(page, 390)
    page.screenshot(path=artifacts_dir / "progress-390.png", full_page=True)


def _visit_to_the_result(page, enrolled, life_event: str, score: int) -> str:
    """Log in, do a check-in together with every answer `score`, take the tablet back; the result's URL."""
    staff_log_in(page, enrolled["coach"], COACH_PASSWORD)
    page.goto(f"/coach/bewoner/{enrolled['resident']}")
    page.get_by_role("button", name="Check-in samen doen").click()
    page.get_by_role("link", name="Ik begin").click()
    page.get_by_label(life_event, exact=True).check()
    page.get_by_role("button", name="Volgende").click()
    for step in range(1, 7):
        expect(page.get_by_text(f"Stap {step + 1} van 8", exact=True)).to_be_visible()
        items = page.locator("fieldset.item")
        for index in range(items.count()):
            items.nth(index).locator("label.score").nth(score).click()
        page.get_by_role("button", name="Volgende").click()
    page.get_by_role("button", name="Klaar").click()
    take_back(page)
    return page.url.split("#")[0]


def test_notes_survive_an_expired_session(new_page, enrolled, app, kort_items):
    """Typed notes are saved as a draft while typing; after a timeout and a new login they are still there."""
    from datetime import UTC, datetime, timedelta

    import pyotp

    from tests.conftest import forget_last_step

    page = new_page(viewport={"width": 1024, "height": 768}, has_touch=True)
    result_url = _visit_to_the_result(page, enrolled, "Ik ben verhuisd", score=6)
    notes = page.get_by_label("Aantekeningen van de coach")
    notes.fill("Wil weer naar de koffieochtend.")
    expect(page.get_by_text("Wat u typt, wordt tussendoor bewaard.")).to_be_visible()

    # The coach talks for twenty minutes; the session times out; the page is opened again.
    app.config["CLOCK"] = lambda: datetime.now(UTC) + timedelta(minutes=20)
    page.reload()
    expect(page.get_by_role("heading", name="Inloggen", level=1)).to_be_visible()
    app.config.pop("CLOCK")
    page.get_by_label("Gebruikersnaam", exact=True).fill(enrolled["coach"])
    page.get_by_label("Wachtwoord", exact=True).fill(COACH_PASSWORD)
    page.get_by_role("button", name="Inloggen", exact=True).click()
    secret = forget_last_step(app, enrolled["coach"])
    page.get_by_label("Code uit de app").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Inloggen", exact=True).click()
    page.wait_for_url(result_url + "*")
    expect(page.get_by_label("Aantekeningen van de coach")).to_have_value("Wil weer naar de koffieochtend.")
    expect(page.get_by_text("Wat u eerder typte, is bewaard.")).to_be_visible()
    assert_no_axe_violations(page)
    page.get_by_role("button", name="Gesprek opslaan").click()
    expect(page.get_by_text("Het gesprek is opgeslagen.")).to_be_visible()
    expect(page.get_by_label("Aantekeningen van de coach")).to_have_value("Wil weer naar de koffieochtend.")


def test_closing_asks_first_and_can_be_undone(new_page, enrolled):
    page = new_page(viewport={"width": 1024, "height": 768})
    staff_log_in(page, enrolled["coach"], COACH_PASSWORD)
    page.goto(f"/coach/bewoner/{enrolled['resident']}")
    page.get_by_role("link", name="Begeleiding afsluiten").click()
    expect(page.get_by_role("heading", name="Begeleiding van dhr. P. Smit afsluiten?")).to_be_visible()
    expect(page.get_by_text("Er wordt niets verwijderd.", exact=False)).to_be_visible()
    assert_no_axe_violations(page)
    page.get_by_role("button", name="Ja, begeleiding afsluiten").click()
    expect(page.get_by_role("heading", name="Wie heeft nu aandacht nodig?")).to_be_visible()
    expect(page.get_by_role("link", name="dhr. P. Smit")).to_have_count(0)
    page.get_by_role("link", name="Afgesloten begeleidingen (30 dagen ongedaan te maken)").click()
    assert_no_axe_violations(page)
    page.get_by_role("button", name="Ongedaan maken: weer begeleiden").click()
    expect(page.get_by_text("U begeleidt deze bewoner weer.", exact=False)).to_be_visible()
    expect(page.get_by_role("heading", name="dhr. P. Smit", level=1)).to_be_visible()


def test_typed_notes_are_kept_when_another_button_or_a_link_is_tapped_at_once(new_page, enrolled, app):
    """The coach types a note and at once taps "Dit wil ik proberen" (that form loads the page anew),
    or a link away: what was typed is saved first, not lost with the page."""
    from datetime import date

    from webapp.core.models import Activity

    with app.app_context():
        db.session.add(Activity(name="Koffieochtend De Schakel", organisation="Welzijn Zuid",
                                description="Samen koffie drinken.", pillars=["meedoen", "mentaal", "lichaam",
                                "zingeving", "kwaliteit", "dagelijks"], last_verified_on=date.today()))
        db.session.commit()
    page = new_page(viewport={"width": 1024, "height": 768}, has_touch=True)
    result_url = _visit_to_the_result(page, enrolled, "Er is niets bijzonders gebeurd", score=2)

    notes = page.get_by_label("Aantekeningen van de coach")
    notes.fill("Wil weer naar de koffieochtend.")
    tries = []
    page.on("request", lambda r: tries.append(r.url) if r.method == "POST" and "/proberen/" in r.url else None)
    with page.expect_navigation():  # the page is loaded anew
        # No pause: no save had gone yet. Tapped twice, as a hurried finger does: sent once.
        page.get_by_role("button", name="Dit wil ik proberen").first.dblclick()
    assert len(tries) == 1, tries
    expect(page.get_by_label("Aantekeningen van de coach")).to_have_value("Wil weer naar de koffieochtend.")

    page.get_by_label("Wat is één kleine stap die u kunt zetten?").fill("Maandag naar De Schakel.")
    with page.expect_navigation():
        page.locator("#plan").get_by_role("link", name="Terug naar deze bewoner").click()
    page.goto(result_url)
    expect(page.get_by_label("Wat is één kleine stap die u kunt zetten?")).to_have_value("Maandag naar De Schakel.")
    expect(page.get_by_label("Aantekeningen van de coach")).to_have_value("Wil weer naar de koffieochtend.")

