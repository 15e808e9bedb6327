"""The resident's data download as a readable PDF: the same content as the JSON, in plain words."""

from datetime import date, datetime
from types import SimpleNamespace

from flask_babel import format_date, format_datetime, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from webapp.core import clock
from webapp.core.audit import ACTION_LABELS
from webapp.core.definitions import life_events, pillar_title, questionnaire_for
from webapp.core.i18n import locale, one_decimal
from webapp.core.labels import CheckinMode, FormKind, ReferralStatus, RelationOrigin
from webapp.reminders.labels import CHANNEL_LABELS
from webapp.rights.document_pdf import Document, Paragraph, Rows, Section, Subheading, document_pdf

# Who did something, as the resident reads it in their own download.
ROLES = {"bewoner": _l("uzelf"), "ouderencoach": _l("ouderencoach"), "welzijnscoach": _l("welzijnscoach"),
         "beheerder": _l("beheerder")}


def _moment(value: str | None) -> str | None:
    return format_datetime(datetime.fromisoformat(value), "d MMMM yyyy, HH:mm") if value else None


def _day(value: str | None, pattern: str = "d MMMM yyyy") -> str | None:
    """A stored moment (ISO, UTC) or a plain date, as a local day (or, with "MMMM yyyy", a month)."""
    if not value:
        return None
    return format_date(datetime.fromisoformat(value) if "T" in value else date.fromisoformat(value), pattern)


def _answer_text(answer: dict | None, faces: dict[int, str]) -> str:
    """The answer as it was given: a face's word (with the number it is stored as), else the number."""
    if answer is None or answer["score"] is None:
        text = _("overgeslagen")
    elif answer["score"] in faces:
        text = f"{faces[answer['score']]} ({answer['score']})"
    else:
        text = str(answer["score"])
    if answer is not None and answer["wants_to_talk"]:
        text += " · " + _("wil hierover praten")
    return text


def _checkin(checkin: dict, events: dict) -> list:
    questionnaire = questionnaire_for(SimpleNamespace(questionnaire_id=checkin["questionnaire"],
                                                      questionnaire_version=checkin["version"]))
    lang = locale()
    pillar_names = {p.id: p.name.get(lang) for p in questionnaire.pillars}
    rows = [
        (_("Vragenlijst"), FormKind.label_of(checkin["form"])),
        (_("Wat er gebeurde"), events.get(checkin["life_event"], checkin["life_event"])),
        (_("Wanneer"), _day(checkin.get("life_event_on"), "MMMM yyyy")),  # a month, as the resident gave it
        (_("Hoe"), CheckinMode.label_of(checkin["mode"])),
    ]
    answers = {answer["item"]: answer for answer in checkin["answers"]}
    faces = {face.value: face.label.get(lang) for face in questionnaire.faces_for(checkin["form"]) or ()}
    for pillar, items in questionnaire.form_pillars(checkin["form"]):
        score = checkin["pillar_scores"].get(pillar.id)
        rows.append((_("Score %(pillar)s", pillar=pillar_title(pillar, lang, staff=True)),
                     one_decimal(score) if score is not None
                     else _("te weinig ingevuld")))
        rows += [(item.text.get(lang), _answer_text(answers.get(item.id), faces)) for item in items]
    plan = checkin["plan"]
    plan_rows = [(_("Wat is belangrijk voor u?"), plan["important"]),
                 (_("Plan voor"), pillar_names.get(plan["pillar"], plan["pillar"])),
                 (_("Kleine stap"), plan["small_step"]), (_("Wie helpt"), plan["who_helps"]),
                 (_("Volgende check-in"), _day(checkin["next_checkin_on"]))]
    rows += [row for row in plan_rows if row[1]]
    blocks = [Subheading(_("Check-in van %(moment)s", moment=_moment(checkin["completed_at"]))), Rows(rows)]
    if checkin["coach_notes"]:
        blocks += [Paragraph(_("Notities van het gesprek:")), Paragraph(checkin["coach_notes"])]
    return blocks


