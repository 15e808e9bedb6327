"""The resident's check-in: life-event, one pillar per screen, result, history, chart."""

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from webapp.checkin import service as checkins
from webapp.checkin.forms import PlanForm, VisitForm
from webapp.checkin.rules import parse_step
from webapp.core import audit, clock
from webapp.core.extensions import db
from webapp.core.forms import CsrfForm
from webapp.core.i18n import locale
from webapp.core.models import COACH_ROLES, Activity, Draft, Measurement, Referral, Resident, User
from webapp.core.permissions import own_resident, require_access, role_required
from webapp.core.questionnaires import RESIDENT_FORM, VISIT_FORM, life_events, questionnaire_for
from webapp.core.scoring import lowest_pillars, worth_discussing
from webapp.core.urls import safe_next
from webapp.referrals import service as referrals
from webapp.referrals.rules import parse_rating
from webapp.results import service as charts
from webapp.results import service as summary
from webapp.sociale_kaart import service as activities
from webapp.sociale_kaart import service as suggestions

bp = Blueprint("checkin", __name__)

PILLAR_STEPS = 6
REVIEW_STEP = PILLAR_STEPS + 1
ERROR_TEXT = {
    "invalid": _l("Kies een cijfer van 0 tot en met 10, of kies 'Sla over'."),
    "unknown_field": _l(
        "Er ging iets mis met dit formulier. Er is niets opgeslagen. "
        "Laad de pagina opnieuw en probeer het nog een keer."
    ),
}


VISIT_DRAFTS = "visit_drafts"  # session key: home-visit drafts started on this device


def _load_draft(public_id: str) -> tuple[Resident, Draft]:
    """A resident's own draft, or a home-visit draft on the device where the coach started it.

    During a home visit the resident holds the tablet; the coach sees no answers anywhere
    else (no other device, no other page) until the resident taps "Klaar".
    """
    draft = checkins.by_public_id(Draft, public_id)
    if draft is None:
        abort(404)
    resident = require_access(draft_owner(draft))
    if draft.coach_id is None:
        allowed = resident.user_id == current_user.id
    else:
        allowed = draft.coach_id == current_user.id and public_id in session.get(VISIT_DRAFTS, [])
    if not allowed:
        abort(404)
    return resident, draft


def draft_owner(draft: Draft) -> Resident | None:
    return db.session.get(Resident, draft.resident_id)


def _load_measurement(public_id: str | None) -> tuple[Resident, Measurement]:
    measurement = checkins.by_public_id(Measurement, public_id or "")
    if measurement is None:
        abort(404)
    resident = require_access(db.session.get(Resident, measurement.resident_id))
    return resident, measurement


def _resume_url(draft: Draft) -> str:
    if draft.life_event is None:
        return url_for("checkin.life_event", draft_id=draft.public_id)
    if draft.steps_done >= REVIEW_STEP:
        return url_for("checkin.review", draft_id=draft.public_id)
    return url_for("checkin.step", draft_id=draft.public_id, step=max(draft.steps_done, 1))


def _finished_redirect(draft: Draft):
    """A submitted draft only leads to its result (back button, reload, second tab)."""
    measurement = checkins.measurement_for_draft(draft)
    if measurement is not None:
        return redirect(url_for("checkin.result", measurement_id=measurement.public_id))
    return None


@bp.post("/checkin/start")
@role_required("bewoner")
def start():
    draft = checkins.start_draft(own_resident(), RESIDENT_FORM)
    return redirect(_resume_url(draft))


def start_visit(resident: Resident):
    """A coach starts (or resumes) the long check-in together with a resident on this device."""
    draft = checkins.start_draft(resident, VISIT_FORM, coach=current_user)
    session[VISIT_DRAFTS] = [*session.get(VISIT_DRAFTS, [])[-4:], draft.public_id]
    return redirect(url_for("checkin.handover", draft_id=draft.public_id))


@bp.get("/checkin/<draft_id>/overdragen")
@role_required(*COACH_ROLES)
def handover(draft_id: str):
    """"Geef de tablet aan ...": the resident answers on their own."""
    resident, draft = _load_draft(draft_id)
    if (done := _finished_redirect(draft)) is not None:
        return done
    return render_template("checkin/handover.html", draft=draft, resident=resident, next_url=_resume_url(draft))


@bp.get("/checkin/<draft_id>")
@role_required("bewoner", *COACH_ROLES)
def resume(draft_id: str):
    _owner, draft = _load_draft(draft_id)
    return _finished_redirect(draft) or redirect(_resume_url(draft))


