"""When did the life-event happen? Asked as month and year (or "weet ik niet"); "kort geleden" only
within three months; weeks since the event on the coach's progress page count from that month."""

from datetime import date

import pytest
from sqlalchemy import select

from tests.checkin_helpers import complete_checkin, start_checkin
from tests.test_activities import csv_bytes, line
from webapp.checkin.rules import event_years, parse_event_month
from webapp.core.clock import months_between
from webapp.core.extensions import db
from webapp.core.models import Checkin, Draft
from webapp.sociale_kaart import service as activities

TODAY = date(2026, 12, 3)


def test_parse_event_month():
    assert parse_event_month("", "", TODAY) is None
    assert parse_event_month("11", "2026", TODAY) == date(2026, 11, 1)
    assert parse_event_month("12", "2026", TODAY) == date(2026, 12, 1)  # this month is fine
    for month, year, problem in (("3", "", "half"), ("", "2025", "half"), ("13", "2026", "invalid"),
                                 ("1", "1999", "invalid"), ("１", "2026", "invalid"), ("1", "20260", "invalid"),
                                 ("1", "2027", "invalid"), ("x", "2026", "invalid")):
        with pytest.raises(ValueError, match=problem):
            parse_event_month(month, year, TODAY)
    with pytest.raises(ValueError, match="future"):
        parse_event_month("12", "2026", date(2026, 11, 30))
    assert event_years(TODAY)[0] == 2026 and event_years(TODAY)[-1] == 2016


def test_months_between():
    assert months_between(date(2026, 12, 1), date(2026, 12, 31)) == 0
    assert months_between(date(2026, 9, 1), date(2026, 12, 3)) == 3
    assert months_between(date(2026, 6, 15), date(2026, 12, 3)) == 5
    assert months_between(date(2027, 1, 1), date(2026, 12, 3)) == 0


def _mover_activity(app):
    with app.app_context():
        activities.import_csv(csv_bytes(line(name="Buurtmaatje", pillars="meedoen", events="verhuizing")))
        db.session.commit()


def _months_back(months: int) -> tuple[int, int]:
    today = date.today()
    index = today.year * 12 + today.month - 1 - months
    return index % 12 + 1, index // 12


def test_a_recent_move_is_called_recent_and_is_stored(app, client, make_resident, login_as, kort_items):
    _mover_activity(app)
    login_as(client, make_resident()["user"])
    checkin = complete_checkin(client, kort_items, scores={i: 4 for i in kort_items["meedoen"]},
                               happened=_months_back(1))
    page = client.get(f"/uitslag/{checkin}").get_data(as_text=True)
    assert "u kort geleden bent verhuisd" in page
    with app.app_context():
        stored = db.session.scalar(select(Checkin).where(Checkin.public_id == checkin))
        month, year = _months_back(1)
        assert stored.life_event_on == date(year, month, 1)


def test_a_move_half_a_year_ago_is_not_called_recent(app, client, make_resident, login_as, kort_items):
    _mover_activity(app)
    login_as(client, make_resident()["user"])
    checkin = complete_checkin(client, kort_items, scores={i: 4 for i in kort_items["meedoen"]},
                               happened=_months_back(6))
    page = client.get(f"/uitslag/{checkin}").get_data(as_text=True)
    assert "kort geleden" not in page and "u bent verhuisd" in page


@pytest.mark.parametrize("month, year, message", [
    ("3", "", "Kies de maand én het jaar"),
    ("13", "2026", "Kies een maand en een jaar uit de lijst"),
    ("1", "3000", "Kies een maand en een jaar uit de lijst"),
])
def test_a_wrong_month_is_refused_and_nothing_is_stored(app, client, make_resident, login_as, month, year,
                                                         message):
    login_as(client, make_resident()["user"])
    draft = start_checkin(client)
    response = client.post_form(f"/checkin/{draft}/gebeurtenis",
                                {"life_event": "verhuizing", "event_month": month, "event_year": year})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and message in page and "<title>Fout:" in page
    assert 'aria-invalid="true"' in page and "verhuizing\" id=\"event-verhuizing\" checked" in page
    with app.app_context():
        stored = db.session.scalar(select(Draft).where(Draft.public_id == draft))
        assert stored.life_event is None and stored.life_event_on is None


def test_a_future_month_is_refused(app, client, make_resident, login_as):
    login_as(client, make_resident()["user"])
    draft = start_checkin(client)
    month, year = _months_back(-1)
    response = client.post_form(f"/checkin/{draft}/gebeurtenis",
                                {"life_event": "verhuizing", "event_month": str(month), "event_year": str(year)})
    if year == date.today().year:  # next month is still in this year's list: it is in the future
        assert response.status_code == 400 and "moet nog komen" in response.get_data(as_text=True)
    else:  # in December, next year is not in the list at all
        assert response.status_code == 400


def test_nothing_happened_needs_no_month(app, client, make_resident, login_as):
    login_as(client, make_resident()["user"])
    draft = start_checkin(client)
    response = client.post_form(f"/checkin/{draft}/gebeurtenis",
                                {"life_event": "geen", "event_month": "3", "event_year": ""})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(Draft).where(Draft.public_id == draft)).life_event_on is None


def test_the_screen_offers_months_by_name_and_weet_ik_niet(client, make_resident, login_as):
    login_as(client, make_resident()["user"])
    draft = start_checkin(client)
    page = client.get(f"/checkin/{draft}/gebeurtenis").get_data(as_text=True)
    assert "Wanneer gebeurde het?" in page and ">januari</option>" in page and ">Weet ik niet</option>" in page


def test_weeks_since_the_event_count_from_the_month_it_happened(app, client, make_resident, make_staff, login_as,
                                                               kort_items):
    resident = make_resident()
    coach = make_staff("welzijnscoach", share_with=(resident["resident"],))
    login_as(client, resident["user"])
    complete_checkin(client, kort_items, happened=_months_back(3))
    login_as(client, coach["user"])
    page = client.get(f"/coach/bewoner/{resident['resident']}").get_data(as_text=True)
    assert "weken na de gebeurtenis" in page and "(0 weken na de gebeurtenis)" not in page
