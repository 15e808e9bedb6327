"""Logs without personal data: one JSON line per request, and a request id a coach can quote."""

import io
import json
import logging
import re
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from tests.checkin_helpers import answer_steps, draft_id_from, start_checkin
from tests.conftest import log_in_with_form
from webapp import demo
from webapp.core.definitions import current_questionnaire
from webapp.core.extensions import db
from webapp.core.models import Checkin, Draft, Resident, User
from webapp.core.requestlog import JsonFormatter

# What the people in this test type: none of it may reach a log.
TYPED = ["Mijn zus weer vaker zien", "Samen naar de markt op zaterdag", "Mijn zoon Pieter", "Tuinieren met Joop",
         "Praat graag over haar man Kees", "Wil meer onder de mensen komen, slaapt slecht"]


@pytest.fixture
def captured_log(app):
    """Everything the app and its libraries log during the test, formatted as in production."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    loggers = [logging.getLogger(), logging.getLogger("veerkracht.requests"), app.logger]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.addHandler(handler)
        lg.setLevel(logging.DEBUG if lg is not loggers[0] else logging.INFO)
    yield stream
    for lg, level in zip(loggers, levels, strict=True):
        lg.removeHandler(handler)
        lg.setLevel(level)


def _items(app, form: str) -> dict:
    with app.app_context():
        return current_questionnaire().form_item_ids(form)


def test_a_check_in_a_home_visit_and_the_impact_page_leave_no_personal_data_in_the_log(app, captured_log):
    with app.test_request_context():
        demo.seed_demo()
        db.session.commit()
        anna = db.session.scalar(select(Resident).join(User, User.id == Resident.user_id)
                                 .where(User.username == "anna")).public_id
        bakker = db.session.scalar(select(Resident).where(Resident.display_name == "mevr. T. Bakker")).public_id

    # anna does a check-in on her phone and writes her plan.
    phone = app.test_client()
    assert log_in_with_form(app, phone, "anna", demo.DEMO_PASSWORD).status_code == 302
    draft = start_checkin(phone)
    answer_steps(phone, draft, _items(app, "kort"), default=3, talk=("lichaam_1",))
    result = phone.post_form(f"/checkin/{draft}/versturen").location
    assert phone.post_form(result, {"plan_important": TYPED[0], "plan_pillar": "meedoen", "plan_step": TYPED[1],
                                    "plan_helper": TYPED[2]}).status_code == 302
    assert phone.get(result).status_code == 200
    phone.get("/geschiedenis")

    # marieke visits mevr. Bakker with the tablet: the long form together, then the conversation.
    tablet = app.test_client()
    assert log_in_with_form(app, tablet, "marieke", demo.DEMO_PASSWORD).status_code == 302
    assert tablet.get("/coach").status_code == 200
    assert tablet.get(f"/coach/bewoner/{anna}").status_code == 200
    visit = draft_id_from(tablet.post_form(f"/coach/bewoner/{bakker}/samen").location)
    tablet.get(f"/checkin/{visit}/overdragen")
    assert tablet.post_form(f"/checkin/{visit}/gebeurtenis", {"life_event": "verhuizing"}).status_code == 302
    for step, item_ids in enumerate(_items(app, "uitgebreid").values(), start=1):
        tablet.post_form(f"/checkin/{visit}/stap/{step}", {item: "2" for item in item_ids})
    visit_result = tablet.post_form(f"/checkin/{visit}/versturen").location
    assert tablet.post_form(visit_result, {"plan_important": TYPED[3], "plan_pillar": "meedoen",
                                           "plan_step": TYPED[1], "plan_helper": TYPED[2],
                                           "coach_notes": TYPED[4] + ". " + TYPED[5],
                                           "rhythm": "gewoon"}).status_code == 302
    tablet.get(f"{visit_result}/samenvatting.pdf")

    # The beheerder looks at the Impact figures.
    desk = app.test_client()
    assert log_in_with_form(app, desk, "beheer", demo.DEMO_PASSWORD).status_code == 302
    assert desk.get("/beheer/impact").status_code == 200
    desk.get("/beheer/impact.csv")
    assert desk.get("/geen-pagina").status_code == 404

    log = captured_log.getvalue()
    with app.app_context():
        people = db.session.scalars(select(User)).all()
        needles = {u.username for u in people} | {u.display_name for u in people if u.display_name}
        needles |= {r.display_name for r in db.session.scalars(select(Resident)) if r.display_name}
        needles |= set(db.session.scalars(select(Resident.public_id)))
        needles |= set(db.session.scalars(select(Checkin.public_id))) | set(db.session.scalars(select(Draft.public_id)))
        needles |= {text for c in db.session.scalars(select(Checkin)) for text in
                    (c.plan_important, c.plan_step, c.plan_helper, c.coach_notes) if text}
    needles |= set(TYPED) | {demo.DEMO_PASSWORD, "127.0.0.1", draft, visit}
    needles |= {item for items in _items(app, "uitgebreid").values() for item in items}  # answers go with their ids
    assert "anna" in needles and "mevr. T. Bakker" in needles and TYPED[4] in needles
    found = [n for n in needles if re.search(rf"(?<![\w-]){re.escape(n)}(?![\w-])", log, re.IGNORECASE)]
    assert found == []
    lines = [json.loads(line) for line in log.splitlines()]
    requests = [line for line in lines if line.get("logger") == "veerkracht.requests"]
    assert len(requests) > 40
    for line in requests:
        assert set(line) == {"time", "level", "logger", "request_id", "method", "endpoint", "status",
                             "duration_ms", "role"}
        assert re.fullmatch(r"[a-z2-9]{4}-[a-z2-9]{4}", line["request_id"])
    assert {"bewoner", "ouderencoach", "beheerder", "anonymous"} <= {line["role"] for line in requests}
    assert {"checkin.submit", "visits.handover", "impact.page", None} <= {line["endpoint"] for line in requests}
    assert {302, 200, 404} <= {line["status"] for line in requests}



def test_an_error_page_shows_the_request_id_of_its_log_line(app, client, captured_log):
    response = client.get("/bestaat-niet")
    assert response.status_code == 404
    request_id = response.headers["X-Request-ID"]
    assert f"<strong>{request_id}</strong>" in response.get_data(as_text=True)
    assert "Noem dan deze code" in response.get_data(as_text=True)
    line = json.loads(captured_log.getvalue().splitlines()[-1])
    assert (line["request_id"], line["status"], line["endpoint"]) == (request_id, 404, None)


def test_an_unexpected_error_is_logged_with_the_request_id_on_the_page(app, captured_log):
    from tests.conftest import CHEAP_ARGON2
    from webapp import create_app

    broken = create_app({"TESTING": False, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": app.config[
        "SQLALCHEMY_DATABASE_URI"], "ARGON2": CHEAP_ARGON2, "BACKUP_KEY_FILE": None})

    @broken.get("/stuk")
    def _stuk():
        raise RuntimeError("stuk")

    response = broken.test_client().get("/stuk")
    assert response.status_code == 500
    request_id = response.headers["X-Request-ID"]
    assert request_id in response.get_data(as_text=True)
    lines = [json.loads(line) for line in captured_log.getvalue().splitlines()]
    error = next(line for line in lines if line.get("level") == "error")
    assert error["request_id"] == request_id and "RuntimeError" in error["error"]
    assert lines[-1]["status"] == 500 and lines[-1]["request_id"] == request_id
    with broken.app_context():
        db.session.remove()
        db.engine.dispose()


def test_the_request_line_names_the_route_not_the_url(app, client, make_resident, login_as, captured_log):
    owner = make_resident()
    login_as(client, owner["user"])
    client.get("/geschiedenis")
    line = json.loads(captured_log.getvalue().splitlines()[-1])
    assert line["endpoint"] == "results.history" and line["role"] == "bewoner" and line["method"] == "GET"
    assert owner["resident"] not in captured_log.getvalue()
    assert urlsplit("/geschiedenis").path not in json.dumps(line)
