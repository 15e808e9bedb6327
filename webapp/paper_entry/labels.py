"""The words of "Antwoorden van papier invoeren": what the page says when something cannot be saved."""

from flask_babel import lazy_gettext as _l

from webapp.checkin.labels import ERROR_TEXT as CHECKIN_ERRORS

ERROR_TEXT = {
    "missing": _l("Typ het cijfer dat op papier staat. Is de vraag leeg gelaten? Typ dan een streepje (-)."),
    "invalid": _l("Typ een heel getal van 0 tot en met 10, of een streepje (-) als de vraag leeg is gelaten."),
    "missing_face": _l("Kies het gezichtje dat op papier is aangekruist, of 'Leeg gelaten'."),
    "invalid_face": _l("Kies een van de gezichtjes, of 'Leeg gelaten'."),
    "date_missing": _l("Vul de datum in waarop de bewoner het papier invulde."),
    "date_invalid": _l("Deze datum bestaat niet. Schrijf hem zo: 14-3-2027."),
    "date_future": _l("Die datum moet nog komen. Kies de dag waarop het papier is ingevuld."),
    # date_too_early gets the enrolment date: see views.py
    "life_event_invalid": _l("Kies uit de lijst wat er is gebeurd."),
    "unknown_field": CHECKIN_ERRORS["unknown_field"],
    "stale_key": _l("Dit formulier is niet meer geldig. Er is niets opgeslagen. Open de pagina opnieuw."),
}
DATE_TOO_EARLY = _l("Die datum ligt vóór de inschrijving van de bewoner (%(date)s). Kies een latere dag.")
