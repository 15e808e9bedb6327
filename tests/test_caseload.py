"""The coach's caseload: flag rules (table-driven), sorting, filters, pages, and a fixed query count."""

from datetime import date, timedelta

import pytest
from sqlalchemy import event, select

from tests.conftest import all_answers
from webapp.accounts import service as people
from webapp.caseload import rules as caseload
from webapp.caseload.rules import FLAG_DROP, FLAG_OVERDUE, FLAG_TALK, Row
from webapp.core.extensions import db
from webapp.core.models import AuditEvent, Checkin, Resident

TODAY = date(2026, 11, 24)


@pytest.mark.parametrize("changes, talk, due, expected", [
    ({"meedoen": -2.0}, 0, TODAY, {FLAG_DROP}),                      # exactly two points down
    ({"meedoen": -1.9}, 0, TODAY, set()),                            # just under the rule of thumb
    ({"meedoen": 2.5}, 0, TODAY, set()),                             # a rise is no reason for worry
    ({"meedoen": None, "lichaam": -3.0}, 0, TODAY, {FLAG_DROP}),     # a pillar without score is ignored
    ({}, 2, TODAY, {FLAG_TALK}),                                     # items marked to talk about
    ({}, 0, TODAY - timedelta(days=1), {FLAG_OVERDUE}),              # due yesterday
    ({}, 0, TODAY, set()),                                           # due today is not late yet
    ({"mentaal": -4.0}, 1, TODAY - timedelta(days=30), {FLAG_DROP, FLAG_TALK, FLAG_OVERDUE}),
])
def test_flags(changes, talk, due, expected):
    assert caseload.flags_for(changes, talk, due, TODAY) == expected


def _rows():
    return [
        Row("a", "Anna", "Noord", "pensioen", date(2026, 10, 1), date(2026, 12, 1), flags={FLAG_TALK}),
        Row("b", "bert", "Zuid", "verhuizing", date(2026, 11, 20), date(2026, 11, 1), flags={FLAG_DROP, FLAG_OVERDUE}),
        Row("c", "Cor", "noord", None, None, date(2026, 12, 30)),
    ]


def test_sorting():
    rows = _rows()
    assert [r.name for r in caseload.sort_rows(rows, "aandacht")] == ["bert", "Anna", "Cor"]
    assert [r.name for r in caseload.sort_rows(rows, "naam")] == ["Anna", "bert", "Cor"]
    assert [r.name for r in caseload.sort_rows(rows, "laatste")] == ["bert", "Anna", "Cor"]
    assert [r.name for r in caseload.sort_rows(rows, "volgende")] == ["bert", "Anna", "Cor"]
    rows[2].changes = {"meedoen": -3.0, "lichaam": 1.0}
    rows[0].changes = {"meedoen": -1.0}
    assert [r.name for r in caseload.sort_rows(rows, "daling")] == ["Cor", "Anna", "bert"]


def test_filters():
    rows = _rows()
    rows[0].coaches = {"c1": "Marieke", "c2": "Kees"}
    rows[1].coaches = {"c1": "Marieke"}
    assert [r.name for r in caseload.filter_rows(rows, coach="c2")] == ["Anna"]
    assert [r.name for r in caseload.filter_rows(rows, flag=FLAG_OVERDUE)] == ["bert"]
    assert [r.name for r in caseload.filter_rows(rows, life_event="pensioen")] == ["Anna"]
    assert [r.name for r in caseload.filter_rows(rows, wijk="Noord")] == ["Anna", "Cor"]


def test_pagination():
    assert caseload.paginate(list(range(60)), 3, 25) == (list(range(50, 60)), 3, 3)
    assert caseload.paginate(list(range(60)), 99, 25)[1] == 3
    assert caseload.paginate([], 1, 25) == ([], 1, 1)


