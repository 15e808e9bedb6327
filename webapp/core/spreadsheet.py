"""CSV for spreadsheet programs: the one guard against cells that Excel would run as a formula.

Plain Python (no Flask), so rules modules may use it too.
"""

import csv
import io
from collections.abc import Iterable, Sequence

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
GUARD = "'"


def _is_number(text: str) -> bool:
    try:
        float(text.replace(",", "."))
    except ValueError:
        return False
    return True


def safe_cell(value) -> str:
    """A CSV cell that spreadsheet programs will not run as a formula (a quote goes in front)."""
    text = "" if value is None else str(value)
    return GUARD + text if text[:1] in FORMULA_STARTS and not _is_number(text) else text


def read_cell(text: str) -> str:
    """Undo safe_cell on a cell read back in, so an export imported again changes nothing."""
    return text[1:] if text[:1] == GUARD and text[1:2] in FORMULA_STARTS and not _is_number(text[1:]) else text


def csv_text(header: Sequence[str], rows: Iterable[Sequence]) -> str:
    """Semicolon CSV with a byte-order mark, as Dutch Excel opens it with the right accents."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])
    return "\ufeff" + buffer.getvalue()
