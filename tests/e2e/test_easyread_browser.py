"""Issue 17 in a real browser: the 0-10 scale on phones, the result page in plain words, the
easy-read check-in with faces, and read-aloud."""

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import press_next
from tests.e2e.test_checkin_browser import (
    PHONE,
    assert_no_axe_violations,
    assert_no_horizontal_scroll,
    log_in,
    start_checkin,
)

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("width", [320, 390, 430])
def test_scale_is_one_row_with_end_labels_under_its_ends(new_page, resident, artifacts_dir, width):
    page = new_page(viewport={"width": width, "height": PHONE["height"]}, is_mobile=True, has_touch=True)
    log_in(page, resident["username"])
    start_checkin(page, "Er is niets bijzonders gebeurd")
    item = page.locator("fieldset.item").first
    buttons = item.locator("label.score span")
    expect(buttons).to_have_count(11)
    boxes = [buttons.nth(n).bounding_box() for n in range(11)]
    assert len({round(box["y"]) for box in boxes}) == 1, f"the scale breaks into rows at {width}px"
    for box in boxes:
        assert box["width"] >= 24 and box["height"] >= 48, box  # WCAG 2.5.8; tall enough to hit
    # Every number fits inside its button ("10" included).
    too_tight = page.evaluate(
        "() => [...document.querySelectorAll('.score span')].filter(s => s.scrollWidth > s.clientWidth)"
        ".map(s => [s.textContent, s.scrollWidth, s.clientWidth])"
    )
    assert not too_tight
    low, high = item.locator(".scale-ends span").first, item.locator(".scale-ends span").last
    expect(low).to_contain_text("0 = Klopt helemaal niet")
    expect(high).to_contain_text("10 = Klopt helemaal")
    low_box, high_box = low.bounding_box(), high.bounding_box()
    assert abs(low_box["x"] - boxes[0]["x"]) <= 2
    assert abs((high_box["x"] + high_box["width"]) - (boxes[10]["x"] + boxes[10]["width"])) <= 2
    assert low_box["y"] > boxes[0]["y"] + boxes[0]["height"]  # under the buttons
    assert_no_horizontal_scroll(page, width)
    assert_no_axe_violations(page)
    page.screenshot(path=artifacts_dir / f"scale-{width}.png", full_page=False)


@pytest.mark.parametrize("width", [320, 390])
def test_resident_does_the_easy_checkin_by_touch(new_page, resident, artifacts_dir, width):
    page = new_page(viewport={"width": width, "height": PHONE["height"]}, is_mobile=True, has_touch=True)
    log_in(page, resident["username"])
    page.get_by_role("button", name="Start de eenvoudige check-in").click()
    page.get_by_label("Er is niets bijzonders gebeurd", exact=True).check()
    page.get_by_role("button", name="Volgende").click()
    expect(page.get_by_role("heading", name="Lichaam", level=1)).to_be_visible()
    question = page.get_by_role("group", name="Ik voel me gezond.")
    faces = question.locator("label.face")
    expect(faces).to_have_count(5)
    boxes = [faces.nth(n).bounding_box() for n in range(5)]
    assert len({round(b["y"]) for b in boxes}) == 1 and all(b["width"] >= 44 and b["height"] >= 88 for b in boxes)
    assert not page.evaluate(
        "() => [...document.querySelectorAll('.face span')].filter(s => s.scrollWidth > s.clientWidth)"
        ".map(s => s.textContent.trim())"
    ), "every word under a face fits its button"
    assert_no_horizontal_scroll(page, width)
    assert_no_axe_violations(page)
    page.screenshot(path=artifacts_dir / f"easy-step-{width}.png", full_page=True)
    for _step in range(6):
        for group in page.locator("fieldset.face-item").all():
            group.locator("label.face").filter(has_text="Vaak wel").tap()
        press_next(page)
    expect(page.get_by_role("heading", name="U bent klaar", level=1)).to_be_visible()
    page.get_by_role("button", name="Bekijk mijn uitslag").click()
    table = page.get_by_role("table", name="Uw cijfers per onderdeel (0 tot en met 10)")
    expect(table.locator("tbody tr").first.get_by_role("cell").first).to_have_text("7 van de 10")
    assert_no_axe_violations(page)
