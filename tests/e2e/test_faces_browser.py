"""Issue 17 in a real browser: the three-face check-in by touch on phones (read aloud, axe-clean), and a
coach typing in a paper questionnaire with the keyboard on a 1024x768 tablet."""

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.e2e.conftest import press_next, staff_log_in
from tests.e2e.test_checkin_browser import PHONE, assert_no_axe_violations, assert_no_horizontal_scroll, log_in
from tests.e2e.test_readaloud_browser import _stub_speech
from webapp.accounts import service as people
from webapp.core.extensions import db
from webapp.core.models import Checkin, Resident

pytestmark = pytest.mark.e2e
COACH_PASSWORD = "coach-wachtwoord-lang"


@pytest.mark.parametrize("width", [320, 390, 430])
def test_resident_does_the_three_face_checkin_by_touch(new_page, resident, artifacts_dir, width, app):
    page = new_page(viewport={"width": width, "height": PHONE["height"]}, is_mobile=True, has_touch=True)
    _stub_speech(page, [{"lang": "nl-NL", "name": "Nederlands"}])
    log_in(page, resident["username"])
    page.get_by_role("button", name="Start de heel eenvoudige check-in").tap()
    page.get_by_label("Er is niets bijzonders gebeurd", exact=True).check()
    page.get_by_role("button", name="Volgende").tap()
    expect(page.get_by_role("heading", name="Lichaam", level=1)).to_be_visible()
    question = page.get_by_role("group", name="Ik voel me gezond.")
    faces = question.locator("label.face")
    expect(faces).to_have_count(3)
    expect(faces).to_have_text(["Nee", "Soms", "Ja"])  # a word under every face, not colour alone
    boxes = [faces.nth(n).bounding_box() for n in range(3)]
    assert len({round(b["y"]) for b in boxes}) == 1, f"the three faces break into rows at {width}px"
    assert all(b["width"] >= 88 and b["height"] >= 88 for b in boxes), boxes  # well over 44 px
    assert not page.evaluate(
        "() => [...document.querySelectorAll('.face span')].filter(s => s.scrollWidth > s.clientWidth)"
        ".map(s => s.textContent.trim())"
    ), "every word under a face fits its button"
    assert_no_horizontal_scroll(page, width)
    assert_no_axe_violations(page)
    # "Lees voor" reads the statement and its three answers.
    question.locator("button.read-aloud").tap()
    spoken = page.evaluate("window.__spoken")[-1]
    assert spoken["lang"] == "nl-NL" and spoken["text"].startswith("Ik voel me gezond.")
    assert re.search(r"gezond\.\s*Nee\s*\.\s*Soms\s*\.\s*Ja\s*\.", spoken["text"]), spoken["text"]
    page.screenshot(path=artifacts_dir / f"three-faces-{width}.png", full_page=True)
    for _step in range(6):
        groups = page.locator("fieldset.face-item").all()
        groups[0].locator("label.face").filter(has_text="Ja").tap()
        groups[1].locator("label.face").filter(has_text="Soms").tap()
        expect(groups[0].locator("input[value='10']")).to_be_checked()
        press_next(page, tap=True)
    expect(page.get_by_role("heading", name="U bent klaar", level=1)).to_be_visible()
    page.get_by_role("button", name="Bekijk mijn uitslag").tap()
    table = page.get_by_role("table", name="Uw cijfers per onderdeel (0 tot en met 10)")
    expect(table.locator("tbody tr").first.get_by_role("cell").first).to_have_text("8 van de 10")  # 7,5
    assert_no_axe_violations(page)
    with app.app_context():
        stored = db.session.scalar(select(Checkin))
        assert stored.form == "heel_eenvoudig" and set(stored.scores.values()) == {7.5}


@pytest.fixture
def enrolled(app):
    with app.test_request_context():
        coach = people.create_staff("ineke", COACH_PASSWORD, ["ouderencoach"], "Ineke de Boer", "Welzijn Zuid",
                                    "010 765 43 21")
        resident = people.enrol_resident(coach, "dhr. P. Smit", 1938, "Centrum", date.today(), "mondeling")
        resident.created_at = datetime.now(UTC) - timedelta(days=20)
        db.session.commit()
        return {"coach": coach.username, "resident": resident.public_id}


def test_coach_types_in_a_paper_questionnaire_with_the_keyboard(new_page, enrolled, artifacts_dir, app):
    page = new_page(viewport={"width": 1024, "height": 768})
    staff_log_in(page, enrolled["coach"], COACH_PASSWORD)
    page.goto(f"/coach/bewoner/{enrolled['resident']}")
    page.get_by_role("link", name="Antwoorden van papier invoeren").click()
    expect(page.get_by_role("heading", name="Antwoorden van papier invoeren", level=1)).to_be_visible()
    assert_no_axe_violations(page)
    filled_on = date.today() - timedelta(days=2)
    page.get_by_label("Ingevuld op").fill(filled_on.isoformat())
    # Twelve answers: a digit, Tab, a digit, Tab ... one slip (11) and one question left empty (-).
    page.get_by_label("Ik ben tevreden over mijn gezondheid.").focus()
    typed = ["8", "-", "6", "11", "7", "7", "5", "6", "9", "8", "7", "6"]
    for value in typed:
        page.keyboard.type(value)
        page.keyboard.press("Tab")
    page.screenshot(path=artifacts_dir / "paper-entry-1024.png", full_page=True)
    page.get_by_role("button", name="Antwoorden opslaan").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Er is nog niets opgeslagen")
    assert_no_axe_violations(page)
    with app.app_context():
        assert db.session.scalar(select(Checkin)) is None
    # The page kept what was typed; the slip is named and fixed.
    wrong = page.get_by_label("Ik heb grip op mijn eigen leven.")
    expect(wrong).to_have_value("11")
    expect(wrong).to_have_attribute("aria-invalid", "true")
    alert.get_by_role("link", name="Ik heb grip op mijn eigen leven.").click()
    expect(wrong).to_be_focused()
    wrong.fill("4")
    # An impatient double click on "Opslaan" sends the page twice: still one check-in.
    page.get_by_role("button", name="Antwoorden opslaan").dblclick()
    expect(page.get_by_role("heading", level=1)).not_to_have_text("Antwoorden van papier invoeren")
    expect(page.get_by_text(re.compile("De antwoorden van papier zijn opgeslagen|Deze antwoorden waren al "
                                       "opgeslagen"))).to_be_visible()
    page.goto(f"/coach/bewoner/{enrolled['resident']}")
    expect(page.get_by_text("Op papier ingevuld", exact=False).first).to_be_visible()
    with app.app_context():
        (stored,) = db.session.scalars(select(Checkin)).all()
        resident = db.session.scalar(select(Resident).where(Resident.public_id == enrolled["resident"]))
        assert (stored.mode, stored.form, stored.resident_id) == ("papier", "kort", resident.id)
        assert stored.completed_at.date() == filled_on
        assert stored.scores["mentaal"] == 5.0 and stored.scores["lichaam"] == 8.0
