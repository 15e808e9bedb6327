"""The blank paper questionnaire: a visitor finds it on the help page on a phone, a coach on a resident's page."""

from datetime import date

import pytest
from playwright.sync_api import expect

from tests.conftest import STAFF_PASSWORD
from tests.e2e.conftest import staff_log_in
from tests.pdf_tags import catalog
from webapp.accounts import service as people
from webapp.core.extensions import db
from webapp.core.models import User

pytestmark = pytest.mark.e2e


def _fetched_pdf(page, link) -> bytes:
    """Fetch what a link points at with the page's cookies, as a tap would; return the PDF's bytes. (Reading
    the body of a response the page itself fetched hangs in Playwright for a logged-in coach's page.)"""
    response = page.request.get(link.get_attribute("href"))
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    return response.body()


@pytest.mark.parametrize("width", [320, 390, 430])
def test_a_visitor_prints_the_easy_form_from_the_help_page(new_page, width):
    page = new_page(viewport={"width": width, "height": 800})
    page.goto("/uitleg")
    expect(page.get_by_role("heading", name="Liever op papier?")).to_be_visible()
    link = page.get_by_role("link", name="Vragenlijst met plaatjes en gezichtjes (PDF)")
    expect(link).to_be_visible()
    facts = catalog(_fetched_pdf(page, link))
    assert facts["marked"] and facts["lang"] == "nl" and facts["ua_part"] == "1"


def test_a_coach_finds_the_blank_forms_on_a_residents_page(new_page, app, make_staff):
    coach = make_staff("ouderencoach")
    with app.app_context():
        user = db.session.scalar(db.select(User).where(User.public_id == coach["user"]))
        resident = people.enrol_resident(user, "dhr. P. Smit", 1938, "Centrum", date.today(), "mondeling")
        db.session.commit()
        resident_id = resident.public_id
    page = new_page(viewport={"width": 1024, "height": 768})
    staff_log_in(page, coach["username"], STAFF_PASSWORD)
    page.goto(f"/coach/bewoner/{resident_id}")
    for name in ("Kort (PDF)", "Eenvoudig, met plaatjes (PDF)"):
        link = page.get_by_role("link", name=name)
        expect(link).to_be_visible()
        assert _fetched_pdf(page, link).startswith(b"%PDF-")
