"""Welzijn op Recept: the verwijzer refers and reads the feedback; the welzijnscoaches' queue and steps."""

import json

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import format_decimal, ngettext
from flask_babel import gettext as _
from flask_login import current_user

from webapp.accounts import service as people
from webapp.core import audit, clock
from webapp.core.definitions import life_events
from webapp.core.forms import CsrfForm
from webapp.core.i18n import locale
from webapp.core.labels import Role, WorAttemptOutcome, WorImproved, WorNotStarted, WorSharing, WorStatus, WorUrgency
from webapp.core.models import Resident, WorReferral
from webapp.core.permissions import (
    can_link_wor_referral,
    handles_wor_referral,
    own_resident,
    require_wor_referral,
    role_required,
)
from webapp.core.spreadsheet import csv_text
from webapp.core.views import by_public_id, render_form
from webapp.wor import documents, rules
from webapp.wor import service as wor
from webapp.wor.forms import (
    AttemptForm,
    CloseForm,
    FeedbackNoteForm,
    LinkForm,
    NotStartedForm,
    ReferralForm,
    SharingForm,
    WorEnrolForm,
)
from webapp.wor.labels import PROBLEMS

bp = Blueprint("wor", __name__)
COACH = Role.WELZIJNSCOACH


def _words() -> dict:
    """The closed lists' words, for the templates."""
    return {"status_labels": {s: s.label for s in WorStatus}, "urgency_labels": {u: u.label for u in WorUrgency},
            "not_started_labels": {r: r.label for r in WorNotStarted},
            "sharing_labels": {s: s.label for s in WorSharing},
            "improved_labels": {i: i.label for i in WorImproved},
            "outcome_labels": {o: o.label for o in WorAttemptOutcome},
            "event_names": {e.id: e.short.get(locale()) for e in life_events().events}}


@bp.get("/verwijzer")
@role_required(Role.VERWIJZER)
def mine():
    """The verwijzer's own referrals with the feedback the resident allowed; nobody else's."""
    referrals = wor.referrals_by(current_user)
    wor.record_feedback_views(referrals)
    feedback = wor.feedback_for(referrals)
    return render_template("wor/mine.html", referrals=referrals, feedback=feedback, today=clock.today(), **_words())


@bp.route("/verwijzer/nieuw", methods=["GET", "POST"])
@role_required(Role.VERWIJZER)
def new():
    """Refer a patient in a minute: only what the welzijnscoach needs, and the patient's agreement."""
    form = ReferralForm()
    if form.validate_on_submit():
        wor.create(current_user, form.patient_name.data, form.contact.data, form.reason.data,
                   form.life_event.data or None, form.urgency.data)
        flash(_("Uw verwijzing is verstuurd. Een welzijnscoach neemt contact op met de patiënt."), "success")
        return redirect(url_for("wor.mine"))
    return render_form("wor/new.html", form)


def _load(referral_id: str) -> WorReferral:
    return require_wor_referral(by_public_id(WorReferral, referral_id))


def _mine_to_handle(referral: WorReferral):
    """None when this coach handles the referral; otherwise a redirect with the reason."""
    if handles_wor_referral(current_user, referral):
        return None
    flash(str(PROBLEMS["not_yours" if referral.coach_id else "step"]), "error")
    return redirect(url_for("wor.referral", referral_id=referral.public_id))


@bp.get("/coach/welzijn-op-recept")
@role_required(COACH)
def queue():
    """New referrals oldest first with their waiting days, and the ones this coach is handling."""
    new_ones, my_ones = wor.new_referrals(), wor.open_referrals_of(current_user)
    wor.record_queue_view(new_ones + my_ones)
    return render_template("wor/queue.html", new_ones=new_ones, my_ones=my_ones, today=clock.today(),
                           tz=clock.timezone(), waiting_days=rules.waiting_days,
                           referrers=wor.referrer_names(new_ones + my_ones), **_words())


