"""The 0-10 scale's buttons (webapp/checkin/widgets.py), as the step screen shows them."""

import re

from webapp.checkin.widgets import scale_buttons


def _buttons(html: str) -> list[tuple[str, str, bool, str]]:
    return [(name, value, bool(checked), described) for name, value, checked, described in re.findall(
        r'<input type="radio" name="([^"]*)" value="([^"]*)"( checked)? aria-describedby="([^"]*)">', html)]


def test_eleven_buttons_with_the_chosen_one_checked():
    buttons = _buttons(scale_buttons("lichaam_fit", 0, 10, 6, None))
    assert [value for _name, value, _checked, _described in buttons] == [str(n) for n in range(11)]
    assert [value for _name, value, checked, _described in buttons if checked] == ["6"]
    assert {(name, described) for name, _value, _checked, described in buttons} == {("lichaam_fit", "lichaam_fit-ends")}
    assert "<span>10</span>" in scale_buttons("lichaam_fit", 0, 10, 6, None)


def test_no_choice_checks_none_and_an_error_is_described():
    for nothing in (None, "6", 6.5, True, [6]):  # a stored answer that is not a whole number checks nothing
        assert not [b for b in _buttons(scale_buttons("x", 0, 10, nothing, "")) if b[2]], nothing
    assert {b[3] for b in _buttons(scale_buttons("x", 0, 10, None, "invalid"))} == {"x-ends x-error"}


def test_an_id_is_escaped():
    html = scale_buttons('a"><script>', 0, 1, None, None)
    assert "<script>" not in html and "&#34;&gt;&lt;script&gt;" in html
