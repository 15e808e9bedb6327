"""The conversation after the chart, saved with the check-in: the resident's mini-plan, and at a
home visit also the coach's notes and the next check-in."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional

from webapp.core.forms import DayField


def _text(label, description, max_length: int) -> TextAreaField:
    """An optional free-text answer of at most max_length characters."""
    return TextAreaField(label, description=description, validators=[
        Optional(), Length(max=max_length, message=_l("Gebruik hoogstens %(max)d tekens."))])


class PlanForm(FlaskForm):
    """The conversation after the chart, saved with the check-in as a mini-plan."""

    plan_important = _text(
        _l("Wat is voor u belangrijk?"),
        _l("Bijvoorbeeld: mijn kleinkinderen zien, zelf boodschappen doen."), 1000)
    plan_pillar = RadioField(
        _l("Waar wilt u aan werken?"),
        validators=[Optional()],
        validate_choice=True,
    )
    plan_step = _text(
        _l("Wat is één kleine stap die u kunt zetten?"),
        _l("Iets kleins dat u de komende weken wilt doen."), 500)
    plan_helper = _text(
        _l("Wie of wat kan daarbij helpen?"),
        _l("Bijvoorbeeld een buurvrouw, uw dochter, de huisarts of een activiteit."), 500)


class VisitForm(PlanForm):
    """The conversation at a home visit: the plan, the coach's notes and the next check-in."""

    coach_notes = _text(
        _l("Aantekeningen van de coach"),
        _l("Kort en feitelijk. De bewoner kan deze aantekeningen ook lezen."), 2000)
    rhythm = RadioField(_l("Hoe vaak contact?"), default="gewoon", validators=[Optional()], choices=[
        SelectChoice("gewoon", _l("Gewoon: over 6 weken")), SelectChoice("waakvlam", _l("Waakvlam: over 3 maanden"))])
    next_checkin_on = DayField(
        _l("Datum volgende check-in"),
        description=_l("Leeg laten: de datum volgt uit hoe vaak u contact heeft."),
        validators=[Optional()], earliest=0, latest=2 * 366,
        too_early=_l("Deze datum is al voorbij. Kies een datum vanaf vandaag."),
        too_late=_l("Kies een datum binnen twee jaar."),
    )
