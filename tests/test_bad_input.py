"""Bad input gets a clear Dutch message and stores nothing."""

import pytest
from sqlalchemy import func, select

from tests.checkin_helpers import answer_steps, start_checkin
from webapp.core.extensions import db
from webapp.core.models import Checkin, Draft


def _draft_answers(app) -> dict:
    with app.app_context():
        return dict(db.session.scalar(select(Draft)).answers)


@pytest.fixture
def on_step_one(client, make_resident, login_as, kort_items):
    resident = make_resident()
    login_as(client, resident["user"])
    draft = start_checkin(client)
    answer_steps(client, draft, kort_items, upto=0)
    return draft, kort_items["lichaam"]


@pytest.mark.parametrize("value", ["11", "-1", "abc", "7.5", "1e1", " x", "10 0"])
def test_out_of_range_or_garbage_score_is_refused_and_nothing_saved(app, client, on_step_one, value):
    draft, items = on_step_one
    response = client.post_form(f"/checkin/{draft}/stap/1", {items[0]: value, items[1]: "5"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Kies een cijfer van 0 tot en met 10" in page
    assert "Er is nog niets opgeslagen" in page
    assert _draft_answers(app) == {}


def test_refused_step_keeps_what_the_resident_chose_on_screen(client, on_step_one):
    draft, items = on_step_one
    page = client.post_form(f"/checkin/{draft}/stap/1", {items[0]: "11", items[1]: "5"}).get_data(as_text=True)
    assert f'name="{items[1]}" value="5" checked' in page


def test_unknown_item_id_is_refused(app, client, on_step_one):
    draft, items = on_step_one
    response = client.post_form(f"/checkin/{draft}/stap/1", {items[0]: "5", "mentaal_humeur": "4"})
    assert response.status_code == 400
    assert "Er ging iets mis met dit formulier" in response.get_data(as_text=True)
    assert _draft_answers(app) == {}


def test_unknown_life_event_is_refused(app, client, make_resident, login_as):
    resident = make_resident()
    login_as(client, resident["user"])
    draft = start_checkin(client)
    for bad in ({"life_event": "loterij_gewonnen"}, {}):
        response = client.post_form(f"/checkin/{draft}/gebeurtenis", bad)
        assert response.status_code == 400
        assert "Kies wat er is gebeurd" in response.get_data(as_text=True)
        # The message is escaped like any text from the catalogue.
        assert "Kies dan &#39;Er is niets bijzonders gebeurd&#39;" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(Draft)).life_event is None


def test_missing_csrf_token_gives_session_expired_page(app, client, on_step_one):
    draft, items = on_step_one
    response = client.post(f"/checkin/{draft}/stap/1", data={items[0]: "5"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Uw sessie is verlopen" in page and "Er is niets opgeslagen" in page
    assert "Traceback" not in page
    assert _draft_answers(app) == {}


def test_a_form_sent_after_the_session_ended_leads_to_the_login_and_back_to_its_page(app, client, make_resident,
                                                                                 make_checkin, kort_items):
    """The page stayed open while the session ended (a background save noticed first, or another tab
    logged out): the form's token is gone. Not a bare error page with 'niets opgeslagen' beside the
    earlier 'is bewaard', but the login, and after it the same page."""
    from tests.conftest import all_answers, log_in

    owner = make_resident()
    checkin = make_checkin(owner["resident"], all_answers(kort_items, 5))
    log_in(client, owner["user"])
    token = client.csrf_token()
    client.get(client.post_form("/uitloggen").location)  # logged out in another tab; this page keeps its token
    response = client.post(f"/uitslag/{checkin}", data={"plan_step": "Wandelen", "csrf_token": token},
                           headers={"Referer": f"http://localhost/uitslag/{checkin}"})
    assert response.status_code == 302
    assert response.location == f"/inloggen?next=/uitslag/{checkin}"
    page = client.get(response.location).get_data(as_text=True)
    assert "Uw sessie is verlopen. Log opnieuw in." in page
    # A page shown after a failed POST has a POST-only URL: not a page to come back to.
    back = client.post(f"/uitslag/{checkin}", data={"csrf_token": token},
                       headers={"Referer": "http://localhost/volgende-check-in/herinnering"})
    assert back.location == "/inloggen"
    # A stranger's site as the referrer is not followed back.
    other = client.post(f"/uitslag/{checkin}", data={"csrf_token": token}, headers={"Referer": "https://evil.example/x"})
    assert other.location == "/inloggen"


def test_stale_csrf_token_from_another_session_is_refused(app, client, on_step_one):
    draft, items = on_step_one
    other = app.test_client()
    stale = other.csrf_token()
    response = client.post(f"/checkin/{draft}/stap/1", data={items[0]: "5", "csrf_token": stale})
    assert response.status_code == 400
    assert _draft_answers(app) == {}


def test_another_residents_draft_is_not_found(app, client, on_step_one, make_resident, login_as):
    draft, items = on_step_one
    intruder = app.test_client()
    login_as(intruder, make_resident()["user"])
    assert intruder.get(f"/checkin/{draft}/stap/1").status_code == 404
    assert intruder.post_form(f"/checkin/{draft}/stap/1", {items[0]: "0"}).status_code == 404
    assert intruder.post_form(f"/checkin/{draft}/versturen").status_code == 404
    assert intruder.post_form(f"/checkin/{draft}/weggooien").status_code == 404
    assert _draft_answers(app) == {}


def test_another_residents_result_chart_and_comparison_are_not_found(app, client, make_resident, login_as,
                                                                       make_checkin, kort_items):
    owner = make_resident()
    theirs = make_checkin(owner["resident"], {kort_items["lichaam"][0]: 5})
    me = make_resident()
    mine = make_checkin(me["resident"], {kort_items["lichaam"][0]: 5})
    login_as(client, me["user"])
    assert client.get(f"/uitslag/{theirs}").status_code == 404
    assert client.post_form(f"/uitslag/{theirs}", {"plan_step": "x"}).status_code == 404
    assert client.get(f"/grafiek/{theirs}.svg").status_code == 404
    assert client.get(f"/grafiek/{mine}.svg?vs={theirs}").status_code == 404
    assert client.get(f"/geschiedenis/vergelijken?a={mine}&b={theirs}").status_code == 404
    assert client.get("/uitslag/1").status_code == 404  # database ids are never URLs


def test_oversized_body_is_refused_with_a_dutch_page(app, client, on_step_one):
    draft, items = on_step_one
    response = client.post_form(f"/checkin/{draft}/stap/1", {items[0]: "5", "filler": "x" * 100_000})
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert "Te veel gegevens" in page and "veel te veel tekst" in page and "MB" not in page  # a form, not a file
    assert _draft_answers(app) == {}


def test_unknown_page_is_a_dutch_404(client):
    response = client.get("/bestaat-niet")
    assert response.status_code == 404
    assert "Pagina niet gevonden" in response.get_data(as_text=True)


def test_wrong_method_is_a_dutch_405(client):
    response = client.get("/uitloggen")
    assert response.status_code == 405
    assert "Dat kan zo niet" in response.get_data(as_text=True)


def test_unexpected_error_shows_no_stack_trace(app, client, make_resident, login_as, monkeypatch):
    from webapp.checkin import service as drafts

    def broken(*args, **kwargs):
        raise RuntimeError("database exploded")

    monkeypatch.setattr(drafts, "open_draft", broken)
    login_as(client, make_resident()["user"])
    app.config["PROPAGATE_EXCEPTIONS"] = False
    try:
        response = client.get("/")
    finally:
        app.config["PROPAGATE_EXCEPTIONS"] = None
    assert response.status_code == 500
    page = response.get_data(as_text=True)
    assert "Er ging iets mis" in page and "database exploded" not in page and "Traceback" not in page


def test_empty_value_counts_as_skipped_not_as_an_error(app, client, on_step_one):
    draft, items = on_step_one
    response = client.post_form(f"/checkin/{draft}/stap/1", {items[0]: "", items[1]: "5"})
    assert response.status_code == 302
    assert _draft_answers(app) == {items[0]: None, items[1]: 5}


def test_no_checkin_from_a_submit_without_token_even_when_the_draft_is_complete(app, client, make_resident,
                                                                                     login_as, kort_items):
    login_as(client, make_resident()["user"])
    draft = start_checkin(client)
    answer_steps(client, draft, kort_items)
    response = client.post(f"/checkin/{draft}/versturen", data={})
    assert response.status_code == 400
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Checkin)) == 0
