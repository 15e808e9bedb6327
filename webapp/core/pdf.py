"""Every PDF the app makes: a Typst template from templates/pdf/ rendered to a tagged PDF/UA-1 file.

The data goes in as JSON through Typst's `sys.inputs`, never into the template's source: a name such
as `#eval("…")` or `]` is a string to Typst and comes out literally. Typst writes the structure tree
(headings, paragraphs, lists, tables with header cells, figures with alternative text), the document
language and title, so a screen reader reads the page in order (issue 17).

The text font is DejaVu Sans from matplotlib's own data folder: the same font as the charts (their
SVG keeps its text as text), on every machine, without system fonts. Typst is imported on first use.
"""

import json
import re
import unicodedata
from datetime import UTC, datetime
from functools import cache
from importlib.util import find_spec
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent  # webapp/: the templates in templates/pdf/, pictures in static/
TEMPLATES = ROOT / "templates" / "pdf"
FONT_NAMES = ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSans-Oblique.ttf", "DejaVuSans-BoldOblique.ttf")
STANDARD = "ua-1"
REPLACEMENT = "\ufffd"
BREAK = "\u200b"  # zero-width space: a line may break here
LONG_WORD = re.compile(r"[^\s\u200b]{24}(?=[^\s\u200b])")


def font_files() -> list[Path]:
    """The four DejaVu Sans files that matplotlib ships (found without importing matplotlib); Typst is
    given their folder."""
    spec = find_spec("matplotlib")
    folder = Path(spec.origin).parent / "mpl-data" / "fonts" / "ttf"
    return [folder / name for name in FONT_NAMES]


@cache
def _compiler():
    import typst  # a compiled extension of some 40 MB: loaded by the first PDF, not at start

    fonts = typst.Fonts(include_system_fonts=False, font_paths=[str(font_files()[0].parent)])
    return typst.Compiler(root=str(ROOT), font_paths=fonts, ignore_system_fonts=True)


@cache
def _glyphs() -> frozenset[int]:
    """Characters both the regular and the bold font can draw (anything else would print as an empty box)."""
    from matplotlib.ft2font import FT2Font

    regular, bold = (set(FT2Font(str(path)).get_charmap()) for path in font_files()[:2])
    return frozenset(regular & bold)


def clean(text: str) -> str:
    """Text as the page prints it: line breaks kept, tabs as spaces, undrawable characters as "\ufffd",
    and a place to break in every 24 letters of a very long word (else it runs off the paper)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", "    ")
    glyphs = _glyphs()
    text = "".join(c if c == "\n" or (ord(c) in glyphs and unicodedata.category(c) != "Cc") else REPLACEMENT
                   for c in text)
    return LONG_WORD.sub(lambda match: match.group(0) + BREAK, text)


def _cleaned(value):
    if isinstance(value, str):
        return clean(value)
    if isinstance(value, dict):
        return {key: _cleaned(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_cleaned(item) for item in value]
    return value


def render(template: str, data: dict, raw: dict[str, str] | None = None) -> bytes:
    """Render templates/pdf/<template>.typ with `data` (JSON: strings, numbers, lists, dicts) to PDF/UA-1.

    `data` must hold "title" and "lang"; its strings are cleaned for the font. `raw` holds strings the
    template reads untouched from `sys.inputs`, such as a chart's SVG.
    """
    if not data.get("title") or data.get("lang") not in ("nl", "en"):
        raise ValueError("a PDF needs a title and a language (nl or en)")
    inputs = {**(raw or {}), "data": json.dumps(_cleaned(data), ensure_ascii=False)}
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)  # same input, same bytes all day
    return _compiler().compile(input=str(TEMPLATES / f"{template}.typ"), format="pdf", sys_inputs=inputs,
                               pdf_standards=[STANDARD], timestamp=today)
