"""Home visits: the long check-in done together on a tablet, hand-over, the conversation, the PDF."""

import io
import re
from datetime import date, timedelta

import pytest
from babel.dates import format_date
from pypdf import PdfReader
from sqlalchemy import select

from tests.checkin_helpers import draft_id_from
from tests.conftest import all_answers
from webapp.accounts import service as people
from webapp.core.extensions import db
from webapp.core.models import AuditEvent, Checkin, Draft

# The next check-in must lie between today and two years ahead: a date some weeks from now.
NEXT = date.today() + timedelta(days=43)
NEXT_LONG = format_date(NEXT, "d MMMM yyyy", locale="nl")


@pytest.fixture
def visit(app, client, make_resident, login_as):
    """A coach with an enrolled resident, logged in on the 'tablet' client."""
    with app.test_request_context():
        coach = people.create_staff("coach-v", "coach-wachtwoord-lang", ["ouderencoach"], "Marieke Jansen",
                                    "Welzijn Zuid", "010 123 45 67")
        resident = people.enrol_resident(coach, "mevr. T. Bakker", 1941, "Oosterflank", date(2026, 11, 1),
                                         "schriftelijk")
        db.session.commit()
        ids = {"coach": coach.public_id, "resident": resident.public_id}
    login_as(client, ids["coach"])
    return ids


def _uitgebreid_items(app) -> dict:
    with app.app_context():
        from webapp.core.definitions import current_questionnaire

        return current_questionnaire().form_item_ids("uitgebreid")


COACH_PASSWORD = "coach-wachtwoord-lang"


def _start_visit(client, resident_id) -> str:
    """"Check-in samen doen", then the hand-over page: from here the resident holds the tablet."""
    response = client.post_form(f"/coach/bewoner/{resident_id}/samen")
    assert response.status_code == 302 and response.location.endswith("/overdragen")
    assert client.get(response.location).status_code == 200
    return draft_id_from(response.location)


def _take_back(client, password=COACH_PASSWORD):
    """"Terug naar de coach": the coach's password opens the coach's screens again."""
    return client.post_form("/overdracht/terug", {"password": password})


def _finished_visit(app, client, resident_id, score=6) -> str:
    """A whole check-in together, sent and the tablet taken back: the result page's URL."""
    draft = _start_visit(client, resident_id)
    _answer_all(client, draft, _uitgebreid_items(app), score)
    url = client.post_form(f"/checkin/{draft}/versturen").location
    _take_back(client)
    return url


def _answer_all(client, draft, items, score=6):
    assert client.post_form(f"/checkin/{draft}/gebeurtenis", {"life_event": "verhuizing"}).status_code == 302
    for step, item_ids in enumerate(items.values(), start=1):
        data = {item: str(score) for item in item_ids}
        assert client.post_form(f"/checkin/{draft}/stap/{step}", data).status_code == 302


def test_visit_uses_the_long_form_and_records_the_coach(app, client, visit):
    items = _uitgebreid_items(app)
    draft = _start_visit(client, visit["resident"])
    page = client.get(f"/checkin/{draft}/overdragen").get_data(as_text=True)
    assert "Geef de tablet nu aan mevr. T. Bakker" in page
    _answer_all(client, draft, items)
    step_page = client.get(f"/checkin/{draft}/stap/1").get_data(as_text=True)
    assert step_page.count('<fieldset class="item') == 4  # four questions per pillar in the long form
    response = client.post_form(f"/checkin/{draft}/versturen")
    result = client.get(response.location).get_data(as_text=True)
    assert "Geef de tablet terug aan uw coach" in result and "Het gesprek" not in result
    assert _take_back(client).location == response.location + "#plan"
    assert "Het gesprek" in client.get(response.location).get_data(as_text=True)
    with app.app_context():
        checkin = db.session.scalar(select(Checkin))
        assert (checkin.form, checkin.mode) == ("uitgebreid", "samen")
        assert checkin.coach_id is not None and len(checkin.answers) == 24


