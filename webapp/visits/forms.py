"""The conversation at a home visit."""

from flask_babel import lazy_gettext as _l
from wtforms import DateField, RadioField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional

from webapp.results.forms import PlanForm


class VisitForm(PlanForm):
    """The conversation at a home visit: the plan, the coach's notes and the next check-in."""

    coach_notes = TextAreaField(
        _l("Aantekeningen van de coach"),
        description=_l("Kort en feitelijk. De bewoner kan deze aantekeningen ook lezen."),
        validators=[Optional(), Length(max=2000, message=_l("Gebruik hoogstens %(max)d tekens."))],
    )
    rhythm = RadioField(
        _l("Hoe vaak contact?"),
        choices=[SelectChoice("gewoon", _l("Gewoon: over 6 weken")),
                 SelectChoice("waakvlam", _l("Waakvlam: over 3 maanden"))],
        default="gewoon",
        validators=[Optional()],
    )
    next_checkin_on = DateField(
        _l("Datum volgende check-in"),
        description=_l("Leeg laten: de datum volgt uit hoe vaak u contact heeft."),
        validators=[Optional()],
    )
