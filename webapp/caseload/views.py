"""The coach's caseload: who needs attention now, and one resident's progress over time."""

from flask import Blueprint, Response, abort, render_template, request
from flask_login import current_user

from webapp.accounts import service as people
from webapp.caseload import rules as caseload
from webapp.caseload import service as caseload_service
from webapp.caseload import summaries  # noqa: F401 - keeps the summaries current on every flush
from webapp.caseload.labels import FLAG_LABELS, REFERRAL_FILTER_LABELS, SORT_LABELS
from webapp.checkin import service as drafts
from webapp.core import audit, clock, history
from webapp.core.definitions import current_questionnaire, life_events
from webapp.core.forms import CsrfForm
from webapp.core.i18n import locale
from webapp.core.labels import (
    COACH_ROLES,
    OPEN_REFERRAL_STATUSES,
    ConsentMethod,
    FormKind,
    Role,
    WorSharing,
    WorStatus,
)
from webapp.core.models import Resident
from webapp.core.permissions import (
    active_relation,
    can_erase_as_coach,
    can_see_wor_referral,
    require_access,
    role_required,
    started_here,
)
from webapp.core.views import by_public_id
from webapp.reminders import service as reminders
from webapp.reminders.labels import SOURCE_LABELS
from webapp.results import service as results
from webapp.wor import service as wor

bp = Blueprint("caseload", __name__, url_prefix="/coach")


def _load_resident(public_id: str) -> Resident:
    return require_access(by_public_id(Resident, public_id))


@bp.get("")
@role_required(*COACH_ROLES)
def home():
    """"Wie heeft nu aandacht nodig?": the caseload with flags, sorting, filters and pages."""
    today = clock.today()
    args = request.args
    flag = args.get("aandacht") if args.get("aandacht") in caseload.FLAGS else None
    sort = args.get("sorteer") if args.get("sorteer") in caseload.SORTS else "aandacht"
    event = args.get("gebeurtenis") or None
    wijk = args.get("wijk") or None
    coach = args.get("coach") or None
    name = (args.get("naam") or "").strip()[:100] or None
    result = caseload_service.caseload_page(
        current_user, today, clock.now(), sort=sort, flag=flag, life_event=event, wijk=wijk, coach_filter=coach,
        name=name, page=args.get("pagina", 1, type=int))
    shown = dict.fromkeys(row.resident_public_id for row in [*result.to_call, *result.rows])
    calls = reminders.call_info({row.resident_public_id: row.due for row in result.to_call})
    audit.record_many("caseload.view", list(shown))
    questionnaire = current_questionnaire()
    return render_template(
        "caseload/home.html", rows=result.rows, total=result.total, page=result.page, pages=result.pages,
        today=today, to_call=result.to_call, call_total=result.call_total, calls=calls,
        filters={"aandacht": flag, "sorteer": sort, "gebeurtenis": event, "wijk": wijk, "coach": coach,
                 "naam": name},
        coach_names=result.coach_names, wijken=result.wijken,
        events=life_events().events, pillar_names={p.id: p.name.get(locale()) for p in questionnaire.pillars},
        flag_labels=FLAG_LABELS, sort_labels=SORT_LABELS,
    )


@bp.get("/verwijzingen")
@role_required(*COACH_ROLES)
def referrals():
    """Every activity the coach's residents are trying: status, since when, last news, how it went."""
    which = request.args.get("toon") if request.args.get("toon") in caseload.REFERRAL_FILTERS else "open"
    every_row = caseload_service.referral_rows(current_user, clock.now(), clock.timezone())
    rows = caseload.filter_referrals(every_row, which, OPEN_REFERRAL_STATUSES)
    audit.record_many("referrals.overview", sorted({row.resident_public_id for row in rows}))
    return render_template("caseload/referrals.html", rows=rows, which=which, filter_labels=REFERRAL_FILTER_LABELS)


@bp.get("/bewoner/<resident_id>")
@role_required(*COACH_ROLES)
def resident(resident_id: str):
    resident = _load_resident(resident_id)
    audit.record("resident.view", resident, resident)
    checkins = history.checkins_of(resident)
    upcoming = reminders.next_checkin(resident, checkins[0] if checkins else None)
    visit_draft = drafts.open_draft(resident, coach=current_user)
    return render_template(
        "caseload/resident.html", resident=resident, relation=active_relation(current_user, resident),
        timeline=caseload.timeline(checkins),
        coaches=people.names_of({m.coach_id for m in checkins if m.coach_id}),
        scores={m.id: history.scores_of(m) for m in checkins}, pillars=current_questionnaire().pillars,
        events={e.id: e for e in life_events().events},
        consent_labels={method: method.label for method in ConsentMethod},
        form_labels={kind: kind.label for kind in FormKind},
        visit_draft=visit_draft, visit_draft_here=visit_draft is not None and started_here(visit_draft),
        next_checkin=upcoming.on,
        next_source=SOURCE_LABELS[upcoming.source],
        form=CsrfForm(), may_erase=can_erase_as_coach(current_user, resident),
        wor_referrals=_wor_referrals(resident),
    )


def _wor_referrals(resident: Resident) -> dict:
    """The Welzijn op Recept referrals linked to this resident, for a welzijnscoach (who may see them)."""
    if not current_user.has_role(Role.WELZIJNSCOACH):
        return {}
    rows = [row for row in wor.referrals_on_resident_page(current_user, resident)
            if can_see_wor_referral(current_user, row.referral)]
    return {"rows": rows, "status_labels": {s: s.label for s in WorStatus},
            "sharing_labels": {s: s.label for s in WorSharing}} if rows else {}


@bp.get("/bewoner/<resident_id>/verloop.svg")
@role_required(*COACH_ROLES)
def progress_chart(resident_id: str):
    """The six pillar scores over time, behind the same permission as the progress page;
    `?vorm=smal` draws it for a phone."""
    layout = request.args.get("vorm", "breed")
    if layout not in ("breed", "smal"):
        abort(404)
    resident = _load_resident(resident_id)
    checkins = history.checkins_of(resident)
    if not checkins:
        abort(404)
    svg = results.progress_svg(checkins, locale(), narrow=layout == "smal")
    audit.record("progress.chart", resident, resident)
    return Response(svg, mimetype="image/svg+xml")
