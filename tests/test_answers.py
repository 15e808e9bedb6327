"""Parsing one step's posted answers without trusting the browser."""

from werkzeug.datastructures import MultiDict

from webapp.checkin.rules import parse_score, parse_step

ITEMS = ["lichaam_gezond", "lichaam_fit"]


def test_scores_skips_and_talk_ticks():
    result = parse_step(ITEMS, MultiDict({"lichaam_gezond": "0", "lichaam_fit": "skip", "talk_lichaam_fit": "1"}))
    assert result.ok
    assert result.answers == {"lichaam_gezond": 0, "lichaam_fit": None}
    assert result.talk == {"lichaam_fit"}


def test_missing_answer_counts_as_skipped():
    result = parse_step(ITEMS, MultiDict({"lichaam_gezond": "10"}))
    assert result.ok and result.answers == {"lichaam_gezond": 10, "lichaam_fit": None}


def test_out_of_range_and_garbage_are_errors():
    for bad in ("11", "-1", "abc", "7.5", "٣", " 1 0"):
        result = parse_step(ITEMS, MultiDict({"lichaam_gezond": bad}))
        assert result.errors == {"lichaam_gezond": "invalid"}, bad


def test_two_values_for_one_item_is_an_error():
    result = parse_step(ITEMS, MultiDict([("lichaam_gezond", "3"), ("lichaam_gezond", "4")]))
    assert "lichaam_gezond" in result.errors


def test_unknown_item_is_an_error():
    result = parse_step(ITEMS, MultiDict({"lichaam_gezond": "3", "mentaal_humeur": "4"}))
    assert result.errors == {"_form": "unknown_field"}


def test_odd_talk_value_is_an_error():
    result = parse_step(ITEMS, MultiDict({"talk_lichaam_fit": "yes please"}))
    assert "lichaam_fit" in result.errors


def test_parse_score_bounds():
    assert parse_score("0") == 0 and parse_score("10") == 10 and parse_score("") is None