@pytest.fixture
def coach_with(app, make_resident, make_checkin, kort_items):
    """A coach and a factory that adds residents sharing with them, with two check-ins each."""
    with app.test_request_context():
        coach = people.create_staff("coach-c", "coach-wachtwoord-lang", ["welzijnscoach"], "C")
        db.session.commit()
        coach_ids = (coach.public_id, coach.coach_code)

    def add(count: int, first=5, second=5, talk=()):
        for _ in range(count):
            resident = make_resident()
            make_checkin(resident["resident"], all_answers(kort_items, first), days_ago=60)
            make_checkin(resident["resident"], all_answers(kort_items, second), days_ago=10, talk=talk)
            with app.test_request_context():
                owner = db.session.scalar(select(Resident).where(Resident.public_id == resident["resident"]))
                people.share_with_coach(owner, coach_ids[1])
                db.session.commit()
    return coach_ids[0], add


def test_caseload_page_shows_flags_and_changes(app, client, login_as, coach_with, kort_items):
    coach, add = coach_with
    add(1, first=8, second=4, talk=(kort_items["meedoen"][0],))
    add(1, first=6, second=6)
    login_as(client, coach)
    page = client.get("/coach").get_data(as_text=True)
    assert "2 punten of meer gedaald" in page and "wil ergens over praten" in page
    assert "Meedoen −4,0" in page
    assert page.index("needs-attention") < page.index("geen verschil")  # most attention first
    only_drops = client.get("/coach?aandacht=daling").get_data(as_text=True)
    assert "1 bewoner" in only_drops and "geen verschil" not in only_drops
    with app.app_context():
        assert len(db.session.scalars(select(AuditEvent).where(AuditEvent.action == "caseload.view")).all()) == 3


def test_caseload_is_paginated(app, client, login_as, coach_with):
    coach, add = coach_with
    add(27)
    login_as(client, coach)
    first = client.get("/coach").get_data(as_text=True)
    assert "27 bewoners" in first and "pagina 1 van 2" in first and "Volgende pagina" in first
    second = client.get("/coach?pagina=2").get_data(as_text=True)
    assert second.count('<th scope="row">') == 2


def _count_queries(app, client, url) -> int:
    statements = []

    def count(*_args):
        statements.append(1)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return len(statements)


def test_caseload_runs_a_fixed_number_of_queries(app, client, login_as, coach_with):
    coach, add = coach_with
    login_as(client, coach)
    add(2)
    small = _count_queries(app, client, "/coach")
    add(20)
    large = _count_queries(app, client, "/coach")
    assert small == large, (small, large)


def test_progress_page_runs_a_fixed_number_of_queries(app, client, login_as, coach_with, make_checkin,
                                                      kort_items):
    coach, add = coach_with
    add(1)
    login_as(client, coach)
    with app.app_context():
        resident = db.session.scalar(select(Resident.public_id))
    url = f"/coach/bewoner/{resident}"
    small = _count_queries(app, client, url)
    for days in range(12):
        make_checkin(resident, all_answers(kort_items, 6), days_ago=days + 100)
    assert _count_queries(app, client, url) == small
    with app.app_context():
        assert db.session.scalar(select(Checkin.id).limit(1))


def test_timeline_counts_weeks_from_the_check_in_that_reported_the_event():
    from datetime import datetime
    from types import SimpleNamespace

    from webapp.caseload.rules import timeline

    def m(day, event, ident):
        return SimpleNamespace(completed_at=datetime(2026, 1, 1) + timedelta(days=day), life_event=event, id=ident)

    entries = timeline([m(0, "geen", 1), m(7, "verhuizing", 2), m(49, "geen", 3), m(70, "pensioen", 4),
                        m(84, "geen", 5)])
    assert [(e.checkin.id, e.life_event, e.weeks_since_event) for e in entries] == [
        (5, "pensioen", 2), (4, "pensioen", 0), (3, "verhuizing", 6), (2, "verhuizing", 0), (1, None, None)]


