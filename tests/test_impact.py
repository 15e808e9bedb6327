"""Impact: organisation figures with every group under ten residents hidden, in pages, charts and CSV."""

import base64
import csv
import io
import re
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from webapp.core.extensions import db
from webapp.core.models import Activity, Answer, AuditEvent, Checkin, Referral, Resident
from webapp.core.spreadsheet import csv_text
from webapp.impact import rules as impact
from webapp.impact.rules import ScoredCheckin

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


def test_counts_under_ten_are_hidden_and_hidden_cells_never_add_up_to_a_small_group():
    # total 46 is shown: 46 - 30 - 12 would reveal c = 4, so b goes too.
    assert impact.suppress_counts({"a": 30, "b": 12, "c": 4}) == {"a": 30, "b": None, "c": None}
    # b and c are both hidden and hold 13 together: nothing more to hide.
    assert impact.suppress_counts({"a": 30, "b": 9, "c": 4}) == {"a": 30, "b": None, "c": None}
    # b and c hold 8 together: the smallest shown group (d) is hidden as well.
    assert impact.suppress_counts({"a": 30, "b": 5, "c": 3, "d": 20}) == {"a": 30, "b": None, "c": None, "d": None}
    assert impact.suppress_counts({"a": 30, "b": 12}) == {"a": 30, "b": 12}
    # An empty group reveals nobody: it is hidden (under ten) but takes nothing along.
    assert impact.suppress_counts({"a": 30, "b": 12, "c": 0}) == {"a": 30, "b": 12, "c": None}
    assert impact.total({"a": 5, "b": 4}) is None and impact.total({"a": 5, "b": 5}) == 10


def _checkin(resident, day, **scores):
    return ScoredCheckin(resident=resident, at=datetime(2026, 1, day, tzinfo=UTC), life_event=None, scores=scores)


def test_change_compares_each_residents_first_and_latest_checkin():
    checkins = [_checkin(r, 1, mentaal=4.0) for r in range(10)] + [_checkin(r, 9, mentaal=5.0) for r in range(10)]
    checkins += [_checkin(r, 5, mentaal=9.0) for r in range(10)]  # in between: not used
    checkins.append(_checkin(99, 1, mentaal=1.0))  # one check-in only: not counted
    pairs = impact.first_and_latest(checkins)
    assert set(pairs) == set(range(10))
    change = impact.change_per_pillar(pairs.values(), ["mentaal", "lichaam"])
    assert change["mentaal"].n == 10 and change["mentaal"].mean == pytest.approx(1.0)
    assert change["lichaam"].suppressed  # nobody scored on both sides


def test_change_per_group_hides_a_second_group_when_one_small_group_could_be_subtracted():
    def pairs(first, count, change):
        return [(_checkin(r, 1, x=4.0), _checkin(r, 9, x=4.0 + change)) for r in range(first, first + count)]

    groups = {"a": pairs(0, 20, 1.0), "b": pairs(100, 12, 2.0), "c": pairs(200, 3, -3.0)}
    result = impact.change_per_group(groups, ["x"])
    assert result["a"]["x"].mean == pytest.approx(1.0) and result["a"]["x"].n == 20
    assert result["b"]["x"].suppressed and result["c"]["x"].suppressed


def test_around_takes_the_latest_checkin_before_and_after_a_moment():
    own = [_checkin(1, 1, x=1.0), _checkin(1, 3, x=2.0), _checkin(1, 7, x=5.0), _checkin(1, 9, x=6.0)]
    before, after = impact.around(own, datetime(2026, 1, 5, tzinfo=UTC))
    assert before.scores["x"] == 2.0 and after.scores["x"] == 6.0
    assert impact.around(own, datetime(2026, 1, 10, tzinfo=UTC)) is None


def test_months_between_includes_empty_months_and_crosses_the_year():
    assert impact.months_between("2025-11", "2026-02") == ["2025-11", "2025-12", "2026-01", "2026-02"]


def test_periods_are_whole_years_and_quarters():
    assert impact.period_options(2025, 2026)[:6] == ["2026", "2026-K4", "2026-K3", "2026-K2", "2026-K1", "2025"]
    assert impact.period_bounds("2026") == (date(2026, 1, 1), date(2026, 12, 31))
    assert impact.period_bounds("2026-K1") == (date(2026, 1, 1), date(2026, 3, 31))
    assert impact.period_bounds("2026-K4") == (date(2026, 10, 1), date(2026, 12, 31))
    for wrong in ("2026-K5", "26", "2026-03-01", "1899", "x"):
        assert impact.period_bounds(wrong) is None


