"""The blank paper questionnaire to print: one route for everyone (it holds no personal data)."""

from flask import Blueprint, Response, abort

from webapp.core.i18n import locale
from webapp.paper_form import service

bp = Blueprint("paper_form", __name__)


@bp.get("/vragenlijst-op-papier/<form>.pdf")
def blank(form: str):
    """The form "kort" or "eenvoudig" as a PDF to print; linked from the help page and the coach's resident page."""
    if form not in service.PAPER_FORMS:
        abort(404)
    body = service.blank_form_pdf(form, locale())
    return Response(body, mimetype="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="veerkracht-vragenlijst-{form}.pdf"'})
