"""The Impact page's words: referral outcomes as the beheerder reads them, and filter problems."""

from flask_babel import lazy_gettext as _l

from webapp.core.labels import ReferralStatus

OUTCOME_LABELS = {ReferralStatus.AANGEMELD: _l("Aangemeld"), ReferralStatus.GESTART: _l("Gestart"),
                  ReferralStatus.AFGEROND: _l("Afgerond"), ReferralStatus.GESTOPT: _l("Gestopt")}
FILTER_PROBLEMS = {
    "period": _l("Deze periode kennen we niet. Kies een periode uit de lijst."),
    "wijk": _l("Deze wijk kunnen we niet apart tonen. Kies een wijk uit de lijst."),
}
