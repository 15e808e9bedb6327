"""The one-page A4 summary left on the kitchen table, drawn with matplotlib (no pyplot).

Laid out in millimetres from the top-left corner. Nothing comes closer than 15 mm to the paper's
edge (printers cut off what lies nearer; tests/test_summary_pdf.py checks every drawn point), and
every line is measured, then wrapped or shortened to fit its column.
"""

import io
from dataclasses import dataclass, field

import matplotlib
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties

from webapp.core.charts import draw_spider

# Embed TrueType fonts: the text stays selectable, searchable and readable aloud.
matplotlib.rcParams["pdf.fonttype"] = 42

A4_MM = (210.0, 297.0)
A4_INCHES = (A4_MM[0] / 25.4, A4_MM[1] / 25.4)
MARGIN_MM = 15.0  # the least distance to the paper's edge
LEFT, RIGHT, TOP, BOTTOM = 18.0, 192.0, 18.0, 279.0  # the content area (3 mm inside the margin)
INK = "#1b1b1b"
LINE_MM = 5.6  # one line of 12 pt text
MAX_LINES = 3  # per answer: a longer one ends with "…"


@dataclass
class Summary:
    """Everything on the page, already in the reader's language."""

    title: str
    subtitle: str
    labels: list[str]
    scores: list[float | None]
    previous: list[float | None] | None
    current_label: str
    previous_label: str
    score_heading: str
    score_rows: list[tuple[str, str]]  # (pillar name, "7,0 (eerder 6,0)")
    sections: list[tuple[str, str]] = field(default_factory=list)  # (heading, text): the plan, left
    # (heading, text) in the right column: next check-in, the chosen activity, the coach. A text may
    # hold several lines ("\n"), each wrapped on its own.
    side_sections: list[tuple[str, str]] = field(default_factory=list)
    footer: str = ""


class _Page:
    """Place text by millimetres from the top-left corner, measured so that it fits its width."""

    def __init__(self, fig: Figure):
        self.fig = fig
        self.renderer = FigureCanvasAgg(fig).get_renderer()

    def width_mm(self, text: str, size: float, bold: bool = False) -> float:
        font = FontProperties(size=size, weight="bold" if bold else "normal")
        width, _height, _descent = self.renderer.get_text_width_height_descent(text, font, ismath=False)
        return width / self.fig.dpi * 25.4

    def wrap(self, text: str, width: float, size: float, bold: bool = False, max_lines: int = MAX_LINES) -> list[str]:
        """Greedy word wrap by measured width; a word too long for a line is cut; the last line ends
        with "…" when text is left over."""
        lines: list[str] = []
        for paragraph in (text or "–").splitlines() or ["–"]:
            line = ""
            for word in paragraph.split():
                candidate = f"{line} {word}".strip()
                if self.width_mm(candidate, size, bold) <= width:
                    line = candidate
                    continue
                if line:
                    lines.append(line)
                while self.width_mm(word, size, bold) > width:  # one very long word
                    cut = len(word) - 1
                    while cut > 1 and self.width_mm(word[:cut], size, bold) > width:
                        cut -= 1
                    lines.append(word[:cut])
                    word = word[cut:]
                line = word
            lines.append(line or "–")
        if len(lines) > max_lines:
            last = lines[max_lines - 1]
            while last and self.width_mm(last + " …", size, bold) > width:
                last = last[:-1]
            lines = [*lines[:max_lines - 1], last.rstrip() + " …"]
        return lines

    def text(self, x: float, y: float, text: str, size: float, bold: bool = False, colour: str = INK) -> None:
        """Write one line with its top at y mm from the top of the page."""
        self.fig.text(x / A4_MM[0], 1 - y / A4_MM[1], text, fontsize=size, color=colour, va="top",
                      fontweight="bold" if bold else "normal")

    def block(self, x: float, y: float, width: float, heading: str, text: str, bottom: float) -> float:
        """A heading with its text below; returns where the next block starts. Stops at `bottom`."""
        if y + 2 * LINE_MM > bottom:
            return y
        for line in self.wrap(heading, width, 12.5, bold=True, max_lines=2):
            self.text(x, y, line, 12.5, bold=True)
            y += LINE_MM
        for line in self.wrap(text, width, 12, max_lines=MAX_LINES * max(1, (text or "").count("\n") + 1)):
            if y + LINE_MM > bottom:
                break
            self.text(x, y, line, 12)
            y += LINE_MM
        return y + 2.5


def summary_pdf(summary: Summary) -> bytes:
    """Lay the summary out on one A4 page in large type and return the PDF."""
    fig = Figure(figsize=A4_INCHES)
    fig.patch.set_visible(False)  # no page-sized white box: only what is printed is drawn
    page = _Page(fig)
    full = RIGHT - LEFT
    y = TOP
    for line in page.wrap(summary.title, full, 24, bold=True, max_lines=1):
        page.text(LEFT, y, line, 24, bold=True)
        y += 11
    for line in page.wrap(summary.subtitle, full, 13, max_lines=2):
        page.text(LEFT, y, line, 13)
        y += 6

    # The spider web on the left; its labels reach about 45 mm out from its centre.
    chart_top, chart_size = 58.0, 58.0
    ax = fig.add_axes((36 / A4_MM[0], 1 - (chart_top + chart_size) / A4_MM[1], chart_size / A4_MM[0],
                       chart_size / A4_MM[1]), projection="polar")
    draw_spider(ax, summary.labels, summary.scores, summary.previous, summary.current_label,
                summary.previous_label, label_size=11)
    if summary.previous is not None:
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.22), frameon=False, fontsize=11, ncols=2)

    # The scores in words on the right.
    column, width = 120.0, RIGHT - 120.0
    y = 50.0
    for line in page.wrap(summary.score_heading, width, 13.5, bold=True, max_lines=2):
        page.text(column, y, line, 13.5, bold=True)
        y += 6.5
    for name, value in summary.score_rows:
        y += 1.5
        page.text(column, y, page.wrap(name, width, 11.5, max_lines=1)[0], 11.5)
        page.text(column, y + 5, page.wrap(value, width, 12.5, bold=True, max_lines=1)[0], 12.5, bold=True)
        y += 11

    # Below: the plan on the left, next check-in, the activity and the coach on the right.
    top = 148.0
    bottom = BOTTOM - 8  # room for the footer
    y = top
    half = (full - 8) / 2
    for heading, text in summary.sections:
        y = page.block(LEFT, y, half, heading, text, bottom)
    y = top
    for heading, text in summary.side_sections:
        y = page.block(LEFT + half + 8, y, half, heading, text, bottom)
    if summary.footer:
        for line in page.wrap(summary.footer, full, 9, max_lines=1):
            page.text(LEFT, BOTTOM - 4, line, 9, colour="#444444")

    buffer = io.BytesIO()
    with PdfPages(buffer, metadata={"Title": summary.title, "Creator": "Veerkracht", "CreationDate": None}) as pdf:
        pdf.savefig(fig)
    return buffer.getvalue()
