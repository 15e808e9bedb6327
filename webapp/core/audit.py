"""Write audit events: who looked at or changed whose data.

An event is written in the same commit as the rest of what the request did, never on its own:
`record` only collects the row in the session, and the rows go to the database in one INSERT
just before the session commits. So a page that shows data holds no write lock while it renders
(SQLite) and costs no extra round trip; a rollback, or a savepoint that fails, drops the events
recorded in it together with the rest of its work.
"""

from flask import has_request_context, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import event, insert
from sqlalchemy.orm import Session

from webapp.core.extensions import db
from webapp.core.models import AuditEvent, Resident
from webapp.core.models._base import utcnow

PENDING = "veerkracht_audit_pending"  # Session.info: the rows to insert at the next commit

# Names, in the reader's language, of what an audit event records (the resident's access log).
ACTION_LABELS = {
    "checkin.start": _l("Check-in begonnen"),
    "draft.view": _l("Check-in in uitvoering bekeken"),
    "draft.update": _l("Antwoord opgeslagen"),
    "checkin.create": _l("Check-in ingevuld"),
    "checkin.discard": _l("Check-in weggegooid"),
    "checkin.view": _l("Uitslag bekeken"),
    "checkin.compare": _l("Twee check-ins vergeleken"),
    "chart.view": _l("Spinnenweb bekeken"),
    "chart.draw": _l("Spinnenweb alvast getekend door Veerkracht zelf"),
    "history.view": _l("Overzicht van check-ins bekeken"),
    "plan.update": _l("Plan opgeslagen"),
    "plan.draft": _l("Plan of gesprek tussendoor bewaard"),
    "relation.reopen": _l("Begeleiding weer opgepakt door de coach"),
    "resident.enrol": _l("Ingeschreven door een coach"),
    "resident.view": _l("Gegevens bekeken door een coach"),
    "relation.share": _l("Gedeeld met een coach"),
    "relation.end": _l("Delen gestopt"),
    "activation.issue": _l("Activeringscode gemaakt"),
    "activation.use": _l("Eigen account geactiveerd"),
    "audit.view": _l("Dit overzicht bekeken"),
    "data.export": _l("Gegevens gedownload"),
    "account.create": _l("Account gemaakt"),
    "caseload.view": _l("In het overzicht van een coach gezien"),
    "referrals.overview": _l("In het overzicht van activiteiten van een coach gezien"),
    "progress.chart": _l("Verloop bekeken door een coach"),
    "referral.create": _l("Activiteit gekozen om te proberen"),
    "referral.update": _l("Stand van een activiteit aangepast"),
    "referral.followup": _l("Verteld hoe een activiteit ging"),
    "suggestions.view": _l("Activiteiten bekeken"),
    "summary.export": _l("Samenvatting gedownload"),
    "visit.update": _l("Gesprek bij een huisbezoek opgeslagen"),
    "profile.update": _l("Wijk opgeslagen"),
    "reset.issue": _l("Herstelcode voor een nieuw wachtwoord gemaakt"),
    "password.reset": _l("Nieuw wachtwoord gekozen met een herstelcode"),
    "password.change": _l("Wachtwoord gewijzigd"),
    "relation.move": _l("Overgedragen aan een andere coach"),
    "second_factor.on": _l("Tweede stap aangezet"),
    "email.set": _l("E-mailadres opgeslagen"),
    "email.verify": _l("E-mailadres bevestigd"),
    "reset.mail": _l("Mail voor een nieuw wachtwoord gestuurd"),
    "second_factor.off": _l("Tweede stap uitgezet"),
    "second_factor.recovery": _l("Ingelogd met een herstelcode"),
    "account.view": _l("Mijn account bekeken"),
    "home.view": _l("Startpagina met uw check-ins bekeken"),
    "erase.view": _l("Pagina om de gegevens te verwijderen geopend door een coach"),
    "passkey.add": _l("Inlogsleutel toegevoegd"),
    "passkey.login": _l("Ingelogd met een inlogsleutel"),
    "passkey.remove": _l("Inlogsleutel verwijderd"),
    "next_checkin.view": _l("Volgende check-in bekeken"),
    "next_checkin.choose": _l("Datum voor de volgende check-in gekozen"),
    "reminder.set": _l("Herinnering ingesteld"),
    "reminder.calendar": _l("Agenda-bestand voor de volgende check-in gedownload"),
    "reminder.mail": _l("Herinnering per e-mail gestuurd"),
    "reminder.push": _l("Herinnering als melding naar uw telefoon gestuurd"),
    "reminder.push_on": _l("Meldingen aangezet op een telefoon"),
    "reminder.push_off": _l("Meldingen uitgezet"),
    "reminder.snooze_view": _l("Link om de check-in op te schuiven geopend"),
    "reminder.snooze": _l("Check-in een week opgeschoven met de link in de herinnering"),
    "reminder.call": _l("Gebeld door een coach over de volgende check-in"),
    "resident.phone": _l("Telefoonnummer opgeslagen door een coach"),
    "resident.form": _l("Vragenlijst gekozen door een coach"),
    "paper.view": _l("Pagina geopend om antwoorden van papier in te voeren"),
    "checkin.paper": _l("Antwoorden van papier ingevoerd door een coach"),
    "wor.create": _l("Verwezen door de huisartspraktijk"),
    "wor.queue": _l("Verwijzing gezien in de lijst van een welzijnscoach"),
    "wor.view": _l("Verwijzing bekeken door een welzijnscoach"),
    "wor.pick_up": _l("Verwijzing opgepakt door een welzijnscoach"),
    "wor.attempt": _l("Contact met u geprobeerd"),
    "wor.status": _l("Stand van de verwijzing aangepast"),
    "wor.link": _l("Verwijzing gekoppeld aan uw gegevens"),
    "wor.note": _l("Notitie voor uw verwijzer geschreven"),
    "wor.feedback_view": _l("Terugkoppeling bekeken door uw verwijzer"),
    "wor.sharing": _l("Keuze gewijzigd: wat uw verwijzer terughoort"),
    "wor.own_view": _l("U bekeek wat uw verwijzer terughoort"),
    "wor.feedback_pdf": _l("Terugkoppeling gedownload door uw verwijzer (PDF)"),
    "wor.fhir": _l("Terugkoppeling gedownload door uw verwijzer (FHIR)"),
    "wor.prices": _l("Prijslijst Rendementsmeter aangepast"),
    "wor.figures": _l("Cijfers Rendementsmeter bekeken"),
    "wor.figures_export": _l("Cijfers Rendementsmeter gedownload (CSV)"),
    "wor.practice_create": _l("Praktijk met praktijkcode toegevoegd"),
    "wor.practice_code": _l("Nieuwe praktijkcode gemaakt"),
    "wor.practice_on": _l("Praktijkcode aangezet"),
    "wor.practice_off": _l("Praktijkcode uitgezet"),
}


