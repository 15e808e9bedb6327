"""Accounts: register, log in and out, activate an enrolled resident, share with a coach, the
resident's own account page, enrolling residents, and the beheerder's staff accounts."""

import hashlib

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required

from webapp.accounts import rules
from webapp.accounts import service as people
from webapp.accounts.forms import (
    ActivateForm,
    ChangePasswordForm,
    EmailForm,
    EnrolForm,
    ForgotForm,
    LoginForm,
    MoveResidentsForm,
    NewPasswordForm,
    PasswordConfirmForm,
    RegisterForm,
    ResetPasswordForm,
    ResidentNumberForm,
    SecondFactorForm,
    SetUpSecondFactorForm,
    ShareForm,
    StaffDetailsForm,
    StaffForm,
    WijkForm,
)
from webapp.core import audit, clock, mail
from webapp.core.extensions import limiter
from webapp.core.forms import CsrfForm
from webapp.core.labels import COACH_ROLES, STAFF_ROLES, CodePurpose, Role
from webapp.core.models import CoachRelation, Resident, User
from webapp.core.passwords import verify_password
from webapp.core.permissions import active_relation, can_erase_as_coach, own_resident, require_access, role_required
from webapp.core.security import (
    begin_second_step,
    end_session,
    is_remembered_device,
    pending_login,
    start_session,
)
from webapp.core.urls import public_address, safe_next
from webapp.core.views import by_public_id, get_or_404, render_form

bp = Blueprint("accounts", __name__)

@bp.app_context_processor
def _mail_flag() -> dict:
    """Pages offer e-mail only where the organisation configured a mail server."""
    return {"mail_configured": mail.configured()}


LOGIN_LIMIT_PER_IP, LOGIN_LIMIT_PER_ACCOUNT = rules.LOGIN_LIMIT_PER_IP, rules.LOGIN_LIMIT_PER_ACCOUNT
TAKEN = _l("Deze gebruikersnaam is al bezet. Kies een andere.")


def _account_and_address_key() -> str:
    """Rate-limit key per account name *and* address (the name hashed: no names in the limiter's
    storage). Keyed on the name alone, ten wrong passwords from anywhere would lock the owner out."""
    name = (request.form.get("username") or "").strip().lower()
    return f"login-account:{hashlib.sha256(name.encode()).hexdigest()}:{get_remote_address()}"


def _pending_account_key() -> str:
    """Rate-limit key for the second step: per account waiting for it (its public id, hashed)."""
    user, _next = pending_login()
    return "second-step:" + hashlib.sha256((user.public_id if user else "").encode()).hexdigest()


def _log_in(user: User, next_url: str | None = None):
    """After the password (or a code): log in, or first ask for the second factor."""
    if user.needs_second_factor:
        begin_second_step(user, next_url)
        return redirect(url_for("accounts.second_step"))
    start_session(user)
    return redirect(next_url or url_for("main.home"))


def _log_in_after_reset(user: User):
    """After a reset (by code or by mail): log in on a fresh session, then say so (a flash before
    the fresh session would be cleared with it)."""
    response = _log_in(user)
    flash(_("Uw nieuwe wachtwoord is opgeslagen. Op andere apparaten bent u uitgelogd."), "success")
    return response


@bp.route("/registreren", methods=["GET", "POST"])
@limiter.limit("20 per hour", methods=["POST"])
def register():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            user = people.create_resident_account(form.username.data.strip(), form.password.data)
        except people.UsernameTaken:  # also when a simultaneous registration took it first
            form.username.errors.append(str(TAKEN))
        else:
            start_session(user)
            flash(_("Uw account is klaar. Welkom!"), "success")
            return redirect(url_for("main.home"))
    return render_form("accounts/register.html", form)


