"""A plain, multi-page A4 text document in large type (e.g. "Download my data"), tagged for screen readers.

The layout is the Typst template templates/pdf/document.typ (rendered by webapp.core.pdf): headings,
paragraphs and label-value rows as a description list, flowing over as many pages as needed.
"""

from dataclasses import asdict, dataclass, field

from webapp.core import pdf


@dataclass
class Paragraph:
    text: str | None  # newlines are kept; blank or None is shown as "–"


@dataclass
class Subheading:
    text: str | None  # e.g. the date of one check-in; never left alone at the bottom of a page


@dataclass
class Rows:
    rows: list[tuple[str | None, str | None]]  # (label, value), e.g. ("Lichaam", "7,0")


Block = Paragraph | Subheading | Rows
KINDS = {Paragraph: "paragraph", Subheading: "subheading", Rows: "rows"}


@dataclass
class Section:
    heading: str
    blocks: list[Block] = field(default_factory=list)  # no blocks: shown as "–"


@dataclass
class Document:
    title: str
    subtitle: str
    sections: list[Section]
    footer: str = ""  # repeated on every page, next to the page number


def _text(value) -> str:
    return "" if value is None else str(value)


def document_data(document: Document, lang: str) -> dict:
    """The document as the template's JSON: plain strings, "" for nothing."""
    sections = []
    for section in document.sections:
        blocks = []
        for block in section.blocks:
            entry = {"kind": KINDS[type(block)]}
            if isinstance(block, Rows):
                entry["rows"] = [[_text(label), _text(value)] for label, value in block.rows]
            else:
                entry["text"] = _text(block.text)
            blocks.append(entry)
        sections.append({"heading": _text(section.heading), "blocks": blocks})
    return {**asdict(document), "sections": sections, "lang": lang}


def document_pdf(document: Document, lang: str = "nl") -> bytes:
    """Lay the document out on as many A4 pages as it needs and return the tagged PDF."""
    return pdf.render("document", document_data(document, lang))
