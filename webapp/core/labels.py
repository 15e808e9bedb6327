"""The closed lists the database stores (roles, referral statuses, ...) as StrEnums, each with
its words in the reader's language, and the names of audit actions.

A member compares and stores as its plain code ("bewoner"), so the database and URLs keep their values.
"""

from enum import StrEnum

from flask_babel import lazy_gettext as _l


class Vocabulary(StrEnum):
    """A closed list of codes; `label` gives the code's words in the reader's language."""

    @classmethod
    def _labels(cls) -> dict:
        raise NotImplementedError

    @property
    def label(self):
        return self._labels()[self]

    @classmethod
    def values(cls) -> tuple[str, ...]:
        return tuple(member.value for member in cls)

    @classmethod
    def label_of(cls, code: str | None) -> str:
        """The words for a stored code; an unknown code is shown as it is."""
        return str(cls(code).label) if code in cls.values() else (code or "")


class Role(Vocabulary):
    BEWONER = "bewoner"
    OUDERENCOACH = "ouderencoach"
    WELZIJNSCOACH = "welzijnscoach"
    BEHEERDER = "beheerder"

    @classmethod
    def _labels(cls) -> dict:
        return {cls.BEWONER: _l("Bewoner"), cls.OUDERENCOACH: _l("Ouderencoach"),
                cls.WELZIJNSCOACH: _l("Welzijnscoach"), cls.BEHEERDER: _l("Beheerder")}


COACH_ROLES = (Role.OUDERENCOACH, Role.WELZIJNSCOACH)
STAFF_ROLES = (*COACH_ROLES, Role.BEHEERDER)  # every role but the resident's: the staff session limits apply


class ReferralStatus(Vocabulary):
    """A referral's path: voorgesteld -> aangemeld -> gestart -> afgerond / gestopt."""

    VOORGESTELD = "voorgesteld"
    AANGEMELD = "aangemeld"
    GESTART = "gestart"
    AFGEROND = "afgerond"
    GESTOPT = "gestopt"

    @classmethod
    def _labels(cls) -> dict:  # as the resident reads it (the Impact page uses its own words)
        return {cls.VOORGESTELD: _l("Wil ik proberen"), cls.AANGEMELD: _l("Aangemeld"), cls.GESTART: _l("Doet mee"),
                cls.AFGEROND: _l("Afgerond"), cls.GESTOPT: _l("Gestopt")}


OPEN_REFERRAL_STATUSES = (ReferralStatus.VOORGESTELD, ReferralStatus.AANGEMELD, ReferralStatus.GESTART)


class ConsentMethod(Vocabulary):
    """How a resident agreed to share with a coach: told the coach, signed, or shared online themselves."""

    MONDELING = "mondeling"
    SCHRIFTELIJK = "schriftelijk"
    DIGITAAL = "digitaal"

    @classmethod
    def _labels(cls) -> dict:
        return {cls.MONDELING: _l("mondeling"), cls.SCHRIFTELIJK: _l("schriftelijk"), cls.DIGITAAL: _l("digitaal")}


class RelationOrigin(Vocabulary):
    """How a coach came to follow a resident."""

    GEDEELD = "gedeeld"            # the resident typed the coach's code
    INGESCHREVEN = "ingeschreven"  # the coach enrolled the resident

    @classmethod
    def _labels(cls) -> dict:
        return {cls.GEDEELD: _l("u deelde met deze coach"), cls.INGESCHREVEN: _l("deze coach schreef u in")}


class FormKind(Vocabulary):
    """Which form of the questionnaire was filled in."""

    KORT = "kort"              # 2 items a pillar, the resident's own check-in
    UITGEBREID = "uitgebreid"  # 4 items a pillar, for home visits and coach sessions

    @classmethod
    def _labels(cls) -> dict:
        return {cls.KORT: _l("kort"), cls.UITGEBREID: _l("uitgebreid")}


class CheckinMode(Vocabulary):
    """Who filled in a check-in."""

    ZELF = "zelf"    # the resident on their own
    SAMEN = "samen"  # together with a coach, at a home visit

    @classmethod
    def _labels(cls) -> dict:
        return {cls.ZELF: _l("zelf ingevuld"), cls.SAMEN: _l("samen met een coach ingevuld")}


ACTION_LABELS = {
    "checkin.start": _l("Check-in begonnen"),
    "draft.view": _l("Check-in in uitvoering bekeken"),
    "draft.update": _l("Antwoord opgeslagen"),
    "checkin.create": _l("Check-in ingevuld"),
    "checkin.discard": _l("Check-in weggegooid"),
    "checkin.view": _l("Uitslag bekeken"),
    "results.compare": _l("Twee check-ins vergeleken"),
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
