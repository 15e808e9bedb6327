"""Confirmations before an erasure: the resident's own, a coach's, the beheerder's by number."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, StringField
from wtforms.validators import DataRequired, Length


class DeleteForm(FlaskForm):
    confirm = BooleanField(
        _l("Ja, verwijder mijn account en al mijn gegevens. Ik weet dat dit niet terug te draaien is."),
        validators=[DataRequired(_l("Vink dit aan als u zeker weet dat u alles wilt verwijderen."))],
    )
    password = PasswordField(_l("Uw wachtwoord"), validators=[DataRequired(_l("Vul uw wachtwoord in."))])


class EraseForm(FlaskForm):
    """A coach erases a resident they enrolled, at the resident's request."""

    confirm = BooleanField(
        _l("De bewoner heeft mij gevraagd alles te verwijderen. Ik weet dat dit niet terug te draaien is."),
        validators=[DataRequired(_l("Vink dit aan als de bewoner dit zelf heeft gevraagd."))],
    )
    password = PasswordField(_l("Uw eigen wachtwoord"), validators=[DataRequired(_l("Vul uw wachtwoord in."))])


class EraseByNumberForm(EraseForm):
    """The beheerder erases a resident by their number, without seeing their data."""

    number = StringField(
        _l("Bewonernummer"),
        description=_l("De bewoner vindt het bij 'Mijn account'. De coach ziet het op de pagina van de bewoner."),
        validators=[DataRequired(_l("Vul het bewonernummer in.")), Length(max=40)],
    )
