"""The one-page A4 summary left on the kitchen table, drawn with matplotlib (no pyplot)."""

import io
import textwrap
from dataclasses import dataclass, field

import matplotlib
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure

from webapp.core.charts import draw_spider

# Embed TrueType fonts: the text stays selectable, searchable and readable aloud.
matplotlib.rcParams["pdf.fonttype"] = 42

A4_INCHES = (8.27, 11.69)
INK = "#1b1b1b"


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
    sections: list[tuple[str, str]] = field(default_factory=list)  # (heading, text)
    footer: str = ""


def summary_pdf(summary: Summary) -> bytes:
    """Lay the summary out on one A4 page in large type and return the PDF."""
    fig = Figure(figsize=A4_INCHES)
    fig.text(0.07, 0.96, summary.title, fontsize=26, fontweight="bold", color=INK, va="top")
    fig.text(0.07, 0.918, summary.subtitle, fontsize=14, color=INK, va="top")

    ax = fig.add_axes((0.12, 0.615, 0.34, 0.24), projection="polar")
    draw_spider(ax, summary.labels, summary.scores, summary.previous, summary.current_label,
                summary.previous_label, label_size=11)
    if summary.previous is not None:
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.13), frameon=False, fontsize=12, ncols=2)

    y = 0.865
    fig.text(0.6, y, summary.score_heading, fontsize=15, fontweight="bold", color=INK, va="top")
    for name, value in summary.score_rows:
        y -= 0.034
        fig.text(0.6, y, name, fontsize=12, color=INK, va="top")
        fig.text(0.6, y - 0.016, value, fontsize=13, fontweight="bold", color=INK, va="top")
        y -= 0.012

    y = 0.53
    for heading, text in summary.sections:
        fig.text(0.07, y, heading, fontsize=14, fontweight="bold", color=INK, va="top")
        for line in (textwrap.wrap(text or "–", 70) or ["–"])[:3]:
            y -= 0.025
            fig.text(0.07, y, line, fontsize=14, color=INK, va="top")
        y -= 0.037
    if summary.footer:
        fig.text(0.07, 0.02, summary.footer, fontsize=9, color="#444444")

    buffer = io.BytesIO()
    with PdfPages(buffer, metadata={"Title": summary.title, "Creator": "Veerkracht", "CreationDate": None}) as pdf:
        pdf.savefig(fig)
    return buffer.getvalue()
