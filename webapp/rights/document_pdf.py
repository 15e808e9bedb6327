"""A plain, multi-page A4 text document in large type (e.g. "Download my data"), drawn with matplotlib (no pyplot)."""

import io
import textwrap
from dataclasses import dataclass, field
from functools import cache

import matplotlib
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties, findfont, get_font
from matplotlib.ft2font import LoadFlags

# Embed TrueType fonts: the text stays selectable, searchable and readable aloud.
matplotlib.rcParams["pdf.fonttype"] = 42

PAGE_W, PAGE_H = 8.27 * 72, 11.69 * 72  # A4 in points
MARGIN = 54.0
TEXT_W = PAGE_W - 2 * MARGIN
LABEL_W = 0.45 * TEXT_W  # label column of a row; the value sits next to it when it fits on one line
VALUE_X = LABEL_W + 14
INDENT = 18.0  # a value too long to sit next to its label goes under it, indented
INK = "#1b1b1b"
FONT = "DejaVu Sans"
TITLE, HEAD, SUBHEAD, BODY, SMALL = 26, 18, 15, 13, 10
EMPTY = "–"


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


@dataclass
class _Unit:
    """A strip of the page that is never split: its lines, the gap above it, and whether it stays with the next."""

    height: float
    lines: list[tuple[float, float, str, float, bool]]  # (x, baseline below the strip's top, text, size, bold)
    before: float = 0.0
    keep: bool = False


@cache
def _glyphs() -> frozenset[int]:
    """Characters that both the regular and the bold font can draw (anything else would warn and show a box)."""
    maps = [get_font(findfont(FontProperties(family=FONT, weight=w))).get_charmap() for w in ("normal", "bold")]
    return frozenset(maps[0]) & frozenset(maps[1])


@cache
def _em(char: str, bold: bool) -> float:
    """Advance width of a character in em. Summed, they ignore kerning, which mostly narrows text: a safe measure."""
    font = get_font(findfont(FontProperties(family=FONT, weight="bold" if bold else "normal")))
    return font.load_char(ord(char), flags=LoadFlags.NO_SCALE).horiAdvance / font.units_per_EM


def _clean(text: str | None) -> str:
    text = "" if text is None else str(text).replace("\r\n", "\n").replace("\r", "\n").replace("\t", "    ")
    if not text.strip():
        return EMPTY
    return "".join(c if c == "\n" or ord(c) in _glyphs() else "\ufffd" for c in text)


def _wrap(text: str | None, width: float, size: float, bold: bool = False) -> list[str]:
    """Wrap by character count, narrowing until every line really fits the width (wide letters, capitals)."""
    lines: list[str] = []
    for part in _clean(text).split("\n"):
        chars = int(width / (size * (0.6 if bold else 0.54)))
        wrapped = textwrap.wrap(part, chars) or [""]
        while chars > 5 and any(size * sum(_em(c, bold) for c in line) > width for line in wrapped):
            chars -= 2
            wrapped = textwrap.wrap(part, chars)
        lines += wrapped
    return lines


def _text(text: str | None, size: float, bold: bool = False, x: float = 0.0, before: float = 0.0,
          keep: bool = False) -> list[_Unit]:
    """One unit per wrapped line, so long text flows over as many pages as it needs."""
    units = [_Unit(1.4 * size, [(x, 0.95 * size, line, size, bold)], keep=keep)
             for line in _wrap(text, TEXT_W - x, size, bold)]
    units[0].before = before
    return units


def _row(label: str | None, value: str | None) -> list[_Unit]:
    """A short value sits next to its label (one unit); a long one goes under it, indented."""
    labels, values = _wrap(label, LABEL_W, BODY), _wrap(value, TEXT_W - VALUE_X, BODY, bold=True)
    if len(values) > 1 or len(labels) > 3:  # long value or label: value under the label, flowing line by line
        return _text(label, BODY, before=6, keep=True) + _text(value, BODY, bold=True, x=INDENT)
    lines = [(0.0, 0.95 * BODY + 1.4 * BODY * i, line, BODY, False) for i, line in enumerate(labels)]
    return [_Unit(1.4 * BODY * len(labels), [*lines, (VALUE_X, 0.95 * BODY, values[0], BODY, True)], before=6)]


def _units(document: Document) -> list[_Unit]:
    units = _text(document.title, TITLE, bold=True)
    if document.subtitle:
        units += _text(document.subtitle, SUBHEAD, before=4)
    for section in document.sections:
        units += _text(section.heading, HEAD, bold=True, before=22, keep=True)
        for block in section.blocks or [Paragraph(None)]:
            if isinstance(block, Subheading):
                units += _text(block.text, SUBHEAD, bold=True, before=14, keep=True)
            elif isinstance(block, Rows):
                units += [unit for row in block.rows for unit in _row(*row)] or _text(None, BODY, before=6)
            else:
                units += _text(block.text, BODY, before=6)
    return units


def _paginate(units: list[_Unit], bottom: float) -> list[list[tuple[float, _Unit]]]:
    """Place units top-down; a unit marked `keep` moves to the next page unless what follows fits with it."""
    pages: list[list[tuple[float, _Unit]]] = [[]]
    y = MARGIN
    for i, unit in enumerate(units):
        need, j = unit.height, i
        while units[j].keep and j + 1 < len(units):
            j += 1
            need += units[j].before + units[j].height
        before = unit.before if pages[-1] else 0.0
        if pages[-1] and y + before + need > bottom and need <= bottom - MARGIN:
            pages.append([])
            y, before = MARGIN, 0.0
        pages[-1].append((y + before, unit))
        y += before + unit.height
    return pages


def _draw(fig: Figure, x: float, y: float, text: str, size: float, bold: bool, ha: str = "left") -> None:
    """Draw text with its baseline at (x, y) points from the top left, literally ($ and % are not mathtext)."""
    fig.text(x / PAGE_W, 1 - y / PAGE_H, text, fontsize=size, fontweight="bold" if bold else "normal", color=INK,
             family=FONT, ha=ha, va="baseline", usetex=False, parse_math=False)


def _figures(document: Document) -> list[Figure]:
    footer = _wrap(document.footer, TEXT_W - 70, SMALL) if document.footer else []
    foot_y = PAGE_H - 30 - 1.4 * SMALL * max(len(footer) - 1, 0)  # baseline of the first footer line
    pages = _paginate(_units(document), bottom=foot_y - SMALL - 16)
    figures = []
    for number, page in enumerate(pages, start=1):
        fig = Figure(figsize=(PAGE_W / 72, PAGE_H / 72))
        for top, unit in page:
            for x, dy, text, size, bold in unit.lines:
                if text:
                    _draw(fig, MARGIN + x, top + dy, text, size, bold)
        for k, line in enumerate(footer):
            _draw(fig, MARGIN, foot_y + 1.4 * SMALL * k, line, SMALL, False)
        _draw(fig, PAGE_W - MARGIN, PAGE_H - 30, f"{number} / {len(pages)}", SMALL, False, ha="right")
        figures.append(fig)
    return figures


def document_pdf(document: Document) -> bytes:
    """Lay the document out on as many A4 pages as it needs and return the PDF."""
    buffer = io.BytesIO()
    with PdfPages(buffer, metadata={"Title": document.title, "Creator": "Veerkracht", "CreationDate": None}) as pdf:
        for fig in _figures(document):
            pdf.savefig(fig)
    return buffer.getvalue()
