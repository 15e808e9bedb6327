"""The closed lists the database stores (roles, referral statuses, ...) as StrEnums, each with
its words beside it.

A member compares and stores as its plain code ("bewoner"), so the database and URLs keep their
values. Plain Python (rules.py may use it): the Dutch words are marked with N_ for the message
catalogue and translated only when `label` is read, in the reader's language.
"""

from enum import StrEnum


def N_(text: str) -> str:  # noqa: N802 - the usual name of gettext's no-op marker
    """Mark a Dutch text for the message catalogue; it is translated where it is shown."""
    return text


class Vocabulary(StrEnum):
    """A closed list of codes; `label` gives the code's words in the reader's language."""

    @classmethod
    def _labels(cls) -> dict:
        raise NotImplementedError

    @property
    def label(self):
        """The words for this code, in the reader's language (a lazy string)."""
        from flask_babel import lazy_gettext

        return lazy_gettext(self._labels()[self])

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
    VERWIJZER = "verwijzer"  # huisarts, POH-GGZ, praktijk- or wijkverpleegkundige (Welzijn op Recept)

    @classmethod
    def _labels(cls) -> dict:
        return {cls.BEWONER: N_("Bewoner"), cls.OUDERENCOACH: N_("Ouderencoach"),
                cls.WELZIJNSCOACH: N_("Welzijnscoach"), cls.BEHEERDER: N_("Beheerder"),
                cls.VERWIJZER: N_("Verwijzer (huisarts, POH, verpleegkundige)")}


COACH_ROLES = (Role.OUDERENCOACH, Role.WELZIJNSCOACH)
# Every role but the resident's: the staff session limits and the second factor apply.
STAFF_ROLES = (*COACH_ROLES, Role.BEHEERDER, Role.VERWIJZER)


class ReferralStatus(Vocabulary):
    """A referral's path: voorgesteld -> aangemeld -> gestart -> afgerond / gestopt."""

    VOORGESTELD = "voorgesteld"
    AANGEMELD = "aangemeld"
    GESTART = "gestart"
    AFGEROND = "afgerond"
    GESTOPT = "gestopt"

    @classmethod
    def _labels(cls) -> dict:  # as the resident reads it (the Impact page uses its own words)
        return {cls.VOORGESTELD: N_("Wil ik proberen"), cls.AANGEMELD: N_("Aangemeld"), cls.GESTART: N_("Doet mee"),
                cls.AFGEROND: N_("Afgerond"), cls.GESTOPT: N_("Gestopt")}


OPEN_REFERRAL_STATUSES = (ReferralStatus.VOORGESTELD, ReferralStatus.AANGEMELD, ReferralStatus.GESTART)


class ConsentMethod(Vocabulary):
    """How a resident agreed to share with a coach: told the coach, signed, or shared online themselves."""

    MONDELING = "mondeling"
    SCHRIFTELIJK = "schriftelijk"
    DIGITAAL = "digitaal"

    @classmethod
    def _labels(cls) -> dict:
        return {cls.MONDELING: N_("mondeling"), cls.SCHRIFTELIJK: N_("schriftelijk"), cls.DIGITAAL: N_("digitaal")}


class RelationOrigin(Vocabulary):
    """How a coach came to follow a resident."""

    GEDEELD = "gedeeld"            # the resident typed the coach's code
    INGESCHREVEN = "ingeschreven"  # the coach enrolled the resident

    @classmethod
    def _labels(cls) -> dict:
        return {cls.GEDEELD: N_("u deelde met deze coach"), cls.INGESCHREVEN: N_("deze coach schreef u in")}


class CodePurpose(Vocabulary):
    """What a printed one-time code is for."""

    ACTIVATIE = "activatie"  # an enrolled resident makes their own login
    HERSTEL = "herstel"      # a resident who forgot the password sets a new one

    @classmethod
    def _labels(cls) -> dict:
        return {cls.ACTIVATIE: N_("Activeringscode"), cls.HERSTEL: N_("Herstelcode")}


class FormKind(Vocabulary):
    """Which form of the questionnaire was filled in."""

    KORT = "kort"              # 2 items a pillar, the resident's own check-in
    UITGEBREID = "uitgebreid"  # 4 items a pillar, for home visits and coach sessions
    EENVOUDIG = "eenvoudig"    # easy-read: 2 short statements a pillar with pictures, five faces
    HEEL_EENVOUDIG = "heel_eenvoudig"  # the simplest mode: the same statements, three faces

    @classmethod
    def _labels(cls) -> dict:
        return {cls.KORT: N_("kort"), cls.UITGEBREID: N_("uitgebreid"), cls.EENVOUDIG: N_("eenvoudig"),
                cls.HEEL_EENVOUDIG: N_("heel eenvoudig (3 gezichtjes)")}


