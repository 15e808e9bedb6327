"""A check-in's result: scores and the spider web, the plan, comparing two check-ins, history, A4."""

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.datastructures import MultiDict
from wtforms.fields.choices import SelectChoice

from webapp.core import audit, clock
from webapp.core import history as past
from webapp.core.assets import browser_has, name_body
from webapp.core.definitions import life_events, pillar_title, questionnaire_for
from webapp.core.extensions import db
from webapp.core.forms import CsrfForm
from webapp.core.i18n import locale
from webapp.core.labels import COACH_ROLES, CheckinMode, Role
from webapp.core.models import User
from webapp.core.permissions import (
    is_own,
    load_checkin,
    load_checkin_refs,
    load_checkins,
    own_resident,
    plan_writer,
    role_required,
)
from webapp.core.scoring import change_word, lowest_pillars, whole_score, worth_discussing
from webapp.core.security import keep_on_timeout
from webapp.referrals import service as referrals
from webapp.reminders import service as reminders
from webapp.reminders.forms import NextCheckinForm
from webapp.results import service as results
from webapp.results.forms import PlanForm, VisitForm
from webapp.results.labels import CHANGE_WORDS
from webapp.sociale_kaart import service as suggestions

bp = Blueprint("results", __name__)


@bp.app_context_processor
def _chart_version() -> dict:
    """Chart URLs carry the language and drawing version, so a long browser cache is never stale."""
    return {"chart_version": results.drawing_version}


def _pillar_rows(questionnaire, comparison, plain: bool):
    """One row per pillar; `plain` (the resident's own page) names pillars the short way."""
    lang = locale()
    rows = []
    for pillar in questionnaire.pillars:
        change = comparison.changes.get(pillar.id)
        score = comparison.scores.get(pillar.id)
        rows.append({
            "id": pillar.id,
            "name": pillar_title(pillar, lang, staff=not plain),
            "full": pillar.name.get(lang),
            "score": score,
            "whole": whole_score(score),
            "words": CHANGE_WORDS[word] if (word := change_word(change)) else None,
            "previous": (comparison.previous_scores or {}).get(pillar.id),
            "change": change,
            "worth_discussing": worth_discussing(change),
        })
    return rows


def _keep_conversation(checkin_id: str) -> bool:
    """Store the conversation as typed so far as the check-in's draft; False when not theirs to write."""
    resident, checkin = load_checkin(checkin_id)
    writer = plan_writer(current_user, resident, checkin)
    if writer is None:
        return False
    results.save_conversation_draft(resident, checkin, request.form, visit=writer == "visit")
    return True


@keep_on_timeout("results.result")
def _keep_conversation_on_timeout() -> str | None:
    """The session timed out while the notes were typed: keep them, and come back to them after logging in."""
    checkin_id = request.view_args["checkin_id"]
    return url_for("results.result", checkin_id=checkin_id) if _keep_conversation(checkin_id) else None


@bp.route("/uitslag/<checkin_id>", methods=["GET", "POST"])
@role_required(Role.BEWONER, *COACH_ROLES)
def result(checkin_id: str):
    resident, checkin = load_checkin(checkin_id)
    writer = plan_writer(current_user, resident, checkin)
    if request.method == "POST" and writer is None:
        abort(403)  # the plan is written by the resident, or with the coach who did the check-in
    if request.method == "POST" and request.form.get("action") == "autosave":
        _keep_conversation(checkin_id)  # as it is typed (JavaScript); checked when saved for real
        return Response(status=204)
    questionnaire = questionnaire_for(checkin)
    lang = locale()
    form_class = VisitForm if writer == "visit" else PlanForm
    if request.method == "GET" and checkin.conversation_draft and writer is not None:
        form = form_class(formdata=MultiDict(checkin.conversation_draft))  # as typed, not saved yet
    else:
        form = form_class(obj=checkin)
    own = is_own(current_user, resident)
    form.plan_pillar.choices = [
        SelectChoice(p.id, (p.short if own else p.name).get(lang)) for p in questionnaire.pillars
    ]
    if form.validate_on_submit():
        if writer == "visit":
            results.save_visit(resident, checkin, form.data, clock.today())
            flash(_("Het gesprek is opgeslagen."), "success")
        else:
            results.save_plan(resident, checkin, form.data)
            flash(_("Uw plan is opgeslagen."), "success")
        return redirect(url_for("results.result", checkin_id=checkin.public_id) + "#plan")
    audit.record("checkin.view", resident, checkin)
    comparison = results.compare(checkin, past.previous_of(checkin))
    rows = _pillar_rows(questionnaire, comparison, plain=own)
    names = {row["id"]: row["name"] for row in rows}
    talk_items = [
        item.text.get(lang)
        for pillar in questionnaire.pillars
        for item in pillar.items
        if any(a.item_id == item.id and a.wants_to_talk for a in checkin.answers)
    ]
    suggested = suggestions.for_checkin(resident, checkin, clock.today(), lang)
    own = is_own(current_user, resident)
    return render_template(
        "results/result.html", suggested=suggested[:3], more=len(suggested) > 3,
        referrals=referrals.referrals_of(resident), chosen=suggestions.chosen_activities(resident),
        button=CsrfForm(), checkin=checkin,
        comparison=comparison, rows=rows, lowest=[names[p] for p in lowest_pillars(comparison.scores)],
        talk_items=talk_items, event=life_events().get(checkin.life_event), form=form,
        is_own=own, is_visit=writer == "visit", resident=resident,
        next_on=reminders.date_for_checkin(resident, checkin),
        next_form=NextCheckinForm(formdata=None) if own else None,
        coach=db.session.get(User, checkin.coach_id) if checkin.coach_id else None,
        credit=questionnaire.credit.get(lang), safety=results.safety_message(resident, comparison.scores, lang),
    )  # 200 even with form errors: the page shows data, so its audit event must be kept


