"""Confirmations before an erasure: the resident's own, a coach's, the beheerder's by number."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField
from wtforms.validators import DataRequired

from webapp.accounts.forms import ResidentNumberForm


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


class EraseByNumberForm(EraseForm, ResidentNumberForm):
    """The beheerder erases a resident by their number, without seeing their data."""