@bp.post("/checkin/<draft_id>/weggooien")
@role_required("bewoner", *COACH_ROLES)
def discard(draft_id: str):
    resident, draft = _load_draft(draft_id)
    if (done := _finished_redirect(draft)) is not None:
        return done
    checkins.discard_draft(resident, draft)
    flash(_("Uw check-in is weggegooid. U kunt opnieuw beginnen."), "success")
    return redirect(url_for("main.home"))


@bp.route("/checkin/<draft_id>/gebeurtenis", methods=["GET", "POST"])
@role_required("bewoner", *COACH_ROLES)
def life_event(draft_id: str):
    _owner, draft = _load_draft(draft_id)
    if (done := _finished_redirect(draft)) is not None:
        return done
    events = life_events()
    error = None
    if request.method == "POST":
        chosen = request.form.getlist("life_event")
        if len(chosen) == 1 and events.get(chosen[0]) is not None:
            checkins.set_life_event(draft, chosen[0])
            return redirect(url_for("checkin.step", draft_id=draft.public_id, step=1))
        error = _("Kies wat er is gebeurd. Is er niets bijzonders gebeurd? Kies dan 'Er is niets bijzonders gebeurd'.")
    return render_template(
        "checkin/life_event.html", draft=draft, events=events.events, form=CsrfForm(),
        error=error, step=0, total=REVIEW_STEP,
    ), (400 if error else 200)


@bp.route("/checkin/<draft_id>/stap/<int:step>", methods=["GET", "POST"])
@role_required("bewoner", *COACH_ROLES)
def step(draft_id: str, step: int):
    owner, draft = _load_draft(draft_id)
    if (done := _finished_redirect(draft)) is not None:
        return done
    if not 1 <= step <= PILLAR_STEPS:
        abort(404)
    if draft.life_event is None or step > max(draft.steps_done, 1):
        return redirect(_resume_url(draft))
    questionnaire = questionnaire_for(draft)
    pillar, items = questionnaire.form_pillars(draft.form)[step - 1]
    item_ids = [item.id for item in items]
    values = {i: (draft.answers or {}).get(i) for i in item_ids}
    answered = {i for i in item_ids if i in (draft.answers or {})}
    talk = set(draft.talk_items or [])
    errors: dict[str, str] = {}
    if request.method == "GET":
        audit.record("draft.view", owner, draft)
    if request.method == "POST":
        parsed = parse_step(item_ids, request.form)
        action = request.form.get("action", "next")
        if parsed.ok and action in ("next", "back", "autosave"):
            checkins.save_step(
                draft, step, item_ids, parsed.answers, parsed.talk,
                finished=action == "next", chosen=parsed.chosen,
            )
            audit.record("draft.update", owner, draft)
            if action == "autosave":
                return Response(status=204)
            if action == "back":
                target = (
                    url_for("checkin.life_event", draft_id=draft.public_id)
                    if step == 1
                    else url_for("checkin.step", draft_id=draft.public_id, step=step - 1)
                )
                return redirect(target)
            if step == PILLAR_STEPS:
                return redirect(url_for("checkin.review", draft_id=draft.public_id))
            return redirect(url_for("checkin.step", draft_id=draft.public_id, step=step + 1))
        errors = parsed.errors or {"_form": "unknown_field"}
        if action == "autosave":
            return Response(status=400)
        # Show what was sent, so the resident does not have to start the screen again.
        values.update({i: parsed.answers[i] for i in parsed.chosen})
        answered |= parsed.chosen
        talk = (talk - set(item_ids)) | parsed.talk
    return render_template(
        "checkin/step.html", draft=draft, pillar=pillar, items=items, values=values,
        answered=answered, talk=talk, errors=errors, error_text=ERROR_TEXT, step=step,
        total=REVIEW_STEP, scale=questionnaire.scale, form=CsrfForm(),
    ), (400 if errors else 200)


@bp.get("/checkin/<draft_id>/klaar")
@role_required("bewoner", *COACH_ROLES)
def review(draft_id: str):
    owner, draft = _load_draft(draft_id)
    if (done := _finished_redirect(draft)) is not None:
        return done
    if draft.steps_done < REVIEW_STEP:
        return redirect(_resume_url(draft))
    questionnaire = questionnaire_for(draft)
    item_ids = questionnaire.forms[draft.form].items
    skipped = sum(1 for i in item_ids if (draft.answers or {}).get(i) is None)
    audit.record("draft.view", owner, draft)
    return _review_page(owner, draft, skipped, len(item_ids))


def _review_page(owner: Resident, draft: Draft, skipped: int, count: int, errors: dict | None = None,
                 values: dict | None = None):
    """"U bent klaar", with the follow-up question for each activity the resident wanted to try."""
    return render_template(
        "checkin/review.html", draft=draft, skipped=skipped, count=count, step=REVIEW_STEP, total=REVIEW_STEP,
        pillar_steps=PILLAR_STEPS, form=CsrfForm(), followups=referrals.open_referrals(owner),
        errors=errors or {}, values=values or {},
    ), (400 if errors else 200)