def test_progress_page_shows_timeline_plan_history_and_line_chart(app, client, login_as, coach_with):
    coach, add = coach_with
    add(1, first=4, second=7)
    login_as(client, coach)
    with app.app_context():
        resident = db.session.scalar(select(Resident.public_id))
        latest = db.session.scalars(select(Checkin).order_by(Checkin.completed_at.desc())).first()
        latest.plan_step, latest.next_checkin_on = "Elke dag wandelen", date(2027, 2, 1)
        db.session.commit()
    page = client.get(f"/coach/bewoner/{resident}").get_data(as_text=True)
    assert "Zelf ingevuld" in page and "Elke dag wandelen" in page and "1 februari 2027" in page
    assert f"/coach/bewoner/{resident}/verloop.svg" in page
    chart = client.get(f"/coach/bewoner/{resident}/verloop.svg")
    assert chart.status_code == 200 and chart.mimetype == "image/svg+xml"
    assert b"Meedoen" in chart.data and b"Lichaamsfuncties" in chart.data
    with app.app_context():
        actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {"resident.view", "progress.chart"} <= actions
    assert f"/coach/bewoner/{resident}/verloop.svg?vorm=smal" in page  # a phone gets its own drawing
    narrow = client.get(f"/coach/bewoner/{resident}/verloop.svg?vorm=smal")
    assert narrow.status_code == 200 and narrow.mimetype == "image/svg+xml" and narrow.data != chart.data
    assert b"Meedoen" in narrow.data
    assert client.get(f"/coach/bewoner/{resident}/verloop.svg?vorm=klein").status_code == 404


def test_caseload_filters_by_another_coach_who_also_follows(app, client, login_as, coach_with, make_resident):
    coach, add = coach_with
    add(2)
    with app.test_request_context():
        other = people.create_staff("coach-d", "coach-wachtwoord-lang", ["ouderencoach"], "Dirk")
        resident = db.session.scalars(select(Resident).order_by(Resident.id)).first()
        people.share_with_coach(resident, other.coach_code)
        db.session.commit()
        other_id, shared_id = other.public_id, resident.public_id
    login_as(client, coach)
    page = client.get(f"/coach?coach={other_id}").get_data(as_text=True)
    assert "1 bewoner" in page and shared_id in page
    assert ">Dirk<" in client.get("/coach").get_data(as_text=True)


def test_referral_without_news_for_four_weeks_is_flagged(app, client, login_as, coach_with):
    from webapp.core.models import Activity, Referral

    coach, add = coach_with
    add(1)
    with app.app_context():
        resident = db.session.scalar(select(Resident))
        activity = Activity(name="Wandelgroep", organisation="W", description="d", pillars=["lichaam"],
                            last_verified_on=TODAY)
        db.session.add(activity)
        db.session.flush()
        from datetime import UTC, datetime
        db.session.add(Referral(resident_id=resident.id, activity_id=activity.id, status="aangemeld",
                                updated_at=datetime.now(UTC) - timedelta(days=29)))
        db.session.commit()
    login_as(client, coach)
    page = client.get("/coach?aandacht=geen_nieuws").get_data(as_text=True)
    assert "1 bewoner" in page and "verwijzing zonder nieuws" in page


def test_a_resident_is_named_the_same_on_every_staff_page(app, client, make_resident, make_staff, login_as):
    """Issue 19: the caseload said "anna", her page "Bewoner XKMsNq"."""
    import re

    from webapp.core.i18n import grouped

    anna = make_resident(username="anna")
    coach = make_staff("ouderencoach", share_with=(anna["resident"],))
    login_as(client, coach["user"])
    caseload = client.get("/coach").get_data(as_text=True)
    assert re.search(rf'href="/coach/bewoner/{anna["resident"]}">anna</a>', caseload)
    page = client.get(f"/coach/bewoner/{anna['resident']}").get_data(as_text=True)
    assert "<h1>anna</h1>" in page and grouped(anna["resident"]) in page
    with app.test_request_context():
        from webapp.core.i18n import resident_name

        assert resident_name(name=None, number="ABCDEFGHJKLMNPQR") == "Bewoner ABCD EFGH JKLM NPQR"
        assert resident_name(name="ABCDEF", number="ABCDEFGHJKLMNPQR") == "Bewoner ABCD EFGH JKLM NPQR"
        assert resident_name(name="J. de V.", number="ABCDEFGHJKLMNPQR") == "J. de V."
