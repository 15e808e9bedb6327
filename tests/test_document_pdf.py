"""The multi-page "Download my data" document: everything typed must come out, readable, on as many pages as needed."""

import io
import itertools

import pytest
from pypdf import PdfReader

from tests.pdf_extents import ink_boxes
from webapp.rights.document_pdf import Document, Paragraph, Rows, Section, Subheading, document_pdf

FOOTER = "Veerkracht — uw eigen gegevens, alleen voor u."
NOTE = " ".join(f"Notitie{i}: ik wandelde € {i},50 en ’s avonds café-bezoek met Zoë." for i in range(50))[:3000]


def squash(text: str) -> str:
    """Drop all whitespace: extraction changes line breaks and puts spaces between kerned letters ("T aal")."""
    return "".join(text.split())


def pages_text(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def small_document() -> Document:
    return Document(
        title="Mijn gegevens bij Veerkracht",
        subtitle="Anna de Vries – 3 maart 2025",
        sections=[
            Section("Profiel", [Rows([("Naam", "Anna de Vries"), ("Taal", "Nederlands"), ("Telefoon", None)])]),
            Section("Check-ins", [Subheading("Check-in 1 maart 2025"),
                                  Rows([("Lichaam", "7,0"), ("Gevoel", ""), ("Plan: kleine stap", "Elke dag " * 12)])]),
            Section("Notities", [Paragraph("Eerste regel met $5 en 50% korting.\n\nNa een lege regel: é ë ï ’ €")]),
            Section("Doorverwijzingen", [Paragraph("Geen.")]),
            Section("Afspraken", []),
        ],
        footer=FOOTER,
    )


def long_document(checkins: int = 40) -> tuple[Document, list[str]]:
    """Check-ins of 20 answers each and a long note, plus every string in the order it should be printed."""
    blocks, expected = [], ["Mijn gegevens", "Alles wat Veerkracht over u bewaart", "Check-ins"]
    for c in range(1, checkins + 1):
        rows = [(f"Vraag {q} van check-in {c}: hoe gaat het met u?", f"Antwoord {c}.{q} " + "lang " * (q % 4 * 5))
                for q in range(1, 21)]
        blocks += [Subheading(f"Check-in {c}"), Rows(rows)]
        expected += [f"Check-in {c}", *itertools.chain.from_iterable(rows)]
    document = Document("Mijn gegevens", "Alles wat Veerkracht over u bewaart",
                        [Section("Check-ins", blocks), Section("Notities", [Paragraph(NOTE)])], footer=FOOTER)
    return document, [*expected, "Notities", NOTE]


@pytest.fixture(scope="module")
def long_pdf() -> tuple[list[str], list[str]]:
    document, expected = long_document(checkins=12)  # about 12 pages: many pages
    return pages_text(document_pdf(document)), expected


@pytest.fixture(scope="module")
def small_pdf() -> bytes:
    """Drawn once for the tests that only read it."""
    return document_pdf(small_document())


def test_small_document_holds_title_headings_rows_and_paragraphs(small_pdf):
    pdf = small_pdf
    assert pdf.startswith(b"%PDF-")
    (text,) = pages_text(pdf)
    flat = squash(text)
    for expected in ["Mijn gegevens bij Veerkracht", "Anna de Vries – 3 maart 2025", "Profiel", "Check-ins",
                     "Check-in 1 maart 2025", "Notities", "Doorverwijzingen", "Afspraken", "NaamAnna de Vries",
                     "TaalNederlands", "Lichaam7,0", "Plan: kleine stap" + "Elke dag " * 12, "Geen.", FOOTER]:
        assert squash(expected) in flat
    assert "1 / 1" in text


def test_dollar_and_percent_are_literal_and_dutch_characters_render(small_pdf):
    flat = squash(pages_text(small_pdf)[0])
    assert "Eersteregelmet$5en50%korting." in flat
    assert "Naeenlegeregel:éëï’€" in flat


def test_missing_values_and_empty_sections_show_a_dash(small_pdf):
    flat = squash(pages_text(small_pdf)[0])
    assert "Telefoon–" in flat
    assert "Gevoel–" in flat
    assert "Afspraken–" in flat
    empty = Document("Leeg", "", [Section("Niets", [Paragraph(None), Paragraph("  "), Rows([]), Rows([(None, "")])])])
    assert squash(pages_text(document_pdf(empty))[0]) == "LeegNiets–––––1/1"


def test_characters_the_font_lacks_are_replaced_without_warnings():
    document = Document("Tekens", "", [Section("Notitie", [Paragraph("bel\x07 en 漢字 maar wel é")])])
    flat = squash(pages_text(document_pdf(document))[0])
    assert "bel\ufffden\ufffd\ufffdmaarwelé" in flat


def page_bodies(pages: list[str]) -> list[str]:
    """Each page's text without whitespace, after checking and cutting off its footer and "n / N" page number."""
    bodies = []
    for number, text in enumerate(pages, start=1):
        assert f"{number} / {len(pages)}" in text
        ending = squash(FOOTER) + f"{number}/{len(pages)}"
        assert squash(text).endswith(ending)
        bodies.append(squash(text).removesuffix(ending))
    return bodies


def test_long_document_flows_over_many_pages_and_loses_no_text(long_pdf):
    pages, expected = long_pdf
    assert len(pages) >= 10
    # Every word, in the order given: nothing was clipped off a page, dropped or duplicated.
    assert "".join(page_bodies(pages)) == squash(" ".join(expected))


def test_a_heading_never_ends_a_page(long_pdf):
    pages, _ = long_pdf
    headings = [squash(f"Check-in {c}") for c in range(1, 41)] + ["Notities", "Check-ins"]
    for body in page_bodies(pages)[:-1]:
        assert not any(body.endswith(heading) for heading in headings), body[-80:]


def _overlap(a, b, slack: float = 0.5) -> bool:
    """Whether two (kind, x0, y0, x1, y1) boxes share more than a sliver (runs on one line touch)."""
    return min(a[3], b[3]) - max(a[1], b[1]) > slack and min(a[4], b[4]) - max(a[2], b[2]) > slack


def test_text_stays_inside_the_page_and_never_overlaps():
    document, _ = long_document(checkins=6)
    document.sections.append(Section("Breed", [Rows([("W" * 60, "M" * 200), ("Kort", "WMWMWMWMWMWMWMWMWMWM")])]))
    pdf = document_pdf(document)
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) > 3
    inch = 72
    for number, page in enumerate(reader.pages):
        width, height = (float(v) for v in page.mediabox[2:])
        boxes = [box for box in ink_boxes(pdf, number) if box[0] == "text"]
        assert len(boxes) > 2
        for box in boxes:  # inside the margins: nothing runs off the right edge or into the bottom
            assert 0.5 * inch <= box[1] and box[3] <= width - 0.5 * inch, box
            assert 0.3 * inch <= box[2] and box[4] <= height - 0.5 * inch, box
        for a, b in itertools.combinations(boxes, 2):
            assert not _overlap(a, b), (a, b)


def test_the_same_document_gives_the_same_bytes(small_pdf):
    assert document_pdf(small_document()) == small_pdf
