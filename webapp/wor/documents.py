"""The verwijzer's downloads of one referral: a one-page feedback PDF and a FHIR ServiceRequest + Task pair.

Both hold the same thing as the verwijzer's list: what the verwijzer typed, and the feedback the
resident's choice allows (rules.feedback) at the moment of the download; never answers or scores.
"""

from flask_babel import format_date
from flask_babel import gettext as _

from webapp.core import clock
from webapp.core.i18n import locale
from webapp.core.labels import WorImproved, WorNotStarted, WorStatus, WorUrgency
from webapp.core.models import User, WorReferral
from webapp.core.models._base import as_utc
from webapp.rights.document_pdf import Document, Paragraph, Rows, Section, document_pdf
from webapp.wor import rules


def _referrer(user: User | None) -> str:
    if user is None:
        return "–"
    return (user.display_name or user.username) + (f" ({user.organisation})" if user.organisation else "")


def _status_text(seen: rules.Feedback) -> str:
    return _("De patiënt koos voor geen terugkoppeling.") if seen.withheld else WorStatus.label_of(seen.status)


def feedback_pdf(referral: WorReferral, referrer: User | None, seen: rules.Feedback) -> bytes:
    """One page: the referral as the verwijzer typed it, and the feedback the resident allows."""
    started = {True: _("Ja, gestart"), False: _("Nee, niet gestart"), None: None}[seen.started]
    status = _status_text(seen)
    if seen.not_started:
        status += ": " + WorNotStarted.label_of(seen.not_started)
    rows = [(_("Stand"), status)]
    if not seen.withheld:
        rows += [(_("Gestart?"), started), (_("Gaat het beter?"), WorImproved.label_of(seen.improved) or None)]
        if seen.activities:
            rows.append((_("Gekozen activiteiten"), ", ".join(seen.activities)))
        if seen.note:
            rows.append((_("Notitie van de welzijnscoach"), seen.note))
    document = Document(
        title=_("Terugkoppeling Welzijn op Recept"),
        subtitle=_("%(name)s, verwezen op %(day)s", name=referral.patient_name,
                   day=format_date(referral.created_at, "d MMMM yyyy")),
        sections=[
            Section(_("Verwijzing"), [Rows([
                (_("Patiënt"), referral.patient_name),
                (_("Verwezen door"), _referrer(referrer)),
                (_("Verwezen op"), format_date(referral.created_at, "d MMMM yyyy")),
                (_("Hoe snel"), WorUrgency.label_of(referral.urgency)),
            ])]),
            Section(_("Terugkoppeling"), [Rows(rows)]),
            Section(_("Over deze terugkoppeling"), [Paragraph(_(
                "De patiënt kiest zelf wat u terughoort, en kan dat altijd veranderen. U ziet nooit antwoorden "
                "of scores. Dit is de stand van %(day)s.", day=format_date(clock.now(), "d MMMM yyyy")))]),
        ],
        footer=_("Veerkracht · Terugkoppeling Welzijn op Recept · Vertrouwelijk"),
    )
    return document_pdf(document, locale())


def fhir_bundle(referral: WorReferral, referrer: User, seen: rules.Feedback) -> dict:
    """The FHIR R4 Bundle of the referral (ServiceRequest) and how far it got (Task)."""
    return rules.fhir_referral_bundle(rules.FhirReferral(
        referral_id=referral.public_id, patient_name=referral.patient_name,
        authored_on=as_utc(referral.created_at).isoformat(timespec="seconds"),
        last_modified=as_utc(referral.updated_at).isoformat(timespec="seconds"),
        urgency=referral.urgency, referrer_id=referrer.public_id,
        referrer_name=referrer.display_name or referrer.username, referrer_organisation=referrer.organisation,
        feedback=seen, status_text=_status_text(seen),
        not_started_text=WorNotStarted.label_of(seen.not_started) if seen.not_started else None,
        improved_text=WorImproved.label_of(seen.improved) if seen.improved else None,
    ))