def export_document(data: dict) -> Document:
    """Lay the export (rights.export) out as sections with headings and plain labels."""
    events = {e.id: e.name.get(locale()) for e in life_events().events}  # the sentence the resident chose
    profile = data["profile"]
    checkins = [block for checkin in reversed(data["checkins"]) for block in _checkin(checkin, events)]
    drafts = [Rows([(_("Begonnen op"), _moment(d["created_at"])),
                    (_("Antwoorden tot nu toe"), str(len(d["answers"] or {})))])
              for d in data["checkins_in_progress"]]
    relations = [Rows([(_("Coach"), r["coach"]), (_("Hoe"), RelationOrigin.label_of(r["origin"])),
                       (_("Sinds"), _day(r["started_at"])), (_("Gestopt op"), _day(r["ended_at"]))])
                 for r in data["coach_relations"]]
    referrals = [Rows([(_("Activiteit"), r["activity"]),
                       (_("Stand"), ReferralStatus.label_of(r["status"])),
                       (_("Gekozen op"), _day(r["created_at"])),
                       (_("Hoe ging het (1-5)"), str(r["followup_rating"]) if r["followup_rating"] else None),
                       (_("Wat u erover vertelde"), r["followup_text"])])
                 for r in data["referrals"]]
    reminder = data["reminders"]
    reminder_rows = [Rows([
        (_("Volgende check-in"), _day(reminder["next_checkin_on"])),
        (_("Herinnering"), str(CHANNEL_LABELS.get(reminder["how"], reminder["how"]))),
        (_("Telefoonnummer voor de coach"), reminder["phone"]),
        *[(_("Herinnering voor %(day)s", day=_day(r["due_on"])),
           _("verstuurd op %(day)s", day=_day(r["sent_at"])) if r["sent_at"] else _("nog niet verstuurd"))
          for r in reminder["sent"]],
        *[(_("Gebeld op %(day)s", day=_day(c["called_at"])), c["note"] or "") for c in reminder["calls"]],
    ])]
    # Who else looked, as on the web page: the resident's own actions (every page she opened) filled
    # pages and hid the others'. They are counted here; the JSON download holds every one.
    others = [e for e in data["access_log"] if e["by_role"] != "bewoner"]
    own = len(data["access_log"]) - len(others)
    access = [Rows([(_moment(e["at"]), f"{ACTION_LABELS.get(e['action'], e['action'])} · "
                                        f"{ROLES.get(e['by_role'], e['by_role'] or _('onbekend'))}")
                    for e in others])] if others else [Paragraph(_("Niemand anders."))]
    if own:
        access.append(Paragraph(ngettext(
            "Wat u zelf deed (%(num)s keer), staat hier niet bij. Het JSON-bestand heeft alles.",
            "Wat u zelf deed (%(num)s keer), staat hier niet bij. Het JSON-bestand heeft alles.", own)))
    return Document(
        title=_("Mijn gegevens"),
        subtitle=_("Alles wat Veerkracht over u bewaart, op %(day)s.", day=format_date(clock.now(), "d MMMM yyyy")),
        sections=[
            Section(_("Over u"), [Rows([
                (_("Gebruikersnaam"), profile["username"]), (_("Naam"), profile["name"]),
                (_("Geboortejaar"), str(profile["birth_year"]) if profile["birth_year"] else None),
                (_("Wijk"), profile["wijk"]), (_("Account gemaakt op"), _day(profile["created_at"])),
                (_("Bewonernummer"), profile["id"]),
                (_("E-mailadres"), profile.get("email")),
            ])]),
            Section(_("Uw check-ins (%(n)s)", n=len(data["checkins"])), checkins or [Paragraph(_("Geen."))]),
            Section(_("Check-in die nog niet af is"), drafts or [Paragraph(_("Geen."))]),
            Section(_("Delen met een coach"), relations or [Paragraph(_("U deelt met niemand."))]),
            Section(_("Activiteiten"), referrals or [Paragraph(_("Geen."))]),
            Section(_("Volgende check-in en herinneringen"), reminder_rows),
            Section(_("Wie heeft uw gegevens bekeken"), access),
        ],
        footer=_("Veerkracht · Mijn gegevens · Ook als JSON-bestand te downloaden bij Mijn account."),
    )


def export_pdf(data: dict) -> bytes:
    """The export as a tagged PDF in the reader's language."""
    return document_pdf(export_document(data), locale())
