"""Suggestion ranking pinned for a dozen resident profiles (plain Python, no app)."""

import pytest

from webapp.sociale_kaart.rules import Offer, Profile, rank

OFFERS = [
    Offer("wandelgroep", ("lichaam", "meedoen"), wijk="Centrum"),
    Offer("eettafel-oost", ("meedoen",), free=False, wijk="Oosterhof"),
    Offer("eettafel-centrum", ("meedoen",), wijk="Centrum"),
    Offer("rouwgroep", ("mentaal", "zingeving"), ("overlijden_naaste",)),
    Offer("thuisadministratie", ("dagelijks", "kwaliteit"), ("overlijden_naaste", "inkomensdaling")),
    Offer("budgetcoach", ("kwaliteit",), ("inkomensdaling", "scheiding")),
    Offer("buurtmaatje", ("meedoen",), ("verhuizing",)),
    Offer("vrijwilligerswerk", ("zingeving", "meedoen"), ("pensioen", "baanverlies")),
    Offer("beweeg60", ("lichaam",), min_age=60),
    Offer("jongerenloket", ("dagelijks", "meedoen"), ("achttien_worden",), min_age=18, max_age=27),
    Offer("mantelzorgcafe", ("mentaal", "meedoen"), ("mantelzorger",)),
    Offer("ontspanning", ("mentaal",), free=False),
]
S7 = dict.fromkeys(["lichaam", "mentaal", "zingeving", "kwaliteit", "meedoen", "dagelijks"], 7.0)

CASES = [
    ("focus meedoen: free activities in the own wijk first",
     Profile(S7, focus="meedoen", wijk="Centrum", age=70),
     ["eettafel-centrum", "wandelgroep", "eettafel-oost"]),
    ("low body at 70: the 60+ programme too",
     Profile({**S7, "lichaam": 4.0}, age=70), ["beweeg60", "wandelgroep"]),
    ("low body at 45: no 60+ programme",
     Profile({**S7, "lichaam": 4.0}, age=45), ["wandelgroep"]),
    ("moved, focus meedoen: the activity for newcomers first",
     Profile(S7, focus="meedoen", life_event="verhuizing", event_first=("meedoen",), event_later=("kwaliteit",),
             age=66),
     ["buurtmaatje", "eettafel-centrum", "wandelgroep"]),
    ("widow, low mental and participation: bereavement group, then both pillars",
     Profile({**S7, "mentaal": 3.5, "meedoen": 4.0}, life_event="overlijden_naaste", event_first=("mentaal", "meedoen"),
             event_later=("dagelijks", "kwaliteit"), age=78),
     ["rouwgroep", "ontspanning", "eettafel-centrum"]),
    ("retired, focus meaning, low participation: not three of one pillar",
     Profile({**S7, "meedoen": 5.0}, focus="zingeving", life_event="pensioen", event_first=("zingeving", "meedoen"),
             event_later=("lichaam",), age=67),
     ["vrijwilligerswerk", "wandelgroep", "eettafel-centrum"]),
    ("income drop, wants to talk about quality of life",
     Profile(S7, talk_pillars=frozenset({"kwaliteit"}), life_event="inkomensdaling",
             event_first=("kwaliteit", "dagelijks"), event_later=("mentaal",), age=50),
     ["thuisadministratie", "budgetcoach", "ontspanning"]),
    ("just turned 18",
     Profile({**S7, "dagelijks": 5.0}, life_event="achttien_worden", event_first=("dagelijks",), age=19),
     ["jongerenloket", "thuisadministratie"]),
    ("new carer with several weak pillars: spread over them",
     Profile({**S7, "lichaam": 5.0, "mentaal": 4.0, "meedoen": 5.5}, life_event="mantelzorger",
             event_first=("lichaam", "mentaal"), age=58),
     ["mantelzorgcafe", "wandelgroep", "eettafel-centrum"]),
    ("all fine and nothing happened: nothing to push",
     Profile(S7, age=40), []),
    ("everything skipped but a focus: the focus decides",
     Profile(dict.fromkeys(S7), focus="mentaal"), ["ontspanning", "mantelzorgcafe", "rouwgroep"]),
    ("divorce, low quality of life and mental well-being",
     Profile({**S7, "kwaliteit": 3.0, "mentaal": 5.0}, life_event="scheiding", event_first=("kwaliteit", "mentaal"),
             event_later=("meedoen",), age=44),
     ["budgetcoach", "ontspanning", "thuisadministratie"]),
]


@pytest.mark.parametrize("profile, expected", [case[1:] for case in CASES], ids=[case[0] for case in CASES])
def test_top_three(profile, expected):
    assert [s.offer.id for s in rank(OFFERS, profile)[:3]] == expected


def test_reasons_name_the_pillar_and_the_life_event():
    profile = Profile(S7, focus="meedoen", life_event="verhuizing", event_first=("meedoen",), age=66)
    best = rank(OFFERS, profile)[0]
    assert best.reasons == [("focus", "meedoen"), ("event", "verhuizing")]
    low = rank(OFFERS, Profile({**S7, "lichaam": 4.0}, age=70))[0]
    assert low.reasons == [("low", "lichaam")]


def test_unknown_age_does_not_exclude_age_limited_activities():
    profile = Profile({**S7, "lichaam": 4.0})
    assert "beweeg60" in [s.offer.id for s in rank(OFFERS, profile)]


def test_lower_score_means_more_need():
    lower = rank(OFFERS, Profile({**S7, "lichaam": 2.0}, age=70))[0].score
    higher = rank(OFFERS, Profile({**S7, "lichaam": 5.5}, age=70))[0].score
    assert lower > higher