@bp.post("/checkin/<draft_id>/versturen")
@role_required("bewoner", *COACH_ROLES)
def submit(draft_id: str):
    resident, draft = _load_draft(draft_id)
    if (done := _finished_redirect(draft)) is not None:
        return done
    if draft.steps_done < REVIEW_STEP:
        return redirect(_resume_url(draft))
    # "Bent u naar ... geweest? Hoe was het?": check every answer before saving anything.
    answers, errors = {}, {}
    for referral in referrals.open_referrals(resident):
        try:
            rating = parse_rating(request.form.get(f"hoe_{referral.public_id}"))
        except ValueError:
            errors[referral.public_id] = _("Kies een cijfer van 1 tot en met 5, of 'Nog niet geweest'.")
            continue
        answers[referral.public_id] = (referral, rating, request.form.get(f"toelichting_{referral.public_id}"))
    if errors:
        questionnaire = questionnaire_for(draft)
        item_ids = questionnaire.forms[draft.form].items
        skipped = sum(1 for i in item_ids if (draft.answers or {}).get(i) is None)
        return _review_page(resident, draft, skipped, len(item_ids), errors, request.form)
    for referral, rating, text in answers.values():
        referrals.save_followup(resident, referral, rating, text)
    measurement = checkins.submit_draft(resident, draft)
    if draft.coach_id is not None:
        flash(_("Klaar! Geef de tablet terug aan uw coach. Bekijk de uitslag samen."), "success")
    return redirect(url_for("checkin.result", measurement_id=measurement.public_id))


def _pillar_rows(questionnaire, comparison):
    lang = locale()
    rows = []
    for pillar in questionnaire.pillars:
        change = comparison.changes.get(pillar.id)
        rows.append({
            "id": pillar.id,
            "name": pillar.name.get(lang),
            "score": comparison.scores.get(pillar.id),
            "previous": (comparison.previous_scores or {}).get(pillar.id),
            "change": change,
            "worth_discussing": worth_discussing(change),
        })
    return rows


@bp.route("/uitslag/<measurement_id>", methods=["GET", "POST"])
@role_required("bewoner", *COACH_ROLES)
def result(measurement_id: str):
    resident, measurement = _load_measurement(measurement_id)
    is_own = resident.user_id == current_user.id
    is_visit = measurement.coach_id is not None and measurement.coach_id == current_user.id
    if request.method == "POST" and not (is_own or is_visit):
        abort(403)  # the plan is written by the resident, or with the coach who did the check-in
    questionnaire = questionnaire_for(measurement)
    lang = locale()
    form = VisitForm(obj=measurement) if is_visit else PlanForm(obj=measurement)
    form.plan_pillar.choices = [SelectChoice(p.id, p.name.get(lang)) for p in questionnaire.pillars]
    if form.validate_on_submit():
        if is_visit:
            checkins.save_visit(resident, measurement, form.data, clock.now().date())
            flash(_("Het gesprek is opgeslagen."), "success")
        else:
            checkins.save_plan(resident, measurement, form.data)
            flash(_("Uw plan is opgeslagen."), "success")
        return redirect(url_for("checkin.result", measurement_id=measurement.public_id) + "#plan")
    audit.record("checkin.view", resident, measurement)
    comparison = checkins.compare(measurement, checkins.previous_of(measurement))
    rows = _pillar_rows(questionnaire, comparison)
    names = {row["id"]: row["name"] for row in rows}
    lowest = [names[p] for p in lowest_pillars(comparison.scores)]
    talk_items = [
        item.text.get(lang)
        for pillar in questionnaire.pillars
        for item in pillar.items
        if any(a.item_id == item.id and a.wants_to_talk for a in measurement.answers)
    ]
    event = life_events().get(measurement.life_event)
    suggested = suggestions.for_measurement(resident, measurement, clock.now().date(), lang)
    return render_template(
        "checkin/result.html", suggested=suggested[:3], more=len(suggested) > 3,
        referrals=referrals.referrals_of(resident), button=CsrfForm(), measurement=measurement,
        comparison=comparison, rows=rows,
        lowest=lowest, talk_items=talk_items, event=event, form=form, is_own=is_own, is_visit=is_visit,
        resident=resident, coach=db.session.get(User, measurement.coach_id) if measurement.coach_id else None,
        credit=questionnaire.credit.get(lang),
    )  # 200 even with form errors: the page shows data, so its audit event must be kept


