"""Issue 17: "Lees voor" on every question and every part of the result, with the browser's speech.

Chromium without a desktop has no voices, so each test puts a stand-in speechSynthesis in the page
(before the app's script runs) that records what it is asked to say and in which language.
"""

import pytest
from playwright.sync_api import expect

from tests.e2e.test_checkin_browser import (  # noqa: F401 - pillars is a fixture
    PHONE,
    assert_no_axe_violations,
    choose_score,
    expect_pillar_screen,
    log_in,
    pillars,
    start_checkin,
)

pytestmark = pytest.mark.e2e

SPEECH_STUB = """
(voices) => {
  window.__spoken = [];
  window.__cancelled = 0;
  const synth = {
    getVoices: () => voices,
    speak: (utterance) => { window.__spoken.push({text: utterance.text, lang: utterance.lang}); },
    cancel: () => { window.__cancelled += 1; },
    addEventListener: () => {},
  };
  Object.defineProperty(window, "speechSynthesis", {value: synth, configurable: true});
  window.SpeechSynthesisUtterance = function (text) { this.text = text; };
}
"""


def _stub_speech(page, voices: list[dict]) -> None:
    import json

    page.add_init_script(f"({SPEECH_STUB})({json.dumps(voices)})")


def test_a_question_is_read_aloud_in_dutch_and_can_be_stopped(new_page, resident, artifacts_dir):
    page = new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    _stub_speech(page, [{"lang": "en-US", "name": "English"}, {"lang": "nl-NL", "name": "Nederlands"}])
    log_in(page, resident["username"])
    start_checkin(page, "Er is niets bijzonders gebeurd")
    first = page.locator("fieldset.item").first
    question = first.locator("legend").inner_text()
    button = first.locator("button.read-aloud")
    expect(button).to_have_text("Lees voor")
    button.click()
    spoken = page.evaluate("window.__spoken")
    assert len(spoken) == 1 and spoken[0]["lang"] == "nl-NL"
    text = spoken[0]["text"]
    assert text.startswith(question.strip())
    # The ends of the scale are read, not the eleven numbers one by one; no button words.
    assert "0 = Klopt helemaal niet" in text and "10 = Klopt helemaal" in text
    assert "0 1 2 3" not in text and "Lees voor" not in text
    expect(button).to_have_text("Stop met voorlezen")
    expect(button).to_have_attribute("aria-pressed", "true")
    button.click()
    expect(button).to_have_text("Lees voor")
    assert page.evaluate("window.__cancelled") >= 1
    # One button reads the whole page.
    page.get_by_role("button", name="Lees deze pagina voor").click()
    whole = page.evaluate("window.__spoken")[-1]["text"]
    assert question.strip() in whole and page.locator("h1").inner_text() in whole
    # Every question has its own button; the page still passes axe with them.
    expect(page.locator("fieldset.item .read-aloud")).to_have_count(page.locator("fieldset.item").count())
    assert_no_axe_violations(page)
    page.screenshot(path=artifacts_dir / "read-aloud-step.png", full_page=False)


def test_without_a_dutch_voice_the_page_says_so(new_page, resident):
    page = new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    _stub_speech(page, [{"lang": "en-US", "name": "English"}])
    log_in(page, resident["username"])
    start_checkin(page, "Er is niets bijzonders gebeurd")
    page.locator("fieldset.item").first.get_by_role("button", name="Lees voor").click()
    expect(page.get_by_role("status").filter(has_text="geen Nederlandse stem")).to_be_visible()
    assert page.evaluate("window.__spoken") == []


def test_without_speech_there_are_no_buttons(new_page, resident):
    page = new_page(viewport=PHONE)
    page.add_init_script("delete window.speechSynthesis; delete Window.prototype.speechSynthesis;")
    log_in(page, resident["username"])
    start_checkin(page, "Er is niets bijzonders gebeurd")
    expect(page.locator("fieldset.item").first).to_be_visible()
    expect(page.locator(".read-aloud")).to_have_count(0)


def test_the_result_is_read_aloud_part_by_part(new_page, resident, pillars):  # noqa: F811
    page = new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    _stub_speech(page, [{"lang": "nl-NL", "name": "Nederlands"}])
    log_in(page, resident["username"])
    start_checkin(page, "Er is niets bijzonders gebeurd")
    for step, (name, items) in enumerate(pillars):
        expect_pillar_screen(page, step + 1, name)
        for item in items:
            choose_score(page, item, 3)
        page.get_by_role("button", name="Volgende").click()
    page.get_by_role("button", name="Bekijk mijn uitslag").click()
    expect(page.get_by_role("heading", name="Uw spinnenweb", level=1)).to_be_visible()
    table_button = page.locator("table.scores").first.locator("xpath=preceding-sibling::button[1]")
    expect(table_button).to_have_text("Lees de cijfers voor")  # not a second "Lees voor" under the chart's
    table_button.click()
    text = page.evaluate("window.__spoken")[-1]["text"]
    assert pillars[0][0] in text
    plan = page.locator("section#plan")
    plan.get_by_role("button", name="Lees voor").click()
    assert "Uw plan" in page.evaluate("window.__spoken")[-1]["text"]
