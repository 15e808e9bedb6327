"""Build the printable summary of a check-in from the database, in the reader's language."""

from flask_babel import format_date, format_decimal, gettext

from webapp.catalogue import life_events, questionnaire_for
from webapp.domain.summary import Summary, summary_pdf
from webapp.extensions import db
from webapp.models import Measurement, Resident, User
from webapp.services import checkins


def _score(value: float | None) -> str:
    return gettext("te weinig ingevuld") if value is None else format_decimal(value, format="0.0")


def build_summary(resident: Resident, measurement: Measurement, locale: str) -> bytes:
    """The one-page PDF: spider web with the previous one, scores in words, the plan, next date, coach."""
    questionnaire = questionnaire_for(measurement)
    comparison = checkins.compare(measurement, checkins.previous_of(measurement))
    pillars = questionnaire.pillars
    rows = []
    for pillar in pillars:
        value = _score(comparison.scores[pillar.id])
        if comparison.previous_scores is not None:
            value += " " + gettext("(eerder %(score)s)", score=_score(comparison.previous_scores[pillar.id]))
        rows.append((pillar.name.get(locale), value))
    focus = next((p.name.get(locale) for p in pillars if p.id == measurement.plan_pillar), None)
    coach = db.session.get(User, measurement.coach_id) if measurement.coach_id else None
    sections = [
        (gettext("Wat is voor u belangrijk?"), measurement.plan_important),
        (gettext("Hier wilt u aan werken"), focus),
        (gettext("Uw kleine stap"), measurement.plan_step),
        (gettext("Wie of wat kan helpen"), measurement.plan_helper),
        (gettext("Volgende check-in"),
         format_date(measurement.next_checkin_on, "long") if measurement.next_checkin_on else None),
    ]
    if coach is not None:
        contact = ", ".join(x for x in (coach.display_name, coach.organisation, coach.phone) if x)
        sections.append((gettext("Uw coach"), contact))
    event = life_events().get(measurement.life_event)
    subtitle = gettext("Check-in van %(date)s", date=format_date(measurement.completed_at, "long"))
    if resident.display_name:
        subtitle = f"{resident.display_name} · {subtitle}"
    if event and event.id != "geen":
        subtitle += f" · {event.short.get(locale)}"
    summary = Summary(
        title=gettext("Hoe gaat het met u?"),
        subtitle=subtitle,
        labels=[p.name.get(locale) for p in pillars],
        scores=[comparison.scores[p.id] for p in pillars],
        previous=[comparison.previous_scores[p.id] for p in pillars] if comparison.previous_scores else None,
        current_label=gettext("Nu"),
        previous_label=gettext("Vorige keer"),
        score_heading=gettext("Uw cijfers (0 tot en met 10)"),
        score_rows=rows,
        sections=sections,
        footer=gettext("Veerkracht is geïnspireerd op de zes dimensies van Positieve Gezondheid (Huber)."),
    )
    return summary_pdf(summary)
