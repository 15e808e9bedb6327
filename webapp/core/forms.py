"""Forms and fields shared by several areas."""

from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, ValidationError
from wtforms.validators import StopValidation

from webapp.core import clock
from webapp.core.edge import EARLIEST_DATE, iso_date, whole_number


class CsrfForm(FlaskForm):
    """A form with only the CSRF token: for buttons and for hand-written inputs."""


LONGEST_WORD = 30  # a name with a "word" longer than this (no spaces) is a typing or paste error


def no_long_word(form, field) -> None:
    """A person's name shows in narrow table columns: one 100-letter word pushed every other column
    off a phone's and a tablet's screen. Dutch names stay far below 30 letters per word."""
    if field.data and any(len(word) > LONGEST_WORD for word in str(field.data).split()):
        raise ValidationError(_l("Een naam met een woord van meer dan %(n)s letters klopt niet. Zet spaties "
                                 "tussen de delen van de naam.", n=LONGEST_WORD))


class WholeNumberField(IntegerField):
    """A whole number typed with the digits 0-9: "１９４８", "1_948", "+5" or a thousand digits are refused
    with a clear message (WTForms' own field accepts the first two and overflows on the last)."""

    def __init__(self, label=None, validators=None, message=None, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.message = message or _l("Vul een getal in met de cijfers 0 tot en met 9.")

    def process_formdata(self, valuelist):
        if not valuelist or not valuelist[0].strip():
            self.data = None  # left empty: Optional() or DataRequired() decides
            return
        self.data = whole_number(valuelist[0])
        if self.data is None:
            raise ValueError(self.message)

    def pre_validate(self, form):
        if self.process_errors:
            raise StopValidation  # one clear message, not a second one from the range check


class DayField(DateField):
    """A date as the browser's date picker sends it (2026-11-24, digits 0-9), between two bounds.

    `earliest` and `latest` are days relative to today (counted when the form is checked, not when
    the app started), or None for the first day Veerkracht could have been used.
    """

    def __init__(self, label=None, validators=None, earliest: int | None = None, latest: int = 0,
                 too_early=None, too_late=None, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.earliest_days, self.latest_days = earliest, latest
        self.too_early = too_early or _l("Deze datum ligt te ver terug. Kijk het jaar nog eens na.")
        self.too_late = too_late or _l("Deze datum ligt te ver vooruit. Kijk het jaar nog eens na.")

    def bounds(self) -> tuple[date, date]:
        today = clock.today()
        earliest = EARLIEST_DATE if self.earliest_days is None else today + timedelta(days=self.earliest_days)
        return earliest, today + timedelta(days=self.latest_days)

    def process_formdata(self, valuelist):
        if not valuelist or not valuelist[0].strip():
            self.data = None
            return
        self.data = iso_date(valuelist[0])
        if self.data is None:
            raise ValueError(_l("Vul een geldige datum in, met de cijfers 0 tot en met 9, zoals 2026-11-24."))

    def pre_validate(self, form):
        if self.process_errors:
            raise StopValidation
        if self.data is not None:
            earliest, latest = self.bounds()
            if self.data < earliest:
                raise ValidationError(self.too_early)
            if self.data > latest:
                raise ValidationError(self.too_late)
