"""The check-in wizard: life-event, one pillar per screen, "U bent klaar", submit."""

from collections.abc import Callable
from functools import wraps

from flask import Blueprint, Response, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from webapp.checkin import service as drafts
from webapp.checkin.labels import (
    ERROR_TEXT,
    EVENT_DATE_ERRORS,
    FOLLOWUP_LONGEST,
    FOLLOWUP_TOO_LONG,
    LIFE_EVENT_MISSING,
    RATING_MISSING,
)
from webapp.checkin.rules import event_years, parse_event_month, parse_step
from webapp.checkin.widgets import scale_buttons
from webapp.core import audit, clock
from webapp.core.definitions import RESIDENT_FORM, current_questionnaire, life_events, questionnaire_for
from webapp.core.forms import CsrfForm
from webapp.core.i18n import month_names
from webapp.core.labels import COACH_ROLES, EASY_FORMS, FormKind, Role
from webapp.core.models import Draft, Resident
from webapp.core.permissions import own_resident, require_draft, role_required, start_handover
from webapp.core.questionnaires import NO_LIFE_EVENT
from webapp.core.security import keep_on_timeout
from webapp.referrals import service as referrals
from webapp.referrals.rules import parse_rating

bp = Blueprint("checkin", __name__, url_prefix="/checkin")
bp.add_app_template_global(scale_buttons)

PILLAR_STEPS = 6
REVIEW_STEP = PILLAR_STEPS + 1


def load_draft(public_id: str) -> tuple[Resident, Draft]:
    """The draft and its resident, if the current user may fill it in (permissions.can_open_draft)."""
    found = drafts.draft_and_resident(public_id)
    if found is None:
        abort(404)
    draft, _resident, submitted = found
    g.submitted_checkin = (draft.id, submitted)  # read by finished_redirect: no query for it
    return require_draft(draft), draft  # the resident is in the session already: no second query


def resume_url(draft: Draft) -> str:
    """Where an unfinished check-in goes on: the first screen not yet done."""
    if draft.life_event is None:
        return url_for("checkin.life_event", draft_id=draft.public_id)
    if draft.steps_done >= REVIEW_STEP:
        return url_for("checkin.review", draft_id=draft.public_id)
    return url_for("checkin.step", draft_id=draft.public_id, step=max(draft.steps_done, 1))


