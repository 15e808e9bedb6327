from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import PasswordField, SelectMultipleField, StringField, widgets
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, Length, Optional, Regexp

from webapp.auth.forms import not_common
from webapp.core.passwords import MIN_LENGTH


class StaffForm(FlaskForm):
    """A coach or beheerder account, made by a beheerder."""

    username = StringField(
        _l("Gebruikersnaam"),
        validators=[DataRequired(_l("Vul een gebruikersnaam in.")), Length(min=3, max=40),
                    Regexp(r"^[A-Za-z0-9_.-]+$", message=_l("Gebruik alleen letters, cijfers, ., - en _."))],
    )
    display_name = StringField(
        _l("Naam"), description=_l("Bewoners zien deze naam."),
        validators=[DataRequired(_l("Vul een naam in.")), Length(max=100)],
    )
    organisation = StringField(_l("Organisatie"), validators=[Optional(), Length(max=100)])
    phone = StringField(_l("Telefoonnummer voor bewoners"), validators=[Optional(), Length(max=40)])
    roles = SelectMultipleField(
        _l("Rollen"),
        choices=[SelectChoice("ouderencoach", _l("Ouderencoach")), SelectChoice("welzijnscoach", _l("Welzijnscoach")),
                 SelectChoice("beheerder", _l("Beheerder"))],
        option_widget=widgets.CheckboxInput(), widget=widgets.ListWidget(prefix_label=False),
        validators=[DataRequired(_l("Kies minstens één rol."))],
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


class ImportForm(FlaskForm):
    file = FileField(
        _l("CSV-bestand"),
        description=_l("Zoals Excel het opslaat: CSV UTF-8, gescheiden door ; of ,. De kolommen staan in de README."),
        validators=[FileRequired(_l("Kies een bestand.")),
                    FileAllowed(["csv", "txt"], _l("Kies een CSV-bestand (.csv)."))],
    )