def _detail(referral: WorReferral, status: int = 200, **forms):
    forms.setdefault("attempt_form", AttemptForm())
    if "close_form" not in forms:
        forms["close_form"] = CloseForm(formdata=None)
        forms["close_form"].set_items(wor.avoidable(), locale())
    forms.setdefault("sharing_form", SharingForm(formdata=None, sharing=referral.sharing))
    forms.setdefault("not_started_form", NotStartedForm())
    forms.setdefault("note_form", FeedbackNoteForm(note=referral.feedback_note))
    linked = wor.linked_resident(referral)  # kept here: the audit below finds it without reading it again
    if status == 200:
        wor.view(referral)
    return render_template(
        "wor/referral.html", referral=referral, button=CsrfForm(), mine=handles_wor_referral(current_user, referral),
        referrers=wor.referrer_names([referral]), coach_names=people.names_of({referral.coach_id} - {None}),
        may_move=lambda new: rules.can_move(referral.status, new), today=clock.today(),
        waiting_days=rules.waiting_days, tz=clock.timezone(),
        referral_resident_public_id=linked.public_id if linked else None, **forms, **_words(),
    ), status


@bp.get("/coach/welzijn-op-recept/<referral_id>")
@role_required(COACH)
def referral(referral_id: str):
    return _detail(_load(referral_id))


@bp.post("/coach/welzijn-op-recept/<referral_id>/oppakken")
@role_required(COACH)
def pick_up(referral_id: str):
    referral = _load(referral_id)
    if wor.pick_up(current_user, referral):
        flash(_("U heeft deze verwijzing opgepakt."), "success")
    else:
        flash(str(PROBLEMS["not_yours"]), "error")
    return redirect(url_for("wor.referral", referral_id=referral.public_id))


@bp.post("/coach/welzijn-op-recept/<referral_id>/contactpoging")
@role_required(COACH)
def attempt(referral_id: str):
    referral = _load(referral_id)
    if (refused := _mine_to_handle(referral)) is not None:
        return refused
    form = AttemptForm()
    if not form.validate_on_submit():
        return _detail(referral, 400, attempt_form=form)
    try:
        wor.record_attempt(current_user, referral, form.outcome.data, form.note.data)
    except wor.WorError as error:
        flash(str(PROBLEMS[str(error)]), "error")
    else:
        flash(_("Het contact is genoteerd."), "success")
    return redirect(url_for("wor.referral", referral_id=referral.public_id))


@bp.route("/coach/welzijn-op-recept/<referral_id>/inschrijven", methods=["GET", "POST"])
@role_required(COACH)
def enrol(referral_id: str):
    """The first conversation: the existing enrolment with consent, linked to the referral."""
    referral = _load(referral_id)
    if (refused := _mine_to_handle(referral)) is not None:
        return refused
    if referral.resident_id is not None or referral.status not in (WorStatus.ONTVANGEN, WorStatus.CONTACT_GELEGD):
        flash(str(PROBLEMS["step"]), "error")
        return redirect(url_for("wor.referral", referral_id=referral.public_id))
    form = WorEnrolForm(display_name=referral.patient_name)
    if form.validate_on_submit():
        resident = wor.enrol(current_user, referral, form.display_name.data.strip(), form.birth_year.data,
                             (form.wijk.data or "").strip() or None, form.consent_date.data,
                             form.consent_method.data, form.sharing.data)
        flash(_("De bewoner is ingeschreven en de verwijzing staat op 'In begeleiding'."), "success")
        return redirect(url_for("caseload.resident", resident_id=resident.public_id))
    wor.view(referral)
    return render_form("wor/enrol.html", form, referral=referral, wijken=people.known_wijken())


def _link_page(referral: WorReferral, form: LinkForm, chosen: Resident | None, status: int = 200,
               problem: str | None = None):
    name = (request.args.get("naam") or "").strip()[:100]
    found = [] if chosen is not None else wor.linkable_residents(current_user, name)
    if found:
        audit.record_many("wor.link_search", [resident.public_id for resident in found])
    if chosen is not None:
        audit.record("wor.link_confirm", chosen, referral)
    wor.view(referral)
    return render_template("wor/link.html", referral=referral, form=form, chosen=chosen, found=found, name=name,
                           problem=PROBLEMS[problem] if problem else None, button=CsrfForm()), status


