"""The resident's next check-in: choose the date, choose a reminder, download a calendar file."""

from flask import Blueprint, Response, abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import current_user

from webapp.core import audit, clock, mail
from webapp.core.labels import COACH_ROLES, Role
from webapp.core.models import Resident
from webapp.core.permissions import own_resident, require_access, role_required
from webapp.core.urls import safe_next
from webapp.core.views import by_public_id
from webapp.reminders import labels, push, rules
from webapp.reminders import service as reminders
from webapp.reminders.calendar_file import reminder_ics
from webapp.reminders.forms import CalledForm, NextCheckinForm, PhoneForm, PushOffForm, ReminderForm, SnoozeForm

bp = Blueprint("reminders", __name__)


def _page(form: NextCheckinForm, reminder_form: ReminderForm, resident):
    audit.record("next_checkin.view", resident, resident)
    latest = reminders.latest_checkin(resident)
    upcoming = reminders.next_checkin(resident, latest)
    page = render_template("reminders/next_checkin.html", form=form, reminder_form=reminder_form, upcoming=upcoming,
                           source=labels.SOURCE_LABELS[upcoming.source], has_checkin=latest is not None,
                           can_mail=reminders.can_mail(resident), mail_on=mail.configured(),
                           next_url=safe_next(request.form.get("next")),
                           push_key=push.public_key(), phone_marks=reminders.phone_marks(resident),
                           messages=labels.PUSH_MESSAGES)
    return page, (400 if form.errors or reminder_form.errors else 200)


@bp.route("/volgende-check-in", methods=["GET", "POST"])
@role_required(Role.BEWONER)
def next_checkin():
    """ "Wanneer wilt u weer even kijken?" and how to be reminded."""
    resident = own_resident()
    form = NextCheckinForm()
    if form.validate_on_submit():
        day = rules.chosen_date(form.choice.data, clock.today(), form.day.data)
        if reminders.choose(resident, day):
            flash(_("Uw volgende check-in is op %(date)s.", date=format_date(day, "long")), "success")
            return redirect(safe_next(request.form.get("next")) or url_for("reminders.next_checkin"))
        form.choice.errors.append(_("Doe eerst een check-in. Daarna kunt u een datum kiezen."))
    return _page(form, ReminderForm(how=resident.reminder), resident)


@bp.post("/volgende-check-in/herinnering")
@role_required(Role.BEWONER)
def reminder():
    """Store how the resident wants to be reminded (e-mail only to a verified address)."""
    resident = own_resident()
    form = ReminderForm()
    if form.validate_on_submit():
        if reminders.set_reminder(resident, form.how.data):
            flash(_("Uw keuze voor een herinnering is opgeslagen."), "success")
            return redirect(url_for("reminders.next_checkin"))
        form.how.errors.append(_("Een herinnering per e-mail kan alleen naar een bevestigd e-mailadres. "
                                 "Vul uw e-mailadres in bij Mijn account en klik op de link in de mail."))
    return _page(NextCheckinForm(formdata=None), form, resident)


@bp.post("/volgende-check-in/meldingen")
@role_required(Role.BEWONER)
def push_on():
    """The page's script posts this phone's push subscription (endpoint and keys) after the resident
    allowed notifications: reminders come to this phone from then on."""
    if not push.configured():
        abort(404)
    resident = own_resident()
    body = request.get_json(silent=True)
    body = body if isinstance(body, dict) else {}
    keys = body.get("keys") if isinstance(body.get("keys"), dict) else {}
    try:
        reminders.push_on(resident, body.get("endpoint"), keys.get("p256dh"), keys.get("auth"),
                          testing=current_app.testing)
    except rules.BadSubscription as refused:
        status = 409 if refused.args[0] == "ander_account" else 400
        return jsonify(message=str(labels.PUSH_MESSAGES[refused.args[0]])), status
    return jsonify(message=str(labels.PUSH_MESSAGES["aan"]))


