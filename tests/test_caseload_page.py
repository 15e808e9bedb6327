"""The caseload read from the kept summaries in SQL shows exactly what scoring every answer showed.

`caseload_rows` is the caseload as it was computed before (every resident scored from their
answers, then filtered, sorted and paged in Python); every sort, filter and page must match it.
"""

import random
import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event, select

from webapp.accounts import service as people
from webapp.caseload import rules as caseload
from webapp.caseload import service
from webapp.core import clock
from webapp.core.extensions import db
from webapp.core.models import Activity, Answer, Checkin, CoachRelation, Referral, Resident, User

NOW = datetime(2026, 12, 3, 10, tzinfo=UTC)
NAMES = ["Anna", "bert", "Cor", "dirk", "Els", "fenna", "Gerrit", "henk", "Ine", "joop", "Kees", "lies",
         "Mien", "noor", "Otto", "piet", "Riek", "sjaak", "Truus", "ursula", "Vera", "wim", "Xander", "yvonne",
         "Zeger", "Ada", "bas", "Cas", "door", "Eef", "frits", "Greet", "Hein", "ilse", "Jan", "Klaas"]
WIJKEN = ["Noord", "noord", "Zuid", "Oost", None]


def _key(row: caseload.Row) -> tuple:
    return (row.resident_public_id, row.name, row.wijk, row.life_event, row.last_checkin, row.due,
            row.changes, row.talk_count, frozenset(row.flags))


@pytest.fixture
def population(app, kort_items):
    """36 residents of one coach with every kind of history; a second coach follows every third."""
    app.config["CLOCK"] = lambda: NOW
    rng = random.Random(7)  # noqa: S311 - test data
    items = [item for group in kort_items.values() for item in group]
    with app.test_request_context():
        coach = people.create_staff("coach-p", "coach-wachtwoord-lang", ["welzijnscoach"], "Petra")
        other = people.create_staff("coach-q", "coach-wachtwoord-lang", ["ouderencoach"], "Quinten")
        activity = Activity(name="Wandelgroep", organisation="W", description="d", last_verified_on=NOW.date())
        db.session.add(activity)
        db.session.flush()
        for number, name in enumerate(NAMES):
            resident = Resident(display_name=name, wijk=WIJKEN[number % len(WIJKEN)],
                                created_at=NOW - timedelta(days=rng.randint(10, 400)))
            db.session.add(resident)
            db.session.flush()
            db.session.add(CoachRelation(coach_id=coach.id, resident_id=resident.id, origin="ingeschreven"))
            if number % 3 == 0:
                db.session.add(CoachRelation(coach_id=other.id, resident_id=resident.id, origin="gedeeld"))
            days = sorted(rng.sample(range(0, 200), rng.choice((0, 1, 2, 2, 3))), reverse=True)
            for index, ago in enumerate(days):
                level = rng.choice((1, 3, 5, 7, 9))
                at = NOW - timedelta(days=ago, hours=rng.randint(0, 20))
                checkin = Checkin(
                    resident_id=resident.id, questionnaire_id="veerkracht", questionnaire_version=1, form="kort",
                    life_event=rng.choice(("geen", "geen", "verhuizing", "pensioen")), started_at=at, completed_at=at,
                    answers=[Answer(item_id=i, score=None if rng.random() < 0.1 else level,
                                    wants_to_talk=rng.random() < 0.03) for i in items])
                if index == len(days) - 1 and rng.random() < 0.4:
                    checkin.next_checkin_on = NOW.date() + timedelta(days=rng.randint(-30, 30))
                    checkin.next_checkin_by = rng.choice(("bewoner", "coach"))
                db.session.add(checkin)
            if rng.random() < 0.3:
                db.session.add(Referral(resident_id=resident.id, activity_id=activity.id,
                                        status=rng.choice(("voorgesteld", "aangemeld", "afgerond")),
                                        updated_at=NOW - timedelta(days=rng.randint(0, 60))))
            db.session.flush()
        db.session.commit()
        return {"coach": coach.public_id, "other": other.public_id}


def _reference(coach: User, sort, flag, life_event, wijk, coach_filter, name, page):
    every = service.caseload_rows(coach, clock.today(), clock.timezone())
    every.sort(key=lambda row: row.name.casefold())  # ties in the old sort followed the query; here the name
    rows = caseload.sort_rows(caseload.filter_rows(every, flag, life_event, wijk, coach_filter, name), sort)
    shown, page, pages = caseload.paginate(rows, page, service.PER_PAGE)
    return shown, len(rows), page, pages, caseload.call_list(every, clock.today())


