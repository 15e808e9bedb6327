"""Names, in the reader's language, for codes the audit trail, referrals and the data download use."""

from flask_babel import lazy_gettext as _l

ACTION_LABELS = {
    "checkin.start": _l("Check-in begonnen"),
    "draft.view": _l("Check-in in uitvoering bekeken"),
    "draft.update": _l("Antwoord opgeslagen"),
    "checkin.create": _l("Check-in ingevuld"),
    "checkin.discard": _l("Check-in weggegooid"),
    "checkin.view": _l("Uitslag bekeken"),
    "checkin.compare": _l("Twee check-ins vergeleken"),
    "chart.view": _l("Spinnenweb bekeken"),
    "history.view": _l("Overzicht van check-ins bekeken"),
    "plan.update": _l("Plan opgeslagen"),
    "resident.enrol": _l("Ingeschreven door een coach"),
    "resident.view": _l("Gegevens bekeken door een coach"),
    "relation.share": _l("Gedeeld met een coach"),
    "relation.end": _l("Delen gestopt"),
    "activation.issue": _l("Activeringscode gemaakt"),
    "activation.use": _l("Eigen account geactiveerd"),
    "audit.view": _l("Dit overzicht bekeken"),
    "data.export": _l("Gegevens gedownload"),
    "account.create": _l("Account gemaakt"),
    "caseload.view": _l("In het overzicht van een coach gezien"),
    "progress.chart": _l("Verloop bekeken door een coach"),
    "referral.create": _l("Activiteit gekozen om te proberen"),
    "referral.update": _l("Stand van een activiteit aangepast"),
    "referral.followup": _l("Verteld hoe een activiteit ging"),
    "suggestions.view": _l("Activiteiten bekeken"),
    "summary.export": _l("Samenvatting gedownload"),
    "visit.update": _l("Gesprek bij een huisbezoek opgeslagen"),
    "profile.update": _l("Wijk opgeslagen"),
}

# A referral's status as the resident reads it (the beheerder's Impact page uses its own words).
REFERRAL_STATUS_LABELS = {
    "voorgesteld": _l("Wil ik proberen"), "aangemeld": _l("Aangemeld"), "gestart": _l("Doet mee"),
    "afgerond": _l("Afgerond"), "gestopt": _l("Gestopt"),
}