def test_a_period_starts_at_local_midnight(app):
    from flask_babel import get_timezone

    from webapp.impact.service import _local_midnight

    with app.test_request_context():
        zone = get_timezone()
        assert _local_midnight(date(2026, 3, 1), zone) == datetime(2026, 2, 28, 23, 0, tzinfo=UTC)  # winter time
        assert _local_midnight(date(2026, 7, 1), zone) == datetime(2026, 6, 30, 22, 0, tzinfo=UTC)  # summer time


def test_csv_cells_never_start_a_formula():
    text = csv_text(["a"], [["=HYPERLINK(1)"], ["-0,5"], ["@x"]])
    assert "'=HYPERLINK(1)" in text and "\r\n-0,5\r\n" in text and "'@x" in text


# --- the page, the charts and the CSV ---

NOW = datetime.now(UTC)
OLD = NOW - timedelta(days=800)  # always two calendar years or more before the recent check-ins


@pytest.fixture
def population(app, kort_items):
    """Noord: 13 residents (pensioen) from 4 to 6, referred to a walking club in between; Zuid: 12
    (scheiding) staying at 5, 3 of them referred; Kleine Hof: 3 (verhuizing) from 5 to 7; and 3
    more in Noord with one check-in long ago."""

    def add(wijk, event, count, scores, name_prefix):
        ids = []
        for number in range(count):
            resident = Resident(display_name=f"{name_prefix} {number}", wijk=wijk)
            db.session.add(resident)
            db.session.flush()
            for at, score, life_event in scores:
                db.session.add(Checkin(
                    resident_id=resident.id, questionnaire_id="veerkracht", questionnaire_version=1, form="kort",
                    life_event=life_event if life_event else "geen", started_at=at, completed_at=at,
                    answers=[Answer(item_id=i, score=score) for items in kort_items.values() for i in items]))
            ids.append(resident.id)
        return ids

    before, after = NOW - timedelta(days=60), NOW - timedelta(days=10)
    with app.app_context():
        noord = add("Noord", "pensioen", 13, [(before, 4, "pensioen"), (after, 6, None)], "Noordbewoner")
        zuid = add("Zuid", "scheiding", 12, [(before, 5, "scheiding"), (after, 5, None)], "Zuidbewoner")
        add("Kleine Hof", "verhuizing", 3, [(before, 5, "verhuizing"), (after, 7, None)], "Hofbewoner")
        add("Noord", None, 3, [(OLD, 5, None)], "Oudbewoner")
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
def beheerder(client, login_as, make_staff):
    user = make_staff("beheerder", name="Beheer")["user"]
    login_as(client, user)
    return user


def _chart_texts(page: str) -> str:
    svgs = [base64.b64decode(m).decode() for m in re.findall(r'src="data:image/svg\+xml;base64,([^"]+)"', page)]
    return "\n".join(svgs)


def _cell(page: str, row: str) -> str:
    match = re.search(rf"{row}</th>\s*<td>(.*?)</td>", page, re.S)
    assert match, row
    return match.group(1)


def test_impact_page_shows_the_change_with_its_interval_and_no_names(client, population, beheerder):
    response = client.get("/beheer/impact")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert not any(name in page for name in ("Noordbewoner", "Zuidbewoner", "Hofbewoner", "Oudbewoner"))
    # 28 residents with two check-ins: 13 rose 2 points, 3 rose 2 points, 12 stayed: 32/28 = 1.14.
    assert "+1,1" in page and "28 bewoners" in page
    # Per life-event: verhuizing (3) is hidden, and so is scheiding (12), or 31 - 13 - 3 would reveal it.
    assert _cell(page, "Pensioen") == "13"
    assert "te weinig gegevens" in _cell(page, "Scheiding") and "te weinig gegevens" in _cell(page, "Verhuizing")
    # Per activity: the 13 residents of Noord went from 4 to 6 around their referral.
    assert "Wandelclub (Buurthuis)" in page and "+2,0" in page
    # Referral outcomes: 3 afgerond is hidden, so 13 gestart is too (16 referred in total is shown).
    assert "te weinig gegevens" in _cell(page, "Gestart")
    assert _cell(page, "Verwezen, in totaal") == "<strong>16</strong>"
    charts = _chart_texts(page)
    assert "<svg" in charts and "Mentaal welbevinden" in charts


