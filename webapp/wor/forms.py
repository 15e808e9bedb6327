"""Forms for Welzijn op Recept: the verwijzer's referral and the welzijnscoach's steps."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    widgets,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from webapp.accounts.forms import EnrolForm
from webapp.core.definitions import life_events
from webapp.core.forms import WholeNumberField, no_long_word
from webapp.core.i18n import locale
from webapp.core.labels import WorAttemptOutcome, WorImproved, WorNotStarted, WorSharing, WorUrgency
from webapp.wor.labels import PROBLEMS
from webapp.wor.rules import MAX_HOURS, NOTHING, UNKNOWN


def _choices(vocabulary) -> list[SelectChoice]:
    return [SelectChoice(member.value, member.label) for member in vocabulary]


class ReferralForm(FlaskForm):
    """Only what the welzijnscoach needs to call the patient; nothing of the medical file."""

    patient_name = StringField(
        _l("Naam of initialen van de patiënt"),
        description=_l("Zoals de welzijnscoach de patiënt aanspreekt, bijvoorbeeld 'mevr. J. de Vries'."),
        validators=[DataRequired(_l("Vul een naam of initialen in.")),
                    Length(max=100, message=_l("Gebruik hoogstens 100 tekens.")), no_long_word],
    )
    contact = StringField(
        _l("Hoe bereikt de welzijnscoach de patiënt?"),
        description=_l("Een telefoonnummer of e-mailadres."),
        validators=[DataRequired(_l("Vul een telefoonnummer of e-mailadres in.")),
                    Length(max=100, message=_l("Gebruik hoogstens 100 tekens."))],
    )
    reason = TextAreaField(
        _l("Waarom verwijst u? In gewone woorden"),
        description=_l("Bijvoorbeeld: 'Sinds het overlijden van haar man eenzaam, weinig contact met anderen.' "
                       "Geen diagnose of medische gegevens."),
        validators=[DataRequired(_l("Schrijf kort waarom u verwijst.")),
                    Length(max=1000, message=_l("Gebruik hoogstens 1000 tekens."))],
    )
    life_event = SelectField(_l("Is er iets ingrijpends gebeurd? (niet verplicht)"), validators=[Optional()])
    urgency = RadioField(
        _l("Hoe snel?"), choices=_choices(WorUrgency), default=WorUrgency.GEWOON,
        validators=[DataRequired(_l("Kies hoe snel."))],
    )
    patient_agreed = BooleanField(
        _l("De patiënt weet van deze verwijzing en vindt het goed dat een welzijnscoach contact opneemt."),
        validators=[DataRequired(_l("Verwijs alleen als de patiënt dat goed vindt. Vink dit aan als de patiënt "
                                    "akkoord is."))],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        events = [e for e in life_events().events if not e.is_nothing]
        self.life_event.choices = [("", _("Geen of weet ik niet"))] + [(e.id, e.short.get(locale())) for e in events]


class AttemptForm(FlaskForm):
    """One try to reach the referred person."""

    outcome = RadioField(_l("Hoe ging het?"), choices=_choices(WorAttemptOutcome),
                         validators=[DataRequired(_l("Kies hoe het contact ging."))])
    note = StringField(_l("Notitie voor uzelf en collega's (niet verplicht)"),
                       validators=[Optional(), Length(max=300, message=_l("Gebruik hoogstens 300 tekens."))])


class NotStartedForm(FlaskForm):
    reason = RadioField(_l("Waarom start de begeleiding niet?"), choices=_choices(WorNotStarted),
                        description=_l("De verwijzer ziet deze reden."),
                        validators=[DataRequired(_l("Kies waarom de begeleiding niet start."))])
    # Not "note": the contact form on the same page has one, and two fields with one id mix up their labels.
    colleague_note = StringField(_l("Toelichting voor collega's (niet verplicht; de verwijzer ziet dit niet)"),
                       validators=[Optional(), Length(max=1000, message=_l("Gebruik hoogstens 1000 tekens."))])


class FeedbackNoteForm(FlaskForm):
    note = TextAreaField(
        _l("Korte notitie voor de verwijzer"),
        description=_l("Bijvoorbeeld welke activiteit de bewoner koos, en hoe het nu gaat. In woorden, geen "
                       "scores of antwoorden."),
        validators=[DataRequired(_l("Schrijf een korte notitie.")),
                    Length(max=300, message=_l("Gebruik hoogstens 300 tekens."))],
    )


class WorEnrolForm(EnrolForm):
    """The existing enrolment with consent, plus what the resident lets the verwijzer hear back."""

    sharing = RadioField(
        _l("Wat mag de verwijzer terughoren?"),
        description=_l("Vraag het de bewoner. De verwijzer ziet nooit antwoorden of scores."),
        choices=_choices(WorSharing),
        validators=[DataRequired(_l("Kies wat de verwijzer mag terughoren."))],
    )


class CloseForm(FlaskForm):
    """The close in a few taps: better or not (in words), the hours it took, what was avoided."""

    improved = RadioField(
        _l("Gaat het beter met de bewoner?"), choices=_choices(WorImproved),
        description=_l("Zoals u het inschat, samen met de bewoner. "
                       "De verwijzer ziet dit antwoord als de bewoner dat goed vond."),
        validators=[DataRequired(PROBLEMS["improved"]), AnyOf(WorImproved.values(), message=PROBLEMS["improved"])],
        validate_choice=False)
    hours = WholeNumberField(
        _l("Hoeveel uur begeleiding was het, ongeveer?"),
        description=_l("Een heel getal, van 0 tot en met %(max)s.", max=MAX_HOURS),
        validators=[InputRequired(PROBLEMS["hours"]), NumberRange(min=0, max=MAX_HOURS, message=PROBLEMS["hours"])],
        message=PROBLEMS["hours"])
    avoided = SelectMultipleField(
        _l("Wat is volgens u voorkomen of uitgesteld?"),
        description=_l("Kies alles wat past. Dit is uw eigen inschatting; "
                       "het telt alleen mee in de cijfers, als schatting."),
        option_widget=widgets.CheckboxInput(), widget=widgets.ListWidget(prefix_label=False), validate_choice=False)

    def set_items(self, items, lang: str) -> None:
        """The price list's lines as checkboxes, then "niets" and "weet ik niet"."""
        def words(item) -> str:
            return f"{item.name.get(lang) or item.name['nl']} ({item.unit.get(lang) or item.unit['nl']})"

        self.avoided.choices = [SelectChoice(item.id, words(item)) for item in items] + [
            SelectChoice(NOTHING, _l("Niets")), SelectChoice(UNKNOWN, _l("Weet ik niet"))]

    def validate_avoided(self, field) -> None:
        chosen = set(field.data or [])
        if not chosen or not chosen <= {value for value, *_rest in field.choices}:
            raise ValidationError(PROBLEMS["avoided"])
        if len(chosen) > 1 and chosen & {NOTHING, UNKNOWN}:
            raise ValidationError(PROBLEMS["avoided_alone"])


class SharingForm(FlaskForm):
    """The resident changes what the verwijzer hears back (on their own page, or with the coach)."""

    sharing = RadioField(
        _l("Wat mag de verwijzer terughoren?"),
        description=_l("U kunt dit altijd veranderen. De verwijzer ziet nooit antwoorden of scores."),
        choices=_choices(WorSharing),
        validators=[DataRequired(_l("Kies wat de verwijzer mag terughoren."))],
    )


class LinkForm(FlaskForm):
    """Link the referral to a resident the coach already follows, with what the verwijzer may hear back."""

    bewoner = HiddenField()
    sharing = RadioField(
        _l("Wat mag de verwijzer terughoren?"),
        description=_l("Vraag het de bewoner. De verwijzer ziet nooit antwoorden of scores."),
        choices=_choices(WorSharing),
        validators=[DataRequired(_l("Kies wat de verwijzer mag terughoren."))],
    )
