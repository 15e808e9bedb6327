"""Impact: organisation figures with every group under ten residents hidden, in pages, charts and CSV."""

import base64
import csv
import io
import re
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from webapp.domain import impact
from webapp.domain.impact import Checkin
from webapp.extensions import db
from webapp.models import Activity, Answer, AuditEvent, Measurement, Referral, Resident
from webapp.services import people

HIDDEN = "te weinig gegevens"


# --- statistics ---

@pytest.mark.parametrize(("df", "expected"), [(1, 12.7062), (2, 4.3027), (9, 2.2622), (29, 2.0452),
                                              (100, 1.9840), (1000, 1.9623)])
def test_t_quantile_matches_the_published_table(df, expected):
    assert impact.t_quantile(0.975, df) == pytest.approx(expected, abs=1e-4)


def test_mean_ci_against_a_hand_computed_fixture():
    # n = 10, sum 20, mean 2; squared deviations 4+1+1+1+0+0+0+1+1+9 = 18; variance 18/9 = 2;
    # standard error sqrt(2/10) = 0.447214; t(0.975, 9) = 2.262157; margin 1.011667.
    estimate = impact.mean_ci([0, 1, 1, 1, 2, 2, 2, 3, 3, 5])
    assert estimate.n == 10 and estimate.mean == pytest.approx(2.0)
    assert estimate.low == pytest.approx(0.988333, abs=1e-5)
    assert estimate.high == pytest.approx(3.011667, abs=1e-5)


def test_a_group_of_nine_is_hidden_and_ten_is_shown():
    assert impact.mean_ci([1.0] * 9).suppressed
    shown = impact.mean_ci([1.0] * 10)
    assert not shown.suppressed and shown.low == shown.high == 1.0  # no spread, no uncertainty


def test_counts_under_ten_are_hidden_and_a_lone_hidden_cell_takes_the_next_smallest_along():
    assert impact.suppress_counts({"a": 30, "b": 12, "c": 4}) == {"a": 30, "b": None, "c": None}
    assert impact.suppress_counts({"a": 30, "b": 9, "c": 4}) == {"a": 30, "b": None, "c": None}
    assert impact.suppress_counts({"a": 30, "b": 12}) == {"a": 30, "b": 12}
    assert impact.suppress_counts({"a": 30, "b": 12, "c": 0}, with_total=False) == {"a": 30, "b": 12, "c": None}
    assert impact.total({"a": 5, "b": 4}) is None and impact.total({"a": 5, "b": 5}) == 10


def _checkin(resident, day, **scores):
    return Checkin(resident=resident, at=datetime(2026, 1, day, tzinfo=UTC), life_event=None, scores=scores)


def test_change_compares_each_residents_first_and_latest_checkin():
    checkins = [_checkin(r, 1, mentaal=4.0) for r in range(10)] + [_checkin(r, 9, mentaal=5.0) for r in range(10)]
    checkins += [_checkin(r, 5, mentaal=9.0) for r in range(10)]  # in between: not used
    checkins.append(_checkin(99, 1, mentaal=1.0))  # one check-in only: not counted
    pairs = impact.first_and_latest(checkins)
    assert set(pairs) == set(range(10))
    change = impact.change_per_pillar(pairs.values(), ["mentaal", "lichaam"])
    assert change["mentaal"].n == 10 and change["mentaal"].mean == pytest.approx(1.0)
    assert change["lichaam"].suppressed  # nobody scored on both sides


def test_around_takes_the_latest_checkin_before_and_after_a_moment():
    own = [_checkin(1, 1, x=1.0), _checkin(1, 3, x=2.0), _checkin(1, 7, x=5.0), _checkin(1, 9, x=6.0)]
    before, after = impact.around(own, datetime(2026, 1, 5, tzinfo=UTC))
    assert before.scores["x"] == 2.0 and after.scores["x"] == 6.0
    assert impact.around(own, datetime(2026, 1, 10, tzinfo=UTC)) is None


def test_months_between_includes_empty_months_and_crosses_the_year():
    assert impact.months_between("2025-11", "2026-02") == ["2025-11", "2025-12", "2026-01", "2026-02"]


def test_parse_period_names_every_problem():
    assert impact.parse_period("2026-01-01", "2026-03-31") == (date(2026, 1, 1), date(2026, 3, 31), [])
    assert impact.parse_period("", "") == (None, None, [])
    assert impact.parse_period("31-01-2026", "x")[2] == ["start", "end"]
    assert impact.parse_period("2026-05-01", "2026-04-01")[2] == ["order"]
    assert impact.parse_period("1900-01-01", "")[2] == ["range"]


def test_csv_cells_never_start_a_formula():
    text = impact.csv_text(["a"], [["=HYPERLINK(1)"], ["-0,5"], ["@x"]])
    assert "'=HYPERLINK(1)" in text and "\r\n-0,5\r\n" in text and "'@x" in text


# --- the page, the charts and the CSV ---

NOW = datetime.now(UTC)


