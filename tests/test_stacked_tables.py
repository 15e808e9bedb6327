"""Tables that become cards on a phone (class stack-on-phone / stack-on-tablet in app.css) show each
value with its column's name, taken from the cell's data-label: a cell without one would be a bare
value under the row's name. Checked in the templates themselves, so a new column cannot forget it."""

import re
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parents[1] / "webapp" / "templates"
STACKED_TABLE = re.compile(r'<table class="[^"]*\bstack-on-(?:phone|tablet)\b[^"]*">(.*?)</table>', re.S)


def stacked_tables() -> list[tuple[str, str]]:
    return [(path.relative_to(TEMPLATES).as_posix(), body) for path in sorted(TEMPLATES.rglob("*.html"))
            for body in STACKED_TABLE.findall(path.read_text(encoding="utf-8"))]


def test_the_wide_tables_become_cards():
    names = {name for name, _body in stacked_tables()}
    assert {"caseload/home.html", "impact/page.html", "accounts/staff.html", "practices/admin.html",
            "sociale_kaart/admin_list.html", "wor/queue.html", "wor/mine.html", "wor/figures.html"} <= names


def test_every_value_of_a_card_says_which_column_it_is():
    unnamed = [(name, cell[:80]) for name, body in stacked_tables()
               for cell in re.findall(r"<td\b[^>]*>", body)
               if "data-label=" not in cell and "colspan=" not in cell]  # a row-wide message needs none
    assert unnamed == []
