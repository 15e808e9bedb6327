"""The caseload's words: what each flag and each sort order is called."""

from flask_babel import lazy_gettext as _l

from webapp.caseload import rules

FLAG_LABELS = {
    rules.FLAG_VERY_LOW: _l("erg laag cijfer voor gevoel of zingeving"),
    rules.FLAG_DROP: _l("2 punten of meer gedaald"),
    rules.FLAG_TALK: _l("wil ergens over praten"),
    rules.FLAG_OVERDUE: _l("check-in te laat"),
    rules.FLAG_NO_NEWS: _l("verwijzing zonder nieuws (4 weken)"),
}
REFERRAL_FILTER_LABELS = {
    "open": _l("Lopende verwijzingen"),
    "zonder_nieuws": _l("Zonder nieuws (4 weken)"),
    "afgelopen": _l("Afgerond of gestopt"),
    "alles": _l("Alle verwijzingen"),
}
SORT_LABELS = {
    "aandacht": _l("Meeste aandacht eerst"),
    "naam": _l("Naam"),
    "laatste": _l("Laatste check-in"),
    "volgende": _l("Volgende check-in"),
    "daling": _l("Grootste daling eerst"),
}
