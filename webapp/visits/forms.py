"""The coach takes the tablet back: their password once more."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField
from wtforms.validators import DataRequired, Length


class UnlockForm(FlaskForm):
    password = PasswordField(
        _l("Wachtwoord van de coach"),
        description=_l("Alleen de coach typt dit. Geef de tablet eerst terug aan de coach."),
        validators=[DataRequired(_l("Vul uw wachtwoord in.")), Length(max=200)],
    )
