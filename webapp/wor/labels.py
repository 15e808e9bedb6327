"""Welzijn op Recept's words for what can go wrong."""

from flask_babel import lazy_gettext as _l

PROBLEMS = {
    "step": _l("Deze stap kan nu niet. Laad de pagina opnieuw en kies een van de knoppen."),
    "not_yours": _l("Een collega heeft deze verwijzing opgepakt. Alleen die collega kan verder."),
    "reason": _l("Kies waarom de begeleiding niet start."),
    "note": _l("Schrijf een korte notitie van hoogstens 300 tekens."),
    "no_note": _l("De bewoner wil geen notitie voor de verwijzer. U kunt alleen de stand doorgeven."),
}
