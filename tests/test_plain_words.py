"""Issue 17: the resident's result page speaks plain words; each score is tied to its own pillar."""

import re

import pytest

from tests.checkin_helpers import complete_checkin
from tests.conftest import all_answers
from webapp.core.scoring import change_word, whole_score

SHORT = ["Lichaam", "Gevoel", "Zin in het leven", "Tevreden zijn", "Meedoen", "Dagelijks leven"]


@pytest.mark.parametrize(("change", "word"), [
    (None, None), (0.0, "gelijk"), (0.5, "gelijk"), (-0.9, "gelijk"), (1.0, "iets_beter"),
    (-1.5, "iets_minder"), (2.0, "beter"), (-2.0, "minder"), (6.5, "beter"),
])
def test_change_is_said_in_a_word(change, word):
    assert change_word(change) == word


def test_scores_round_half_up_like_a_school_report():
    assert [whole_score(s) for s in (6.5, 6.4, 0.0, 9.95, None)] == [7, 6, 0, 10, None]


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def _tables(page: str, css_class: str = "scores") -> list[str]:
    return re.findall(rf'<table class="{css_class}[^"]*">(.*?)</table>', page, re.S)


def _rows(table: str) -> list[tuple[str, str, list[tuple[list[str], str]]]]:
    """(row header id, its text, [(headers of each cell, cell text)]) for each body row."""
    rows = []
    for row in re.findall(r"<tr>(.*?)</tr>", table.split("<tbody>")[1], re.S):
        header = re.search(r'<th scope="row" id="([^"]+)"[^>]*>(.*?)</th>', row, re.S)
        found = re.findall(r'<td[^>]*headers="([^"]+)"[^>]*>(.*?)</td>', row, re.S)
        cells = [(h.split(), _text(body)) for h, body in found]
        rows.append((header.group(1), _text(header.group(2)), cells))
    return rows


def _own_result(client, make_resident, login_as, make_checkin, kort_items):
    resident = make_resident()
    login_as(client, resident["user"])
    make_checkin(resident["resident"], all_answers(kort_items, 6), days_ago=30)
    now = {kort_items["mentaal"][0]: 7}  # Gevoel 6,0 -> 6,5
    now.update({i: 9 for i in kort_items["meedoen"]})  # Meedoen 6 -> 9
    checkin = complete_checkin(client, kort_items, scores=now, default=6)
    return client.get(f"/uitslag/{checkin}").get_data(as_text=True)


def test_resident_reads_short_names_whole_numbers_and_changes_in_words(
    client, make_resident, login_as, make_checkin, kort_items
):
    page = _own_result(client, make_resident, login_as, make_checkin, kort_items)
    [table] = _tables(page, "scores plain-scores")
    rows = _rows(table)
    assert [name for _id, name, _cells in rows] == SHORT
    cells = {name: [text for _h, text in row_cells] for _id, name, row_cells in rows}
    assert cells["Gevoel"] == ["7 van de 10", "ongeveer hetzelfde"]
    assert cells["Meedoen"] == ["9 van de 10", "beter fijn om over te praten"]
    assert cells["Lichaam"] == ["6 van de 10", "ongeveer hetzelfde"]
    assert not re.search(r"\d,\d", _text(table)), "no decimals in what the resident reads first"
    for word in ("scoort", "vuistregel", "geen oordeel"):
        assert word not in page
    # The exact figures and the official names are one tap away.
    exact = _text(page.split('<details class="exact">')[1].split("</details>")[0])
    assert "6,5" in exact and "Mentaal welbevinden" in exact


def test_each_score_cell_names_its_own_pillar(client, make_resident, login_as, make_checkin, kort_items):
    """A screen reader reads a cell with its headers: every cell must point at its own row's pillar."""
    page = _own_result(client, make_resident, login_as, make_checkin, kort_items)
    tables = _tables(page)
    assert len(tables) == 2  # the plain table and the exact one
    for table in tables:
        for header_id, _name, cells in _rows(table):
            assert cells
            for headers, _cell in cells:
                assert headers[0] == header_id
                assert all(f'id="{i}"' in page for i in headers)


def test_coach_keeps_the_official_names(client, make_resident, make_staff, login_as, make_checkin, kort_items):
    resident = make_resident()
    checkin = make_checkin(resident["resident"], all_answers(kort_items, 6))
    coach = make_staff(share_with=(resident["resident"],))
    login_as(client, coach["user"])
    page = client.get(f"/uitslag/{checkin}").get_data(as_text=True)
    assert "Mentaal welbevinden" in page and "plain-scores" not in page