# The easy-read forms: a resident picks one alone, a coach can make one a resident's default.
EASY_FORMS = (FormKind.EENVOUDIG, FormKind.HEEL_EENVOUDIG)


class CheckinMode(Vocabulary):
    """Who filled in a check-in."""

    ZELF = "zelf"    # the resident on their own
    SAMEN = "samen"  # together with a coach, at a home visit
    PAPIER = "papier"  # on the paper questionnaire; a coach typed the answers in

    @classmethod
    def _labels(cls) -> dict:
        return {cls.ZELF: N_("zelf ingevuld"), cls.SAMEN: N_("samen met een coach ingevuld"),
                cls.PAPIER: N_("op papier ingevuld")}


class WorStatus(Vocabulary):
    """A Welzijn op Recept referral's path: ontvangen -> contact gelegd -> in begeleiding -> afgerond,
    or niet gestart (with a reason) before the coaching began."""

    ONTVANGEN = "ontvangen"
    CONTACT_GELEGD = "contact_gelegd"
    IN_BEGELEIDING = "in_begeleiding"
    AFGEROND = "afgerond"
    NIET_GESTART = "niet_gestart"

    @classmethod
    def _labels(cls) -> dict:
        return {cls.ONTVANGEN: N_("Ontvangen"), cls.CONTACT_GELEGD: N_("Contact gelegd"),
                cls.IN_BEGELEIDING: N_("In begeleiding"), cls.AFGEROND: N_("Afgerond"),
                cls.NIET_GESTART: N_("Niet gestart")}


class WorUrgency(Vocabulary):
    """How soon the verwijzer would like the welzijnscoach to call."""

    GEWOON = "gewoon"
    SNEL = "snel"

    @classmethod
    def _labels(cls) -> dict:
        return {cls.GEWOON: N_("Gewoon"), cls.SNEL: N_("Graag snel")}


class WorPracticeKind(Vocabulary):
    """Where a referral through a practice code comes from."""

    HUISARTSENPRAKTIJK = "huisartsenpraktijk"
    WIJKTEAM = "wijkteam"

    @classmethod
    def _labels(cls) -> dict:
        return {cls.HUISARTSENPRAKTIJK: N_("Huisartsenpraktijk"), cls.WIJKTEAM: N_("Wijkteam")}


class WorNotStarted(Vocabulary):
    """Why a referral did not start; the verwijzer sees this word, never the coach's own note."""

    NIET_BEREIKT = "niet_bereikt"
    WIL_NIET = "wil_niet"
    ANDERE_HULP = "andere_hulp"
    ANDERS = "anders"

    @classmethod
    def _labels(cls) -> dict:
        return {cls.NIET_BEREIKT: N_("Niet bereikt"), cls.WIL_NIET: N_("Wil op dit moment geen begeleiding"),
                cls.ANDERE_HULP: N_("Heeft al andere hulp"), cls.ANDERS: N_("Andere reden")}


class WorSharing(Vocabulary):
    """What the resident agreed the verwijzer hears back, chosen at the first conversation."""

    GEEN = "geen"
    STATUS = "status"
    STATUS_NOTITIE = "status_notitie"

    @classmethod
    def _labels(cls) -> dict:
        return {cls.GEEN: N_("Geen terugkoppeling"),
                cls.STATUS: N_("Hoe ver de begeleiding is, en aan het eind of het beter gaat"),
                cls.STATUS_NOTITIE: N_("Hoe ver de begeleiding is, of het beter gaat, welke activiteiten gekozen zijn, "
                                       "en een korte notitie")}


class WorAttemptOutcome(Vocabulary):
    """What came of one try to reach a referred person."""

    BEREIKT = "bereikt"
    NIET_BEREIKT = "niet_bereikt"
    BERICHT = "bericht"

    @classmethod
    def _labels(cls) -> dict:
        return {cls.BEREIKT: N_("Gesproken"), cls.NIET_BEREIKT: N_("Niet bereikt"),
                cls.BERICHT: N_("Bericht achtergelaten")}


class WorImproved(Vocabulary):
    """At the close of a Welzijn op Recept referral: did things improve for the resident, in words."""

    BETER = "beter"
    HETZELFDE = "hetzelfde"
    MINDER = "minder"
    WEET_NIET = "weet_niet"

    @classmethod
    def _labels(cls) -> dict:
        return {cls.BETER: N_("Beter"), cls.HETZELFDE: N_("Ongeveer hetzelfde"), cls.MINDER: N_("Minder goed"),
                cls.WEET_NIET: N_("Weet ik niet")}
