"""Home page, language switch and health check."""

from flask import (
    Blueprint,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user

from webapp.checkin import service as drafts
from webapp.core import audit, history
from webapp.core.definitions import RESIDENT_FORM, current_questionnaire
from webapp.core.forms import CsrfForm
from webapp.core.i18n import locale
from webapp.core.labels import EASY_FORMS, Role
from webapp.core.urls import safe_next
from webapp.main.service import database_reachable
from webapp.referrals import service as referrals
from webapp.reminders import service as reminders

bp = Blueprint("main", __name__)


@bp.get("/")
def home():
    draft = latest = next_date = None
    tries, easy_first = [], None
    if current_user.is_authenticated and current_user.has_role(Role.BEWONER) and current_user.resident:
        resident = current_user.resident
        draft = drafts.open_draft(resident)
        checkins_so_far = history.checkins_of(resident)
        latest = checkins_so_far[0] if checkins_so_far else None
        if latest is not None:  # before the first check-in, "your next one" is the one on this page
            next_date = reminders.next_checkin(resident, latest).on
        tries = referrals.open_referrals(resident)
        easy_first = resident.preferred_form if resident.preferred_form in EASY_FORMS else None
        audit.record("home.view", resident, resident)
    description = current_questionnaire().forms[RESIDENT_FORM].description.get(locale())
    return render_template(
        "main/home.html", draft=draft, latest=latest, next_date=next_date, tries=tries, form=CsrfForm(),
        form_description=description, easy_first=easy_first,
    )


@bp.post("/taal")
def set_language():
    form = CsrfForm()
    lang = request.form.get("lang")
    if form.validate_on_submit() and lang in current_app.config["LANGUAGES"]:
        session["lang"] = lang
    return redirect(safe_next(request.form.get("next")) or url_for("main.home"))


@bp.get("/healthz")
def healthz():
    if not database_reachable():
        current_app.logger.warning("health check: database unreachable")
        return jsonify(status="error", database="unreachable"), 503
    return jsonify(status="ok", database="ok")


@bp.get("/uitleg")
def help_page():
    """A short help page in plain words (issue 17): the spider web, the six parts, what happens with
    the answers. For everyone, logged in or not; read aloud like every resident page."""
    pillars = current_questionnaire().pillars
    return render_template("main/help.html", pillars=pillars)
