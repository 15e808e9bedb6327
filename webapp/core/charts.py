"""Spider charts drawn with matplotlib's object-oriented API (no pyplot)."""

import io
import math
import textwrap
from collections.abc import Sequence

import matplotlib
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

# Text stays text in the SVG: smaller, crisp on any screen, readable by screen readers.
matplotlib.rcParams["svg.fonttype"] = "none"
matplotlib.rcParams["svg.hashsalt"] = "veerkracht"  # stable ids, so identical input gives identical SVG

# Okabe-Ito colours: distinguishable with every common form of colour blindness.
CURRENT_COLOUR = "#0072B2"
PREVIOUS_COLOUR = "#D55E00"
GRID_COLOUR = "#767676"


def _closed(values: Sequence[float | None]) -> list[float]:
    points = [math.nan if v is None else float(v) for v in values]
    return [*points, points[0]]


def draw_spider(
    ax,
    labels: Sequence[str],
    current: Sequence[float | None],
    previous: Sequence[float | None] | None = None,
    current_label: str = "",
    previous_label: str = "",
    label_size: float = 15,
) -> None:
    """Draw a six-axis 0-10 spider web on a polar Axes; previous scores as a dashed outline."""
    if len(labels) != len(current) or (previous is not None and len(previous) != len(labels)):
        raise ValueError("labels and scores must have the same length")
    count = len(labels)
    angles = [2 * math.pi * i / count for i in range(count)]
    closed_angles = [*angles, angles[0]]
    ax.set_theta_offset(math.pi / 2)
    ax.set_theta_direction(-1)
    ax.set_ylim(0, 10)
    ax.set_yticks([2, 4, 6, 8, 10])
    # The ring numbers at 12 points: shown about 10 pixels high on a 390 phone (9 points gave 7).
    ax.set_yticklabels(["2", "4", "6", "8", "10"], fontsize=12, color="#444444")
    ax.set_rlabel_position(360 / count / 2)
    ax.set_xticks(angles)
    ax.set_xticklabels([textwrap.fill(label, 13, break_long_words=False) for label in labels], fontsize=label_size)
    ax.tick_params(axis="x", pad=10)
    ax.grid(color=GRID_COLOUR, linewidth=0.6, alpha=0.6)
    ax.spines["polar"].set_color(GRID_COLOUR)
    if previous is not None:
        ax.plot(
            closed_angles, _closed(previous), color=PREVIOUS_COLOUR, linewidth=2,
            linestyle=(0, (5, 3)), marker="s", markersize=5, label=previous_label or None,
        )
    ax.plot(
        closed_angles, _closed(current), color=CURRENT_COLOUR, linewidth=2.5,
        marker="o", markersize=6, label=current_label or None,
    )
    filled = _closed(current)
    if not any(math.isnan(v) for v in filled):
        ax.fill(closed_angles, filled, color=CURRENT_COLOUR, alpha=0.18)


def spider_svg(
    labels: Sequence[str],
    current: Sequence[float | None],
    previous: Sequence[float | None] | None = None,
    current_label: str = "",
    previous_label: str = "",
) -> bytes:
    """Draw a six-axis 0-10 spider chart as SVG; previous scores appear as a dashed outline."""
    # A fixed layout with room for two-line labels and the legend: bbox_inches="tight" would draw
    # the whole figure twice (once to measure it), for a third more time per chart.
    fig = Figure(figsize=(4.4, 4.6), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0.22, 0.2557, 0.56, 0.5965), projection="polar")
    draw_spider(ax, labels, current, previous, current_label, previous_label)
    if current_label or previous_label:
        fig.legend(loc="lower center", ncols=1, frameon=False, fontsize=13)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    return buffer.getvalue()


# Okabe-Ito, one colour and one marker per pillar, so lines differ without colour too.
LINE_STYLES = [("#0072B2", "o"), ("#D55E00", "s"), ("#009E73", "^"), ("#CC79A7", "D"), ("#E69F00", "v"),
               ("#56B4E9", "P")]


# The words of a chart drawn for a phone (`narrow`): 440 wide, shown at about 360 on a 390 phone,
# so 13-point words come out at about 10 pixels.
PHONE_TEXT = 13


def lines_svg(dates: Sequence, series: Sequence[tuple[str, Sequence[float | None]]],
              date_labels: Sequence[str], narrow: bool = False) -> bytes:
    """Draw each pillar's score over time (0-10) as a line chart in SVG. `narrow`: for a phone, 440
    instead of 750 wide, with larger words, slanted dates and the legend in one column below, so
    that the words stay readable once the browser scales the chart to the screen."""
    if narrow:
        fig = Figure(figsize=(4.4, 5.8), dpi=100)
        ax = fig.add_axes((0.17, 0.45, 0.78, 0.52))  # room left for the first date, slanted
    else:
        fig = Figure(figsize=(7.5, 4.2), dpi=100)
        ax = fig.add_axes((0.07, 0.3, 0.9, 0.65))
    FigureCanvasAgg(fig)
    positions = list(range(len(dates)))
    for (label, values), (colour, marker) in zip(series, LINE_STYLES, strict=False):
        ax.plot(positions, [math.nan if v is None else v for v in values], color=colour, marker=marker,
                linewidth=2, markersize=6, label=label)
    ax.set_ylim(0, 10)
    ax.set_yticks([0, 2, 4, 6, 8, 10])
    if narrow:
        ax.tick_params(axis="y", labelsize=PHONE_TEXT)
        _period_axis(ax, date_labels, crowded_after=1, angle=35, fontsize=PHONE_TEXT)
        fig.legend(loc="lower center", ncols=1, frameon=False, fontsize=PHONE_TEXT, bbox_to_anchor=(0.5, 0.0))
    else:
        _period_axis(ax, date_labels, crowded_after=6, angle=30)
        fig.legend(loc="lower center", ncols=3, frameon=False, fontsize=10)
    return _svg(fig)