@bp.get("/uitslag/<checkin_id>/samenvatting.pdf")
@role_required(Role.BEWONER, *COACH_ROLES)
def summary_pdf(checkin_id: str):
    """The printable A4 summary to leave on the kitchen table."""
    resident, checkin = load_checkin(checkin_id)
    pdf = results.build_summary(resident, checkin, locale())
    audit.record("summary.export", resident, checkin)
    return Response(pdf, mimetype="application/pdf",
                    headers={"Content-Disposition": 'inline; filename="veerkracht-samenvatting.pdf"'})


@bp.get("/geschiedenis")
@role_required(Role.BEWONER)
def history():
    resident = own_resident()
    audit.record("history.view", resident, object_type="measurement_list")
    checkins = past.checkins_of(resident)
    items = [(m, past.scores_of(m), life_events().get(m.life_event)) for m in checkins]
    pillars = questionnaire_for(checkins[0]).pillars if checkins else []
    return render_template("results/history.html", items=items, pillars=pillars, trend=_trend(items, pillars),
                           modes={mode: mode.label for mode in CheckinMode})


def _trend(items: list, pillars: list) -> dict | None:
    """The resident's own trend in words (issue 17): each pillar now against the first check-in in
    the list, "iets beter", "ongeveer hetzelfde", ...; None with fewer than two check-ins."""
    if len(items) < 2:
        return None
    (latest, now, _event), (first, then, _first_event) = items[0], items[-1]
    if latest.completed_at < first.completed_at:
        (latest, now), (first, then) = (first, then), (latest, now)
    words, lower = {}, False
    for pillar in pillars:
        change = None if now.get(pillar.id) is None or then.get(pillar.id) is None \
            else now[pillar.id] - then[pillar.id]
        word = change_word(change)
        words[pillar.id] = CHANGE_WORDS[word] if word else None
        lower = lower or word in ("iets_minder", "minder")
    return {"since": first.completed_at, "words": words, "lower": lower}  # "lower": say a lower score is fine


@bp.get("/geschiedenis/vergelijken")
@role_required(Role.BEWONER, *COACH_ROLES)
def compare():
    if not request.args.get("b"):
        abort(404)
    resident, first, second = load_checkins(request.args.get("a"), request.args.get("b"))
    if first.id == second.id:
        flash(_("Kies twee verschillende check-ins om te vergelijken."), "info")
        if is_own(current_user, resident):
            return redirect(url_for("results.history"))
        return redirect(url_for("caseload.resident", resident_id=resident.public_id))
    # Newest as the filled web, the older one as the dashed outline.
    current, older = sorted([first, second], key=lambda m: (m.completed_at, m.id), reverse=True)
    audit.record("checkin.compare", resident, current)
    audit.record("checkin.compare", resident, older)
    comparison = results.compare(current, older)
    own = is_own(current_user, resident)
    rows = _pillar_rows(questionnaire_for(current), comparison, plain=own)
    return render_template("results/compare.html", comparison=comparison, rows=rows, resident=resident, is_own=own)


CHART_MAX_AGE = 365 * 24 * 3600  # the URL names the check-ins, language and drawing version: never stale


@bp.get("/grafiek/<checkin_id>.svg")
@role_required(Role.BEWONER, *COACH_ROLES)
def chart(checkin_id: str):
    """A stored chart by check-in ids, language and drawing version: no answers are read unless
    it still has to be drawn. Cached by the browser only (private), revalidated by ETag."""
    compare_id = request.args.get("vs") or None
    lang = request.args.get("lang")
    lang = lang if lang in current_app.config["LANGUAGES"] else locale()
    key = results.chart_key_of(checkin_id, compare_id, lang)  # the URL's ids: checked just below
    unchanged = browser_has(key)
    # The check-ins' ids, their resident and the stored chart in one statement; no answers.
    resident, checkin, compare_to, svg = load_checkin_refs(checkin_id, compare_id,
                                                           None if unchanged else results.stored_chart(key))
    if unchanged:
        response = Response(status=304)
    else:
        if svg is None:  # not drawn yet (no runner, or it is behind): draw it now
            _resident, full, full_compare = load_checkins(checkin_id, compare_id)
            # Draw first, write after: on SQLite a write holds the lock until the request commits.
            with force_locale(lang):
                svg = results.chart_svg(full, full_compare, lang, key)
        response = Response(svg, mimetype="image/svg+xml")
        name_body(f"chart:{key}")  # compressed once per worker, then kept
    audit.record("chart.view", resident, checkin)  # a 304 shows the chart too
    if compare_to is not None:
        audit.record("chart.view", resident, compare_to)
    response.set_etag(key)
    response.headers["Cache-Control"] = f"private, max-age={CHART_MAX_AGE}"
    return response