@bp.post("/uitslag/<measurement_id>/proberen/<activity_id>")
@role_required("bewoner", *COACH_ROLES)
def try_activity(measurement_id: str, activity_id: str):
    """"Dit wil ik proberen": the suggestion becomes a referral (voorgesteld)."""
    resident, measurement = _load_measurement(measurement_id)
    activity = checkins.by_public_id(Activity, activity_id)
    if activity is None or not activities.is_current(activity, clock.now().date()):
        abort(404)
    referrals.propose(resident, activity, measurement, current_user)
    flash(_("Genoteerd: %(name)s. Op de pagina van de activiteit staat hoe u meedoet.", name=activity.name), "success")
    return redirect(url_for("checkin.result", measurement_id=measurement.public_id) + "#proberen")


@bp.post("/verwijzing/<referral_id>/status")
@role_required("bewoner", *COACH_ROLES)
def referral_status(referral_id: str):
    """Move a referral along: aangemeld, gestart, afgerond, or gestopt with a reason."""
    referral = checkins.by_public_id(Referral, referral_id)
    if referral is None:
        abort(404)
    resident = require_access(db.session.get(Resident, referral.resident_id))
    try:
        referrals.change_status(resident, referral, request.form.get("status", ""), request.form.get("reden"))
    except referrals.ReferralError as error:
        if str(error) == "reason":
            flash(_("Schrijf kort op waarom u gestopt bent. Dan kan uw coach daar rekening mee houden."), "error")
        else:
            flash(_("Deze stap kan nu niet. Laad de pagina opnieuw en kies een van de knoppen."), "error")
    else:
        flash(_("Bijgewerkt."), "success")
    target = safe_next(request.form.get("next")) or url_for("main.home")
    return redirect(target)


@bp.get("/uitslag/<measurement_id>/suggesties")
@role_required("bewoner", *COACH_ROLES)
def more_suggestions(measurement_id: str):
    """"Meer suggesties": every fitting activity for this check-in, best first, each with why."""
    resident, measurement = _load_measurement(measurement_id)
    audit.record("suggestions.view", resident, measurement)
    suggested = suggestions.for_measurement(resident, measurement, clock.now().date(), locale())
    return render_template("checkin/suggestions.html", measurement=measurement, suggested=suggested)


@bp.get("/uitslag/<measurement_id>/samenvatting.pdf")
@role_required("bewoner", *COACH_ROLES)
def summary_pdf(measurement_id: str):
    """The printable A4 summary to leave on the kitchen table."""
    resident, measurement = _load_measurement(measurement_id)
    pdf = summary.build_summary(resident, measurement, locale())
    audit.record("summary.export", resident, measurement)
    return Response(pdf, mimetype="application/pdf",
                    headers={"Content-Disposition": 'inline; filename="veerkracht-samenvatting.pdf"'})


@bp.get("/geschiedenis")
@role_required("bewoner")
def history():
    resident = own_resident()
    audit.record("history.view", resident, object_type="measurement_list")
    measurements = checkins.measurements_of(resident)
    items = [(m, checkins.scores_of(m), life_events().get(m.life_event)) for m in measurements]
    pillars = questionnaire_for(measurements[0]).pillars if measurements else []
    return render_template("checkin/history.html", items=items, pillars=pillars)


@bp.get("/geschiedenis/vergelijken")
@role_required("bewoner", *COACH_ROLES)
def compare():
    resident, first = _load_measurement(request.args.get("a"))
    _owner, second = _load_measurement(request.args.get("b"))
    if second.resident_id != first.resident_id:
        abort(404)
    if first.id == second.id:
        flash(_("Kies twee verschillende check-ins om te vergelijken."), "info")
        if resident.user_id == current_user.id:
            return redirect(url_for("checkin.history"))
        return redirect(url_for("coach.resident", resident_id=resident.public_id))
    # Newest as the filled web, the older one as the dashed outline.
    current, older = sorted([first, second], key=lambda m: (m.completed_at, m.id), reverse=True)
    audit.record("checkin.compare", resident, current)
    audit.record("checkin.compare", resident, older)
    comparison = checkins.compare(current, older)
    rows = _pillar_rows(questionnaire_for(current), comparison)
    return render_template("checkin/compare.html", comparison=comparison, rows=rows, resident=resident)


@bp.get("/grafiek/<measurement_id>.svg")
@role_required("bewoner", *COACH_ROLES)
def chart(measurement_id: str):
    resident, measurement = _load_measurement(measurement_id)
    compare_to = None
    if request.args.get("vs"):
        other_resident, compare_to = _load_measurement(request.args["vs"])
        if other_resident.id != resident.id:
            abort(404)
    # Draw first, write after: on SQLite a write holds the lock until the request commits.
    svg = charts.chart_svg(measurement, compare_to, locale())
    audit.record("chart.view", resident, measurement)
    if compare_to is not None:
        audit.record("chart.view", resident, compare_to)
    return Response(svg, mimetype="image/svg+xml")
