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
# The whole reminder: no scores, no life-event, no name. Sent in Dutch (the resident's language is
# not known outside a request).
REMINDER_SUBJECT = "Het is tijd voor uw Veerkracht check-in"
REMINDER_BODY = "Het is tijd voor uw Veerkracht check-in.\n\n{link}\n"
CALENDAR_TITLE = "Veerkracht check-in"