@bp.route("/coach/welzijn-op-recept/<referral_id>/koppelen", methods=["GET", "POST"])
@role_required(COACH)
def link(referral_id: str):
    """The person is already in Veerkracht: find them among the residents this coach follows, confirm,
    and the referral is linked ("in begeleiding") instead of a second enrolment."""
    referral = _load(referral_id)
    if (refused := _mine_to_handle(referral)) is not None:
        return refused
    if referral.resident_id is not None or referral.status not in (WorStatus.ONTVANGEN, WorStatus.CONTACT_GELEGD):
        flash(str(PROBLEMS["step"]), "error")
        return redirect(url_for("wor.referral", referral_id=referral.public_id))
    form = LinkForm()
    wanted = form.bewoner.data if request.method == "POST" else request.args.get("bewoner")
    resident = by_public_id(Resident, wanted)
    if wanted and not can_link_wor_referral(current_user, referral, resident):
        # Unknown, erased, or followed only by someone else: one message, nothing stored, no id probing.
        return _link_page(referral, LinkForm(formdata=None), None, 404 if request.method == "GET" else 400,
                          "no_resident")
    if request.method == "GET":
        return _link_page(referral, LinkForm(formdata=None, bewoner=wanted), resident)
    if resident is None:
        return _link_page(referral, LinkForm(formdata=None), None, 400, "no_resident")
    if not form.validate_on_submit():
        return _link_page(referral, form, resident, 400)
    wor.link(referral, resident, form.sharing.data)
    flash(_("De verwijzing is gekoppeld aan deze bewoner en staat op 'In begeleiding'."), "success")
    return redirect(url_for("caseload.resident", resident_id=resident.public_id))


@bp.post("/coach/welzijn-op-recept/<referral_id>/teruggeven")
@role_required(COACH)
def release(referral_id: str):
    """Give the referral back to the queue, e.g. for the colleague who already follows this person."""
    referral = _load(referral_id)
    if (refused := _mine_to_handle(referral)) is not None:
        return refused
    try:
        wor.release(current_user, referral)
    except wor.WorError as error:
        flash(str(PROBLEMS[str(error)]), "error")
        return redirect(url_for("wor.referral", referral_id=referral.public_id))
    flash(_("De verwijzing staat weer bij de nieuwe verwijzingen. Een collega kan haar oppakken."), "success")
    return redirect(url_for("wor.queue"))


@bp.post("/coach/welzijn-op-recept/<referral_id>/niet-gestart")
@role_required(COACH)
def not_started(referral_id: str):
    referral = _load(referral_id)
    if (refused := _mine_to_handle(referral)) is not None:
        return refused
    form = NotStartedForm()
    if not form.validate_on_submit():
        return _detail(referral, 400, not_started_form=form)
    try:
        wor.not_started(referral, form.reason.data, form.colleague_note.data)
    except wor.WorError as error:
        flash(str(PROBLEMS[str(error)]), "error")
    else:
        flash(_("De verwijzing staat op 'Niet gestart'. De verwijzer ziet de reden."), "success")
    return redirect(url_for("wor.referral", referral_id=referral.public_id))


@bp.post("/coach/welzijn-op-recept/<referral_id>/afronden")
@role_required(COACH)
def close(referral_id: str):
    """Afgerond, in a few taps: better or not, the hours it took, what was avoided; bad input changes nothing."""
    referral = _load(referral_id)
    if (refused := _mine_to_handle(referral)) is not None:
        return refused
    if not rules.can_move(referral.status, WorStatus.AFGEROND):
        flash(str(PROBLEMS["step"]), "error")
        return redirect(url_for("wor.referral", referral_id=referral.public_id))
    form = CloseForm()
    form.set_items(wor.avoidable(), locale())
    if not form.validate_on_submit():
        return _detail(referral, 400, close_form=form)
    try:
        wor.close(referral, form.improved.data, form.hours.data, form.avoided.data)
    except wor.WorError as error:
        flash(str(PROBLEMS[str(error)]), "error")
    else:
        flash(_("De begeleiding is afgerond."), "success")
    return redirect(url_for("wor.referral", referral_id=referral.public_id))


