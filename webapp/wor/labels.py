"""Welzijn op Recept's words for what can go wrong."""

from flask_babel import lazy_gettext as _l

PROBLEMS = {
    "step": _l("Deze stap kan nu niet. Laad de pagina opnieuw en kies een van de knoppen."),
    "not_yours": _l("Een collega heeft deze verwijzing opgepakt. Alleen die collega kan verder."),
    "reason": _l("Kies waarom de begeleiding niet start."),
    "note": _l("Schrijf een korte notitie van hoogstens 300 tekens."),
    "no_note": _l("De bewoner wil geen notitie voor de verwijzer. U kunt alleen de stand doorgeven."),
    "improved": _l("Kies of het beter gaat met de bewoner. Weet u het niet? Kies dan 'Weet ik niet'."),
    "hours": _l("Vul het aantal uren in als heel getal, van 0 tot en met 200."),
    "avoided": _l("Kies wat is voorkomen of uitgesteld. Of kies 'Niets' of 'Weet ik niet'."),
    "avoided_alone": _l("Kies 'Niets' of 'Weet ik niet' alleen, zonder iets anders aan te vinken."),
    "amount": _l("Vul bij 'laag' en 'hoog' een bedrag in hele euro's in, alleen cijfers, zoals 120."),
    "low_high": _l("Het lage bedrag mag niet hoger zijn dan het hoge bedrag."),
    "source": _l("Noem de bron van het bedrag, in hoogstens 300 tekens."),
    "sharing": _l("Kies wat de verwijzer mag terughoren."),
    "no_resident": _l("Deze bewoner is niet (meer) te vinden bij de bewoners die u begeleidt. Misschien zijn de "
                      "gegevens verwijderd, of volgt u deze bewoner niet. Er is niets gekoppeld."),
    "not_linked": _l("Deze verwijzing is nog niet aan een bewoner gekoppeld. Er is nog geen keuze om te wijzigen."),
}