@bp.route("/inloggen", methods=["GET", "POST"])
@limiter.limit(LOGIN_LIMIT_PER_IP, methods=["POST"])
@limiter.limit(LOGIN_LIMIT_PER_ACCOUNT, methods=["POST"], key_func=_account_and_address_key)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm()
    if form.validate_on_submit():
        name = form.username.data
        user = people.by_username(name)
        remembered = is_remembered_device(user)
        wait = 0 if remembered else people.seconds_to_wait(name)
        if wait:
            form.password.errors.append(ngettext(
                "Voor deze gebruikersnaam is een paar keer een verkeerd wachtwoord getypt. Wacht %(num)s seconde "
                "en probeer het dan opnieuw.",
                "Voor deze gebruikersnaam is een paar keer een verkeerd wachtwoord getypt. Wacht %(num)s seconden "
                "en probeer het dan opnieuw.", wait))
        elif verify_password(user.password_hash if user else None, form.password.data) and user.is_active:
            if not remembered:  # guesses elsewhere keep slowing strangers down while the owner is in
                people.forget_failed_logins(name)
            return _log_in(user, safe_next(request.args.get("next")))
        else:
            people.record_failed_login(name)
            form.password.errors.append(_("Deze gebruikersnaam en dit wachtwoord horen niet bij elkaar."))
    return render_form("accounts/login.html", form)


@bp.route("/activeren", methods=["GET", "POST"])
@limiter.limit("10 per 15 minutes", methods=["POST"])
def activate():
    """An enrolled resident turns the coach's printed code into their own login."""
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = ActivateForm()
    if form.validate_on_submit():
        try:
            people.check_activation_code(form.code.data)
        except people.CodeError:
            form.code.errors.append(
                _("Deze code klopt niet, is al gebruikt of is verlopen. Vraag uw coach om een nieuwe code.")
            )
        else:
            try:
                user = people.activate(form.code.data, form.username.data.strip(), form.password.data)
            except people.UsernameTaken:
                form.username.errors.append(str(TAKEN))
            else:
                start_session(user)
                flash(_("Uw account is klaar. U ziet nu uw eigen gegevens."), "success")
                return redirect(url_for("main.home"))
    return render_form("accounts/activate.html", form)


@bp.route("/wachtwoord-herstellen", methods=["GET", "POST"])
@limiter.limit("10 per 15 minutes", methods=["POST"])
def reset_password():
    """A resident who forgot the password sets a new one with the code their coach printed."""
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            user = people.reset_password(form.code.data, form.password.data)
        except people.CodeError:
            form.code.errors.append(
                _("Deze code klopt niet, is al gebruikt of is verlopen. Vraag uw coach om een nieuwe code.")
            )
        else:
            return _log_in_after_reset(user)
    return render_form("accounts/reset_password.html", form)


@bp.route("/inloggen/tweede-stap", methods=["GET", "POST"])
@limiter.limit(LOGIN_LIMIT_PER_IP, methods=["POST"])
@limiter.limit(LOGIN_LIMIT_PER_ACCOUNT, methods=["POST"], key_func=_pending_account_key)
def second_step():
    """The code from the authenticator app (or a recovery code); staff set the app up the first time."""
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    user, next_url = pending_login()
    if user is None:
        flash(_("Log eerst in met uw gebruikersnaam en wachtwoord."), "info")
        return redirect(url_for("accounts.login"))
    if not user.has_totp:  # first login of a staff member: set the app up now
        return _set_up_second_factor(user, lambda: start_session(user, second_factor=True), next_url)
    form = SecondFactorForm()
    if form.validate_on_submit():
        if people.check_second_factor(user, form.code.data):
            start_session(user, second_factor=True)
            return redirect(next_url or url_for("main.home"))
        form.code.errors.append(
            _("Deze code klopt niet of is al gebruikt. Typ de zes cijfers die de app nu laat zien."))
    return render_form("accounts/second_step.html", form, has_passkey=user.has_passkey)


