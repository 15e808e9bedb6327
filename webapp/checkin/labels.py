"""The check-in's words: what a screen says when an answer cannot be saved."""

from flask_babel import lazy_gettext as _l

ERROR_TEXT = {
    "invalid": _l("Kies een cijfer van 0 tot en met 10, of kies 'Sla over'."),
    "invalid_face": _l("Kies een gezichtje, of kies 'Sla over'."),
    "unknown_field": _l(
        "Er ging iets mis met dit formulier. Er is niets opgeslagen. "
        "Laad de pagina opnieuw en probeer het nog een keer."
    ),
}
LIFE_EVENT_MISSING = _l(
    "Kies wat er is gebeurd. Is er niets bijzonders gebeurd? Kies dan 'Er is niets bijzonders gebeurd'."
)
EVENT_DATE_ERRORS = {
    "half": _l("Kies de maand én het jaar. Weet u het niet? Kies dan bij allebei 'Weet ik niet'."),
    "invalid": _l("Kies een maand en een jaar uit de lijst."),
    "future": _l("Die maand moet nog komen. Kies een maand die al geweest is."),
}
RATING_MISSING = _l("Kies een cijfer van 1 tot en met 5, of 'Nog niet geweest'.")
FOLLOWUP_LONGEST = 1000  # characters of "Wilt u er iets over vertellen?" (referrals.save_followup keeps as many)
FOLLOWUP_TOO_LONG = _l("Uw tekst is te lang: schrijf hoogstens %(n)s tekens.", n=FOLLOWUP_LONGEST)