SUPPRESSED_COLOUR = "#BBBBBB"


def _period_axis(ax, labels: Sequence[str], crowded_after: int, angle: int, fontsize: int = 10) -> None:
    """One tick per period along x (slanted when there are many), light horizontal grid, open top and right."""
    ax.set_xticks(list(range(len(labels))))
    crowded = len(labels) > crowded_after
    ax.set_xticklabels(labels, fontsize=fontsize, rotation=angle if crowded else 0,
                       ha="right" if crowded else "center")
    ax.grid(axis="y", color=GRID_COLOUR, linewidth=0.5, alpha=0.5)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def _svg(fig) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    return buffer.getvalue()


def counts_svg(labels: Sequence[str], counts: Sequence[int | None], suppressed_label: str,
               narrow: bool = False) -> bytes:
    """Bars per period; a hidden count (None) shows as a hatched grey bar with a legend entry.
    `narrow`: for a phone (440 wide, larger words, dates slanted sooner)."""
    size = PHONE_TEXT if narrow else 10
    fig = Figure(figsize=(4.4, 4.4) if narrow else (7.5, 3.8), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0.15, 0.34, 0.82, 0.6) if narrow else (0.08, 0.3, 0.9, 0.62))
    positions = list(range(len(labels)))
    shown = [c for c in counts if c is not None]
    top = max(shown, default=10) * 1.15 or 10
    ax.bar([p for p, c in zip(positions, counts, strict=True) if c is not None], shown, color=CURRENT_COLOUR)
    hidden = [p for p, c in zip(positions, counts, strict=True) if c is None]
    if hidden:
        ax.bar(hidden, [top] * len(hidden), color="white", edgecolor=SUPPRESSED_COLOUR, hatch="//",
               label=suppressed_label)
        fig.legend(loc="lower center", frameon=False, fontsize=PHONE_TEXT if narrow else 11)
    ax.set_ylim(0, top)
    if narrow:
        ax.tick_params(axis="y", labelsize=size)
    _period_axis(ax, labels, crowded_after=3 if narrow else 8, angle=45, fontsize=size)
    return _svg(fig)


def changes_svg(labels: Sequence[str], estimates: Sequence[tuple[float, float, float] | str | None],
                suppressed_label: str, axis_label: str, narrow: bool = False) -> bytes:
    """Mean change per pillar as a dot with its 95% interval; hidden groups are written out: None as
    `suppressed_label`, a string as itself (why no dot is drawn, in the table's words).
    `narrow`: for a phone (440 wide; the pillars' names wrap onto two lines)."""
    height = 0.55 * len(labels) + 1.3
    if narrow:
        height = 0.75 * len(labels) + 1.4
        labels = [textwrap.fill(label, 13, break_long_words=False) for label in labels]
        axis_label = textwrap.fill(axis_label, 24, break_long_words=False)
    fig = Figure(figsize=(4.4 if narrow else 7.5, height), dpi=100)
    FigureCanvasAgg(fig)
    left, width = (0.4, 0.55) if narrow else (0.3, 0.65)
    ax = fig.add_axes((left, 1.0 / height, width, 1 - 1.4 / height))
    reach = max([2.0] + [max(abs(e[1]), abs(e[2])) for e in estimates if isinstance(e, tuple)])
    reach = min(10.0, math.ceil(reach + 0.5))
    rows = list(range(len(labels)))[::-1]
    for row, estimate in zip(rows, estimates, strict=True):
        if not isinstance(estimate, tuple):
            ax.text(0, row, estimate or suppressed_label, ha="center", va="center",
                    fontsize=PHONE_TEXT if narrow else 11, color="#444444", style="italic")
            continue
        mean, low, high = estimate
        ax.plot([low, high], [row, row], color=CURRENT_COLOUR, linewidth=2.5)
        ax.plot([mean], [row], marker="o", markersize=8, color=CURRENT_COLOUR)
    ax.axvline(0, color=GRID_COLOUR, linewidth=1)
    ax.set_xlim(-reach, reach)
    ax.set_ylim(-0.7, len(labels) - 0.3)
    ax.set_yticks(rows)
    ax.set_yticklabels(labels, fontsize=PHONE_TEXT if narrow else 12)
    ax.set_xlabel(axis_label, fontsize=PHONE_TEXT if narrow else 11)
    if narrow:
        ax.tick_params(axis="x", labelsize=12)
    ax.grid(axis="x", color=GRID_COLOUR, linewidth=0.5, alpha=0.5)
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    return _svg(fig)