def test_coach_sees_no_answers_before_the_resident_taps_klaar(app, client, visit, login_as):
    items = _uitgebreid_items(app)
    draft = _start_visit(client, visit["resident"])
    _answer_all(client, draft, items, score=3)
    # The same coach on another device (e.g. their phone) cannot open the check-in in progress.
    other_device = app.test_client()
    login_as(other_device, visit["coach"])
    for url in (f"/checkin/{draft}/stap/1", f"/checkin/{draft}/klaar", f"/checkin/{draft}/overdragen"):
        assert other_device.get(url).status_code == 404
    resident_page = other_device.get(f"/coach/bewoner/{visit['resident']}").get_data(as_text=True)
    assert "De antwoorden ziet u pas als de bewoner op 'Klaar' tikt" in resident_page
    assert "uitslag" not in resident_page.lower().split("check-ins")[-1]  # no result link yet
    with app.app_context():
        assert db.session.scalar(select(Checkin)) is None
    # After "Klaar" the result is there for the coach, on any device.
    location = client.post_form(f"/checkin/{draft}/versturen").location
    assert other_device.get(location).status_code == 200


def test_resident_draft_and_visit_draft_do_not_mix(app, client, visit, make_resident, login_as):
    draft = _start_visit(client, visit["resident"])
    _take_back(client)
    again = _start_visit(client, visit["resident"])
    assert again == draft  # the coach resumes the same home visit


def test_conversation_saves_notes_and_next_date_with_defaults(app, client, visit):
    checkin_url = _finished_visit(app, client, visit["resident"])
    response = client.post_form(checkin_url, {
        "plan_important": "Mijn tuin", "plan_pillar": "meedoen", "plan_step": "Naar de eettafel op woensdag",
        "plan_helper": "Buurvrouw Els", "coach_notes": "Wil meer onder de mensen komen.", "rhythm": "waakvlam",
    })
    assert response.status_code == 302
    with app.app_context():
        checkin = db.session.scalar(select(Checkin))
        assert checkin.rhythm == "waakvlam"
        assert checkin.next_checkin_on == date.today() + timedelta(weeks=13)
        assert checkin.coach_notes == "Wil meer onder de mensen komen."
    client.post_form(checkin_url, {"rhythm": "gewoon", "next_checkin_on": NEXT.isoformat()})
    with app.app_context():
        assert db.session.scalar(select(Checkin.next_checkin_on)) == NEXT
    assert NEXT_LONG in client.get(f"/coach/bewoner/{visit['resident']}").get_data(as_text=True)


def test_a_pillar_has_one_name_on_a_page_with_the_official_one_beside_it_for_staff(
        client, make_resident, login_as, make_checkin, kort_items, make_staff):
    """The spider chart writes the plain words ("Gevoel"); the table under it said "Mentaal
    welbevinden" to the coach, so the two could not be matched while pointing at the chart."""
    owner = make_resident()
    checkin = make_checkin(owner["resident"], all_answers(kort_items, 5))
    login_as(client, owner["user"])
    own = client.get(f"/uitslag/{checkin}").get_data(as_text=True)
    assert ">Gevoel<" in own and "Gevoel (Mentaal welbevinden)" not in own  # (full names only on request)
    login_as(client, make_staff(name="W", share_with=(owner["resident"],))["user"])
    staff = client.get(f"/uitslag/{checkin}").get_data(as_text=True)
    assert "Gevoel (Mentaal welbevinden)" in staff and "Meedoen (Meedoen)" not in staff


def test_only_the_visiting_coach_writes_the_conversation(app, client, make_resident, login_as, make_checkin,
                                                         kort_items, make_staff):
    owner = make_resident()
    checkin = make_checkin(owner["resident"], all_answers(kort_items, 5))
    coach_id = make_staff(name="W", share_with=(owner["resident"],))["user"]
    login_as(client, coach_id)
    assert client.post_form(f"/uitslag/{checkin}", {"coach_notes": "x"}).status_code == 403


def test_resident_sees_next_checkin_date_on_home_page(app, client, make_resident, login_as, make_checkin,
                                                      kort_items):
    resident = make_resident()
    checkin = make_checkin(resident["resident"], all_answers(kort_items, 5))
    with app.app_context():
        stored = db.session.scalar(select(Checkin).where(Checkin.public_id == checkin))
        stored.next_checkin_on = date(2027, 1, 5)
        db.session.commit()
    login_as(client, resident["user"])
    assert "Uw volgende check-in: 5 januari 2027" in client.get("/").get_data(as_text=True)


