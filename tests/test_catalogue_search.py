"""Searching the sociale kaart in Dutch: word forms and compounds find each other, small typos too,
on SQLite and PostgreSQL alike; a wijk filter keeps what is for the whole town, at home or online."""

import pytest

from tests.test_activities import csv_bytes, line
from webapp.core.extensions import db
from webapp.sociale_kaart import service as activities
from webapp.sociale_kaart.rules import matching_terms, search_text, terms

DOCS = {
    "wandelgroep": terms("Wandelgroep De Beemden. Samen wandelen in het park."),
    "wandeling": terms("Een wandeling langs de rivier"),
    "eettafel": terms("Eettafel Oosterhof: samen eten met buren."),
    "koor": terms("Koor De Veerstemmen: zingen in een koor."),
    "cafe": terms("Mantelzorgcafé Veerstad"),
    "wand": terms("Schilderen aan de wand"),
}


@pytest.mark.parametrize("query, expected", [
    ("wandelen", {"wandelgroep", "wandeling"}),
    ("wandeling", {"wandelgroep", "wandeling"}),
    ("wandelgroep", {"wandelgroep", "wandeling"}),   # the compound finds the plain word
    ("Wandel", {"wandelgroep", "wandeling"}),
    ("wandelne", {"wandelgroep", "wandeling"}),      # a typo
    ("eten", {"eettafel"}),
    ("zingen koor", {"koor"}),                       # every word must be found
    ("mantelzorgcafe", {"cafe"}),                    # without the accent
    ("cafe", {"cafe"}),
    ("zwemmen", set()),
    ("", set(DOCS)),
])
def test_dutch_word_forms_compounds_and_typos(query, expected):
    assert search_text(query, DOCS) == expected


def test_short_words_are_not_guessed_at():
    assert matching_terms("wan", {"wandel", "wand", "want"}) == {"wandel", "wand", "want"}  # a beginning
    assert "wand" not in matching_terms("wandelgroep", {"wand"})  # too short to be part of a compound
    assert matching_terms("rouw", {"bouw"}) == set()  # no typos in short words


def _catalogue(app):
    with app.app_context():
        activities.import_csv(csv_bytes(
            line(name="Wandelgroep Centrum", wijk="Centrum"),
            line(name="Wandeling Oosterhof", wijk="Oosterhof", description="Een wandeling door de wijk."),
            line(name="Telefooncirkel", wijk="", location="thuis", description="Elke ochtend een belletje."),
            line(name="Online koffie", wijk="", location="online", description="Samen koffie via het scherm."),
            line(name="Buurtmaatje", wijk="", events="verhuizing", description="Een maatje in de gemeente."),
            line(name="Rouwgroep", wijk="Oosterhof", events="overlijden_naaste", description="Praten over verlies."),
        ))
        db.session.commit()


def test_search_in_dutch_through_the_page(app, client):
    _catalogue(app)
    page = client.get("/wat-is-er-te-doen?zoek=wandelen").get_data(as_text=True)
    assert "Wandelgroep Centrum" in page and "Wandeling Oosterhof" in page and "2 activiteiten gevonden" in page
    page = client.get("/wat-is-er-te-doen?zoek=wandelgroep").get_data(as_text=True)
    assert "Wandeling Oosterhof" in page


def test_a_wijk_filter_keeps_the_whole_town_at_home_and_online_labelled(app, client):
    _catalogue(app)
    page = client.get("/wat-is-er-te-doen?wijk=Centrum").get_data(as_text=True)
    for name in ("Wandelgroep Centrum", "Telefooncirkel", "Online koffie", "Buurtmaatje"):
        assert name in page
    assert "Wandeling Oosterhof" not in page and "Rouwgroep" not in page
    assert "Bij u thuis" in page and "Online" in page and "Hele gemeente" in page
    assert "Ook wat voor de hele gemeente is, bij u thuis of online." in page


def test_filter_by_life_event(app, client):
    _catalogue(app)
    page = client.get("/wat-is-er-te-doen?gebeurtenis=overlijden_naaste").get_data(as_text=True)
    assert "Rouwgroep" in page and "1 activiteit gevonden" in page
    assert "Buurtmaatje" in client.get("/wat-is-er-te-doen?gebeurtenis=verhuizing").get_data(as_text=True)
    everything = client.get("/wat-is-er-te-doen?gebeurtenis=bestaat-niet").get_data(as_text=True)
    assert "6 activiteiten gevonden" in everything  # an unknown choice filters nothing


def test_every_reason_is_one_sentence_of_at_most_fifteen_words(app):
    """Every combination of reasons the ranking can give, for every life-event, in both languages."""
    from itertools import combinations

    from flask_babel import force_locale

    from webapp.core.definitions import current_questionnaire, life_events
    from webapp.sociale_kaart.service import MAX_WORDS, why

    with app.test_request_context():
        for lang in ("nl", "en"):
            with force_locale(lang):
                names = {p.id: p.name.get(lang) for p in current_questionnaire().pillars}
                for event in life_events().events:
                    for pillar in names:
                        kinds = [("focus", pillar), ("low", pillar), ("talk", pillar), ("event_pillar", pillar),
                                 ("event", event.id), ("event_recent", event.id), ("liked", "")]
                        for size in (1, 2, 3):
                            for reasons in combinations(kinds, size):
                                sentence = why(list(reasons), names, lang)
                                assert len(sentence.split()) <= MAX_WORDS, sentence
                                assert sentence.count(".") <= 1, sentence
