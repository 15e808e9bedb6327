"""What is printed: the A4 summary (the chosen activity, the next check-in, 15 mm from every edge) and
the activation and reset sheets (where to go)."""

import io
import re
from datetime import date

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from tests import test_visits
from tests.pdf_extents import MM, ink_boxes, too_close
from tests.test_visits import NEXT, NEXT_LONG, _answer_all, _start_visit, _take_back, _uitgebreid_items
from webapp.core.charts import spider_svg
from webapp.core.extensions import db
from webapp.core.models import Activity, Checkin, Referral, Resident
from webapp.core.pdf import font_files
from webapp.results.summary_pdf import Summary, summary_pdf

visit = test_visits.visit
PILLARS = ["Lichaamsfuncties", "Mentaal welbevinden", "Zingeving", "Kwaliteit van leven", "Meedoen",
           "Dagelijks functioneren"]


def _text(pdf: bytes) -> str:
    return re.sub(r"\s+", " ", PdfReader(io.BytesIO(pdf)).pages[0].extract_text())


@pytest.fixture
def visit_with_activity(app, client, visit):
    """A finished home visit at which the resident chose a walking group; the conversation saved."""
    draft = _start_visit(client, visit["resident"])
    _answer_all(client, draft, _uitgebreid_items(app), score=5)
    result = client.post_form(f"/checkin/{draft}/versturen").location
    _take_back(client)
    with app.app_context():
        activity = Activity(name="Wandelgroep De Stappers", organisation="Welzijn Zuid", description="Samen lopen.",
                            pillars=["lichaam"], schedule="Elke dinsdag om 10.00 uur", address="Parklaan 12",
                            city="Rotterdam", organisation_phone="010 222 33 44", last_verified_on=date.today())
        db.session.add(activity)
        db.session.commit()
        activity_id = activity.public_id
    checkin = result.rsplit("/", 1)[-1]
    assert client.post_form(f"/uitslag/{checkin}/proberen/{activity_id}").status_code in (302, 303)
    client.post_form(result, {"plan_step": "Dinsdag meelopen met de wandelgroep", "plan_helper": "Buurman Piet",
                              "next_checkin_on": NEXT.isoformat(), "rhythm": "gewoon"})
    return result


def test_summary_shows_the_chosen_activity_and_the_next_checkin(app, client, visit_with_activity):
    response = client.get(f"{visit_with_activity}/samenvatting.pdf")
    assert response.status_code == 200
    text = _text(response.data)
    for expected in ("Wat u gaat proberen", "Wandelgroep De Stappers", "Wanneer: Elke dinsdag om 10.00 uur",
                     "Waar: Parklaan 12, Rotterdam", "Bellen: 010 222 33 44", "Volgende check-in", NEXT_LONG,
                     "Dinsdag meelopen met de wandelgroep", "Marieke Jansen"):
        assert expected in text, expected


def test_nothing_on_the_summary_comes_closer_than_15_mm_to_the_edge(app, client, visit_with_activity):
    pdf = client.get(f"{visit_with_activity}/samenvatting.pdf").data
    boxes = ink_boxes(pdf)
    assert {kind for kind, *_ in boxes} == {"path", "text", "xobject"}  # the parser saw the whole page
    assert len([b for b in boxes if b[0] == "text"]) > 30
    assert too_close(pdf, 15) == []


def test_long_answers_stay_inside_the_margins_and_on_one_page():
    long_word = "Ontzettendlangwoordzonderspatiesdatnergensoppastookniet" * 2
    chart = spider_svg(PILLARS, [10, 0, None, 4.5, 8, 3], [0, 10, 5, None, 4, 4], "Nu", "Vorige keer").decode()
    summary = Summary(
        title="Hoe gaat het met u? " * 4, subtitle="mevr. Van den Berg-Hoogendoorn · " * 6, chart_svg=chart,
        chart_alt="Spinnenweb", score_header=("Onderdeel", "Cijfer"), score_heading="Uw cijfers (0 tot en met 10)",
        score_rows=[(name * 3, "te weinig ingevuld (eerder te weinig ingevuld)") for name in PILLARS],
        sections=[("Wat is voor u belangrijk? " * 3, "Mijn kleinkinderen zien en samen koken. " * 30)] * 4
        + [("Stap", long_word)],
        side_sections=[("Volgende check-in", "5 januari 2027"),
                       ("Wat u gaat proberen", "\n".join([long_word, "Wanneer: " + "elke week " * 20,
                                                          "Waar: " + "Parklaan 12 " * 10, "Bellen: 010 222 33 44"]))]
        * 3,
        footer="Veerkracht is geïnspireerd op de zes dimensies van Positieve Gezondheid (Huber). " * 3,
    )
    pdf = summary_pdf(summary)
    assert len(PdfReader(io.BytesIO(pdf)).pages) == 1
    assert too_close(pdf, 15) == []


def test_the_margin_check_finds_ink_near_the_edge():
    """The check itself, on a page Typst writes as it writes ours: a page-sized box and a word 3 mm from
    the left edge are caught, a word in the middle is not."""
    import typst

    source = b"""#set page(paper: "a4", margin: 0mm, fill: none)
#set text(font: "DejaVu Sans")
#place(top + left, rect(width: 100%, height: 100%, fill: white))
#place(left + horizon, dx: 3mm, [te dicht bij de rand])
#place(center + horizon, [midden])"""
    pdf = typst.compile(source, font_paths=typst.Fonts(include_system_fonts=False, font_paths=[
        str(font_files()[0].parent)]), ignore_system_fonts=True)
    close = too_close(pdf, 15)
    assert any(kind == "path" for kind, *_ in close)  # the page-sized box
    texts = [box for box in close if box[0] == "text"]
    assert len(texts) == 1 and texts[0][1] / MM < 5


def test_activation_sheet_says_where_to_go(app, client, visit):
    app.config["PUBLIC_URL"] = "https://veerkracht.voorbeeld.nl/"
    try:
        page = client.post_form(f"/coach/bewoner/{visit['resident']}/activatiecode").get_data(as_text=True)
    finally:
        app.config["PUBLIC_URL"] = "http://localhost:5000"
    assert '<strong class="address">veerkracht.voorbeeld.nl/activeren</strong>' in page


def test_reset_sheet_says_where_to_go(app, client, visit, make_resident):
    with app.app_context():
        resident = db.session.scalar(select(Resident).where(Resident.public_id == visit["resident"]))
        from webapp.core.models import User

        user = User(username="tbakker", password_hash="x")
        db.session.add(user)
        db.session.flush()
        resident.user_id = user.id
        db.session.commit()
    page = client.post_form(f"/coach/bewoner/{visit['resident']}/herstelcode").get_data(as_text=True)
    assert '<strong class="address">http://localhost:5000/wachtwoord-herstellen</strong>' in page


def test_the_referral_of_the_visit_is_the_one_printed(app, client, visit_with_activity):
    with app.app_context():
        referral = db.session.scalar(select(Referral))
        checkin = db.session.scalar(select(Checkin))
        assert referral.checkin_id == checkin.id
