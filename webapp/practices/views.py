"""Practice codes: the beheerder's practices, and the public referral link for a practice without an account."""

import hashlib

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from webapp.accounts import service as people
from webapp.accounts.rules import LOGIN_LIMIT_PER_ACCOUNT, LOGIN_LIMIT_PER_IP
from webapp.core.extensions import limiter
from webapp.core.forms import CsrfForm
from webapp.core.labels import Role, WorPracticeKind
from webapp.core.models import WorPractice
from webapp.core.permissions import role_required
from webapp.core.urls import public_address
from webapp.core.views import get_or_404, render_form
from webapp.practices import service
from webapp.practices.forms import PracticeForm, PracticeReferralForm
from webapp.practices.labels import PROBLEMS
from webapp.wor import service as wor

bp = Blueprint("practices", __name__)


def _admin_page(form: PracticeForm, status: int = 200, problem: str | None = None):
    return render_template("practices/admin.html", practices=service.practices(), form=form, button=CsrfForm(),
                           kinds={k: k.label for k in WorPracticeKind}, problem=PROBLEMS.get(problem),
                           address=public_address(url_for("practices.refer"))), status


@bp.get("/beheer/praktijken")
@role_required(Role.BEHEERDER)
def admin():
    """The practices that may refer with a code, and a form for a new one."""
    return _admin_page(PracticeForm(formdata=None))


def _code_page(practice: WorPractice, code: str, renewed: bool):
    """The code, once: like a password, it is never shown again."""
    return render_template("practices/code.html", practice=practice, code=code, renewed=renewed,
                           address=public_address(url_for("practices.refer")))


@bp.post("/beheer/praktijken/nieuw")
@role_required(Role.BEHEERDER)
def create():
    form = PracticeForm()
    if not form.validate_on_submit():
        return _admin_page(form, 400)
    try:
        practice, code = service.create(form.name.data, form.kind.data)
    except service.PracticeError as error:
        form.name.errors.append(str(PROBLEMS.get(str(error), PROBLEMS["name_taken"])))
        return _admin_page(form, 400)
    return _code_page(practice, code, renewed=False)


@bp.post("/beheer/praktijken/<practice_id>/nieuwe-code")
@role_required(Role.BEHEERDER)
def renew(practice_id: str):
    """A new code for a practice (a lost or leaked one): the old code stops working at once."""
    practice = get_or_404(WorPractice, practice_id)
    return _code_page(practice, service.renew_code(practice), renewed=True)


@bp.post("/beheer/praktijken/<practice_id>/aan-uit")
@role_required(Role.BEHEERDER)
def switch(practice_id: str):
    """Switch a practice's code off (or on again); its referrals stay."""
    practice = get_or_404(WorPractice, practice_id)
    wanted = request.form.get("actief")
    if wanted not in ("ja", "nee"):
        return _admin_page(PracticeForm(formdata=None), 400, "switch")
    service.set_active(practice, wanted == "ja")
    flash(_("De praktijkcode van %(name)s werkt weer.", name=practice.name) if wanted == "ja" else
          _("De praktijkcode van %(name)s werkt niet meer.", name=practice.name), "success")
    return redirect(url_for("practices.admin"))


def _code_key() -> str:
    """Rate-limit key per practice code (hashed: no codes in the limiter's storage)."""
    typed = people.normalise_code(request.form.get("practice_code") or "")
    return "practice-code:" + hashlib.sha256(typed.encode()).hexdigest()


@bp.route("/verwijzen", methods=["GET", "POST"])
@limiter.limit(LOGIN_LIMIT_PER_IP, methods=["POST"])
@limiter.limit(LOGIN_LIMIT_PER_ACCOUNT, methods=["POST"], key_func=_code_key)
def refer():
    """Someone at a practice (a POH, an assistant) refers with the practice's code, without an account.
    After sending, the page shows only that it was sent and a reference: nothing of the patient."""
    form = PracticeReferralForm()
    if form.validate_on_submit():
        practice = service.by_code(form.practice_code.data)
        if practice is None:
            form.practice_code.errors.append(str(PROBLEMS["unknown_code"]))
        else:
            referral = wor.create(practice, form.patient_name.data, form.contact.data, form.reason.data,
                                  form.life_event.data or None, form.urgency.data)
            flash(_("Verstuurd. De welzijnscoach neemt contact op. Uw kenmerk is %(reference)s.",
                    reference=referral.reference), "success")
            return redirect(url_for("practices.refer"))
    return render_form("practices/refer.html", form)
