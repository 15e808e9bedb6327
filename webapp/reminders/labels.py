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

# Web push: what the resident reads on the settings page when a phone is refused or switched.
PUSH_MESSAGES = {
    "aan": _l("Meldingen staan aan op deze telefoon."),
    "uit": _l("Meldingen staan uit op deze telefoon."),
    "alles_uit": _l("Meldingen staan nu uit op al uw telefoons en computers."),
    "adres": _l("Deze telefoon gaf een onbekend adres voor meldingen. Meldingen werken hier niet; "
                "kies een e-mail of zet de datum in uw agenda."),
    "sleutel": _l("Deze telefoon gaf geen goede sleutel voor meldingen. Probeer het nog eens."),
    "ander_account": _l("Deze telefoon krijgt al meldingen voor een ander account. Log in met dat account en "
                        "zet daar de meldingen uit. Daarna kunt u ze hier aanzetten."),
}
