"""The conversation after the chart, saved with the check-in as a mini-plan."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, TextAreaField
from wtforms.validators import Length, Optional


class PlanForm(FlaskForm):
    """The conversation after the chart, saved with the check-in as a mini-plan."""

    plan_important = TextAreaField(
        _l("Wat is voor u belangrijk?"),
        description=_l("Bijvoorbeeld: mijn kleinkinderen zien, zelf boodschappen doen."),
        validators=[Optional(), Length(max=1000, message=_l("Gebruik hoogstens %(max)d tekens."))],
    )
    plan_pillar = RadioField(
        _l("Waar wilt u aan werken?"),
        validators=[Optional()],
        validate_choice=True,
    )
    plan_step = TextAreaField(
        _l("Wat is één kleine stap die u kunt zetten?"),
        description=_l("Iets kleins dat u de komende weken wilt doen."),
        validators=[Optional(), Length(max=500, message=_l("Gebruik hoogstens %(max)d tekens."))],
    )
    plan_helper = TextAreaField(
        _l("Wie of wat kan daarbij helpen?"),
        description=_l("Bijvoorbeeld een buurvrouw, uw dochter, de huisarts of een activiteit."),
        validators=[Optional(), Length(max=500, message=_l("Gebruik hoogstens %(max)d tekens."))],
    )