def _origin() -> dict:
    """Who acts and from where: the current user and the request's address and browser."""
    if not has_request_context():
        return {}
    origin = {"ip": request.remote_addr, "user_agent": (request.user_agent.string or "")[:255]}
    if current_user.is_authenticated:
        origin.update(actor_public_id=current_user.public_id, actor_role=current_user.role_label)
    return origin


def _object_type(obj) -> str | None:
    """What kind of thing was seen: the model's audit_type, or its class name (e.g. "draft")."""
    if obj is None:
        return None
    return getattr(obj, "audit_type", type(obj).__name__.lower())


def record(action: str, resident: Resident | None, obj=None, object_type: str | None = None) -> None:
    """Append an audit event with pseudonymous ids only (never names or answers); it is written
    in the session's next commit."""
    _pending().append({
        "action": action,
        "resident_public_id": resident.public_id if resident else None,
        "object_type": object_type or _object_type(obj),
        "object_public_id": getattr(obj, "public_id", None),
        "at": utcnow(),
        "actor_public_id": None, "actor_role": None, "ip": None, "user_agent": None,
        **_origin(),
    })


def record_many(action: str, resident_public_ids: list[str], object_type: str = "resident") -> None:
    """One audit event per resident on a page that lists many residents (or per reminder the job sent),
    written in one INSERT. The object is the resident itself, or only a kind (e.g. "reminder") without an id."""
    origin = {"actor_public_id": None, "actor_role": None, "ip": None, "user_agent": None, **_origin()}
    at = utcnow()
    _pending().extend(
        {"action": action, "resident_public_id": public_id, "object_type": object_type,
         "object_public_id": public_id if object_type == "resident" else None, "at": at, **origin}
        for public_id in resident_public_ids
    )


def _pending() -> list[dict]:
    session = db.session()
    if not session.in_transaction():
        session.begin()  # no connection yet; but a rollback now has a transaction to end, and drops these
    return session.info.setdefault(PENDING, [])


def pending_mark() -> int:
    """How many events wait for the commit now (see `drop_since`)."""
    return len(db.session().info.get(PENDING, ()))


def drop_since(mark: int) -> None:
    """Forget the events recorded after `mark`: the savepoint they belong to was undone."""
    pending = db.session().info.get(PENDING)
    if pending is not None:
        del pending[mark:]


@event.listens_for(Session, "before_commit")
def _write_pending(session: Session) -> None:
    rows = session.info.pop(PENDING, None)
    if rows:
        # Into the table itself (every row has the same keys, the column names): the ORM's bulk
        # insert took 120 instead of 47 us for a page's one row, and these rows are never read back.
        session.execute(insert(AuditEvent.__table__), rows)


@event.listens_for(Session, "after_soft_rollback")
def _drop_pending(session: Session, previous_transaction) -> None:
    if previous_transaction.nested or previous_transaction.parent is not None:
        return  # a savepoint: savepoint() in transactions.py drops its own part
    session.info.pop(PENDING, None)
