"""The sociale kaart's words: what each CSV column holds, for the import page, and the statuses."""

from flask_babel import lazy_gettext as _l

# An activity's status as the beheerder reads it (the CSV keeps the Dutch codes).
STATUS_LABELS = {"actief": _l("Actief"), "gepauzeerd": _l("Gepauzeerd"), "gestopt": _l("Gestopt")}

COLUMN_HELP = {
    "id": _l("Leeg voor een nieuwe activiteit; de id uit de download om een bestaande bij te werken."),
    "naam": _l("De naam van de activiteit."),
    "organisatie": _l("Wie de activiteit organiseert."),
    "organisatie_website": _l("Begint met https://"),
    "organisatie_telefoon": _l("Telefoonnummer van de organisatie."),
    "organisatie_email": _l("E-mailadres van de organisatie."),
    "beschrijving": _l("Wat er gebeurt en voor wie, in gewone woorden (B1)."),
    "status": _l("actief, gepauzeerd of gestopt."),
    "pijlers": _l("Waar het bij helpt, gescheiden door |: lichaam|mentaal|zingeving|kwaliteit|meedoen|dagelijks"),
    "gebeurtenissen": _l(
        "Na welke gebeurtenissen het vooral helpt, gescheiden door |, bijvoorbeeld mantelzorger|pensioen."),
    "alleen_voor_gebeurtenis": _l(
        "ja: alleen voor wie een van die gebeurtenissen meemaakte. nee of leeg: voor iedereen."),
    "voorwaarden": _l("Voor wie, in woorden."),
    "leeftijd_min": _l("Vanaf deze leeftijd (heel getal), of leeg."),
    "leeftijd_max": _l("Tot en met deze leeftijd (heel getal), of leeg."),
    "kosten": _l("gratis of bijdrage."),
    "bedrag": _l("Bij een bijdrage: het bedrag, bijvoorbeeld 2,50."),
    "wanneer": _l("Wanneer het is, bijvoorbeeld: elke dinsdag 10 uur."),
    "locatie": _l("adres, thuis (bij de bewoner thuis) of online."),
    "adres": _l("Straat en huisnummer."),
    "postcode": _l("Postcode."),
    "plaats": _l("Plaats."),
    "wijk": _l("De wijk. Leeg: voor de hele gemeente."),
    "rolstoel": _l("ja of nee (leeg is nee)."),
    "ringleiding": _l("ja of nee (leeg is nee)."),
    "ov": _l("Bereikbaar met het openbaar vervoer: ja of nee (leeg is nee)."),
    "aanmelden": _l("zelf, coach of huisarts."),
    "contactpersoon": _l("Naam van de contactpersoon (alleen als die dat goed vindt)."),
    "gecontroleerd_op": _l("Wanneer iemand nakeek dat het klopt: 3-12-2026 of 2026-12-03."),
}
