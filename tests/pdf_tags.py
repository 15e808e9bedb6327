"""Read a tagged PDF's structure tree with pikepdf: each element's tag, attributes and text, in reading order.

The text of a marked-content sequence (an MCID) comes from the page's content stream: the strings shown
between `BDC <</MCID n>>` and its `EMC`, decoded with the font's /ToUnicode map. Enough for the PDFs
Typst writes (Type0 fonts with two-byte codes, simple TrueType fonts with one-byte codes).
"""

import io
import re
from dataclasses import dataclass, field

import pikepdf


@dataclass
class Node:
    tag: str
    alt: str | None = None
    scope: str | None = None
    children: list = field(default_factory=list)  # Node or str (the text of one marked-content sequence)

    @property
    def text(self) -> str:
        """All text under this element, in reading order, whitespace squeezed."""
        parts = [child if isinstance(child, str) else child.text for child in self.children]
        return " ".join(" ".join(parts).split())

    def find(self, tag: str) -> list["Node"]:
        """Every element with this tag at or below this one, in reading order."""
        found = [self] if self.tag == tag else []
        for child in self.children:
            if isinstance(child, Node):
                found += child.find(tag)
        return found

    def tags(self) -> set[str]:
        return {node.tag for node in self.find_all()}

    def find_all(self) -> list["Node"]:
        return [self] + [n for child in self.children if isinstance(child, Node) for n in child.find_all()]


def _to_unicode(font) -> dict[int, str]:
    cmap = font.get("/ToUnicode")
    if cmap is None:
        return {}
    text = cmap.read_bytes().decode("latin-1")
    table: dict[int, str] = {}

    def hexstr(value: str) -> str:
        raw = bytes.fromhex(value)
        return raw.decode("utf-16-be")

    for block in re.findall(r"beginbfchar(.*?)endbfchar", text, re.S):
        for src, dst in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]*)>", block):
            table[int(src, 16)] = hexstr(dst)
    for block in re.findall(r"beginbfrange(.*?)endbfrange", text, re.S):
        for lo, hi, dst in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*(<[0-9A-Fa-f]*>|\[[^\]]*\])", block):
            if dst.startswith("["):
                for offset, item in enumerate(re.findall(r"<([0-9A-Fa-f]*)>", dst)):
                    table[int(lo, 16) + offset] = hexstr(item)
            else:
                start = bytes.fromhex(dst[1:-1])
                for offset in range(int(hi, 16) - int(lo, 16) + 1):
                    value = (int.from_bytes(start, "big") + offset).to_bytes(len(start), "big")
                    table[int(lo, 16) + offset] = value.decode("utf-16-be")
    return table


def _decode(data: bytes, font) -> str:
    two_bytes = font.get("/Subtype") == "/Type0"
    table = _to_unicode(font)
    step = 2 if two_bytes else 1
    return "".join(table.get(int.from_bytes(data[i:i + step], "big"), "") for i in range(0, len(data), step))


def _marked_text(page) -> dict[int, str]:
    """MCID -> the text shown inside it, for one page."""
    fonts = page.Resources.get("/Font", {})
    properties = page.Resources.get("/Properties", {})
    texts: dict[int, list[str]] = {}
    stack: list[int | None] = []
    font = None
    for operands, operator in pikepdf.parse_content_stream(page):
        op = str(operator)
        if op in ("BDC", "BMC"):
            mcid = None
            if op == "BDC":
                props = operands[1]
                if isinstance(props, pikepdf.Name):
                    props = properties[props]
                mcid = int(props["/MCID"]) if "/MCID" in props else None
            stack.append(mcid)
        elif op == "EMC":
            stack.pop()
        elif op == "Tf":
            font = fonts[operands[0]]
        elif op in ("Tj", "TJ", "'", '"'):
            current = next((m for m in reversed(stack) if m is not None), None)
            if current is None:
                continue
            strings = operands[0] if op == "TJ" else [operands[-1]]
            shown = "".join(_decode(bytes(s), font) for s in strings if isinstance(s, pikepdf.String))
            texts.setdefault(current, []).append(shown)
    return {mcid: " ".join(parts) for mcid, parts in texts.items()}


def structure(pdf: bytes) -> Node:
    """The structure tree from its root (the /Document element), with the text of every MCID."""
    document = pikepdf.open(io.BytesIO(pdf))
    pages = {page.objgen: page for page in document.pages}
    marked = {objgen: _marked_text(page) for objgen, page in pages.items()}

    def walk(element, page) -> Node | str:
        if isinstance(element, int):
            return marked[page.objgen].get(element, "")
        if element.get("/Type") == "/MCR":
            return marked[element.Pg.objgen].get(int(element.MCID), "")
        if element.get("/Type") == "/OBJR":
            return ""
        page = element.get("/Pg", page)
        attributes = element.get("/A", [])
        attributes = attributes if isinstance(attributes, pikepdf.Array) else [attributes]
        scope = next((str(a["/Scope"])[1:] for a in attributes if isinstance(a, pikepdf.Dictionary)
                      and "/Scope" in a), None)
        node = Node(str(element.S)[1:], alt=str(element.Alt) if "/Alt" in element else None, scope=scope)
        kids = element.get("/K")
        if kids is None:
            return node
        for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
            node.children.append(walk(kid, page))
        return node

    root = document.Root.StructTreeRoot
    kids = root.K if isinstance(root.K, pikepdf.Array) else [root.K]
    top = Node("StructTreeRoot", children=[walk(kid, document.pages[0]) for kid in kids])
    return top


def catalog(pdf: bytes) -> dict:
    """What the document catalogue says about tagging: /MarkInfo, /Lang, the title shown, PDF/UA part."""
    document = pikepdf.open(io.BytesIO(pdf))
    root = document.Root
    with document.open_metadata() as meta:
        ua_part = meta.get("pdfuaid:part")
        title = meta.get("dc:title")
    return {
        "marked": bool(root.get("/MarkInfo", {}).get("/Marked", False)),
        "lang": str(root.get("/Lang", "")),
        "has_structure": "/StructTreeRoot" in root,
        "display_title": bool(root.get("/ViewerPreferences", {}).get("/DisplayDocTitle", False)),
        "title": str(document.docinfo.get("/Title", "")) or title,
        "ua_part": ua_part,
    }
