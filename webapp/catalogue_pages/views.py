"""'Wat is er te doen?': the public sociale kaart, no login needed."""

from flask import Blueprint, abort, render_template, request
from flask_babel import get_timezone

from webapp.checkin import service as checkins
from webapp.core import clock
from webapp.core.i18n import locale
from webapp.core.models import Activity
from webapp.core.questionnaires import PILLAR_IDS, current_questionnaire
from webapp.sociale_kaart import service as activities

bp = Blueprint("activities", __name__, url_prefix="/wat-is-er-te-doen")


def _today():
    return clock.now().astimezone(get_timezone()).date()


@bp.get("")
def index():
    current = activities.current_activities(_today())
    args = request.args
    pillar = args.get("pijler") if args.get("pijler") in PILLAR_IDS else None
    filters = {
        "pijler": pillar, "wijk": args.get("wijk") or None, "gratis": args.get("gratis") == "1",
        "rolstoel": args.get("rolstoel") == "1", "zoek": (args.get("zoek") or "").strip()[:100],
    }
    found = activities.search(current, pillar, filters["wijk"], filters["gratis"], filters["rolstoel"],
                              filters["zoek"])
    return render_template(
        "activities/index.html", activities=found, filters=filters,
        pillars=[(p.id, p.name.get(locale())) for p in current_questionnaire().pillars],
        wijken=sorted({a.wijk for a in current if a.wijk}, key=str.casefold),
    )


@bp.get("/<activity_id>")
def detail(activity_id: str):
    activity = checkins.by_public_id(Activity, activity_id)
    if activity is None or not activities.is_current(activity, _today()):
        abort(404)
    names = {p.id: p.name.get(locale()) for p in current_questionnaire().pillars}
    return render_template("activities/detail.html", activity=activity, pillar_names=names)
