from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField, ValidationError
from wtforms.validators import DataRequired, EqualTo, Length, Regexp

from webapp.core.passwords import MIN_LENGTH, is_common


def not_common(form, field) -> None:
    if field.data and is_common(field.data):
        raise ValidationError(_l("Dit wachtwoord is te bekend en daardoor makkelijk te raden. Kies een ander."))


class LoginForm(FlaskForm):
    username = StringField(
        _l("Gebruikersnaam"), validators=[DataRequired(_l("Vul uw gebruikersnaam in.")), Length(max=64)]
    )
    password = PasswordField(
        _l("Wachtwoord"), validators=[DataRequired(_l("Vul uw wachtwoord in.")), Length(max=200)]
    )


class NewAccountForm(FlaskForm):
    """Username and password, twice: for registering and for activating an account."""

    username = StringField(
        _l("Kies een gebruikersnaam"),
        description=_l("Bijvoorbeeld uw voornaam met een getal. Alleen letters, cijfers, - en _."),
        validators=[
            DataRequired(_l("Vul een gebruikersnaam in.")),
            Length(min=3, max=40, message=_l("Gebruik 3 tot en met 40 tekens.")),
            Regexp(
                r"^[A-Za-z0-9_-]+$",
                message=_l("Gebruik alleen letters, cijfers, - en _ (geen spaties)."),
            ),
        ],
    )
    password = PasswordField(
        _l("Kies een wachtwoord"),
        description=_l("Minstens %(n)s tekens. Een zin van een paar woorden is makkelijk te onthouden.", n=MIN_LENGTH),
        validators=[
            DataRequired(_l("Vul een wachtwoord in.")),
            Length(
                min=MIN_LENGTH, max=200,
                message=_l("Het wachtwoord moet minstens %(n)s tekens hebben.", n=MIN_LENGTH),
            ),
            not_common,
        ],
    )
    confirm = PasswordField(
        _l("Typ het wachtwoord nog een keer"),
        validators=[
            DataRequired(_l("Typ het wachtwoord nog een keer.")),
            EqualTo("password", message=_l("De twee wachtwoorden zijn niet hetzelfde.")),
        ],
    )


class RegisterForm(NewAccountForm):
    pass


class ActivateForm(NewAccountForm):
    code = StringField(
        _l("Uw activeringscode"),
        description=_l("Deze code staat op het papier van uw coach, bijvoorbeeld ABCD-EFGH-JKLM."),
        validators=[DataRequired(_l("Vul de code in.")), Length(max=40)],
    )
