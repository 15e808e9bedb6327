"""The words of the practice codes for what can go wrong."""

from flask_babel import lazy_gettext as _l

PROBLEMS = {
    "unknown_code": _l("Deze praktijkcode werkt niet. Kijk na of u de code goed heeft overgetypt. Werkt hij nog "
                       "steeds niet? Vraag de welzijnsorganisatie om de nieuwe code. Er is niets verstuurd."),
    "name_taken": _l("Er is al een praktijk met deze naam. Kies een andere naam, of maak een nieuwe code voor "
                     "die praktijk."),
    "switch": _l("Kies of de praktijkcode aan of uit moet."),
}
