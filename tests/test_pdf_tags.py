"""Every PDF the app makes is tagged (issue 17): marked, with its language and title, a structure tree in
reading order; the chart a figure with its scores in words, the scores a table with header cells, each
pillar's name read next to its own score. Read back with pikepdf (tests/pdf_tags.py)."""

import io
import re
from datetime import date

import pikepdf
import pytest
from sqlalchemy import select

from tests.pdf_tags import Node, catalog, structure
from tests.test_document_pdf import small_document
from tests.test_wor import CLOSE, _in_coaching, _referral, people  # noqa: F401 (a fixture)
from webapp.accounts import service as people_service
from webapp.core.definitions import current_questionnaire, pillar_title
from webapp.core.extensions import db
from webapp.core.models import Resident, User
from webapp.core.pdf import clean
from webapp.rights.document_pdf import Document, Paragraph, Rows, Section, document_pdf

# Typst source a resident might type as their name; it must be printed, never run.
TRICKY = '#eval("1+1") ] [ *vet* $x^2$ <label> @ref \\ // niet weg #set text(size: 1pt)'


def assert_tagged(pdf: bytes, lang: str, title: str) -> Node:
    """The catalogue says tagged, PDF/UA-1, the language and the title; returns the structure tree."""
    facts = catalog(pdf)
    assert facts["marked"] and facts["has_structure"] and facts["display_title"], facts
    assert facts["lang"] == lang and facts["ua_part"] == "1", facts
    assert facts["title"] == title, facts
    tree = structure(pdf)
    assert tree.children and tree.children[0].tag == "Document"
    assert tree.find("H1") and tree.find("H1")[0].text == title.split(" – ")[0]
    return tree


def _scores_by_pillar(kort_items: dict) -> dict[str, int]:
    return {pillar: 2 + index for index, pillar in enumerate(kort_items)}  # a different score per pillar


@pytest.fixture
def resident_with_two_checkins(app, client, make_resident, make_checkin, kort_items, login_as):
    resident = make_resident()
    scores = _scores_by_pillar(kort_items)
    make_checkin(resident["resident"], {item: 5 for items in kort_items.values() for item in items}, days_ago=30)
    latest = make_checkin(resident["resident"], {item: scores[pillar] for pillar, items in kort_items.items()
                                                 for item in items})
    with app.app_context():
        db.session.scalar(select(Resident).where(Resident.public_id == resident["resident"])).display_name = TRICKY
        db.session.commit()
    login_as(client, resident["user"])
    return {**resident, "checkin": latest, "scores": scores}


def _pillar_names(app, lang: str, plain: bool = False) -> dict[str, str]:
    """The resident's plain words with the official names beside them (the data download, a full
    record), or the plain words alone (the summary, as its chart)."""
    with app.app_context():
        return {p.id: pillar_title(p, lang, staff=not plain) for p in current_questionnaire().pillars}


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_the_summary_is_tagged_with_chart_text_and_a_score_table(app, client, resident_with_two_checkins, lang):
    if lang == "en":
        client.post_form("/taal", {"lang": "en"})
    response = client.get(f"/uitslag/{resident_with_two_checkins['checkin']}/samenvatting.pdf")
    assert response.status_code == 200
    title = "Hoe gaat het met u?" if lang == "nl" else "How are you?"
    tree = assert_tagged(response.data, lang, title)
    names = _pillar_names(app, lang, plain=True)
    scores = resident_with_two_checkins["scores"]
    decimal = "," if lang == "nl" else "."

    (figure,) = tree.find("Figure")  # the spider web, with every score in words
    for pillar, score in scores.items():
        assert f"{names[pillar]}: {score}{decimal}0" in figure.alt, figure.alt
    (table,) = tree.find("Table")
    header = table.find("TH")
    assert len(header) == 2 and all(cell.scope == "Column" for cell in header)
    rows = [row for body in table.find("TBody") for row in body.find("TR")]
    # Read in order, each row is one pillar's name and then its own score (and the one before).
    assert [[cell.text for cell in row.find("TD")] for row in rows] == [
        [names[pillar], f"{score}{decimal}0 ({'eerder' if lang == 'nl' else 'before:'} 5{decimal}0)"]
        for pillar, score in scores.items()]
    # The name a resident typed is printed as it is: no Typst markup runs.
    assert TRICKY in tree.find("P")[0].text


def test_the_data_download_is_tagged_and_reads_each_score_with_its_pillar(app, client, resident_with_two_checkins):
    response = client.get("/account/mijn-gegevens.pdf")
    assert response.status_code == 200
    tree = assert_tagged(response.data, "nl", "Mijn gegevens")
    assert len(tree.find("H2")) >= 5
    pairs = {item.find("Lbl")[0].text: item.find("LBody")[0].text for item in tree.find("LI")}
    names = _pillar_names(app, "nl")
    for pillar, score in resident_with_two_checkins["scores"].items():
        assert pairs[f"Score {names[pillar]}"] == f"{score},0"
    assert pairs["Naam"] == " ".join(TRICKY.split())


def test_the_feedback_to_the_referrer_is_tagged(app, client, people, login_as):  # noqa: F811
    coach, base = _in_coaching(app, client, people, login_as, sharing="status")
    coach.post_form(f"{base}/afronden", {**CLOSE, "improved": "beter"})
    response = client.get(f"/verwijzer/{_referral(app).public_id}/terugkoppeling.pdf")
    tree = assert_tagged(response.data, "nl", "Terugkoppeling Welzijn op Recept")
    pairs = {item.find("Lbl")[0].text: item.find("LBody")[0].text for item in tree.find("LI")}
    assert pairs["Patiënt"] == "mevr. J. de Vries" and pairs["Gestart?"] == "Ja, gestart"