@pytest.fixture
def population(app, kort_items):
    """Wijk Noord: 12 residents (pensioen) going from 4 to 6 on every pillar; wijk Zuid: 9 residents."""

    def add(wijk, event, count, before, after, name_prefix):
        ids = []
        for number in range(count):
            resident = Resident(display_name=f"{name_prefix} {number}", wijk=wijk)
            db.session.add(resident)
            db.session.flush()
            for days_ago, score, life_event in ((60, before, event), (10, after, "geen")):
                at = NOW - timedelta(days=days_ago)
                db.session.add(Measurement(
                    resident_id=resident.id, questionnaire_id="veerkracht", questionnaire_version=1, form="kort",
                    life_event=life_event, started_at=at, completed_at=at,
                    answers=[Answer(item_id=i, score=score) for items in kort_items.values() for i in items]))
            ids.append(resident.id)
        return ids

    with app.app_context():
        noord = add("Noord", "pensioen", 12, 4, 6, "Noordbewoner")
        zuid = add("Zuid", "scheiding", 9, 5, 5, "Zuidbewoner")
        activity = Activity(name="Wandelclub", organisation="Buurthuis", description="Samen wandelen",
                            last_verified_on=NOW.date())
        db.session.add(activity)
        db.session.flush()
        for resident_id in noord:  # referred between their two check-ins
            db.session.add(Referral(resident_id=resident_id, activity_id=activity.id, status="gestart",
                                    created_at=NOW - timedelta(days=30)))
        for resident_id in zuid[:3]:
            db.session.add(Referral(resident_id=resident_id, activity_id=activity.id, status="afgerond",
                                    created_at=NOW - timedelta(days=30)))
        db.session.commit()
    return {"noord": noord, "zuid": zuid}


@pytest.fixture
def beheerder(app, client, login_as):
    with app.app_context():
        user = people.create_staff("beheer", "beheer-wachtwoord-lang", ["beheerder"], "Beheer")
        db.session.commit()
        login_as(client, user.public_id)
        return user.public_id


def _chart_texts(page: str) -> str:
    svgs = [base64.b64decode(m).decode() for m in re.findall(r'src="data:image/svg\+xml;base64,([^"]+)"', page)]
    return "\n".join(svgs)


def test_impact_page_shows_the_change_with_its_interval_and_no_names(client, population, beheerder):
    response = client.get("/beheer/impact")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Noordbewoner" not in page and "Zuidbewoner" not in page
    # All 21 residents improve by 24/21 on average: 12 went up 2 points, 9 stayed the same.
    assert "+1,1" in page and "21 bewoners" in page
    # By life-event: pensioen (12) is shown, scheiding (9) is hidden.
    assert re.search(r"Pensioen</th>\s*<td>12</td>", page)
    assert re.search(r"Scheiding</th>\s*<td><span class=\"hidden-figure\">te weinig gegevens", page)
    # Per activity: the 12 residents of Noord went from 4 to 6 around their referral.
    assert "Wandelclub (Buurthuis)" in page and "+2,0" in page
    # Referral outcomes: 12 gestart shown, 3 afgerond hidden.
    assert re.search(r"Gestart</th><td>12</td>", page)
    assert re.search(r"Afgerond</th><td><span class=\"hidden-figure\">", page)
    charts = _chart_texts(page)
    assert "<svg" in charts and "Mentaal welbevinden" in charts


def test_a_wijk_with_nine_residents_shows_too_little_data_everywhere(client, population, beheerder):
    page = client.get("/beheer/impact?wijk=Zuid").get_data(as_text=True)
    assert "+0,0" not in page and "9 bewoners" not in page
    assert page.count(HIDDEN) > 20
    assert HIDDEN in _chart_texts(page)  # the charts say it too, instead of drawing a dot
    rows = list(csv.reader(io.StringIO(client.get("/beheer/impact.csv?wijk=Zuid").get_data(as_text=True)),
                           delimiter=";"))
    change_rows = [r for r in rows if r[0] == "Verandering eerste tot laatste check-in"]
    assert len(change_rows) == 6 and all(r[3:] == [HIDDEN] * 4 for r in change_rows)
    assert not any(cell in {"9", "3"} for row in rows for cell in row)


def test_csv_holds_the_same_figures_as_the_page(client, population, beheerder):
    response = client.get("/beheer/impact.csv?wijk=Noord")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    assert rows[0][:5] == ["onderdeel", "groep", "pijler", "aantal bewoners", "waarde"]
    change = {r[2]: r for r in rows if r[0] == "Verandering eerste tot laatste check-in"}
    assert change["Meedoen"][3:] == ["12", "2,00", "2,00", "2,00"]  # everyone rose exactly 2: no spread
    assert ["Verwijzingen", "Gestart", "", "", "12", "", ""] in rows
    assert "Noordbewoner" not in text


def test_period_filter_leaves_out_checkins_outside_it(client, population, beheerder):
    start = (NOW - timedelta(days=30)).date().isoformat()
    page = client.get(f"/beheer/impact?van={start}").get_data(as_text=True)
    # Only the second check-in of each resident falls inside: nobody has two, so no change is shown.
    assert "21 bewoners" not in page
    assert "Aantal bewoners: te weinig gegevens" in page


@pytest.mark.parametrize("query", ["van=gisteren", "van=2026-05-01&tot=2026-04-01", "wijk=Atlantis",
                                   "tot=1899-12-31"])
def test_bad_filters_get_a_clear_message_and_no_figures(client, population, beheerder, query):
    response = client.get(f"/beheer/impact?{query}")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'role="alert"' in page and "Check-ins per maand" not in page
    assert client.get(f"/beheer/impact.csv?{query}").status_code == 400


def test_viewing_and_exporting_impact_is_audited_without_a_resident(app, client, population, beheerder):
    client.get("/beheer/impact")
    client.get("/beheer/impact.csv")
    with app.app_context():
        events = db.session.scalars(select(AuditEvent).where(AuditEvent.action.like("impact.%"))).all()
        assert sorted(e.action for e in events) == ["impact.export", "impact.view"]
        assert all(e.resident_public_id is None and e.actor_role == "beheerder" for e in events)


def test_empty_database_shows_a_calm_page(client, beheerder):
    response = client.get("/beheer/impact")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Geen check-ins in deze periode." in page
    assert "Aantal bewoners: te weinig gegevens" in page
