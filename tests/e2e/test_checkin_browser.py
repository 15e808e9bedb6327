"""A resident does the check-in in a real browser (Debian chromium): with and without JavaScript,
on a phone-sized screen, with axe-core accessibility checks and no sideways scrolling."""

import re
from decimal import ROUND_HALF_UP, Decimal

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from tests.conftest import PASSWORD

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}
NARROW = 320  # the smallest phone width we support (WCAG 1.4.10 reflow)
TOTAL_STEPS = 8  # life-event, six pillars, "U bent klaar"
TALK = "Hier wil ik over praten"


@pytest.fixture
def pillars(app):
    """[(short pillar name, [item texts])] of the short form, in screen order, in Dutch."""
    with app.app_context():
        from webapp.core.definitions import current_questionnaire

        return [
            (pillar.short.get("nl"), [item.text.get("nl") for item in items])
            for pillar, items in current_questionnaire().form_pillars("kort")
        ]


# --- helpers ---------------------------------------------------------------------------------


def scores_for(step: int, count: int) -> list[int]:
    """Distinct, predictable scores per screen: step 1 -> 3 and 4 (pillar score 3,5), etc."""
    return [step + 2 + n for n in range(count)]


def log_in(page: Page, username: str) -> None:
    page.goto("/inloggen")
    page.get_by_label("Gebruikersnaam", exact=True).fill(username)
    page.get_by_label("Wachtwoord", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Inloggen", exact=True).click()
    expect(page.get_by_role("heading", name="Hoe gaat het met u?", level=1)).to_be_visible()


def start_checkin(page: Page, life_event: str) -> None:
    page.get_by_role("button", name="Start de check-in").click()
    expect(page.get_by_role("heading", name="Wat is er gebeurd?", level=1)).to_be_visible()
    expect(page.get_by_text(f"Stap 1 van {TOTAL_STEPS}", exact=True)).to_be_visible()
    page.get_by_label(life_event, exact=True).check()
    page.get_by_role("button", name="Volgende").click()


def expect_pillar_screen(page: Page, step: int, pillar: str) -> None:
    expect(page.get_by_role("heading", name=pillar, level=1)).to_be_visible()
    expect(page.get_by_text(f"Stap {step + 1} van {TOTAL_STEPS}", exact=True)).to_be_visible()


def question(page: Page, text: str):
    """One question: a <fieldset> whose <legend> is the statement."""
    return page.get_by_role("group", name=text, exact=True)


def score_label(page: Page, item: str, score: int):
    """The visible number button; the radio itself is see-through and lies on top of it."""
    return question(page, item).locator("label.score").filter(has_text=re.compile(rf"^\s*{score}\s*$"))


def choose_score(page: Page, item: str, score: int) -> None:
    score_label(page, item, score).click()
    expect(score_label(page, item, score).locator("input")).to_be_checked()


def expect_scores_checked(page: Page, items: list[str], scores: list[int]) -> None:
    for item, score in zip(items, scores, strict=True):
        expect(score_label(page, item, score).locator("input:checked")).to_have_count(1)
        expect(question(page, item).locator("input[type=radio]:checked")).to_have_count(1)


def assert_no_axe_violations(page: Page) -> None:
    results = Axe().run(page)
    assert results.violations_count == 0, f"axe-core on {page.url}:\n{results.generate_report()}"


def sideways_overflow(page: Page, width: int) -> dict | None:
    """Show the page `width` CSS pixels wide; return what sticks out (None when everything fits)."""
    page.set_viewport_size({"width": width, "height": PHONE["height"]})
    fits = page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    layout = page.evaluate(
        """width => {
            const tooWide = [...document.body.querySelectorAll('*')]
                .filter(e => e.getBoundingClientRect().right > width + 0.5)
                .map(e => {
                    const cls = (e.getAttribute('class') || '').trim();
                    return e.tagName.toLowerCase() + (cls ? '.' + cls.split(/\\s+/).join('.') : '');
                });
            return {innerWidth: window.innerWidth, scrollWidth: document.documentElement.scrollWidth,
                    tooWide: tooWide.slice(0, 8)};
        }""",
        width,
    )
    # A mobile browser zooms out to fit a too-wide page (innerWidth grows), so check that as well.
    if fits and layout["innerWidth"] == width and not layout["tooWide"]:
        return None
    return layout


def assert_no_horizontal_scroll(page: Page, width: int) -> None:
    overflow = sideways_overflow(page, width)
    assert overflow is None, f"{page.url} does not fit {width}px without sideways scrolling: {overflow}"


def expect_result_page(page: Page, pillar_names: list[str], expected_scores: list[str]) -> None:
    expect(page.get_by_role("heading", name="Uw spinnenweb", level=1)).to_be_visible()
    table = page.get_by_role("table", name="Uw cijfers per onderdeel (0 tot en met 10)")
    rows = table.locator("tbody tr")
    expect(rows).to_have_count(6)
    for n, (name, score) in enumerate(zip(pillar_names, expected_scores, strict=True)):
        expect(rows.nth(n).get_by_role("rowheader")).to_have_text(name)
        whole = int(Decimal(score.replace(",", ".")).quantize(Decimal("1"), rounding=ROUND_HALF_UP))
        expect(rows.nth(n).get_by_role("cell").first).to_have_text(f"{whole} van de 10")
    # The exact figures are one tap away.
    page.get_by_text("Bekijk de precieze cijfers").click()
    exact = page.get_by_role("table", name="Precieze cijfers, met de volledige namen van de onderdelen")
    for n, score in enumerate(expected_scores):
        expect(exact.locator("tbody tr").nth(n).get_by_role("cell").first).to_have_text(score)


# --- tests -----------------------------------------------------------------------------------


def test_resident_completes_checkin_on_phone_with_javascript(new_page, resident, pillars, artifacts_dir):
    page = new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    log_in(page, resident["username"])
    start_checkin(page, "Ik ben verhuisd")

    talk_item = pillars[2][1][0]
    for step, (pillar, items) in enumerate(pillars, start=1):
        expect_pillar_screen(page, step, pillar)
        for item, score in zip(items, scores_for(step, len(items)), strict=True):
            choose_score(page, item, score)
        if talk_item in items:
            question(page, talk_item).get_by_label(TALK).check()
        if step == 1:
            # A questionnaire screen, with answers chosen: accessible and no sideways scrolling.
            assert_no_axe_violations(page)
            assert_no_horizontal_scroll(page, PHONE["width"])
        page.get_by_role("button", name="Volgende").click()

    expect(page.get_by_role("heading", name="U bent klaar", level=1)).to_be_visible()
    expect(page.get_by_text(f"Stap {TOTAL_STEPS} van {TOTAL_STEPS}", exact=True)).to_be_visible()
    expect(page.get_by_text("overgeslagen")).to_have_count(0)
    page.get_by_role("button", name="Bekijk mijn uitslag").click()

    # The result: chart, scores (mean of the two answers, Dutch decimal comma), what to talk about.
    expect_result_page(page, [name for name, _ in pillars], [f"{step + 2},5" for step in range(1, 7)])
    expect(page.get_by_text("Wat er gebeurde: „Ik ben verhuisd”.")).to_be_visible()  # her own words
    chart = page.get_by_role("img", name=re.compile(r"^Spinnenweb met uw cijfers"))
    expect(chart).to_be_visible()
    page.wait_for_function("img => img.complete", arg=chart.element_handle())
    assert page.evaluate("img => img.naturalWidth", chart.element_handle()) > 0, "the chart did not load"
    talk = page.locator("section").filter(has=page.get_by_role("heading", name="Hier wilt u over praten"))
    expect(talk.get_by_role("listitem")).to_have_text([talk_item])

    # The mini-plan.
    plan_pillar = page.get_by_role("group", name="Waar wilt u aan werken?").get_by_label("Meedoen", exact=True)
    plan_pillar.check()
    small_step = "Elke week mijn nieuwe buurvrouw groeten."
    page.get_by_label("Wat is één kleine stap die u kunt zetten?").fill(small_step)
    page.get_by_role("button", name="Plan opslaan").click()
    expect(page.get_by_role("status").filter(has_text="Uw plan is opgeslagen.")).to_be_in_viewport()
    expect(plan_pillar).to_be_checked()
    expect(page.get_by_label("Wat is één kleine stap die u kunt zetten?")).to_have_value(small_step)

    assert_no_axe_violations(page)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert_no_horizontal_scroll(page, PHONE["width"])
    page.screenshot(path=artifacts_dir / "result-phone-390.png", full_page=True)


def test_resident_completes_checkin_without_javascript(new_page, pillars):
    page = new_page(viewport=PHONE, java_script_enabled=False)

    # A new resident makes an account through the form.
    page.goto("/registreren")
    page.get_by_label("Kies een gebruikersnaam").fill("truus-zonder-js")
    page.get_by_label("Kies een wachtwoord").fill(PASSWORD)
    page.get_by_label("Typ het wachtwoord nog een keer").fill(PASSWORD)
    page.get_by_role("button", name="Account maken").click()
    expect(page.get_by_text("Uw account is klaar. Welkom!")).to_be_visible()

    start_checkin(page, "Er is niets bijzonders gebeurd")
    expected = []
    for step, (pillar, items) in enumerate(pillars, start=1):
        expect_pillar_screen(page, step, pillar)
        scores = scores_for(step, len(items))
        if step == 4:  # skip one question: the pillar score is then the other answer
            choose_score(page, items[0], scores[0])
            question(page, items[1]).get_by_text("Sla over", exact=True).click()
            expect(question(page, items[1]).get_by_label("Sla over")).to_be_checked()
            expected.append(f"{scores[0]},0")
        else:
            for item, score in zip(items, scores, strict=True):
                choose_score(page, item, score)
            expected.append(f"{step + 2},5")
        # Nothing is sent in the background without JavaScript: the form itself carries the answers.
        expect(page.locator("[data-autosave-status]")).to_have_text("")
        page.get_by_role("button", name="Volgende").click()

    expect(page.get_by_role("heading", name="U bent klaar", level=1)).to_be_visible()
    expect(page.get_by_text("U heeft 1 vraag overgeslagen. Dat is niet erg.")).to_be_visible()
    page.get_by_role("button", name="Bekijk mijn uitslag").click()

    expect_result_page(page, [name for name, _ in pillars], expected)
    expect(page.get_by_text("Wat er gebeurde:")).to_have_count(0)
    expect(page.get_by_role("heading", name="Hier wilt u over praten")).to_have_count(0)


def test_answers_survive_reload_midway(new_page, resident, pillars):
    page = new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    log_in(page, resident["username"])
    start_checkin(page, "Ik ben met pensioen gegaan")

    (first_pillar, first_items), (second_pillar, second_items) = pillars[0], pillars[1]
    first_scores = scores_for(1, len(first_items))
    expect_pillar_screen(page, 1, first_pillar)
    for item, score in zip(first_items, first_scores, strict=True):
        choose_score(page, item, score)
    page.get_by_role("button", name="Volgende").click()

    expect_pillar_screen(page, 2, second_pillar)
    with page.expect_response(
        lambda r: r.request.method == "POST" and r.request.headers.get("x-requested-with") == "fetch"
    ) as autosave:
        choose_score(page, second_items[0], 9)
    saved = autosave.value
    assert (saved.status, saved.url) == (204, page.url)
    expect(page.locator("[data-autosave-status]")).to_have_text("Uw antwoord is opgeslagen.")

    page.reload()
    expect_pillar_screen(page, 2, second_pillar)
    expect(score_label(page, second_items[0], 9).locator("input:checked")).to_have_count(1)

    # "Vorige" saves this screen and goes back; the first screen's answers are still there.
    page.get_by_role("button", name="Vorige").click()
    expect_pillar_screen(page, 1, first_pillar)
    expect_scores_checked(page, first_items, first_scores)


def test_pages_fit_320px_without_sideways_scrolling(
    new_page, resident, pillars, make_checkin, kort_items, artifacts_dir
):
    """WCAG 1.4.10 (reflow): at 320 CSS pixels wide nothing may need scrolling sideways."""
    make_checkin(resident["resident"], {item: 8 for items in kort_items.values() for item in items}, days_ago=30)
    make_checkin(resident["resident"], {item: 4 for items in kort_items.values() for item in items})
    page = new_page(viewport={"width": NARROW, "height": PHONE["height"]}, is_mobile=True, has_touch=True)
    log_in(page, resident["username"])
    assert_no_horizontal_scroll(page, NARROW)

    # The latest result, compared with the one before: the widest table (four columns and badges).
    page.get_by_role("link", name="Bekijk de uitslag").click()
    expect(page.get_by_role("heading", name="Uw spinnenweb", level=1)).to_be_visible()
    expect(page.locator("table.plain-scores").get_by_text("fijn om over te praten", exact=True)).to_have_count(6)
    assert_no_horizontal_scroll(page, NARROW)
    page.screenshot(path=artifacts_dir / "result-compared-320.png", full_page=True)

    # Every questionnaire screen.
    page.goto("/")
    start_checkin(page, "Ik ben met pensioen gegaan")
    too_wide = {}
    for step, (pillar, items) in enumerate(pillars, start=1):
        expect_pillar_screen(page, step, pillar)
        if (overflow := sideways_overflow(page, NARROW)) is not None:
            too_wide[pillar] = overflow
        for item in items:
            choose_score(page, item, 5)
        page.get_by_role("button", name="Volgende").click()
    expect(page.get_by_role("heading", name="U bent klaar", level=1)).to_be_visible()
    assert_no_horizontal_scroll(page, NARROW)
    assert too_wide == {}, f"too wide at {NARROW}px: {too_wide}"