@bp.post("/volgende-check-in/meldingen/uit")
@role_required(Role.BEWONER)
def push_off():
    """Notifications off: on this phone (the script sends its endpoint) or, from the plain form, on all."""
    resident = own_resident()
    form = PushOffForm()
    from_script = request.headers.get("X-Requested-With") == "fetch"
    if not form.validate_on_submit():
        if from_script:
            return jsonify(message=_("Er ging iets mis. Probeer het opnieuw.")), 400
        abort(400)
    reminders.push_off(resident, form.endpoint.data or None)
    said = labels.PUSH_MESSAGES["uit" if form.endpoint.data else "alles_uit"]
    if from_script:
        return jsonify(message=str(said))
    flash(str(said), "success")
    return redirect(url_for("reminders.next_checkin") + "#meldingen")


@bp.get("/volgende-check-in.ics")
@role_required(Role.BEWONER)
def calendar():
    """The next check-in as a calendar file with an alarm, for the phone's calendar."""
    resident = own_resident()
    upcoming = reminders.next_checkin(resident)
    body = reminder_ics(upcoming.on, str(labels.CALENDAR_TITLE), str(labels.REMINDER_SUBJECT) + ".",
                        url_for("main.home", _external=True), resident.public_id, clock.now())
    audit.record("reminder.calendar", resident, resident)
    return Response(body, mimetype="text/calendar",
                    headers={"Content-Disposition": 'attachment; filename="veerkracht-check-in.ics"'})


@bp.route("/herinnering/later/<token>", methods=["GET", "POST"])
def snooze(token: str):
    """The link in a reminder mail: "Komt het nu niet goed uit?" moves the check-in a week, after one
    button press (a mail scanner that opens the link changes nothing). Works without logging in: the
    signed link is the permission, and it only ever moves this one date."""
    found = reminders.read_snooze(token)
    if found is None:
        return render_template("reminders/snooze.html", found=None), 400
    form = SnoozeForm()
    moved = False
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        moved = reminders.snooze(found)
    else:
        audit.record("reminder.snooze_view", found.resident, found.resident)
    return render_template("reminders/snooze.html", found=found, form=form, moved=moved)


def _back_to(default: str) -> str:
    return safe_next(request.form.get("next")) or default


@bp.post("/coach/bewoner/<resident_id>/gebeld")
@role_required(*COACH_ROLES)
def called(resident_id: str):
    """The call list's "Gebeld" tick: the coach called the resident about their next check-in."""
    resident = require_access(by_public_id(Resident, resident_id))
    form = CalledForm()
    if not form.validate_on_submit():
        for error in form.note.errors or [_("Er ging iets mis. Probeer het opnieuw.")]:
            flash(str(error), "error")
        return redirect(_back_to(url_for("caseload.home") + "#bellijst"))
    reminders.record_call(current_user, resident, form.note.data)
    flash(_("Genoteerd: gebeld."), "success")
    return redirect(_back_to(url_for("caseload.home") + "#bellijst"))


@bp.post("/coach/bewoner/<resident_id>/telefoon")
@role_required(*COACH_ROLES)
def phone(resident_id: str):
    """The phone number the coach records for the call list."""
    resident = require_access(by_public_id(Resident, resident_id))
    form = PhoneForm()
    back = _back_to(url_for("caseload.resident", resident_id=resident.public_id) + "#telefoon")
    if not form.validate_on_submit():
        for error in form.phone.errors or [_("Er ging iets mis. Probeer het opnieuw.")]:
            flash(str(error), "error")
        return redirect(back)
    reminders.set_phone(resident, form.phone.data)
    flash(_("Het telefoonnummer is opgeslagen.") if form.phone.data else _("Het telefoonnummer is gewist."), "success")
    return redirect(back)


@bp.app_template_global("tel_link")
def _tel_link(phone: str) -> str:
    return rules.tel_link(phone)
