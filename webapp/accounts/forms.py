"""Forms for accounts: logging in, new accounts, sharing, the wijk, enrolling, staff."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    PasswordField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    ValidationError,
    widgets,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, Length, NumberRange, Optional, Regexp

from webapp.core import clock
from webapp.core.forms import DayField, WholeNumberField, no_long_word
from webapp.core.labels import STAFF_ROLES, ConsentMethod, Role
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


class NewPasswordForm(FlaskForm):
    """A new password, twice: for a new account, a reset and a change."""

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


class NewAccountForm(NewPasswordForm):
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


class RegisterForm(NewAccountForm):
    pass


class ActivateForm(NewAccountForm):
    code = StringField(
        _l("Uw activeringscode"),
        description=_l("Deze code staat op het papier van uw coach, bijvoorbeeld ABCD-EFGH-JKLM."),
        validators=[DataRequired(_l("Vul de code in.")), Length(max=40)],
    )


class EmailForm(FlaskForm):
    """An optional e-mail address, only for a password reset by mail."""

    email = StringField(
        _l("Uw e-mailadres (niet verplicht)"),
        description=_l("Alleen om uw wachtwoord te herstellen als u het vergeet. Leeg laten mag."),
        validators=[Optional(), Length(max=254), Regexp(
            r"^[^@\s]+@[^@\s]+\.[^@\s]+$", message=_l("Dit lijkt geen e-mailadres. Kijk het nog eens na."))],
    )


class ForgotForm(FlaskForm):
    """Where to send the reset mail: the username or the verified address."""

    identifier = StringField(
        _l("Uw gebruikersnaam of e-mailadres"),
        validators=[DataRequired(_l("Vul uw gebruikersnaam of e-mailadres in.")), Length(max=254)],
    )


class PasswordConfirmForm(FlaskForm):
    """The account's own password, before a change that lowers its protection."""

    password = PasswordField(_l("Uw wachtwoord"),
                             validators=[DataRequired(_l("Vul uw wachtwoord in.")), Length(max=200)])


class SecondFactorForm(FlaskForm):
    """The second step of logging in: six digits from the app, or a recovery code."""

    code = StringField(
        _l("Code uit de app"),
        description=_l("Zes cijfers uit uw app, of een van uw herstelcodes van papier."),
        validators=[DataRequired(_l("Vul de code in.")), Length(max=20)],
    )


class SetUpSecondFactorForm(SecondFactorForm):
    """The first code from a newly set up app: no recovery codes exist yet (they come right after)."""

    code = StringField(
        _l("Code uit de app"),
        description=_l("De zes cijfers die de app nu laat zien."),
        validators=[DataRequired(_l("Vul de code in.")), Length(max=20)],
    )


class ChangePasswordForm(NewPasswordForm):
    """The account's owner chooses a new password, after typing the current one."""

    current = PasswordField(
        _l("Uw huidige wachtwoord"), validators=[DataRequired(_l("Vul uw huidige wachtwoord in.")), Length(max=200)]
    )


class ResetPasswordForm(NewPasswordForm):
    """A new password with the reset code the coach or the organisation printed."""

    code = StringField(
        _l("Uw herstelcode"),
        description=_l("Deze code staat op het papier van uw coach of de organisatie, bijvoorbeeld ABCD-EFGH-JKLM."),
        validators=[DataRequired(_l("Vul de code in.")), Length(max=40)],
    )


class ResidentNumberForm(FlaskForm):
    """The beheerder finds a resident by the number the resident reads out, without seeing their data."""

    number = StringField(
        _l("Bewonernummer"),
        description=_l("De bewoner vindt het bij 'Mijn account'. De coach ziet het op de pagina van de bewoner."),
        validators=[DataRequired(_l("Vul het bewonernummer in.")), Length(max=40)],
    )


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


