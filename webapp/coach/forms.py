from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, IntegerField, RadioField, StringField, ValidationError
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional


def not_in_future(form, field) -> None:
    if field.data and field.data > date.today():
        raise ValidationError(_l("Deze datum ligt in de toekomst."))


class EnrolForm(FlaskForm):
    """A resident without phone or e-mail, enrolled by their coach with recorded consent."""

    display_name = StringField(
        _l("Naam of initialen"),
        description=_l("Zoals u de bewoner wilt herkennen, bijvoorbeeld 'mevr. J. de V.'."),
        validators=[DataRequired(_l("Vul een naam of initialen in.")), Length(max=100)],
    )
    birth_year = IntegerField(
        _l("Geboortejaar"),
        validators=[Optional(), NumberRange(min=1900, max=date.today().year,
                                            message=_l("Vul een geboortejaar in, zoals 1948."))],
    )
    wijk = StringField(_l("Wijk"), validators=[Optional(), Length(max=100)])
    consent_method = RadioField(
        _l("Hoe gaf de bewoner toestemming?"),
        choices=[SelectChoice("mondeling", _l("Mondeling")), SelectChoice("schriftelijk", _l("Schriftelijk"))],
        validators=[DataRequired(_l("Kies hoe de bewoner toestemming gaf."))],
    )
    consent_date = DateField(
        _l("Datum van de toestemming"),
        validators=[DataRequired(_l("Vul een geldige datum in.")), not_in_future],
    )
    consent_explained = BooleanField(
        _l("Ik heb uitgelegd wat Veerkracht bewaart, wie het ziet, en dat de bewoner altijd kan stoppen."),
        validators=[DataRequired(_l("Leg dit eerst uit aan de bewoner."))],
    )
