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


class DeleteForm(FlaskForm):
    confirm = BooleanField(
        _l("Ja, verwijder mijn account en al mijn gegevens. Ik weet dat dit niet terug te draaien is."),
        validators=[DataRequired(_l("Vink dit aan als u zeker weet dat u alles wilt verwijderen."))],
    )
    password = PasswordField(_l("Uw wachtwoord"), validators=[DataRequired(_l("Vul uw wachtwoord in."))])