@bp.route("/wachtwoord-wijzigen", methods=["GET", "POST"])
@login_required
@limiter.limit("10 per 15 minutes", methods=["POST"])
def change_password():
    """Anyone with a login chooses a new password; their other sessions end."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        if not verify_password(current_user.password_hash, form.current.data):
            form.current.errors.append(_("Dit wachtwoord klopt niet."))
        else:
            user = current_user._get_current_object()  # the proxy would reload from the cleared session
            people.change_password(user, form.password.data)
            start_session(user, second_factor=bool(session.get("mfa")))  # this device stays logged in
            flash(_("Uw nieuwe wachtwoord is opgeslagen. Op andere apparaten bent u uitgelogd."), "success")
            return redirect(url_for("main.home"))
    return render_form("accounts/change_password.html", form)


@bp.route("/account/tweede-stap", methods=["GET", "POST"])
@role_required(Role.BEWONER)
@limiter.limit("10 per 15 minutes", methods=["POST"])
def two_factor():
    """A resident may turn on a second factor (never required), or turn it off with the password."""
    user = current_user._get_current_object()
    if user.has_totp:
        form = PasswordConfirmForm()
        if form.validate_on_submit():
            if verify_password(user.password_hash, form.password.data):
                people.turn_off_second_factor(user)
                flash(_("De tweede stap staat uit. U logt weer in met alleen uw wachtwoord."), "success")
                return redirect(url_for("accounts.account"))
            form.password.errors.append(_("Dit wachtwoord klopt niet."))
        return render_form("accounts/two_factor_on.html", form)
    return _set_up_second_factor(user, lambda: session.update(mfa=True), url_for("accounts.account"),
                                 for_resident=True)


def _set_up_second_factor(user: User, on_confirmed, next_url: str | None, for_resident: bool = False):
    """The set-up page: QR code and key, then the first code from the app. Once it is right,
    `on_confirmed()` marks the session and the ten recovery codes are shown, once."""
    form = SetUpSecondFactorForm()
    secret = people.totp_secret_for_setup(user)
    if form.validate_on_submit():
        codes = people.confirm_totp(user, form.code.data)
        if codes is not None:
            on_confirmed()
            return render_template("accounts/recovery_codes.html", codes=codes, next_url=next_url)
        form.code.errors.append(_("Deze code klopt niet. Typ de zes cijfers die de app nu laat zien."))
    return render_form("accounts/second_factor_setup.html", form, secret=rules.grouped_secret(secret),
                       qr=rules.qr_data_uri(rules.provisioning_uri(secret, user.username)), for_resident=for_resident)


@bp.route("/account/e-mail", methods=["GET", "POST"])
@role_required(Role.BEWONER)
@limiter.limit("10 per hour", methods=["POST"])
def email():
    """An optional, verified e-mail address for a password reset by mail."""
    if not mail.configured():
        abort(404)
    user = current_user._get_current_object()
    form = EmailForm(email=user.email)
    if form.validate_on_submit():
        try:
            people.set_email(user, form.email.data,
                             lambda token: url_for("accounts.verify_email", token=token, _external=True))
        except mail.MailError:
            form.email.errors.append(_("De mail kon niet worden verstuurd. Probeer het later nog eens."))
        else:
            flash(_("Kijk in uw mail en klik op de link om uw e-mailadres te bevestigen.") if user.email
                  else _("Uw e-mailadres is verwijderd."), "success")
            return redirect(url_for("accounts.account"))
    audit.record("account.view", user.resident, user.resident)
    return render_form("accounts/email.html", form, user=user)


@bp.get("/e-mail-bevestigen/<token>")
def verify_email(token: str):
    user = people.verify_email(token)
    if user is None:
        return render_template("errors/error.html", title=_("Deze link werkt niet meer"),
                               message=_("De link is verlopen of hoort bij een ander e-mailadres. Vul uw e-mailadres "
                                         "opnieuw in bij Mijn account.")), 400
    flash(_("Uw e-mailadres is bevestigd."), "success")
    return redirect(url_for("main.home"))


@bp.route("/wachtwoord-vergeten/e-mail", methods=["GET", "POST"])
@limiter.limit("5 per 15 minutes", methods=["POST"])
def forgot_by_mail():
    """Ask for a reset link by mail; the answer is the same whether or not the account exists."""
    if not mail.configured():
        abort(404)
    form = ForgotForm()
    if form.validate_on_submit():
        try:
            people.send_reset_mail(form.identifier.data,
                                   lambda token: url_for("accounts.reset_by_mail", token=token, _external=True))
        except mail.MailError:
            form.identifier.errors.append(_("De mail kon niet worden verstuurd. Probeer het later nog eens."))
        else:
            flash(_("Hoort er een bevestigd e-mailadres bij? Dan staat er nu een mail met een link voor u klaar."),
                  "success")
            return redirect(url_for("accounts.login"))
    return render_form("accounts/forgot_by_mail.html", form)


@bp.route("/wachtwoord-herstellen/<token>", methods=["GET", "POST"])
@limiter.limit("10 per 15 minutes", methods=["POST"])
def reset_by_mail(token: str):
    """A new password with the link from the mail (one hour, once)."""
    if people.user_for_reset_token(token) is None:
        return render_template("errors/error.html", title=_("Deze link werkt niet meer"),
                               message=_("De link is verlopen of al gebruikt. Vraag een nieuwe mail aan.")), 400
    form = NewPasswordForm()
    if form.validate_on_submit():
        user = people.reset_by_mail(token, form.password.data)
        return _log_in_after_reset(user)
    return render_form("accounts/reset_by_mail.html", form)


@bp.post("/uitloggen")
@login_required
def logout():
    end_session()
    flash(_("U bent uitgelogd."), "success")
    return _forget_cached_pages(redirect(url_for("main.home")))


def _forget_cached_pages(response):
    """Charts are cached by the browser (private, long-lived); on a shared tablet the next person must
    not find them: the browser drops this site's cache on logout."""
    response.headers["Clear-Site-Data"] = '"cache"'
    return response


