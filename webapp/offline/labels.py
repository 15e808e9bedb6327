"""The offline feature's words: why an upload was refused (the device shows them as they are)."""

from flask_babel import lazy_gettext as _l

from webapp.checkin.labels import EVENT_DATE_ERRORS, LIFE_EVENT_MISSING

NOT_SENT = _l("Er is niets veranderd.")
UPLOAD_ERRORS = {
    "not_json": _l("De check-in kon niet worden gelezen."),
    "visit_missing": _l("Dit bezoek is niet bekend. Bereid het bezoek opnieuw voor."),
    "wrong_version": _l(
        "Deze check-in hoort bij een andere versie van de vragenlijst. Bereid het bezoek opnieuw voor."),
    "life_event": _l("Kies wat er is gebeurd."),
    "event_date": EVENT_DATE_ERRORS["invalid"],
    "followup": _l("Een antwoord over een activiteit klopt niet."),
    "unknown_item": _l("De check-in noemt een vraag die niet in de vragenlijst staat."),
    "out_of_range": _l("Een antwoord is geen cijfer van 0 tot en met 10."),
    "empty": _l("Er is nog geen enkele vraag beantwoord."),
    "too_long": _l("Een aantekening is te lang."),
    "unknown_field": _l("De check-in bevat iets wat hier niet hoort."),
    "not_following": _l("U begeleidt deze bewoner niet meer. De check-in is niet verstuurd."),
}

# The badge on every page (offline.js): what waits on this device and when it went.
BADGE_WORDS = {
    "pending_one": _l("Nog niet verstuurd: 1 check-in"),
    "pending_many": _l("Nog niet verstuurd: %(num)s check-ins", num="{n}"),
    "sending": _l("Bezig met versturen …"),
    "sent": _l("Verstuurd om %(time)s", time="{time}"),
    "login": _l("Log opnieuw in om de check-in te versturen. Er gaat niets verloren."),
    "refused": _l("Niet verstuurd:"),
    "logout": _l("Er is nog een check-in niet verstuurd. Als u nu uitlogt, is die weg. Toch uitloggen?"),
}
# The offline visit page (templates/offline/visit.html), drawn by offline.js from the device's data.
VISIT_WORDS = {
    **BADGE_WORDS,
    "list": _l("Voorbereide bezoeken"),
    "none": _l("Er is geen bezoek voorbereid op dit apparaat. Bereid een bezoek voor op de pagina van de "
               "bewoner, zolang u internet heeft."),
    "start": _l("Check-in doen met %(name)s", name="{name}"),
    "prepared": _l("Voorbereid op %(date)s", date="{date}"),
    "locked": _l("Dit bezoek kan niet meer worden geopend op dit apparaat. Bereid het opnieuw voor."),
    "event": _l("Wat is er gebeurd?"),
    "event_missing": LIFE_EVENT_MISSING,
    "when_half": EVENT_DATE_ERRORS["half"],
    "when_future": EVENT_DATE_ERRORS["future"],
    "followup": _l("Bent u naar %(name)s geweest? Hoe was het?", name="{name}"),
    "refused_list": _l("De check-in met %(name)s is niet verstuurd.", name="{name}"),
    "discard": _l("Weggooien"),
    "discard_confirm": _l("Deze check-in is niet verstuurd. Als u hem weggooit, is hij weg. Weggooien?"),
    "step": _l("Stap %(step)s van %(total)s", step="{n}", total="{total}"),
    "next": _l("Volgende"),
    "back": _l("Vorige"),
    "hint": _l("Geef een cijfer van 0 tot en met 10. Weet u het niet, of wilt u het niet zeggen? Kies dan 'Sla over'."),
    "face_hint": _l("Kies bij elke zin een gezichtje. Weet u het niet? Kies dan 'Sla over'."),
    "done": _l("U bent klaar"),
    "answered": _l("U heeft %(answered)s van de %(count)s vragen beantwoord.", answered="{answered}", count="{count}"),
    "finish": _l("Klaar"),
    "result": _l("Spinnenweb van %(name)s", name="{name}"),
    "no_score": _l("geen cijfer"),
    "saved": _l("Opgeslagen op dit apparaat. De check-in gaat vanzelf weg zodra er internet is."),
    "kept": _l("Uw antwoord staat op dit apparaat."),
}
# The conversation's fields on the visit page: (name, label, rows), as on the result page.
CONVERSATION = (
    ("plan_important", _l("Wat is voor u belangrijk?"), 2),
    ("plan_step", _l("Wat is één kleine stap die u kunt zetten?"), 2),
    ("plan_helper", _l("Wie of wat kan daarbij helpen?"), 2),
    ("coach_notes", _l("Aantekeningen van de coach"), 4),
)
PREPARE_WORDS = {
    "busy": _l("Bezig met voorbereiden …"),
    "ready": _l("Klaar. Dit bezoek staat op dit apparaat. U kunt het nu ook zonder internet doen."),
    "failed": _l("Voorbereiden is niet gelukt. Controleer de verbinding en probeer het opnieuw."),
}


def words(table: dict) -> dict[str, str]:
    """The words as plain strings in the current language, for a page's script."""
    return {key: str(value) for key, value in table.items()}