def test_every_sort_filter_and_page_matches_the_answers_computation(app, population):
    with app.test_request_context():
        coach = db.session.scalar(select(User).where(User.public_id == population["coach"]))
        combinations = [(sort, flag, None, None, None, None, page) for sort in caseload.SORTS
                        for flag in (None, *caseload.FLAGS) for page in (1, 2, 3)]
        combinations += [("aandacht", None, "verhuizing", None, None, None, 1),
                         ("naam", None, None, "NOORD", None, None, 1),
                         ("naam", None, None, "Oost", None, None, 1),
                         ("volgende", None, None, None, population["other"], None, 1),
                         ("naam", None, None, None, None, "e", 1),
                         ("naam", None, None, None, None, "E N", 1),
                         ("naam", None, None, None, None, "%", 1),
                         ("daling", caseload.FLAG_OVERDUE, None, "zuid", None, None, 1)]
        seen_flags = set()
        for sort, flag, event_id, wijk, other, name, page in combinations:
            shown, total, number, pages, to_call = _reference(coach, sort, flag, event_id, wijk, other, name, page)
            result = service.caseload_page(coach, clock.today(), clock.now(), sort=sort, flag=flag,
                                           life_event=event_id, wijk=wijk, coach_filter=other, name=name, page=page)
            label = (sort, flag, event_id, wijk, other, name, page)
            assert [_key(r) for r in result.rows] == [_key(r) for r in shown], label
            assert (result.total, result.page, result.pages) == (total, number, pages), label
            assert [_key(r) for r in result.to_call] == [_key(r) for r in to_call[:service.CALL_LIST_LIMIT]], label
            assert result.call_total == len(to_call), label
            seen_flags |= {f for r in result.rows for f in r.flags}
        assert seen_flags == set(caseload.FLAGS)  # the population has every flag somewhere
        every = service.caseload_rows(coach, clock.today(), clock.timezone())
        result = service.caseload_page(coach, clock.today(), clock.now())
        assert result.wijken == sorted({r.wijk for r in every if r.wijk}, key=lambda w: (w.casefold(), w))
        assert result.coach_names == [(population["coach"], "Petra"), (population["other"], "Quinten")]


def test_the_page_lists_the_residents_in_the_same_order(app, client, login_as, population):
    login_as(client, population["coach"])
    with app.test_request_context():
        coach = db.session.scalar(select(User).where(User.public_id == population["coach"]))
        expected = {}
        for sort in caseload.SORTS:
            shown, total, _page, pages, to_call = _reference(coach, sort, None, None, None, None, None, 2)
            expected[sort] = ([r.resident_public_id for r in to_call[:service.CALL_LIST_LIMIT]],
                              [r.resident_public_id for r in shown],
                              total, pages)
    for sort, (to_call, shown, total, pages) in expected.items():
        page = client.get(f"/coach?sorteer={sort}&pagina=2").get_data(as_text=True)
        call_part, table_part = page.split('<table class="scores caseload stack-on-phone">')
        links = re.compile(r'/coach/bewoner/([A-Za-z0-9_-]+)"')
        assert links.findall(call_part.split('id="bellijst"')[1]) == to_call, sort
        assert links.findall(table_part) == shown, sort
        assert f"{total} bewoners" in page and f"pagina 2 van {pages}" in page


def _statements(app, client, url) -> int:
    count = []
    with app.app_context():
        engine = db.engine
    listener = lambda *_args: count.append(1)  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    return len(count)


def _add(app, coach_public_id: str, count: int, kort_items) -> None:
    items = [item for group in kort_items.values() for item in group]
    with app.app_context():
        coach = db.session.scalar(select(User).where(User.public_id == coach_public_id))
        for number in range(count):
            resident = Resident(display_name=f"Bewoner {number}")
            db.session.add(resident)
            db.session.flush()
            db.session.add(CoachRelation(coach_id=coach.id, resident_id=resident.id, origin="ingeschreven"))
            for ago in (70, 20):
                at = datetime.now(UTC) - timedelta(days=ago)
                db.session.add(Checkin(resident_id=resident.id, questionnaire_id="veerkracht", questionnaire_version=1,
                                       form="kort", life_event="geen", started_at=at, completed_at=at,
                                       answers=[Answer(item_id=i, score=number % 11) for i in items]))
        db.session.commit()


@pytest.mark.parametrize("url", ["/coach", "/coach?sorteer=daling&aandacht=te_laat&pagina=2",
                                 "/coach?naam=bewoner&wijk=Noord"])
def test_five_and_fifty_residents_cost_the_same_statements(app, client, login_as, make_staff, kort_items, url):
    coach = make_staff()["user"]
    login_as(client, coach)
    _add(app, coach, 5, kort_items)
    client.get(url)  # the first view fills nothing here: every summary was kept on the way
    small = _statements(app, client, url)
    _add(app, coach, 45, kort_items)
    assert _statements(app, client, url) == small


def test_a_resident_without_a_kept_summary_is_filled_in_on_first_view(app, client, login_as, make_staff,
                                                                      kort_items):
    from webapp.core.models import ResidentSummary

    coach = make_staff()["user"]
    _add(app, coach, 3, kort_items)
    with app.app_context():
        db.session.execute(ResidentSummary.__table__.delete())  # as after a bulk insert or the migration
        db.session.commit()
    login_as(client, coach)
    page = client.get("/coach").get_data(as_text=True)
    assert "3 bewoners" in page
    with app.app_context():
        assert len(db.session.scalars(select(ResidentSummary)).all()) == 3


def test_a_long_call_list_shows_the_first_page_and_links_to_the_rest(app, client, login_as, make_staff):
    coach = make_staff()["user"]
    with app.app_context():
        owner = db.session.scalar(select(User).where(User.public_id == coach))
        for number in range(62):  # no check-in yet, enrolled long ago: all late
            resident = Resident(display_name=f"Laat {number:02d}", created_at=datetime.now(UTC) - timedelta(days=100))
            db.session.add(resident)
            db.session.flush()
            db.session.add(CoachRelation(coach_id=owner.id, resident_id=resident.id, origin="ingeschreven"))
        db.session.commit()
    login_as(client, coach)
    page = client.get("/coach").get_data(as_text=True)
    call_part = page.split('id="bellijst"')[1].split("</section>")[0]
    assert call_part.count('<a href="/coach/bewoner/') == service.CALL_LIST_LIMIT == 25
    assert "En nog 37 bewoners" in call_part and "/coach?sorteer=volgende" in call_part
    assert "Laat 00" in call_part and "Laat 24" in call_part and "Laat 25" not in call_part