@bp.post("/coach/welzijn-op-recept/<referral_id>/terugkoppeling")
@role_required(COACH)
def note(referral_id: str):
    """The short note for the verwijzer, only when the resident agreed to one."""
    referral = _load(referral_id)
    if (refused := _mine_to_handle(referral)) is not None:
        return refused
    form = FeedbackNoteForm()
    if referral.sharing != WorSharing.STATUS_NOTITIE:
        flash(str(PROBLEMS["no_note"]), "error")
        return redirect(url_for("wor.referral", referral_id=referral.public_id))
    if not form.validate_on_submit():
        return _detail(referral, 400, note_form=form)
    wor.set_feedback_note(referral, form.note.data)
    flash(_("De notitie voor de verwijzer is opgeslagen."), "success")
    return redirect(url_for("wor.referral", referral_id=referral.public_id))


@bp.post("/coach/welzijn-op-recept/<referral_id>/keuze")
@role_required(COACH)
def sharing(referral_id: str):
    """The coach, with the resident, changes what the verwijzer hears back."""
    referral = _load(referral_id)
    if (refused := _mine_to_handle(referral)) is not None:
        return refused
    if referral.resident_id is None:
        flash(str(PROBLEMS["not_linked"]), "error")
        return redirect(url_for("wor.referral", referral_id=referral.public_id))
    form = SharingForm()
    if not form.validate_on_submit():
        return _detail(referral, 400, sharing_form=form)
    wor.set_sharing(referral, form.sharing.data)
    flash(_("De keuze van de bewoner is opgeslagen. De verwijzer ziet nu alleen wat de bewoner goed vindt."),
          "success")
    return redirect(url_for("wor.referral", referral_id=referral.public_id))


def _own_page(status: int = 200, failed: WorReferral | None = None, failed_form: SharingForm | None = None):
    resident = own_resident()
    referrals = wor.referrals_of_resident(resident)
    audit.record("wor.own_view", resident, resident)
    forms = {r.id: (failed_form if failed is not None and r.id == failed.id
                    else SharingForm(formdata=None, sharing=r.sharing)) for r in referrals}
    referrers = wor.referrer_names(referrals)
    return render_template("wor/own.html", referrals=referrals, forms=forms, referrers=referrers,
                           **_words()), status


@bp.get("/account/verwijzer")
@role_required(Role.BEWONER)
def own():
    """The resident's own page: what their verwijzer hears back, and a way to change it."""
    return _own_page()


@bp.post("/account/verwijzer/<referral_id>")
@role_required(Role.BEWONER)
def own_sharing(referral_id: str):
    referral = by_public_id(WorReferral, referral_id)
    if referral is None or referral.resident_id != own_resident().id:
        abort(404)
    form = SharingForm()
    if not form.validate_on_submit():
        return _own_page(400, referral, form)
    wor.set_sharing(referral, form.sharing.data)
    flash(_("Uw keuze is opgeslagen. Uw verwijzer ziet nu alleen wat u goed vindt."), "success")
    return redirect(url_for("wor.own"))


def _own_referral(referral_id: str) -> WorReferral:
    """One of the verwijzer's own referrals; any other (another practice's, or unknown) is a 404."""
    referral = by_public_id(WorReferral, referral_id)
    if referral is None or referral.referrer_id != current_user.id:
        abort(404)
    return referral


@bp.get("/verwijzer/<referral_id>/terugkoppeling.pdf")
@role_required(Role.VERWIJZER)
def feedback_pdf(referral_id: str):
    """One page of feedback on one's own referral: what the resident allows, as the list shows it."""
    referral = _own_referral(referral_id)
    seen = wor.feedback_for([referral])[referral.id]
    wor.record_download("wor.feedback_pdf", referral)
    body = documents.feedback_pdf(referral, current_user, seen)
    return Response(body, mimetype="application/pdf",
                    headers={"Content-Disposition": 'attachment; filename="terugkoppeling-welzijn-op-recept.pdf"'})


