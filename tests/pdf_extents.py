"""Where a PDF page puts ink: every painted path point, text run and form XObject, in points.

Reads the content stream with pypdf and follows the graphics state (cm, q/Q, text matrices); text
widths come from the embedded fonts' /W arrays (Type0 / CIDFontType2, as matplotlib writes them).
Enough for the simple pages this app draws; not a general PDF renderer.
"""

import io

from pypdf import PdfReader
from pypdf.generic import ArrayObject, ContentStream

MM = 72 / 25.4

PAINT = {b"S", b"s", b"f", b"F", b"f*", b"B", b"B*", b"b", b"b*"}


def _multiply(a, b):
    """The product of two PDF matrices [a b c d e f] (a applied first)."""
    return [a[0] * b[0] + a[1] * b[2], a[0] * b[1] + a[1] * b[3], a[2] * b[0] + a[3] * b[2],
            a[2] * b[1] + a[3] * b[3], a[4] * b[0] + a[5] * b[2] + b[4], a[4] * b[1] + a[5] * b[3] + b[5]]


def _apply(m, x, y):
    return (m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5])


def _font_widths(font) -> tuple[dict[int, float], float]:
    descendant = font["/DescendantFonts"][0].get_object()
    widths: dict[int, float] = {}
    array = [v.get_object() for v in descendant.get("/W", ArrayObject()).get_object()]
    i = 0
    while i < len(array):
        first, second = int(array[i]), array[i + 1]
        if isinstance(second, ArrayObject):
            for offset, width in enumerate(second):
                widths[first + offset] = float(width)
            i += 2
        else:
            for cid in range(first, int(second) + 1):
                widths[cid] = float(array[i + 2])
            i += 3
    return widths, float(descendant.get("/DW", 1000))


def ink_boxes(pdf: bytes, page_number: int = 0) -> list[tuple[str, float, float, float, float]]:
    """(what, x0, y0, x1, y1) for everything painted on one page (the first), in points from the bottom left."""
    reader = PdfReader(io.BytesIO(pdf))
    page = reader.pages[page_number]
    resources = page["/Resources"]
    fonts = {name: _font_widths(ref.get_object()) for name, ref in resources.get("/Font", {}).items()}
    xobjects = {name: ref.get_object() for name, ref in resources.get("/XObject", {}).items()}
    boxes = []
    ctm, stack = [1, 0, 0, 1, 0, 0], []
    path: list[tuple[float, float]] = []
    tm = tlm = [1, 0, 0, 1, 0, 0]
    font, size = None, 0.0
    for operands, op in ContentStream(page.get_contents(), reader).operations:
        values = [float(v) for v in operands if isinstance(v, (int, float))]
        if op == b"q":
            stack.append(ctm)
        elif op == b"Q":
            ctm = stack.pop()
        elif op == b"cm":
            ctm = _multiply(values, ctm)
        elif op in (b"m", b"l", b"c", b"v", b"y"):
            path += [_apply(ctm, values[i], values[i + 1]) for i in range(0, len(values), 2)]
        elif op == b"re":
            x, y, w, h = values
            path += [_apply(ctm, x, y), _apply(ctm, x + w, y + h)]
        elif op in PAINT:
            xs, ys = [p[0] for p in path], [p[1] for p in path]
            boxes.append(("path", min(xs), min(ys), max(xs), max(ys)))
            path = []
        elif op == b"n":  # a clipping path: nothing painted
            path = []
        elif op == b"Do":
            bbox = [float(v) for v in xobjects[operands[0]]["/BBox"]]
            corners = [_apply(ctm, bbox[0], bbox[1]), _apply(ctm, bbox[2], bbox[3])]
            boxes.append(("xobject", min(c[0] for c in corners), min(c[1] for c in corners),
                          max(c[0] for c in corners), max(c[1] for c in corners)))
        elif op == b"BT":
            tm = tlm = [1, 0, 0, 1, 0, 0]
        elif op == b"Tf":
            font, size = operands[0], float(operands[1])
        elif op == b"Td":
            tlm = _multiply([1, 0, 0, 1, values[0], values[1]], tlm)
            tm = tlm
        elif op == b"Tm":
            tm = tlm = values
        elif op in (b"TJ", b"Tj"):
            widths, default = fonts[font]
            parts = operands[0] if op == b"TJ" else [operands[0]]
            advance = 0.0
            for part in parts:
                if isinstance(part, (int, float)):
                    advance -= float(part) / 1000 * size
                    continue
                data = bytes(part.original_bytes if hasattr(part, "original_bytes") else part)
                for i in range(0, len(data) - 1, 2):
                    advance += widths.get(int.from_bytes(data[i:i + 2], "big"), default) / 1000 * size
            matrix = _multiply(tm, ctm)
            corners = [_apply(matrix, 0, -0.25 * size), _apply(matrix, advance, 0.95 * size)]
            boxes.append(("text", min(c[0] for c in corners), min(c[1] for c in corners),
                          max(c[0] for c in corners), max(c[1] for c in corners)))
    return boxes


def too_close(pdf: bytes, margin_mm: float) -> list:
    """Everything that comes closer than margin_mm to the edge of any page."""
    reader = PdfReader(io.BytesIO(pdf))
    margin = margin_mm * MM
    close = []
    for number, page in enumerate(reader.pages):
        _x0, _y0, width, height = (float(v) for v in page.mediabox)
        close += [box for box in ink_boxes(pdf, number)
                  if box[1] < margin or box[2] < margin or box[3] > width - margin or box[4] > height - margin]
    return close
