"""Tables that become cards on a phone (class stack-on-phone / stack-on-tablet in app.css) show each
value with its column's name, taken from the cell's data-label: a cell without one would be a bare
value under the row's name. Checked in the templates themselves, so a new column cannot forget it."""

import re
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parents[1] / "webapp" / "templates"
STACKED_TABLE = re.compile(r'<table\b[^>]*\bclass="[^"]*\bstack-on-(?:phone|tablet)\b[^"]*"[^>]*>(.*?)</table>', re.S)


def stacked_tables() -> list[tuple[str, str]]:
    return [(path.relative_to(TEMPLATES).as_posix(), body) for path in sorted(TEMPLATES.rglob("*.html"))
            for body in STACKED_TABLE.findall(path.read_text(encoding="utf-8"))]


def test_the_wide_tables_become_cards():
    names = {name for name, _body in stacked_tables()}
    assert {"caseload/home.html", "impact/page.html", "accounts/staff.html", "practices/admin.html",
            "sociale_kaart/admin_list.html", "wor/queue.html", "wor/mine.html", "wor/figures.html"} <= names


def test_every_value_of_a_card_says_which_column_it_is():
    unnamed = []
    for name, body in stacked_tables():
        for row in re.findall(r"<tr\b.*?</tr>", body, re.S):
            cells = re.findall(r"<td\b[^>]*>", row)
            if len(cells) == 1 and "colspan=" in cells[0] and "<th" not in row:
                continue  # a message across the whole row ("Geen gegevens"): no column to name
            unnamed += [(name, cell) for cell in cells if "data-label=" not in cell]
    assert unnamed == []


def test_the_check_sees_every_kind_of_cell():
    table = ('<table id="x" class="scores stack-on-phone" data-y="1"><tr><th>a</th><td colspan="3">b</td></tr>'
             '<tr><td colspan="5">c</td></tr></table>')
    assert STACKED_TABLE.findall(table)  # other attributes around the class
    rows = re.findall(r"<tr\b.*?</tr>", STACKED_TABLE.findall(table)[0], re.S)
    assert "<th" in rows[0] and "<th" not in rows[1]  # only the second is a whole-row message
