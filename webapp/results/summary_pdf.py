"""The one-page A4 summary left on the kitchen table, tagged for screen readers.

The layout is the Typst template templates/pdf/summary.typ (rendered by webapp.core.pdf). Nothing
comes closer than 15 mm to the paper's edge (printers cut off what lies nearer;
tests/test_paper.py checks every painted point). Texts are shortened here so that each answer
takes at most about three lines; the template leaves off whole blocks that do not fit on the page.
"""

import textwrap
from dataclasses import dataclass, field

from webapp.core import pdf

# Lengths in characters at the summary's type sizes (about 35 characters a line in a column).
TITLE_CHARS, SUBTITLE_CHARS, NAME_CHARS, VALUE_CHARS = 32, 150, 60, 40
HEADING_CHARS, LINE_CHARS, FOOTER_CHARS = 70, 100, 110


@dataclass
class Summary:
    """Everything on the page, already in the reader's language."""

    title: str
    subtitle: str
    chart_svg: str  # the spider web, as the result page shows it
    chart_alt: str  # the scores in words, read instead of the picture
    score_heading: str
    score_header: tuple[str, str]  # the table's header row, e.g. ("Onderdeel", "Cijfer")
    score_rows: list[tuple[str, str]]  # (pillar name, "7,0 (eerder 6,0)")
    sections: list[tuple[str, str | None]] = field(default_factory=list)  # (heading, text): the plan, left
    # (heading, text) in the right column: next check-in, the chosen activity, the coach. A text may
    # hold several lines ("\n"), each shortened on its own.
    side_sections: list[tuple[str, str | None]] = field(default_factory=list)
    footer: str = ""
    lang: str = "nl"


def shorten(text: str | None, width: int) -> str:
    """At most `width` characters, cut at a space where possible and ended with "…"."""
    text = " ".join((text or "").split())
    if len(text) <= width:
        return text
    cut = textwrap.shorten(text, width, placeholder=" …")
    if len(cut) < width // 2:  # one very long word: cut through it
        cut = text[:width - 2] + " …"
    return cut


def _block(heading: str, text: str | None) -> list[str]:
    lines = [shorten(line, LINE_CHARS) for line in (text or "").splitlines() if line.strip()]
    return [shorten(heading, HEADING_CHARS), "\n".join(lines)]


def summary_pdf(summary: Summary) -> bytes:
    """Lay the summary out on one A4 page in large type and return the tagged PDF."""
    return pdf.render("summary", {
        "lang": summary.lang,
        "title": shorten(summary.title, TITLE_CHARS),
        "subtitle": shorten(summary.subtitle, SUBTITLE_CHARS),
        "chart_alt": summary.chart_alt,
        "score_heading": shorten(summary.score_heading, HEADING_CHARS),
        "score_header": list(summary.score_header),
        "score_rows": [[shorten(name, NAME_CHARS), shorten(value, VALUE_CHARS)] for name, value in summary.score_rows],
        "sections": [_block(*entry) for entry in summary.sections],
        "side_sections": [_block(*entry) for entry in summary.side_sections],
        "footer": shorten(summary.footer, FOOTER_CHARS),
    }, raw={"chart": summary.chart_svg})