@bp.post("/overal-uitloggen")
@login_required
def logout_everywhere():
    """End every session of this account, on every device."""
    end_session(everywhere=True)
    flash(_("U bent overal uitgelogd, op alle apparaten."), "success")
    return _forget_cached_pages(redirect(url_for("main.home")))


def _account_page(form: ShareForm, status: int = 200, wijk_form: WijkForm | None = None):
    resident = own_resident()
    audit.record("account.view", resident, resident)
    return render_template(
        "accounts/account.html", relations=people.relations_of(resident), form=form, button=CsrfForm(),
        wijk_form=wijk_form or WijkForm(wijk=resident.wijk), wijken=people.known_wijken(),
        gp_referred=people.is_gp_referred(resident),
    ), status


@bp.get("/account")
@role_required(Role.BEWONER)
def account():
    return _account_page(ShareForm())


@bp.post("/account/delen")
@role_required(Role.BEWONER)
@limiter.limit("10 per 15 minutes")
def share():
    form = ShareForm()
    if form.validate_on_submit():
        try:
            relation = people.share_with_coach(own_resident(), form.coach_code.data)
        except people.CodeError:
            form.coach_code.errors.append(
                _("Deze code kennen we niet. Kijk de code nog eens na, of vraag het uw coach.")
            )
        else:
            flash(_("U deelt uw gegevens nu met %(name)s.", name=relation.coach.display_name or ""), "success")
            return redirect(url_for("accounts.account"))
    return _account_page(form, 400)


@bp.post("/account/wijk")
@role_required(Role.BEWONER)
def set_wijk():
    """The resident's own wijk, optional: only used for the organisation's figures per wijk."""
    form = WijkForm()
    if not form.validate_on_submit():
        return _account_page(ShareForm(formdata=None), 400, wijk_form=form)
    resident = own_resident()
    resident.wijk = people.canonical_wijk(form.wijk.data)
    audit.record("profile.update", resident, object_type="wijk")
    flash(_("Uw wijk is opgeslagen.") if resident.wijk else _("Uw wijk is leeggemaakt."), "success")
    return redirect(url_for("accounts.account"))


@bp.post("/account/delen/<relation_id>/stoppen")
@role_required(Role.BEWONER)
def stop_sharing(relation_id: str):
    resident = own_resident()
    relation = by_public_id(CoachRelation, relation_id)
    if relation is None or relation.resident_id != resident.id:
        abort(404)
    people.stop_relation(resident, relation, by=rules.ENDED_BY_RESIDENT)
    flash(_("U deelt niets meer met %(name)s. Deze coach kan uw gegevens niet meer zien.",
            name=relation.coach.display_name or ""), "success")
    return redirect(url_for("accounts.account"))


