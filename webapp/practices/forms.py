"""Forms for the practice codes: the beheerder's practice, and the referral through the public link."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from webapp.core.labels import WorPracticeKind
from webapp.wor.forms import ReferralForm


class PracticeForm(FlaskForm):
    """A huisartsenpraktijk or wijkteam that may refer with a practice code."""

    name = StringField(
        _l("Naam van de praktijk of het wijkteam"),
        description=_l("Zo ziet de welzijnscoach waar de verwijzing vandaan komt, bijvoorbeeld "
                       "'Huisartsenpraktijk De Linde'."),
        validators=[DataRequired(_l("Vul de naam in.")), Length(max=100, message=_l("Gebruik hoogstens 100 tekens."))],
    )
    kind = RadioField(_l("Soort"), choices=[SelectChoice(k.value, k.label) for k in WorPracticeKind],
                      default=WorPracticeKind.HUISARTSENPRAKTIJK,
                      validators=[DataRequired(_l("Kies een huisartsenpraktijk of een wijkteam."))])


class PracticeReferralForm(ReferralForm):
    """The verwijzer's referral form, with the practice code for someone at the practice without an account."""

    practice_code = StringField(
        _l("Praktijkcode"),
        description=_l("De code die uw praktijk van de welzijnsorganisatie kreeg, zoals ABCD-EFGH-JKMN-PQRS."),
        validators=[DataRequired(_l("Vul de praktijkcode in.")),
                    Length(max=40, message=_l("Een praktijkcode heeft 16 letters en cijfers."))],
    )