class EnrolForm(FlaskForm):
    """A resident without phone or e-mail, enrolled by their coach with recorded consent."""

    display_name = StringField(
        _l("Naam of initialen"),
        description=_l("Zoals u de bewoner wilt herkennen, bijvoorbeeld 'mevr. J. de V.'."),
        validators=[DataRequired(_l("Vul een naam of initialen in.")), Length(max=100), no_long_word],
    )
    birth_year = WholeNumberField(
        _l("Geboortejaar"),
        validators=[Optional(), NumberRange(min=1900, message=_l("Vul een geboortejaar in, zoals 1948."))],
        message=_l("Vul een geboortejaar in met de cijfers 0 tot en met 9, zoals 1948."),
    )
    wijk = StringField(_l("Wijk"), validators=[Optional(), Length(max=100)])
    consent_method = RadioField(
        _l("Hoe gaf de bewoner toestemming?"),
        choices=[SelectChoice(ConsentMethod.MONDELING, _l("Mondeling")),
                 SelectChoice(ConsentMethod.SCHRIFTELIJK, _l("Schriftelijk"))],
        validators=[DataRequired(_l("Kies hoe de bewoner toestemming gaf."))],
    )
    consent_date = DayField(
        _l("Datum van de toestemming"),
        validators=[DataRequired(_l("Vul een geldige datum in."))],
        too_late=_l("Deze datum ligt in de toekomst."),
    )
    consent_explained = BooleanField(
        _l("Ik heb uitgelegd wat Veerkracht bewaart, wie het ziet, en dat de bewoner altijd kan stoppen."),
        validators=[DataRequired(_l("Leg dit eerst uit aan de bewoner."))],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Up to this year, counted when the form is made (not once, when the app started).
        this_year = clock.today().year
        self.birth_year.validators = [Optional(), NumberRange(
            min=1900, max=this_year, message=_l("Vul een geboortejaar in, zoals 1948."))]
        self.birth_year.flags.max = this_year


class MoveResidentsForm(FlaskForm):
    """The coach who takes over the residents of a coach who leaves."""

    to = SelectField(_l("Naar welke coach?"), validators=[DataRequired(_l("Kies een coach."))])
    confirm = BooleanField(
        _l("Ik weet dat de nieuwe coach de gegevens van deze bewoners daarna kan zien. De bewoners zien dat hun "
           "coach is veranderd en kunnen stoppen met delen."),
        validators=[DataRequired(_l("Vink dit aan om de bewoners over te dragen."))],
    )


class StaffDetailsForm(FlaskForm):
    """Name, contact details and roles of a staff account: made or changed by a beheerder."""

    display_name = StringField(
        _l("Naam"), description=_l("Bewoners zien deze naam."),
        validators=[DataRequired(_l("Vul een naam in.")), Length(max=100), no_long_word],
    )
    organisation = StringField(_l("Organisatie"), validators=[Optional(), Length(max=100)])
    phone = StringField(_l("Telefoonnummer voor bewoners"), validators=[Optional(), Length(max=40)])
    roles = SelectMultipleField(
        _l("Rollen"),
        choices=[SelectChoice(role.value, role.label) for role in STAFF_ROLES],
        option_widget=widgets.CheckboxInput(), widget=widgets.ListWidget(prefix_label=False),
        validators=[DataRequired(_l("Kies minstens één rol."))],
    )

    def validate_roles(self, field) -> None:
        """A verwijzer works outside the organisation: that role goes with no other (no resident pages)."""
        if Role.VERWIJZER in (field.data or []) and len(field.data) > 1:
            raise ValidationError(_l("Een verwijzer heeft alleen de rol van verwijzer. Haal de andere rollen weg."))


class StaffForm(StaffDetailsForm):
    """A new coach or beheerder account, made by a beheerder."""

    username = StringField(
        _l("Gebruikersnaam"),
        validators=[DataRequired(_l("Vul een gebruikersnaam in.")), Length(min=3, max=40),
                    Regexp(r"^[A-Za-z0-9_.-]+$", message=_l("Gebruik alleen letters, cijfers, ., - en _."))],
    )
    password = PasswordField(
        _l("Eerste wachtwoord"),
        validators=[DataRequired(_l("Vul een wachtwoord in.")),
                    Length(min=MIN_LENGTH, max=200,
                           message=_l("Het wachtwoord moet minstens %(n)s tekens hebben.", n=MIN_LENGTH)),
                    not_common],
    )
    confirm = PasswordField(
        _l("Typ het wachtwoord nog een keer"),
        validators=[DataRequired(_l("Typ het wachtwoord nog een keer.")),
                    EqualTo("password", message=_l("De twee wachtwoorden zijn niet hetzelfde."))],
    )
