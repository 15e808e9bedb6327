"""The words for the next check-in and its reminders."""

from flask_babel import lazy_gettext as _l

from webapp.reminders.rules import Channel, Choice, Source

SOURCE_LABELS = {
    Source.AFGESPROKEN: _l("afgesproken met de coach"),
    Source.GEKOZEN: _l("zelf gekozen"),
    Source.RITME: _l("vanzelf gepland"),
}
CHOICE_LABELS = {
    Choice.TWEE_WEKEN: _l("Over 2 weken"),
    Choice.ZES_WEKEN: _l("Over 6 weken"),
    Choice.DRIE_MAANDEN: _l("Over 3 maanden"),
    Choice.DATUM: _l("Op een datum die ik kies"),
}
CHANNEL_LABELS = {
    Channel.GEEN: _l("Geen herinnering"),
    Channel.EMAIL: _l("Een e-mail op die dag"),
}
# The whole reminder: no scores, no life-event, no name. Sent in the language the resident used when
# choosing the reminder (Resident.reminder_locale).
REMINDER_SUBJECT = _l("Het is tijd voor uw Veerkracht check-in")
REMINDER_BODY = _l("Het is tijd voor uw Veerkracht check-in.\n\n{link}\n")
REMINDER_SNOOZE = _l("Komt het nu niet goed uit? Met deze link schuift u de check-in een week op:\n{link}\n")
CALENDAR_TITLE = _l("Veerkracht check-in")
