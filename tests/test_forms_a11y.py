"""Every form page after a failed submit: "Fout:" in the title, a summary that takes the focus and
links to each field, each field's error tied to it; no repeated ids; Dutch content marked as Dutch."""

import re

from tests.test_activities import csv_bytes, line
from webapp.core.extensions import db
from webapp.sociale_kaart import service as activities


def test_a_failed_login_has_fout_in_the_title_and_a_summary_linking_to_the_field(client, make_resident):
    make_resident("anna")
    page = client.post_form("/inloggen", {"username": "anna", "password": "fout"}).get_data(as_text=True)
    assert re.search(r"<title>Fout: Inloggen", page)
    summary = page[page.index('class="error-summary"'):page.index("</div>", page.index('class="error-summary"'))]
    assert 'tabindex="-1"' in summary and "autofocus" in summary and 'href="#password"' in summary
    assert 'id="password"' in page and 'aria-invalid="true"' in page and 'aria-describedby="password-error"' in page


def test_a_choice_group_error_is_tied_to_each_option(client, make_resident, make_checkin, login_as, kort_items):
    from tests.conftest import all_answers

    resident = make_resident()
    checkin = make_checkin(resident["resident"], all_answers(kort_items, 6))
    login_as(client, resident["user"])
    page = client.post_form(f"/uitslag/{checkin}", {"plan_pillar": "bestaat-niet"}).get_data(as_text=True)
    assert 'id="plan_pillar-error"' in page  # the plan's pillar choice is refused ...
    assert page.count('aria-describedby="plan_pillar-error"') == 6  # ... on each of the six options
    assert 'href="#plan_pillar-0"' in page and "<title>Fout:" in page


def test_no_page_repeats_the_csrf_token_id(client, make_resident, login_as):
    login_as(client, make_resident()["user"])
    for url in ("/account", "/inloggen", "/"):
        assert 'id="csrf_token"' not in client.get(url).get_data(as_text=True), url


def test_dutch_activity_texts_are_marked_dutch_on_english_pages(app, client):
    with app.app_context():
        activities.import_csv(csv_bytes(line(name="Wandelgroep Centrum")))
        db.session.commit()
    client.post_form("/taal", {"lang": "en"})
    page = client.get("/wat-is-er-te-doen").get_data(as_text=True)
    assert '<html lang="en">' in page
    assert re.search(r'lang="nl">Wandelgroep Centrum<', page)
    assert '<p lang="nl">Samen wandelen in het park.' in page


def test_the_staff_table_can_be_reached_by_keyboard(client, make_staff, login_as):
    login_as(client, make_staff("beheerder")["user"])
    page = client.get("/beheer").get_data(as_text=True)
    assert 'class="table-wrap" tabindex="0" role="region" aria-labelledby="staff-caption"' in page
    assert 'id="staff-caption"' in page


def test_the_score_screen_tells_keyboard_users_about_the_arrow_keys(client, make_resident, login_as, kort_items):
    from tests.checkin_helpers import start_checkin

    login_as(client, make_resident()["user"])
    draft = start_checkin(client)
    client.post_form(f"/checkin/{draft}/gebeurtenis", {"life_event": "geen"})
    page = client.get(f"/checkin/{draft}/stap/1").get_data(as_text=True)
    assert 'class="hint keyboard-hint"' in page and "pijltjestoetsen" in page