def test_wijk_filter_offers_only_groups_of_ten_and_gathers_the_rest(client, population, beheerder):
    page = client.get("/beheer/impact").get_data(as_text=True)
    options = re.findall(r'<option value="([^"]*)"', page.split('id="wijk"')[1].split("</select>")[0])
    # Noord (16) is offered; Kleine Hof (3) is not, and Zuid (12) joins it, else all - Noord - Zuid = Kleine Hof.
    assert options == ["", "Noord", "overig"]
    noord = client.get("/beheer/impact?wijk=Noord").get_data(as_text=True)
    assert "+2,0" in noord and "13 bewoners" in noord
    rest = client.get("/beheer/impact?wijk=overig").get_data(as_text=True)
    assert "Overige wijken en onbekend" in rest and "15 bewoners" in rest
    for hidden_wijk in ("Zuid", "Kleine Hof"):
        response = client.get(f"/beheer/impact?wijk={hidden_wijk}")
        assert response.status_code == 400 and "Deze wijk kunnen we niet apart tonen" in response.get_data(as_text=True)


def test_a_period_with_fewer_than_ten_residents_shows_nothing_but_too_little_data(client, population, beheerder):
    period = str(OLD.year)
    response = client.get(f"/beheer/impact?periode={period}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "te weinig bewoners om cijfers te tonen" in page and "Check-ins per maand" not in page
    assert "data:image/svg" not in page  # no charts either
    rows = list(csv.reader(io.StringIO(client.get(f"/beheer/impact.csv?periode={period}").get_data(as_text=True)),
                           delimiter=";"))
    assert len(rows) == 2 and rows[1][3:5] == [HIDDEN, HIDDEN]


def test_csv_holds_the_same_figures_as_the_page(client, population, beheerder):
    response = client.get("/beheer/impact.csv?wijk=Noord")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    assert rows[0][:5] == ["onderdeel", "groep", "pijler", "aantal bewoners", "waarde"]
    change = {r[2]: r for r in rows if r[0] == "Verandering eerste tot laatste check-in"}
    assert change["Meedoen"][3:] == ["13", "2,0", "2,0", "2,0"]  # everyone rose exactly 2: no spread
    assert ["Verwijzingen", "Verwezen, in totaal", "", "", "13", "", ""] in rows
    assert "Noordbewoner" not in text


def test_the_csv_link_carries_only_the_filters(client, population, beheerder):
    page = client.get("/beheer/impact?wijk=Noord&_external=1&_anchor=x&endpoint=y&_method=POST").get_data(
        as_text=True)
    assert 'href="/beheer/impact.csv?wijk=Noord"' in page


@pytest.mark.parametrize("query", ["periode=gisteren", "periode=2026-K9", "wijk=Atlantis", "periode=1999"])
def test_bad_filters_get_a_clear_message_and_no_figures(app, client, population, beheerder, query):
    response = client.get(f"/beheer/impact?{query}")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'role="alert"' in page and "Check-ins per maand" not in page
    assert client.get(f"/beheer/impact.csv?{query}").status_code == 400
    with app.app_context():  # a page that showed no figures leaves no trace: bad input changes nothing
        assert db.session.scalar(select(func.count()).select_from(AuditEvent)
                                 .where(AuditEvent.action.like("impact.%"))) == 0


def test_viewing_and_exporting_impact_is_audited_without_a_resident(app, client, population, beheerder):
    client.get("/beheer/impact")
    client.get("/beheer/impact.csv")
    with app.app_context():
        events = db.session.scalars(select(AuditEvent).where(AuditEvent.action.like("impact.%"))).all()
        assert sorted(e.action for e in events) == ["impact.export", "impact.view"]
        assert all(e.resident_public_id is None and e.actor_role == "beheerder" for e in events)


def test_a_checkin_of_an_unknown_questionnaire_version_does_not_break_the_page(app, client, population, beheerder):
    with app.app_context():
        db.session.execute(Checkin.__table__.update().values(questionnaire_version=99).where(
            Checkin.resident_id == population["noord"][0]))
        db.session.commit()
    response = client.get("/beheer/impact")
    assert response.status_code == 200 and "27 bewoners" in response.get_data(as_text=True)


def test_empty_database_shows_a_calm_page(client, beheerder):
    response = client.get("/beheer/impact")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "te weinig bewoners om cijfers te tonen" in page


def test_the_page_and_csv_speak_english_on_request(client, population, beheerder):
    client.post_form("/taal", {"lang": "en", "next": "/beheer/impact"})
    page = client.get("/beheer/impact").get_data(as_text=True)
    assert "Mean change per pillar" in page and "too little data" in page and "28 residents" in page
    text = client.get("/beheer/impact.csv").get_data(as_text=True)
    assert text.lstrip("\ufeff").startswith("part;group;pillar;number of residents;value")
    assert "+1.1" in page and "1,1" not in page  # English decimal point
