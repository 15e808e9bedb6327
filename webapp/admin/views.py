"""The beheerder: staff accounts. No resident data here."""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from webapp.admin.forms import StaffForm
from webapp.extensions import db
from webapp.models import User
from webapp.permissions import role_required
from webapp.services import people

bp = Blueprint("admin", __name__, url_prefix="/beheer")


@bp.get("")
@role_required("beheerder")
def home():
    staff = db.session.scalars(select(User).where(User.role != "bewoner").order_by(User.username)).all()
    labels = {choice.value: choice.label for choice in StaffForm.roles.kwargs["choices"]}
    return render_template("admin/home.html", staff=staff, role_labels=labels)


@bp.route("/medewerker-nieuw", methods=["GET", "POST"])
@role_required("beheerder")
def new_staff():
    form = StaffForm()
    if form.validate_on_submit():
        if people.username_taken(form.username.data.strip()):
            form.username.errors.append(_("Deze gebruikersnaam is al bezet. Kies een andere."))
        else:
            people.create_staff(
                form.username.data.strip(), form.password.data, form.roles.data, form.display_name.data.strip(),
                (form.organisation.data or "").strip() or None, (form.phone.data or "").strip() or None,
            )
            flash(_("Het account is gemaakt. Geef het eerste wachtwoord persoonlijk door."), "success")
            return redirect(url_for("admin.home"))
    return render_template("admin/new_staff.html", form=form), (400 if form.errors else 200)
