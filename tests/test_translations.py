"""The English catalogue covers every Dutch string and the compiled file is current."""

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "webapp/translations/en/LC_MESSAGES/messages.po"
MO = PO.with_suffix(".mo")


def _catalogue():
    with PO.open("rb") as handle:
        return read_po(handle)


def _source_messages() -> set:
    method_map = [("**.py", "python"), ("templates/**.html", "jinja2")]
    found = set()
    keywords = {"_": None, "_l": None, "gettext": None, "lazy_gettext": None, "ngettext": (1, 2)}
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(ROOT / "webapp"), method_map, keywords=keywords, options_map={"templates/**.html": {}}
    ):
        found.add(message if isinstance(message, str) else message[0])
    return found


def test_every_dutch_string_has_an_english_translation():
    catalogue = _catalogue()
    translated = {}
    for message in catalogue:
        if not message.id:
            continue
        key = message.id if isinstance(message.id, str) else message.id[0]
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        translated[key] = all(strings) and not message.fuzzy
    source = _source_messages()
    assert len(source) > 100  # the extraction itself works
    missing = sorted(m for m in source if not translated.get(m))
    assert missing == [], "run `make translations` and translate these in messages.po"


def test_compiled_catalogue_matches_the_po_file():
    """The .mo the app loads says what the .po says (compared by message, not byte for byte)."""
    def flat(value):
        return tuple(value) if isinstance(value, list | tuple) else value

    with MO.open("rb") as handle:
        compiled = {flat(m.id): flat(m.string) for m in read_mo(handle) if m.id}
    expected = {flat(m.id): flat(m.string) for m in _catalogue() if m.id and not m.fuzzy}
    assert compiled == expected, "run `make translations` (pybabel compile)"