def test_summary_pdf_holds_scores_step_next_date_and_coach(app, client, visit, login_as):
    items = _uitgebreid_items(app)
    first = _start_visit(client, visit["resident"])
    _answer_all(client, first, items, score=4)
    client.post_form(f"/checkin/{first}/versturen")
    _take_back(client)
    second = _start_visit(client, visit["resident"])
    _answer_all(client, second, items, score=7)
    url = client.post_form(f"/checkin/{second}/versturen").location
    _take_back(client)
    client.post_form(url, {"plan_step": "Naar de eettafel op woensdag", "plan_helper": "Buurvrouw Els",
                           "next_checkin_on": NEXT.isoformat(), "rhythm": "gewoon"})
    response = client.get(f"{url}/samenvatting.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(response.data))
    assert len(reader.pages) == 1
    width, height = (float(v) for v in reader.pages[0].mediabox[2:])
    assert (round(width), round(height)) == (595, 842)  # A4 in points
    text = re.sub(r"\s+", " ", reader.pages[0].extract_text())
    # The pillars in the resident's words, as the chart beside the table writes them.
    for expected in ("Lichaam 7,0 (eerder 4,0)", "Naar de eettafel op woensdag", "Buurvrouw Els",
                     NEXT_LONG, "Marieke Jansen", "010 123 45 67", "mevr. T. Bakker"):
        assert expected in text, expected
    with app.app_context():
        assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "summary.export")) is not None


def test_summary_pdf_names_the_activities_it_has_no_room_for(app, client, visit):
    """Four activities chosen at the visit: two fit on the page, the other two are not left off silently."""
    from webapp.core.models import Activity

    url = _finished_visit(app, client, visit["resident"])
    with app.app_context():
        for name in ("Koffieochtend De Schakel", "Eettafel Oosterhof", "Wandelgroep", "Koor"):
            db.session.add(Activity(name=name, organisation="Welzijn", description="Samen.", pillars=["meedoen"],
                                    last_verified_on=date.today()))
        db.session.commit()
        ids = [a.public_id for a in db.session.scalars(select(Activity).order_by(Activity.id))]
    for activity in ids:
        assert client.post_form(f"{url}/proberen/{activity}").status_code == 302
    reader = PdfReader(io.BytesIO(client.get(f"{url}/samenvatting.pdf").data))
    text = re.sub(r"\s+", " ", reader.pages[0].extract_text())
    assert "Koffieochtend De Schakel" in text and "Eettafel Oosterhof" in text  # the first ones chosen
    assert "En nog 2 andere activiteiten. U ziet ze in Veerkracht." in text


def test_summary_pdf_follows_the_permission_of_its_page(app, client, visit, make_resident, login_as, kort_items,
                                                        make_checkin):
    other = make_resident()
    theirs = make_checkin(other["resident"], all_answers(kort_items, 5))
    assert client.get(f"/uitslag/{theirs}/samenvatting.pdf").status_code == 404


def test_bad_conversation_input_stores_nothing(app, client, visit):
    url = _finished_visit(app, client, visit["resident"])
    for bad in ({"next_checkin_on": "volgende week"}, {"coach_notes": "x" * 2001}, {"rhythm": "elke dag"},
                {"plan_pillar": "geluk"}):
        response = client.post_form(url, {"plan_step": "Wandelen", **bad})
        assert response.status_code == 200 and 'class="error"' in response.get_data(as_text=True), bad
    with app.app_context():
        checkin = db.session.scalar(select(Checkin))
        assert (checkin.plan_step, checkin.coach_notes, checkin.next_checkin_on) == (None, None, None)


def test_check_in_together_continues_only_on_the_device_where_it_began(app, client, visit, login_as):
    """The text says so and the behaviour agrees: another device can only start again, after a confirmation."""
    resident = visit["resident"]
    draft = _start_visit(client, resident)
    _take_back(client)
    here = client.get(f"/coach/bewoner/{resident}").get_data(as_text=True)
    assert "bezig op dit apparaat" in here and "Verder op dit apparaat" in here
    assert "Opnieuw beginnen op dit apparaat" not in here

    phone = app.test_client()
    login_as(phone, visit["coach"])
    page = phone.get(f"/coach/bewoner/{resident}").get_data(as_text=True)
    assert "op een ander apparaat. Verder gaan kan alleen op dat apparaat." in page
    assert "Verder op dit apparaat" not in page and "Opnieuw beginnen op dit apparaat" in page
    # "Check-in samen doen" posted from a stale page does not open the other device's answers.
    response = phone.post_form(f"/coach/bewoner/{resident}/samen")
    assert response.location.endswith(f"/coach/bewoner/{resident}/samen/opnieuw")
    confirm = phone.get(response.location)
    assert confirm.status_code == 200
    assert "worden weggegooid" in confirm.get_data(as_text=True)
    assert phone.get(f"/checkin/{draft}/stap/1").status_code == 404
    with app.app_context():
        assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "checkin.discard")) is None

    # Confirmed: the old answers are thrown away (audited), a new check-in starts on the phone.
    started = phone.post_form(f"/coach/bewoner/{resident}/samen/opnieuw")
    assert started.location.endswith("/overdragen")
    new_draft = draft_id_from(started.location)
    assert new_draft != draft and phone.get(started.location).status_code == 200
    with app.app_context():
        assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "checkin.discard")) is not None
    # The tablet cannot go on with the old one, and is now the other device itself.
    assert client.get(f"/checkin/{draft}/stap/1").status_code == 404
    assert client.post_form(f"/coach/bewoner/{resident}/samen").location.endswith("/samen/opnieuw")