@pytest.mark.parametrize(("form", "choices"), [("kort", [str(n) for n in range(11)]),
                                               ("eenvoudig", ["Nee", "Vaak niet", "Soms", "Vaak wel", "Ja"])])
def test_the_blank_paper_form_is_tagged_in_large_type(app, client, form, choices):
    response = client.get(f"/vragenlijst-op-papier/{form}.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    name = {"kort": "Kort", "eenvoudig": "Eenvoudig"}[form]
    tree = assert_tagged(response.data, "nl", f"Hoe gaat het met u? – Vragenlijst op papier: {name}")
    with app.app_context():
        questionnaire = current_questionnaire()
        statements = [item.text.nl for _pillar, items in questionnaire.form_pillars(form) for item in items]
        parts = [pillar.short.nl for pillar in questionnaire.pillars]
    assert [heading.text for heading in tree.find("H2")] == parts
    tables = tree.find("Table")
    assert len(tables) == len(statements)  # one row of answer boxes per statement, named by its header
    for table in tables:
        assert [cell.text for cell in table.find("TH")] == choices
    text = tree.text
    for statement in statements:
        assert statement in text
    assert re.search(r"Naam: ?Datum:", text)  # the lines to write on are empty
    figures = tree.find("Figure")
    if form == "eenvoudig":  # a pictogram with every statement; the faces are named in words
        assert len(figures) == len(statements) and all(f.alt and f.alt.startswith("Plaatje bij") for f in figures)
    else:
        assert figures == []
    document = pikepdf.open(io.BytesIO(response.data))
    sizes = {float(operands[1]) for page in document.pages for operands, op in pikepdf.parse_content_stream(page)
             if str(op) == "Tf"}
    assert min(sizes) >= 14, sizes


def test_the_blank_paper_form_follows_the_language_and_knows_only_two_forms(client):
    client.post_form("/taal", {"lang": "en"})
    response = client.get("/vragenlijst-op-papier/eenvoudig.pdf")
    tree = assert_tagged(response.data, "en", "How are you? – Questionnaire on paper: Easy")
    assert "I feel healthy." in tree.text and "Often yes" in tree.text
    for wrong in ("uitgebreid", "KORT", "..%2Fkort", "x" * 300):
        assert client.get(f"/vragenlijst-op-papier/{wrong}.pdf").status_code == 404


def test_help_page_and_the_coachs_resident_page_link_the_paper_forms(app, client, make_staff, login_as):
    page = client.get("/uitleg").get_data(as_text=True)
    assert 'href="/vragenlijst-op-papier/eenvoudig.pdf"' in page and 'href="/vragenlijst-op-papier/kort.pdf"' in page
    coach = make_staff("ouderencoach")
    with app.app_context():
        user = db.session.scalar(select(User).where(User.public_id == coach["user"]))
        resident = people_service.enrol_resident(user, "mevr. T. Bakker", 1941, "Noord", date.today(),
                                                 "mondeling").public_id
        db.session.commit()
    login_as(client, coach["user"])
    page = client.get(f"/coach/bewoner/{resident}").get_data(as_text=True)
    assert 'href="/vragenlijst-op-papier/kort.pdf"' in page and 'href="/vragenlijst-op-papier/eenvoudig.pdf"' in page


def test_typst_markup_in_any_text_is_printed_literally():
    document = Document(TRICKY, TRICKY, [Section(TRICKY, [Paragraph(TRICKY), Rows([(TRICKY, TRICKY)])])],
                        footer=TRICKY)
    tree = assert_tagged(document_pdf(document), "nl", TRICKY)
    squeezed = " ".join(TRICKY.split())
    assert [node.text for node in tree.find("H1") + tree.find("H2") + tree.find("Lbl") + tree.find("LBody")] \
        == [squeezed] * 4
    assert [p.text for p in tree.find("P")] == [squeezed, squeezed]


def test_the_document_reads_in_order_and_rows_pair_label_and_value():
    tree = assert_tagged(document_pdf(small_document()), "nl", "Mijn gegevens bij Veerkracht")
    document = tree.children[0]
    assert [child.tag for child in document.children][:5] == ["H1", "P", "H2", "L", "H2"]
    pairs = [(item.find("Lbl")[0].text, item.find("LBody")[0].text) for item in tree.find("LI")]
    assert pairs[:4] == [("Naam", "Anna de Vries"), ("Taal", "Nederlands"), ("Telefoon", "–"), ("Lichaam", "7,0")]


def test_a_document_in_english_says_so():
    facts = catalog(document_pdf(Document("My data", "", [Section("About you", [])]), "en"))
    assert facts["lang"] == "en"


def test_clean_keeps_what_the_font_draws_and_breaks_very_long_words():
    assert clean("a\tb\r\nc") == "a    b\nc"
    assert clean("bel\x07 漢") == "bel\ufffd \ufffd"
    assert clean("x" * 50).replace("\u200b", "") == "x" * 50 and clean("x" * 50).count("\u200b") == 2
    with pytest.raises(ValueError):
        from webapp.core.pdf import render

        render("document", {"title": "", "lang": "nl"})