@bp.route("/coach/inschrijven", methods=["GET", "POST"])
@role_required(*COACH_ROLES)
def enrol():
    form = EnrolForm()
    if form.validate_on_submit():
        resident = people.enrol_resident(
            current_user, form.display_name.data.strip(), form.birth_year.data,
            (form.wijk.data or "").strip() or None, form.consent_date.data, form.consent_method.data,
        )
        flash(_("De bewoner is ingeschreven."), "success")
        return redirect(url_for("caseload.resident", resident_id=resident.public_id))
    return render_form("accounts/enrol.html", form, wijken=people.known_wijken())


@bp.post("/coach/bewoner/<resident_id>/activatiecode")
@role_required(*COACH_ROLES)
def activation_code(resident_id: str):
    resident = require_access(by_public_id(Resident, resident_id))
    if resident.user_id is not None:
        abort(409)
    code, record = people.issue_activation_code(current_user, resident)
    return render_template("accounts/activation_code.html", resident=resident, code=code, record=record,
                           address=public_address(url_for("accounts.activate")))


def _reset_code_page(resident: Resident, back_url: str):
    code, record = people.issue_code(current_user, resident, CodePurpose.HERSTEL)
    return _print_reset_code(code, record, resident.display_name, resident.user.username, back_url, staff=False)


def _print_reset_code(code: str, record, name: str | None, username: str, back_url: str, staff: bool):
    """The sheet to print or copy: where to go, the code, until when (a resident's or a staff member's)."""
    return render_template("accounts/reset_code.html", name=name, username=username, code=code, record=record,
                           address=public_address(url_for("accounts.reset_password")), back_url=back_url,
                           staff=staff)


@bp.post("/coach/bewoner/<resident_id>/herstelcode")
@role_required(*COACH_ROLES)
def reset_code_by_coach(resident_id: str):
    """The coach prints a one-time code with which the resident sets a new password."""
    resident = require_access(by_public_id(Resident, resident_id))
    if resident.user_id is None:
        abort(409)  # no login yet: that needs an activation code
    return _reset_code_page(resident, url_for("caseload.resident", resident_id=resident.public_id))


@bp.route("/beheer/herstelcode", methods=["GET", "POST"])
@role_required(Role.BEHEERDER)
@limiter.limit("20 per 15 minutes", methods=["POST"])
def reset_code_by_number():
    """The beheerder prints a reset code for a resident by number, never seeing the resident's data."""
    form = ResidentNumberForm()
    if form.validate_on_submit():
        resident = people.resident_by_number(form.number.data)
        if resident is None or resident.user_id is None:
            form.number.errors.append(_("Bij dit bewonernummer hoort geen account. Kijk het nummer nog eens na."))
        else:
            return _reset_code_page(resident, url_for("accounts.staff"))
    return render_form("accounts/reset_code_by_number.html", form)


@bp.get("/coach/bewoner/<resident_id>/afsluiten")
@role_required(*COACH_ROLES)
def close_confirm(resident_id: str):
    """"Begeleiding afsluiten?": what it means, before anything changes."""
    resident = require_access(by_public_id(Resident, resident_id))
    if active_relation(current_user, resident) is None:
        return redirect(url_for("caseload.resident", resident_id=resident.public_id))
    audit.record("resident.view", resident, resident)  # the page names the resident
    return render_template("accounts/close.html", resident=resident, form=CsrfForm(),
                           until=rules.undo_deadline(clock.now()), may_erase=can_erase_as_coach(current_user, resident))


@bp.post("/coach/bewoner/<resident_id>/afsluiten")
@role_required(*COACH_ROLES)
def close(resident_id: str):
    """The coach stops following this resident; their access ends at once (undone within 30 days)."""
    resident = require_access(by_public_id(Resident, resident_id))
    relation = active_relation(current_user, resident)
    if relation is not None:
        people.stop_relation(resident, relation, by=rules.ENDED_BY_COACH)
    flash(_("U begeleidt deze bewoner niet meer. U kunt de gegevens niet meer zien. Vergist? Onder "
            "'Afgesloten begeleidingen' kunt u dit 30 dagen lang ongedaan maken."), "success")
    return redirect(url_for("caseload.home"))