def test_a_check_in_together_stopped_half_way_here_can_start_again_after_a_question(app, client, visit):
    """The resident stopped part-way: its old answers must not carry into the next visit."""
    resident = visit["resident"]
    draft = _start_visit(client, resident)
    _take_back(client)
    here = client.get(f"/coach/bewoner/{resident}").get_data(as_text=True)
    assert "Verder op dit apparaat" in here and f"/coach/bewoner/{resident}/samen/opnieuw" in here
    confirm = client.get(f"/coach/bewoner/{resident}/samen/opnieuw").get_data(as_text=True)
    assert "op dit apparaat, en is nog niet klaar" in confirm and "Ja, opnieuw beginnen" in confirm
    assert "op een ander apparaat" not in confirm
    with app.app_context():  # asking threw nothing away
        assert db.session.scalar(select(Draft).where(Draft.public_id == draft)) is not None
    started = client.post_form(f"/coach/bewoner/{resident}/samen/opnieuw")
    assert started.location.endswith("/overdragen") and draft_id_from(started.location) != draft
    assert "De antwoorden tot nu toe zijn weggegooid." in client.get(started.location).get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(Draft).where(Draft.public_id == draft)) is None
        assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "checkin.discard")) is not None


@pytest.mark.parametrize("form, words", [(None, "De uitgebreide vragenlijst, op deze tablet."),
                                         ("eenvoudig", "De eenvoudige vragenlijst met gezichtjes, op deze tablet."),
                                         ("heel_eenvoudig", "De heel eenvoudige vragenlijst met 3 gezichtjes")])
def test_the_resident_page_names_the_form_a_check_in_together_will_use(app, client, visit, form, words):
    from webapp.checkin import service as drafts
    from webapp.core.models import Resident

    with app.app_context():
        drafts.set_preferred_form(db.session.scalar(select(Resident).where(Resident.public_id == visit["resident"])),
                                  form)
        db.session.commit()
    assert words in client.get(f"/coach/bewoner/{visit['resident']}").get_data(as_text=True)


def test_a_session_that_times_out_while_the_resident_holds_the_tablet_tells_her_to_hand_it_back(
        app, client, visit):
    """The login page is the coach's (password and app code): the resident is not asked to log in."""
    from datetime import UTC, datetime, timedelta

    draft = _start_visit(client, visit["resident"])
    app.config["CLOCK"] = lambda: datetime.now(UTC) + timedelta(hours=1)
    try:
        response = client.get(f"/checkin/{draft}/gebeurtenis")
    finally:
        app.config.pop("CLOCK")
    assert response.location.startswith("/inloggen")
    page = client.get(response.location).get_data(as_text=True)
    assert "Geef de tablet terug aan uw coach. De coach logt opnieuw in" in page
    assert "Log opnieuw in. Uw antwoorden zijn bewaard." not in page


def test_restart_without_a_valid_form_changes_nothing(app, client, visit, login_as):
    draft = _start_visit(client, visit["resident"])
    _take_back(client)
    phone = app.test_client()
    login_as(phone, visit["coach"])
    response = phone.post(f"/coach/bewoner/{visit['resident']}/samen/opnieuw", data={})  # no CSRF token
    assert response.status_code == 400
    assert client.get(f"/checkin/{draft}/stap/1").status_code != 404  # the tablet still holds it
    with app.app_context():
        assert db.session.scalar(select(Draft).where(Draft.public_id == draft)) is not None