@bp.get("/verwijzer/<referral_id>/fhir.json")
@role_required(Role.VERWIJZER)
def fhir(referral_id: str):
    """The same as a FHIR R4 ServiceRequest + Task pair, for the practice's own system."""
    referral = _own_referral(referral_id)
    seen = wor.feedback_for([referral])[referral.id]
    wor.record_download("wor.fhir", referral)
    body = json.dumps(documents.fhir_bundle(referral, current_user, seen), ensure_ascii=False, indent=2)
    return Response(body, mimetype="application/fhir+json",
                    headers={"Content-Disposition": 'attachment; filename="welzijn-op-recept.fhir.json"'})


# --- Rendementsmeter: the price list (beheerder) and the figures (who sees Impact: the beheerder) ---

def _quarter_label(key: str) -> str:
    year, _sep, quarter = key.partition("-K")
    return _("%(year)s, kwartaal %(quarter)s", year=year, quarter=quarter)


def _prices_page(status: int = 200, values: dict | None = None, problems: dict | None = None):
    items = wor.prices()
    last = wor.last_price_change()
    return render_template(
        "wor/prices.html", items=items, lang=locale(), button=CsrfForm(), values=values or {},
        problems={key: PROBLEMS[problem] for key, problem in (problems or {}).items()},
        last=last, last_by=people.names_of({last.updated_by_id} - {None}) if last else {}), status


@bp.route("/beheer/prijslijst", methods=["GET", "POST"])
@role_required(Role.BEHEERDER)
def prices():
    """The beheerder keeps the amounts and sources of the price list; a broken value stores nothing."""
    if request.method == "GET":
        return _prices_page()
    form = CsrfForm()
    if not form.validate_on_submit():
        abort(400)
    values, problems = rules.parse_price_edit(request.form.to_dict(), wor.prices())
    if problems:
        return _prices_page(400, request.form.to_dict(), problems)
    changed = wor.save_prices(current_user, values)
    flash(ngettext("%(num)s bedrag of bron is aangepast.", "%(num)s bedragen of bronnen zijn aangepast.", changed)
          if changed else _("Er is niets veranderd."), "success")
    return redirect(url_for("wor.prices"))


def _figures():
    items = wor.prices()
    rows = rules.rendement_figures(wor.closed_cases(clock.timezone()), items)
    [rate] = [item for item in items if item.hourly_rate]
    return rows, rate


def _source_label(source: str) -> str:
    return source or _("Onbekende praktijk")


@bp.get("/beheer/rendement")
@role_required(Role.BEHEERDER)
def figures():
    """What Welzijn op Recept may have saved, per quarter and referral source: always an estimate."""
    rows, rate = _figures()
    audit.record("wor.figures", None, object_type="rendement")
    return render_template("wor/figures.html", rows=rows, rate=rate, lang=locale(), minimum=rules.MIN_GROUP,
                           quarter_label=_quarter_label, source_label=_source_label,
                           money=lambda euros: format_decimal(euros, format="#,##0"))


@bp.get("/beheer/rendement.csv")
@role_required(Role.BEHEERDER)
def figures_csv():
    """The same figures as CSV (cells that a spreadsheet would run as a formula are guarded)."""
    rows, _rate = _figures()
    hidden = _("te weinig gegevens")
    header = [_("Periode"), _("Verwijzer (praktijk)"), _("Afgeronde trajecten"),
              _("Vermeden kosten, laag (schatting, euro)"), _("Vermeden kosten, hoog (schatting, euro)"),
              _("Kosten begeleiding, laag (schatting, euro)"), _("Kosten begeleiding, hoog (schatting, euro)"),
              _("Uren begeleiding")]
    body = [[_quarter_label(r.quarter), _source_label(r.source)]
            + ([hidden] * 6 if r.suppressed else [r.cases, r.avoided_low, r.avoided_high, r.coaching_low,
                                                  r.coaching_high, r.hours]) for r in rows]
    audit.record("wor.figures_export", None, object_type="rendement")
    return Response(csv_text(header, body), mimetype="text/csv",
                    headers={"Content-Disposition": 'attachment; filename="veerkracht-rendementsmeter.csv"'})
