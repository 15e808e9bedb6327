"""Drawing the spider chart with matplotlib's object-oriented API."""

import re
import sys
import xml.etree.ElementTree as ET

import pytest

from webapp.core.charts import CURRENT_COLOUR, PREVIOUS_COLOUR, spider_svg

LABELS = ["Lichaamsfuncties", "Mentaal welbevinden", "Zingeving", "Kwaliteit van leven", "Meedoen",
          "Dagelijks functioneren"]


def test_chart_is_valid_svg_with_all_six_labels_as_text():
    svg = spider_svg(LABELS, [7, 5.5, 8, 6, 3.5, 9]).decode()
    root = ET.fromstring(svg)
    assert root.tag.endswith("svg")
    for word in ("Lichaamsfuncties", "Zingeving", "Meedoen", "functioneren"):
        assert word in svg  # text stays text (svg.fonttype none): crisp and small
    for tick in ("2", "4", "6", "8", "10"):
        assert f">{tick}<" in svg


def test_previous_checkin_is_drawn_as_a_second_dashed_line():
    alone = spider_svg(LABELS, [7, 5, 8, 6, 3, 9]).decode()
    both = spider_svg(LABELS, [7, 5, 8, 6, 3, 9], [5, 5, 5, 5, 5, 5], "Nu", "Eerder").decode()
    assert PREVIOUS_COLOUR.lower() not in alone.lower()
    assert PREVIOUS_COLOUR.lower() in both.lower() and CURRENT_COLOUR.lower() in both.lower()
    assert "stroke-dasharray" in both
    assert "Eerder" in both and "Nu" in both


def test_same_input_gives_the_same_chart():
    assert spider_svg(LABELS, [1, 2, 3, 4, 5, 6]) == spider_svg(LABELS, [1, 2, 3, 4, 5, 6])


def test_missing_pillar_score_still_draws():
    svg = spider_svg(LABELS, [7, None, 8, 6, 3, 9])
    assert svg.startswith(b"<?xml")


def test_chart_is_small_enough_for_a_slow_phone():
    assert len(spider_svg(LABELS, [7, 5, 8, 6, 3, 9], [5] * 6, "Nu", "Eerder")) < 40_000


def test_wrong_number_of_scores_is_refused():
    with pytest.raises(ValueError):
        spider_svg(LABELS, [1, 2, 3])


def test_charts_module_does_not_use_pyplot():
    assert "matplotlib.pyplot" not in sys.modules


def test_the_progress_chart_for_a_phone_is_narrow_with_larger_words():
    from datetime import date

    from webapp.core.charts import lines_svg

    series = [(name, [6.0, 4.5, None, 7.0]) for name in LABELS]
    dates = [date(2026, month, 1) for month in (3, 5, 7, 9)]
    labels = ["1 mrt 26", "1 mei 26", "1 jul 26", "1 sep 26"]
    wide, narrow = (lines_svg(dates, series, labels, narrow=flag).decode() for flag in (False, True))
    wide_root, narrow_root = ET.fromstring(wide), ET.fromstring(narrow)

    def points(root, attribute):
        return float(root.get(attribute).removesuffix("pt"))

    assert points(narrow_root, "width") < 0.6 * points(wide_root, "width")  # 440 against 750 wide
    assert points(narrow_root, "height") > points(wide_root, "height")  # the legend in two columns below
    assert "font-size: 13px" in narrow and "font-size: 13px" not in wide
    for word in ("Dagelijks functioneren", "1 sep 26"):
        assert word in narrow  # text stays text


def test_the_impact_charts_for_a_phone_have_no_small_words():
    """Drawn 440 wide and shown about 360 wide on a 390 phone: every word at 12 points or more, the
    "too little data" of a hidden group too (11 points came out at 9 pixels)."""
    from webapp.core.charts import changes_svg, counts_svg

    drawings = [
        changes_svg(["Lichaamsfuncties", "Mentaal welbevinden"], [(1.0, 0.2, 1.8), None],
                    "te weinig gegevens", "Gemiddelde verandering (punten, 0-10)", narrow=True).decode(),
        counts_svg(["jan 2026", "feb 2026", "mrt 2026"], [12, None, 15], "te weinig gegevens", narrow=True).decode(),
    ]
    for svg in drawings:
        sizes = [float(size) for size in re.findall(r"font-size: ([\d.]+)px", svg)]
        assert sizes and min(sizes) >= 12, sizes
        assert "te weinig gegevens" in svg


def test_the_impact_change_chart_says_too_uncertain_as_the_table_does():
    # A review found the chart wrote "te weinig gegevens" where the table said "te onzeker".
    from webapp.core.charts import changes_svg

    svg = changes_svg(["Lichaam", "Gevoel", "Meedoen"], [(1.0, 0.2, 1.8), "te onzeker", None],
                      "te weinig gegevens", "Gemiddelde verandering").decode()
    assert "te onzeker" in svg and "te weinig gegevens" in svg


def test_the_spider_chart_has_no_small_words():
    """A resident reads it on a phone: 440 wide, shown about 360 wide. The ring numbers too."""
    svg = spider_svg(LABELS, [5, 6, 7, 4, 8, 6], [4, 5, 6, 5, 7, 5], "Deze check-in", "Vorige check-in").decode()
    sizes = [float(size) for size in re.findall(r"font-size: ([\d.]+)px", svg)]
    assert sizes and min(sizes) >= 12, sizes
