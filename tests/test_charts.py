"""Drawing the spider chart with matplotlib's object-oriented API."""

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
