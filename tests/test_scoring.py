"""Pillar scores, changes and the lowest pillars, as plain functions."""

from hypothesis import given, settings
from hypothesis import strategies as st

from webapp.core.scoring import changes, lowest_pillars, pillar_score, pillar_scores, worth_discussing


def test_score_is_mean_of_answered_items_with_one_decimal():
    assert pillar_score(["a", "b"], {"a": 7, "b": 8}) == 7.5
    assert pillar_score(["a", "b", "c"], {"a": 7, "b": 8, "c": 8}) == 7.7


def test_rounding_is_half_up_not_bankers():
    assert pillar_score(["a", "b", "c", "d"], {"a": 0, "b": 0, "c": 0, "d": 1}) == 0.3  # 0.25 -> 0.3


def test_half_answered_still_scores():
    assert pillar_score(["a", "b"], {"a": 6, "b": None}) == 6.0
    assert pillar_score(["a", "b", "c", "d"], {"a": 4, "b": 6}) == 5.0


def test_fewer_than_half_answered_gives_no_score():
    assert pillar_score(["a", "b", "c", "d"], {"a": 4}) is None
    assert pillar_score(["a", "b"], {}) is None
    assert pillar_score(["a", "b"], {"a": None, "b": None}) is None


def test_zero_is_an_answer_not_a_skip():
    assert pillar_score(["a", "b"], {"a": 0, "b": None}) == 0.0


def test_scores_per_pillar():
    form = {"lichaam": ["l1", "l2"], "mentaal": ["m1", "m2"]}
    assert pillar_scores(form, {"l1": 10, "l2": 9, "m1": None}) == {"lichaam": 9.5, "mentaal": None}


def test_changes_since_previous():
    assert changes({"a": 7.5, "b": 4.0, "c": None}, {"a": 5.0, "b": 4.3, "c": 6.0}) == {
        "a": 2.5, "b": -0.3, "c": None,
    }
    assert changes({"a": 7.5}, None) == {"a": None}


def test_two_points_either_way_is_worth_discussing():
    assert worth_discussing(2.0) and worth_discussing(-2.0) and worth_discussing(3.4)
    assert not worth_discussing(1.9) and not worth_discussing(None)


def test_lowest_pillars_are_the_two_lowest():
    scores = {"lichaam": 7.0, "mentaal": 3.5, "zingeving": 8.0, "kwaliteit": 5.0, "meedoen": 3.0, "dagelijks": None}
    assert lowest_pillars(scores) == ["meedoen", "mentaal"]


def test_no_lowest_pillar_when_all_the_same():
    assert lowest_pillars({"a": 6.0, "b": 6.0, "c": None}) == []


@settings(deadline=None)
@given(st.lists(st.one_of(st.none(), st.integers(0, 10)), min_size=1, max_size=6))
def test_score_stays_within_scale_and_respects_the_half_rule(values):
    items = [f"i{n}" for n in range(len(values))]
    score = pillar_score(items, dict(zip(items, values, strict=True)))
    answered = [v for v in values if v is not None]
    if len(answered) * 2 < len(values):
        assert score is None
    else:
        assert 0 <= score <= 10
        assert min(answered) <= score + 0.05 and score - 0.05 <= max(answered)