@bp.get("/coach/afgesloten")
@role_required(*COACH_ROLES)
def closed():
    """The relations this coach closed in the last 30 days, each with "Ongedaan maken"."""
    rows = people.closed_by_coach(current_user)
    audit.record_many("caseload.view", [resident.public_id for _relation, resident in rows])
    return render_template("accounts/closed.html", rows=rows, form=CsrfForm(), deadline=rules.undo_deadline)


@bp.post("/coach/afgesloten/<relation_id>/terugzetten")
@role_required(*COACH_ROLES)
def reopen(relation_id: str):
    """Undo "Begeleiding afsluiten": only the coach who closed it, only within 30 days."""
    relation = by_public_id(CoachRelation, relation_id)
    if relation is None or relation.coach_id != current_user.id:
        abort(404)  # another coach's relation: no probing
    try:
        people.reopen_relation(current_user, relation)
    except people.UndoRefused:
        flash(_("Dit kan niet meer ongedaan worden gemaakt. Dat kan alleen binnen 30 dagen na het afsluiten, "
                "en alleen als u het zelf heeft afgesloten. De bewoner kan wel opnieuw met u delen."), "error")
        return redirect(url_for("accounts.closed"))
    flash(_("U begeleidt deze bewoner weer. U ziet de gegevens weer."), "success")
    return redirect(url_for("caseload.resident", resident_id=relation.resident.public_id))


@bp.get("/beheer")
@role_required(Role.BEHEERDER)
def staff():
    role_labels = {role: role.label for role in STAFF_ROLES}
    return render_template("accounts/staff.html", staff=people.staff_accounts(), role_labels=role_labels)


def _staff_account(user_id: str) -> User:
    """A coach or beheerder account, by public id; residents' accounts are not the beheerder's to edit."""
    user = get_or_404(User, user_id)
    if not user.has_role(*STAFF_ROLES):
        abort(404)
    return user


@bp.route("/beheer/medewerker/<user_id>", methods=["GET", "POST"])
@role_required(Role.BEHEERDER)
def edit_staff(user_id: str):
    """Change a staff account's name, contact details and roles."""
    user = _staff_account(user_id)
    form = StaffDetailsForm(obj=user) if request.method == "GET" else StaffDetailsForm()
    if request.method == "GET":
        form.roles.data = sorted(user.roles)
    if form.validate_on_submit():
        if user.id == current_user.id and Role.BEHEERDER not in form.roles.data:
            form.roles.errors.append(_("U kunt uw eigen rol van beheerder niet weghalen. Vraag een andere beheerder."))
        else:
            people.update_staff(user, form.display_name.data.strip(), form.roles.data,
                                (form.organisation.data or "").strip() or None, (form.phone.data or "").strip() or None)
            flash(_("Het account is aangepast."), "success")
            return redirect(url_for("accounts.staff"))
    return render_form("accounts/edit_staff.html", form, user=user, button=CsrfForm(),
                       second_factor_kept=people.reset_blocks_clearing(user) and SECOND_FACTOR_KEPT)


@bp.post("/beheer/medewerker/<user_id>/blokkeren")
@role_required(Role.BEHEERDER)
def block_staff(user_id: str):
    """A coach leaves: the account cannot log in any more and every session of it ends at once."""
    user = _staff_account(user_id)
    if user.id == current_user.id:
        flash(_("U kunt uw eigen account niet blokkeren."), "error")
    else:
        people.set_blocked(user, True)
        flash(_("Het account van %(name)s is geblokkeerd.", name=user.display_name or user.username), "success")
    return redirect(url_for("accounts.staff"))


