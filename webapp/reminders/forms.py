"""Choosing the next check-in date, and how to be reminded."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, StringField, ValidationError
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional

from webapp.core.forms import DayField
from webapp.reminders.labels import CHANNEL_LABELS, CHOICE_LABELS
from webapp.reminders.rules import MAIL_CHOICES, MAX_ENDPOINT, Choice, phone_number


class NextCheckinForm(FlaskForm):
    """ "Wanneer wilt u weer even kijken?": over 2 weeks, 6 weeks, 3 months, or a date."""

    choice = RadioField(
        _l("Kies een moment"),  # under the heading "Wanneer wilt u weer even kijken?"
        choices=[SelectChoice(c.value, CHOICE_LABELS[c]) for c in Choice],
        validators=[InputRequired(message=_l("Kies wanneer u weer wilt kijken."))],
        validate_choice=True,
    )
    day = DayField(
        _l("Datum"),
        description=_l("Alleen nodig als u zelf een datum kiest."),
        validators=[Optional()], earliest=1, latest=2 * 366,
        too_early=_l("Kies een datum na vandaag."),
        too_late=_l("Kies een datum binnen twee jaar."),
    )

    def validate(self, extra_validators=None) -> bool:
        if not super().validate(extra_validators):
            return False
        if self.choice.data == Choice.DATUM and self.day.data is None:
            self.day.errors.append(_l("Vul een datum in, of kies een van de andere mogelijkheden."))
            return False
        return True


class ReminderForm(FlaskForm):
    """How the resident wants to hear that it is time: nothing, or an e-mail."""

    how = RadioField(
        _l("Hoe wilt u eraan herinnerd worden?"),
        choices=[SelectChoice(c.value, CHANNEL_LABELS[c]) for c in MAIL_CHOICES],
        validators=[InputRequired(message=_l("Kies of u een herinnering wilt."))],
        validate_choice=True,
    )


class PushOffForm(FlaskForm):
    """Notifications off: for one phone (its endpoint, from the page's script) or, empty, for all."""

    endpoint = StringField(validators=[Optional(), Length(max=MAX_ENDPOINT)])


class SnoozeForm(FlaskForm):
    """One button: "Ja, een week later"."""


class CalledForm(FlaskForm):
    """The call list's "Gebeld" tick, with a short note (optional)."""

    note = StringField(_l("Korte notitie (mag leeg)"), validators=[
        Optional(), Length(max=200, message=_l("Schrijf hier hoogstens 200 tekens."))])


NOT_A_PHONE_NUMBER = _l("Dit lijkt geen telefoonnummer. Typ alleen cijfers, bijvoorbeeld 06 12345678.")


class PhoneForm(FlaskForm):
    """The phone number the coach records for the call list; empty removes it."""

    phone = StringField(_l("Telefoonnummer"), description=_l("Bijvoorbeeld 06 12345678. Laat leeg om het te wissen."))

    def validate_phone(self, field) -> None:
        try:
            field.data = phone_number(field.data)
        except ValueError:
            raise ValidationError(NOT_A_PHONE_NUMBER) from None