def draft_screen(*, all_steps_done: bool = False) -> Callable:
    """A screen of an unfinished check-in: the view gets (resident, draft, ...) for a draft the
    current user may fill in, unless the draft was submitted (then: its result) or, where
    `all_steps_done`, a pillar screen is still open (then: that screen)."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(draft_id: str, **kwargs):
            resident, draft = load_draft(draft_id)
            if (done := finished_redirect(draft)) is not None:
                return done
            if draft.coach_id is not None:
                start_handover(draft)  # a home visit's screens are the resident's: the tablet locks
            if all_steps_done and draft.steps_done < REVIEW_STEP:
                return redirect(resume_url(draft))
            return view(resident, draft, **kwargs)

        return wrapped

    return decorator


def save_screen(draft: Draft, step: int, item_ids, answers: dict, talk: set, *, finished: bool, chosen: set) -> None:
    """Save a screen; when another tab submitted the draft meanwhile, go to its result instead, and
    when it threw the draft away, answer 404 (an autosave is then not reported as saved)."""
    try:
        drafts.save_step(draft, step, item_ids, answers, talk, finished=finished, chosen=chosen)
    except drafts.DraftClosed as closed:
        if closed.checkin_id is None:
            abort(404)
        abort(redirect(url_for("results.result", checkin_id=closed.checkin_id)))


def finished_redirect(draft: Draft):
    """A submitted draft only leads to its result (back button, reload, second tab)."""
    known = g.get("submitted_checkin")
    if known is not None and known[0] == draft.id:
        checkin_id = known[1]
    else:
        checkin = drafts.checkin_for_draft(draft)
        checkin_id = checkin.public_id if checkin is not None else None
    if checkin_id is not None:
        return redirect(url_for("results.result", checkin_id=checkin_id))
    return None


RESIDENT_CHOICES = (FormKind.KORT, *EASY_FORMS)  # the forms a resident may pick alone


@bp.post("/start")
@role_required(Role.BEWONER)
def start():
    chosen = request.form.get("form", RESIDENT_FORM)
    form = chosen if chosen in RESIDENT_CHOICES and chosen in current_questionnaire().forms else RESIDENT_FORM
    draft = drafts.start_draft(own_resident(), form)
    return redirect(resume_url(draft))


@bp.get("/<draft_id>")
@role_required(Role.BEWONER, *COACH_ROLES)
def resume(draft_id: str):
    _owner, draft = load_draft(draft_id)
    return finished_redirect(draft) or redirect(resume_url(draft))


@bp.get("/<draft_id>/opnieuw-beginnen")
@role_required(Role.BEWONER, *COACH_ROLES)
@draft_screen()
def confirm_discard(resident: Resident, draft: Draft):
    """"Opnieuw beginnen?": one tap on the home page must not throw the answers away."""
    audit.record("draft.view", resident, draft)
    return render_template("checkin/discard.html", draft=draft, form=CsrfForm())


@bp.post("/<draft_id>/weggooien")
@role_required(Role.BEWONER, *COACH_ROLES)
@draft_screen()
def discard(resident: Resident, draft: Draft):
    drafts.discard_draft(resident, draft)
    flash(_("Uw check-in is weggegooid. U kunt opnieuw beginnen."), "success")
    return redirect(url_for("main.home"))


@bp.route("/<draft_id>/gebeurtenis", methods=["GET", "POST"])
@role_required(Role.BEWONER, *COACH_ROLES)
@draft_screen()
def life_event(_owner: Resident, draft: Draft):
    """What happened, and (for a life-event) in which month; "weet ik niet" is fine."""
    events = life_events()
    today = clock.today()
    error = date_error = None
    chosen_event, month, year = draft.life_event, "", ""
    if draft.life_event_on:
        month, year = str(draft.life_event_on.month), str(draft.life_event_on.year)
    if request.method == "POST":
        chosen = request.form.getlist("life_event")
        month, year = request.form.get("event_month", ""), request.form.get("event_year", "")
        chosen_event = chosen[0] if len(chosen) == 1 else None
        if chosen_event is None or events.get(chosen_event) is None:
            error = str(LIFE_EVENT_MISSING)  # a plain str: Jinja escapes it
        try:
            happened_on = parse_event_month(month, year, today)
        except ValueError as problem:
            happened_on, date_error = None, str(EVENT_DATE_ERRORS[str(problem)])
        if chosen_event == NO_LIFE_EVENT:
            date_error = None  # nothing happened: no month to check
        if not error and not date_error:
            drafts.set_life_event(draft, chosen_event, happened_on)
            return redirect(url_for("checkin.step", draft_id=draft.public_id, step=1))
    audit.record("draft.view", _owner, draft)
    return render_template(
        "checkin/life_event.html", draft=draft, events=events.events, form=CsrfForm(), chosen=chosen_event,
        error=error, date_error=date_error, month=month, year=year, years=event_years(today),
        months=month_names(), step=0, total=REVIEW_STEP,
    ), (400 if error or date_error else 200)


@keep_on_timeout("checkin.life_event")
def _keep_life_event_on_timeout() -> str | None:
    """The session timed out on the first screen: keep a complete choice, as "Volgende" would."""
    owner, draft = load_draft(request.view_args["draft_id"])
    if finished_redirect(draft) is not None:
        return resume_url(draft)
    here = url_for("checkin.life_event", draft_id=draft.public_id)
    chosen = request.form.getlist("life_event")
    event = chosen[0] if len(chosen) == 1 else None
    if event is None or life_events().get(event) is None:
        return here
    try:
        happened_on = parse_event_month(request.form.get("event_month", ""), request.form.get("event_year", ""),
                                        clock.today())
    except ValueError:
        if event != NO_LIFE_EVENT:
            return here  # the screen asks again, with its message
        happened_on = None
    drafts.set_life_event(draft, event, happened_on)
    audit.record("draft.update", owner, draft)
    return url_for("checkin.step", draft_id=draft.public_id, step=1)


@bp.route("/<draft_id>/stap/<int:step>", methods=["GET", "POST"])
@role_required(Role.BEWONER, *COACH_ROLES)
@draft_screen()
def step(owner: Resident, draft: Draft, step: int):
    if not 1 <= step <= PILLAR_STEPS:
        abort(404)
    if draft.life_event is None or step > max(draft.steps_done, 1):
        return redirect(resume_url(draft))
    questionnaire = questionnaire_for(draft)
    pillar, items = questionnaire.form_pillars(draft.form)[step - 1]
    faces = questionnaire.faces_for(draft.form)
    item_ids = [item.id for item in items]
    values = {i: (draft.answers or {}).get(i) for i in item_ids}
    answered = {i for i in item_ids if i in (draft.answers or {})}
    talk = set(draft.talk_items or [])
    errors: dict[str, str] = {}
    if request.method == "GET":
        audit.record("draft.view", owner, draft)
    if request.method == "POST":
        parsed = parse_step(item_ids, request.form, questionnaire.allowed_scores(draft.form))
        action = request.form.get("action", "next")
        if parsed.ok and action in ("next", "back", "autosave"):
            save_screen(draft, step, item_ids, parsed.answers, parsed.talk,
                        finished=action == "next", chosen=parsed.chosen)
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
        if faces:
            errors = {k: "invalid_face" if v == "invalid" else v for k, v in errors.items()}
        if action == "autosave":
            return Response(status=400)
        # Show what was sent, so the resident does not have to start the screen again.
        values.update({i: parsed.answers[i] for i in parsed.chosen})
        answered |= parsed.chosen
        talk = (talk - set(item_ids)) | parsed.talk
    return render_template(
        "checkin/step.html", draft=draft, pillar=pillar, items=items, values=values,
        answered=answered, talk=talk, errors=errors, error_text=ERROR_TEXT, step=step,
        total=REVIEW_STEP, scale=questionnaire.scale, faces=faces, form=CsrfForm(),
    ), (400 if errors else 200)


@keep_on_timeout("checkin.step")
def _keep_step_on_timeout() -> str | None:
    """The session timed out on this screen: keep the answers chosen here, as an autosave would."""
    owner, draft = load_draft(request.view_args["draft_id"])
    step = request.view_args["step"]
    if finished_redirect(draft) is not None or not 1 <= step <= max(draft.steps_done, 1) or draft.life_event is None:
        return resume_url(draft)
    questionnaire = questionnaire_for(draft)
    item_ids = [item.id for item in questionnaire.form_pillars(draft.form)[step - 1][1]]
    parsed = parse_step(item_ids, request.form, questionnaire.allowed_scores(draft.form))
    if parsed.ok:
        save_screen(draft, step, item_ids, parsed.answers, parsed.talk, finished=False, chosen=parsed.chosen)
        audit.record("draft.update", owner, draft)
    return url_for("checkin.step", draft_id=draft.public_id, step=step)


@bp.get("/<draft_id>/klaar")
@role_required(Role.BEWONER, *COACH_ROLES)
@draft_screen(all_steps_done=True)
def review(owner: Resident, draft: Draft):
    audit.record("draft.view", owner, draft)
    return _review_page(owner, draft, values=draft.followups)


def _keep_followups(resident: Resident, draft: Draft) -> None:
    """Keep "Bent u naar ... geweest? Hoe was het?" as typed so far."""
    values = {}
    for referral in referrals.open_referrals(resident):
        for key in (f"hoe_{referral.public_id}", f"toelichting_{referral.public_id}"):
            if key in request.form:  # kept whole (bounded): "Bekijk mijn uitslag" asks to shorten a long text
                values[key] = request.form[key][:10 * FOLLOWUP_LONGEST]
    drafts.keep_followups(draft, values)
    audit.record("draft.update", resident, draft)


@keep_on_timeout("checkin.submit")
def _keep_followups_on_timeout() -> str | None:
    """The session timed out before "Klaar" went through: keep what was typed on the last screen."""
    resident, draft = load_draft(request.view_args["draft_id"])
    if finished_redirect(draft) is not None or draft.steps_done < REVIEW_STEP:
        return resume_url(draft)
    _keep_followups(resident, draft)
    return url_for("checkin.review", draft_id=draft.public_id)


def _review_page(owner: Resident, draft: Draft, errors: dict | None = None, values: dict | None = None):
    """"U bent klaar", with the follow-up question for each activity the resident wanted to try."""
    answers = draft.answers or {}
    pillars = questionnaire_for(draft).form_pillars(draft.form)
    # (step, item) of every question without an answer, so the page can lead back to each one.
    skipped = [(number, item) for number, (_pillar, items) in enumerate(pillars, start=1)
               for item in items if answers.get(item.id) is None]
    return render_template(
        "checkin/review.html", draft=draft, skipped=skipped, count=sum(len(items) for _p, items in pillars),
        step=REVIEW_STEP,
        total=REVIEW_STEP, pillar_steps=PILLAR_STEPS, form=CsrfForm(), followups=referrals.open_referrals(owner),
        errors=errors or {}, values=values or {},
    ), (400 if errors else 200)


@bp.post("/<draft_id>/versturen")
@role_required(Role.BEWONER, *COACH_ROLES)
@draft_screen(all_steps_done=True)
def submit(resident: Resident, draft: Draft):
    if request.form.get("action") == "autosave":  # typing on the last screen (JavaScript)
        _keep_followups(resident, draft)
        return Response(status=204)
    # "Bent u naar ... geweest? Hoe was het?": check every answer before saving anything.
    answers, errors = {}, {}
    for referral in referrals.open_referrals(resident):
        try:
            rating = parse_rating(request.form.get(f"hoe_{referral.public_id}"))
        except ValueError:
            errors[referral.public_id] = str(RATING_MISSING)
            continue
        text = request.form.get(f"toelichting_{referral.public_id}")
        if text and len(text.strip()) > FOLLOWUP_LONGEST:  # said, and shown whole to shorten, never cut off
            errors[referral.public_id] = str(FOLLOWUP_TOO_LONG)
            continue
        answers[referral.public_id] = (referral, rating, text)
    answers_given = draft.answers or {}  # {} once another tap has sent it: that one's check-in is found below
    if answers_given and all(value is None for value in answers_given.values()):
        errors["_empty"] = True  # every question skipped: no result (the page says so); nothing is stored
    if errors:
        return _review_page(resident, draft, errors, request.form)
    for referral, rating, text in answers.values():
        referrals.save_followup(resident, referral, rating, text)
    checkin = drafts.submit_draft(resident, draft)
    if draft.coach_id is not None:
        flash(_("Klaar! Geef de tablet terug aan uw coach. Bekijk de uitslag samen."), "success")
    return redirect(url_for("results.result", checkin_id=checkin.public_id))