STAFF_RESET_REFUSED = {
    "own": _l("Uw eigen wachtwoord wijzigt u zelf, bij Mijn account."),
    "blocked": _l("Dit account is geblokkeerd. Laat het eerst weer toe."),
    "no_second_factor": _l("Deze medewerker heeft geen app voor de tweede stap meer. Een code zou dan het hele "
                           "inloggen zijn. Maak daarom een nieuw account voor deze medewerker en draag de bewoners "
                           "over."),
}
SECOND_FACTOR_KEPT = _l(
    "De tweede stap kan nu niet worden gewist. Er is een code voor een nieuw wachtwoord gemaakt, en de medewerker "
    "heeft daarna nog niet zelf ingelogd. Zo kan niemand met die code en een nieuwe app in het account. Heeft de "
    "medewerker de app en de herstelcodes op papier allebei niet meer? Maak dan een nieuw account en draag de "
    "bewoners over.")


@bp.post("/beheer/medewerker/<user_id>/herstelcode")
@role_required(Role.BEHEERDER)
def staff_reset_code(user_id: str):
    """A forgotten password: the beheerder prints a one-time code; the second factor stays."""
    user = _staff_account(user_id)
    back = url_for("accounts.edit_staff", user_id=user.public_id)
    try:
        code, record = people.issue_staff_reset_code(current_user, user)
    except people.StaffResetRefused as refused:
        flash(STAFF_RESET_REFUSED[str(refused)], "error")
        return redirect(back)
    return _print_reset_code(code, record, user.display_name, user.username, back, staff=True)


@bp.post("/beheer/medewerker/<user_id>/tweede-stap-herstellen")
@role_required(Role.BEHEERDER)
def reset_second_factor(user_id: str):
    """A lost phone: the coach sets the authenticator app up again at the next login."""
    user = _staff_account(user_id)
    if people.reset_blocks_clearing(user):
        flash(SECOND_FACTOR_KEPT, "error")
        return redirect(url_for("accounts.edit_staff", user_id=user.public_id))
    people.reset_second_factor(user)
    flash(_("De tweede stap van %(name)s is gewist. Bij de volgende keer inloggen stelt deze medewerker de app "
            "opnieuw in.", name=user.display_name or user.username), "success")
    return redirect(url_for("accounts.edit_staff", user_id=user.public_id))


@bp.route("/beheer/medewerker/<user_id>/bewoners-overdragen", methods=["GET", "POST"])
@role_required(Role.BEHEERDER)
def move_residents(user_id: str):
    """A coach leaves: their residents move to a colleague. The beheerder sees how many, not who."""
    coach = _staff_account(user_id)
    form = MoveResidentsForm()
    colleagues = people.other_coaches(coach)
    form.to.choices = [(u.public_id, u.display_name or u.username) for u in colleagues]
    count = len(people.active_relations_of_coach(coach))
    if form.validate_on_submit():
        to = next(u for u in colleagues if u.public_id == form.to.data)
        moved = people.move_residents(coach, to)
        flash(_("%(count)s bewoner(s) van %(old)s zijn overgedragen aan %(new)s.", count=moved,
                old=coach.display_name or coach.username, new=to.display_name or to.username), "success")
        return redirect(url_for("accounts.edit_staff", user_id=coach.public_id))
    return render_form("accounts/move_residents.html", form, coach=coach, count=count)


@bp.post("/beheer/medewerker/<user_id>/deblokkeren")
@role_required(Role.BEHEERDER)
def unblock_staff(user_id: str):
    user = _staff_account(user_id)
    people.set_blocked(user, False)
    flash(_("%(name)s kan weer inloggen.", name=user.display_name or user.username), "success")
    return redirect(url_for("accounts.staff"))


@bp.route("/beheer/medewerker-nieuw", methods=["GET", "POST"])
@role_required(Role.BEHEERDER)
def new_staff():
    form = StaffForm()
    if form.validate_on_submit():
        try:
            people.create_staff(
                form.username.data.strip(), form.password.data, form.roles.data, form.display_name.data.strip(),
                (form.organisation.data or "").strip() or None, (form.phone.data or "").strip() or None,
            )
        except people.UsernameTaken:
            form.username.errors.append(str(TAKEN))
        else:
            flash(_("Het account is gemaakt. Geef het eerste wachtwoord persoonlijk door."), "success")
            return redirect(url_for("accounts.staff"))
    return render_form("accounts/new_staff.html", form)

