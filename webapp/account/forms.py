from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, StringField
from wtforms.validators import DataRequired, Length


class ShareForm(FlaskForm):
    coach_code = StringField(
        _l("Code van uw coach"),
        description=_l("Uw coach geeft u deze code, bijvoorbeeld ABCD-EFGH."),
        validators=[DataRequired(_l("Vul de code van uw coach in.")), Length(max=20)],
    )


class WijkForm(FlaskForm):
    wijk = StringField(
        _l("In welke wijk woont u? (niet verplicht)"),
        description=_l("Dan kan de organisatie zien in welke wijken Veerkracht helpt. Niemand ziet uw naam daarbij."),
        validators=[Length(max=100, message=_l("Gebruik hoogstens 100 tekens."))],
    )


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


class DeleteForm(FlaskForm):
    confirm = BooleanField(
        _l("Ja, verwijder mijn account en al mijn gegevens. Ik weet dat dit niet terug te draaien is."),
        validators=[DataRequired(_l("Vink dit aan als u zeker weet dat u alles wilt verwijderen."))],
    )
    password = PasswordField(_l("Uw wachtwoord"), validators=[DataRequired(_l("Vul uw wachtwoord in."))])
