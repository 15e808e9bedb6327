"""Impact: organisation figures with every group under ten residents hidden, in pages, charts and CSV."""

import csv
import html
import io
import re
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import event, func, select

from webapp.core.extensions import db
from webapp.core.models import (
    Activity,
    Answer,
    AuditEvent,
    Checkin,
    CoachRelation,
    ImpactRelease,
    Referral,
    Resident,
    User,
)
from webapp.core.spreadsheet import csv_text
from webapp.impact import rules as impact
from webapp.impact.rules import ScoredCheckin

HIDDEN = "te weinig gegevens"


# --- statistics ---

@pytest.mark.parametrize(("df", "expected"), [(1, 12.7062), (2, 4.3027), (9, 2.2622), (29, 2.0452),
                                              (100, 1.9840), (1000, 1.9623)])
def test_t_quantile_matches_the_published_table(df, expected):
    assert impact.t_quantile(0.975, df) == pytest.approx(expected, abs=1e-4)


def test_an_estimate_of_nine_is_hidden_and_ten_is_shown():
    assert impact._estimate(9.0, 9, 0.0, 0.0, 0.0).suppressed
    shown = impact._estimate(10.0, 10, 0.0, 0.0, 0.0)
    assert not shown.suppressed and shown.low == shown.high == 1.0  # no spread, no noise: no uncertainty


def test_the_interval_holds_the_spread_and_the_noise():
    # n = 10, mean 2, variance 2 between residents: t(0.975, 9) * sqrt(2/10) = 1.011667, as a t-interval.
    plain = impact._estimate(20.0, 10, 2.0, 0.0, 0.0)
    assert plain.low == pytest.approx(0.988333, abs=1e-5) and plain.high == pytest.approx(3.011667, abs=1e-5)
    # Noise of variance 50 on the sum adds 50/100 to the mean's variance: the interval grows.
    noisy = impact._estimate(20.0, 10, 2.0, 50.0, 0.0)
    assert noisy.high - noisy.mean == pytest.approx(impact.t_quantile(0.975, 9) * (0.2 + 0.5) ** 0.5)


def test_an_interval_too_wide_to_say_anything_shows_no_mean_only_the_number_of_residents():
    # Found using the app: nearly every cell per activity read "-4,0 tot 4,0", every value a change can take.
    wide = impact._estimate(20.0, 10, 2.0, 2000.0, 0.0)
    assert wide.uncertain and not wide.suppressed and not wide.shown and wide.n == 10 and wide.mean is None
    narrow = impact._estimate(20.0, 10, 2.0, 0.0, 0.0)
    assert narrow.shown and narrow.high - narrow.low <= impact.WIDEST_INTERVAL


def test_a_subgroup_is_never_shown_larger_than_its_group():
    assert impact._estimate(20.0, 12, 0.0, 0.0, 0.0, at_most=11).n == 11
    assert impact._estimate(20.0, 12, 0.0, 0.0, 0.0, at_most=9).suppressed


def test_at_production_noise_no_activity_without_residents_is_listed_nor_a_subgroup_outgrows_its_group():
    # Found using the app: 24 activities were listed with 13 to 59 residents each where 49 referrals
    # went to 6 activities, and a life-event with "te weinig gegevens" had 29 residents in the change table.
    epsilon, groups, pillars = 4.0, 6, ["lichaam", "mentaal", "zingeving", "kwaliteit", "meedoen", "dagelijks"]
    cells = {"months": ["2026-01"], "events": ["pensioen", "scheiding"], "outcomes": [],
             "activities": [f"activiteit-{n}" for n in range(20)]}
    group = ([impact.Contribution(month="2026-01", event="pensioen", change=dict.fromkeys(pillars, 1.0))] * 20
             + [impact.Contribution(month="2026-01", event="scheiding", change=dict.fromkeys(pillars, 1.0))] * 2)
    listed = checked = 0
    for _seed in range(100):
        exact = impact.tally(group, cells, pillars)
        noisy = impact.combine(impact.release_tally(exact, epsilon) for _ in range(groups))
        data = impact.view_figures(noisy, groups, epsilon, pillars, cells)
        listed += len(data.change_by_activity)
        assert data.activity_minimum == 68  # 10 + 2 x the noise's spread over six groups: the page says so
        counts = dict(data.by_event)
        for life_event, estimates in data.change_by_event:
            change = estimates["mentaal"]
            if counts[life_event] is None:
                assert change.suppressed
            elif not change.suppressed:
                assert change.n <= counts[life_event]
                checked += 1
    assert listed <= 0.02 * 100 * len(cells["activities"])  # nobody was referred to any of them
    assert checked >= 50


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


def test_first_and_latest_and_a_change_only_with_every_pillar_scored():
    checkins = [_checkin(r, 1, mentaal=4.0, lichaam=5.0) for r in range(10)]
    checkins += [_checkin(r, 9, mentaal=5.0, lichaam=5.0) for r in range(10)]
    checkins += [_checkin(r, 5, mentaal=9.0, lichaam=9.0) for r in range(10)]  # in between: not used
    checkins.append(_checkin(99, 1, mentaal=1.0))  # one check-in only: not counted
    pairs = impact.first_and_latest(checkins)
    assert set(pairs) == set(range(10))
    assert impact.pillar_changes(*pairs[0], ["mentaal", "lichaam"]) == {"mentaal": 1.0, "lichaam": 0.0}
    # A pillar left open on one side: this resident adds to no pillar, so n is the same for all six.
    assert impact.pillar_changes(_checkin(1, 1, mentaal=4.0), _checkin(1, 2, mentaal=6.0, lichaam=3.0),
                                 ["mentaal", "lichaam"]) is None


CELLS = {"months": ["2026-01"], "events": ["a", "b", "c"], "outcomes": ["gestart"], "activities": []}


def _exact_figures(contributions, pillars=("x",)):
    """Figures from a release whose noise is negligible (a huge epsilon), to test the hiding rules."""
    noisy = impact.release_tally(impact.tally(contributions, CELLS, pillars), 1e7)
    return impact.view_figures(noisy, 1, 1e7, pillars, CELLS)


def test_change_per_group_hides_a_second_group_when_one_small_group_could_be_subtracted():
    def group(event, count, change):
        return [impact.Contribution(month="2026-01", event=event, change={"x": change}) for _ in range(count)]

    data = _exact_figures(group("a", 20, 1.0) + group("b", 12, 2.0) + group("c", 3, -3.0))
    by_event = dict(data.change_by_event)
    assert by_event["a"]["x"].mean == pytest.approx(1.0, abs=1e-3) and by_event["a"]["x"].n == 20
    assert by_event["b"]["x"].suppressed and by_event["c"]["x"].suppressed
    assert data.change_residents == 35


def test_a_change_beyond_the_limit_counts_as_the_limit():
    contributions = [impact.Contribution(month="2026-01", event="a", change={"x": 9.0}) for _ in range(10)]
    assert _exact_figures(contributions).change["x"].mean == pytest.approx(impact.CHANGE_LIMIT, abs=1e-3)


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
def exact(app):
    """Noise too small to see (a huge epsilon and budget), for tests of what the page shows and hides."""
    app.config.update(IMPACT_EPSILON=1e7, IMPACT_BUDGET=1e9)


def add_residents(kort_items, wijk, count, scores, name_prefix, coach_id=None, mode="zelf"):
    """`count` residents in `wijk` with a check-in per (when, score, life-event) in `scores`.

    With `coach_id` a coach enrolled them; with mode "samen" they filled in their check-ins with a
    coach; with neither they made their own account, and count in no figure.
    """
    ids = []
    for number in range(count):
        resident = Resident(display_name=f"{name_prefix} {number}", wijk=wijk)
        db.session.add(resident)
        db.session.flush()
        if coach_id is not None:
            db.session.add(CoachRelation(coach_id=coach_id, resident_id=resident.id, origin="ingeschreven",
                                         consent_date=NOW.date(), consent_method="mondeling"))
        for at, score, life_event in scores:
            answers = score if isinstance(score, dict) else {i: score for items in kort_items.values() for i in items}
            db.session.add(Checkin(
                resident_id=resident.id, questionnaire_id="veerkracht", questionnaire_version=1, form="kort",
                life_event=life_event if life_event else "geen", started_at=at, completed_at=at, mode=mode,
                answers=[Answer(item_id=i, score=v) for i, v in answers.items()]))
        ids.append(resident.id)
    return ids


@pytest.fixture
def coach_id(app, make_staff):
    public_id = make_staff("ouderencoach", name="Coach Inschrijver")["user"]
    with app.app_context():
        return db.session.scalar(select(User.id).where(User.public_id == public_id))


@pytest.fixture
def population(app, kort_items, exact, coach_id):
    """Noord: 13 residents (pensioen) from 4 to 6, referred to a walking club in between; Zuid: 12
    (scheiding) staying at 5, 3 of them referred; Kleine Hof: 3 (verhuizing) from 5 to 7; and 3
    more in Noord with one check-in long ago. A coach enrolled Noord and Zuid; the others filled
    in their check-ins with a coach."""

    def add(wijk, event, count, scores, name_prefix):
        together = name_prefix in ("Hofbewoner", "Oudbewoner")
        return add_residents(kort_items, wijk, count, scores, name_prefix,
                             coach_id=None if together else coach_id, mode="samen" if together else "zelf")

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


def _chart_urls(page: str, attribute: str = "src") -> list[str]:
    """The chart addresses a page names (img src: the wide drawings; source srcset: the phone's)."""
    return [html.unescape(url) for url in re.findall(rf'{attribute}="(/beheer/impact/grafiek/[^"]+)"', page)]


def _chart_texts(client, page: str, attribute: str = "src") -> str:
    svgs = []
    for url in _chart_urls(page, attribute):
        response = client.get(url)
        assert response.status_code == 200 and response.mimetype == "image/svg+xml", url
        svgs.append(response.get_data(as_text=True))
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
    assert "Alleen activiteiten met minstens 10 van zulke bewoners" in page  # no noise in these tests
    # Referral outcomes: 3 afgerond is hidden, so 13 gestart is too (16 referred in total is shown).
    assert "te weinig gegevens" in _cell(page, "Gestart")
    assert _cell(page, "Verwezen, in totaal") == "<strong>16</strong>"
    assert len(_chart_urls(page)) == 2  # the months and the change per pillar
    charts = _chart_texts(client, page)
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


def test_the_hint_names_the_pooled_group_only_where_the_filter_offers_it(app, client, kort_items, coach_id,
                                                                          beheerder):
    # Found using the app: the hint sent the beheerder to "Overige wijken en onbekend", not in the list.
    before, after = NOW - timedelta(days=60), NOW - timedelta(days=10)
    with app.app_context():
        add_residents(kort_items, "Aa", 12, [(before, 5, "pensioen"), (after, 6, None)], "Aa", coach_id=coach_id)
        db.session.commit()
    page = client.get("/beheer/impact").get_data(as_text=True)
    assert re.findall(r'<option value="([^"]*)"', page.split('id="wijk"')[1].split("</select>")[0]) == ["", "Aa"]
    assert "Overige wijken en onbekend" not in page and "U kunt alleen wijken kiezen met minstens 10" in page


def test_a_period_with_fewer_than_ten_residents_shows_nothing_but_too_little_data(client, population, beheerder):
    period = str(OLD.year)
    response = client.get(f"/beheer/impact?periode={period}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "te weinig bewoners om cijfers te tonen" in page and "Bewoners per maand" not in page
    assert "/grafiek/" not in page  # no charts either
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
    assert ["Verwijzingen naar activiteiten", "Verwezen, in totaal", "", "", "13", "", ""] in rows
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
    assert 'role="alert"' in page and "Bewoners per maand" not in page
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


# --- the attacks of issue 20, replayed on generated data with the default privacy settings ---

SEEDS = 60  # fresh releases per attack: the mean error over these is compared with what epsilon promises


def _view(app, wijk=None, period=None):
    """The figures of one view, as the page shows them, released under the app's settings."""
    from webapp.core.definitions import current_questionnaire, life_events
    from webapp.impact import service

    with app.test_request_context():
        wijken = service.wijk_groups()
        data = service.figures(service.Filters(period, wijk), [p.id for p in current_questionnaire().pillars],
                               [e.id for e in life_events().events], service.clock.timezone(), wijken)
        db.session.commit()
        return wijken, data


def _forget_releases(app):
    """A fresh release next time: as if a new month began (each is a new draw of the noise)."""
    with app.app_context():
        db.session.execute(ImpactRelease.__table__.delete())
        db.session.commit()


def _scores(kort_items, level):
    return {i: level for items in kort_items.values() for i in items}


@pytest.fixture
def production_noise(app):
    """The default epsilon per release; budget enough for many fresh releases (one per seed)."""
    app.config.update(IMPACT_EPSILON=4.0, IMPACT_BUDGET=1e9)
    return 4.0


def _mean_abs(errors):
    assert len(errors) >= SEEDS // 2, "the attack could not even be tried often enough"
    return sum(abs(e) for e in errors) / len(errors)


def test_attack_subtracting_wijk_views_from_the_total_yields_only_noise(app, kort_items, coach_id, production_noise):
    # Issue 20, attack 1: four wijken held 12, 17, 10 and 14 of 61 residents; total minus those gave
    # the fifth wijk's 8. Now the total is the sum of the wijk groups' noisy tallies: the difference is
    # the noisy count of the pool, off by the noise that epsilon promises (mean absolute error b).
    before, after = NOW - timedelta(days=60), NOW - timedelta(days=10)
    sizes = {"Aa": 12, "Bb": 17, "Cc": 10, "Dd": 14, "Ee": 8}
    with app.app_context():
        for wijk, size in sizes.items():
            add_residents(kort_items, wijk, size, [(before, 5, "pensioen"), (after, 6, None)], wijk, coach_id=coach_id)
        db.session.commit()
    b_residents = impact.noise_scale("residents", production_noise)
    b_sum = impact.noise_scale("change_sum", production_noise)
    count_errors, sum_errors = [], []
    # About half the releases show no total change at all ("te onzeker": nothing to subtract from), so
    # there are more of them here, until the change attack too was tried on SEEDS // 2 releases.
    for _seed in range(3 * SEEDS):
        if len(count_errors) >= SEEDS and len(sum_errors) >= SEEDS // 2:
            break
        _forget_releases(app)
        wijken, everyone = _view(app)
        named = [w for w in wijken if w != "overig"]
        shown = {w: _view(app, wijk=w)[1] for w in named}
        if everyone is None:
            continue
        # The attacker subtracts every wijk view that shows a figure; a hidden one stays in the guess.
        rest = sum(sizes.values()) - sum(sizes[w] for w in named)
        count_errors.append(everyone.residents - rest - sum(d.residents for d in shown.values() if d and d.residents))
        if not everyone.change["mentaal"].shown:
            continue
        # The same with the change (+1 for everyone): the rest's sum of changes is `rest`.
        total = everyone.change["mentaal"].mean * everyone.change["mentaal"].n
        sum_errors.append(total - rest - sum(d.change["mentaal"].mean * d.change["mentaal"].n
                                             for d in shown.values() if d and d.change["mentaal"].shown))
    assert _mean_abs(count_errors) >= 0.6 * b_residents
    assert _mean_abs(sum_errors) >= 0.6 * b_sum


def test_attack_counts_against_n_yields_only_noise_and_n_is_one_number(app, kort_items, coach_id, production_noise):
    # Issue 20, attack 2: 12 carers per life-event against n = 10 in the change per life-event said
    # that 2 carers had a single check-in. Both are noisy now, from independent draws.
    before, after = NOW - timedelta(days=60), NOW - timedelta(days=10)
    with app.app_context():
        add_residents(kort_items, "Aa", 28, [(before, 5, "mantelzorger"), (after, 6, None)], "Zorger",
                      coach_id=coach_id)
        add_residents(kort_items, "Aa", 2, [(after, 5, "mantelzorger")], "Eenmalig", coach_id=coach_id)
        # Two residents left a pillar open: they are left out of every pillar, not of one only.
        open_pillar = _scores(kort_items, 5) | dict.fromkeys(kort_items["lichaam"], None)
        add_residents(kort_items, "Aa", 2, [(before, open_pillar, "pensioen"), (after, 6, None)], "Open",
                      coach_id=coach_id)
        db.session.commit()
    b_events = impact.noise_scale("events", production_noise)
    errors = []
    for _seed in range(SEEDS):
        _forget_releases(app)
        _wijken, data = _view(app)
        if data is None:
            continue
        assert len({data.change[p].n for p in data.pillars}) == 1  # one n for all six pillars
        carers = dict(data.by_event)["mantelzorger"]
        change = dict(data.change_by_event)["mantelzorger"]["mentaal"]
        if carers is None or change.suppressed:
            continue
        errors.append(carers - change.n - 2)
    assert _mean_abs(errors) >= 0.6 * b_events


def test_planted_accounts_do_not_count_and_do_not_lift_a_group(app, kort_items, coach_id, production_noise):
    # Issue 20, attack 3: nine new accounts with two identical check-ins (change 0) lifted a group
    # holding one real resident to n = 10. Accounts nobody from the organisation met count nowhere.
    before, after = NOW - timedelta(days=60), NOW - timedelta(days=10)
    with app.app_context():
        add_residents(kort_items, "Aa", 40, [(before, 5, "pensioen"), (after, 6, None)], "Gewoon", coach_id=coach_id)
        add_residents(kort_items, "Aa", 1, [(before, 3, "scheiding"), (after, 7, None)], "Echt", coach_id=coach_id)
        db.session.commit()

    def exact_groups():
        from webapp.core.definitions import current_questionnaire
        from webapp.impact import service

        with app.test_request_context():
            contributions = service._contributions(service.Filters(), [p.id for p in current_questionnaire().pillars],
                                                   service.clock.timezone())
            return sorted((c.event, c.change is not None) for _w, c in contributions.values())

    honest = exact_groups()
    with app.app_context():
        add_residents(kort_items, "Aa", 9, [(before, 5, "scheiding"), (after, 5, None)], "Geplant")
        db.session.commit()
    assert exact_groups() == honest  # the planted accounts add to no cell of any table
    wijken, _data = _view(app)
    assert wijken == ["Aa"]  # and to no wijk size: 41 counted residents, not 50


def test_attack_planted_zeros_cannot_recover_the_one_real_change():
    # Even were nine planted zeros counted (say a colluding coach enrolled them): the one real change
    # x is only found back as n * mean - 0, off by the noise on the sum (mean absolute error b).
    epsilon, x = 4.0, 3.7
    cells = {"months": ["2026-01"], "events": ["scheiding"], "outcomes": [], "activities": []}
    pillars = ["lichaam", "mentaal", "zingeving", "kwaliteit", "meedoen", "dagelijks"]
    group = [impact.Contribution(month="2026-01", event="scheiding", change=dict.fromkeys(pillars, 0.0))] * 9
    group.append(impact.Contribution(month="2026-01", event="scheiding", change=dict.fromkeys(pillars, x)))
    estimates = []
    for _seed in range(400):
        noisy = impact.release_tally(impact.tally(group, cells, pillars), epsilon)
        data = impact.view_figures(noisy, 1, epsilon, pillars, cells)
        if data is None or data.change["mentaal"].suppressed:
            continue
        estimates.append(data.change["mentaal"])
    # The noise on the sum is ~17 points, so the interval around ten residents holds it: the page says
    # "te onzeker" and shows no mean at all (about 94 in 100 measured), nothing to multiply by ten.
    shown = [e for e in estimates if e.shown]
    assert len(estimates) >= 60 and len(shown) <= 0.15 * len(estimates)
    assert all(e.high - e.low <= impact.WIDEST_INTERVAL for e in shown)
    errors = [e.mean * 10 - x for e in shown]
    assert sum(abs(error) < 0.5 for error in errors) <= max(2, 0.15 * len(errors))  # x is almost never hit
    # The trick on the few that are shown: width = 0.4524 |x| with nine zeros. The width holds
    # the noise, not the one resident's change (about 3.6 off on average, measured over 2,000 releases).
    widths = [abs((e.high - e.low) / 0.4524 - x) for e in shown]
    assert not widths or sum(widths) / len(widths) >= 2.0


def test_the_same_request_twice_gives_the_same_release(app, client, kort_items, coach_id, beheerder, production_noise):
    before, after = NOW - timedelta(days=60), NOW - timedelta(days=10)
    with app.app_context():
        add_residents(kort_items, "Aa", 30, [(before, 4, "pensioen"), (after, 6, None)], "Bewoner", coach_id=coach_id)
        db.session.commit()
    first = client.get("/beheer/impact").get_data(as_text=True)
    second = client.get("/beheer/impact").get_data(as_text=True)

    def figures_part(page):
        return page.split("<h1>", 1)[1]

    assert figures_part(first) == figures_part(second)
    assert client.get("/beheer/impact.csv").get_data() == client.get("/beheer/impact.csv").get_data()
    with app.app_context():  # one release of the wijk sizes, one of the period: asked five times
        releases = db.session.scalars(select(ImpactRelease)).all()
        assert sorted(r.key for r in releases) == ["periode:alles", "wijken"]
        assert sum(r.epsilon for r in releases) == pytest.approx(4.0 * (1 + impact.PARTITION_SHARE))
        assert all("Bewoner" not in r.payload for r in releases)


def test_a_spent_budget_stops_new_releases_but_kept_ones_still_show(app, client, kort_items, coach_id, beheerder):
    app.config.update(IMPACT_EPSILON=4.0, IMPACT_BUDGET=4.0 * (1 + impact.PARTITION_SHARE))
    before, after = NOW - timedelta(days=60), NOW - timedelta(days=10)
    with app.app_context():
        # 100, not 30: this test is about the budget, and with 30 the noise hid the figures now and then (1 in 12).
        add_residents(kort_items, "Aa", 100, [(before, 4, "pensioen"), (after, 6, None)], "Bewoner",
                      coach_id=coach_id)
        db.session.commit()
    assert "Gemiddelde verandering per pijler" in client.get("/beheer/impact").get_data(as_text=True)
    year = str(NOW.year)
    page = client.get(f"/beheer/impact?periode={year}").get_data(as_text=True)
    assert "privacybudget van deze maand is op" in page and "Gemiddelde verandering per pijler" not in page
    assert client.get(f"/beheer/impact.csv?periode={year}").status_code == 503
    assert "Gemiddelde verandering per pijler" in client.get("/beheer/impact").get_data(as_text=True)


# --- the page: figures and charts kept per release, wijk and language; how fresh they are ---


def test_the_page_says_when_its_figures_were_made(client, population, beheerder):
    page = client.get("/beheer/impact").get_data(as_text=True)
    assert "Deze cijfers zijn gemaakt op" in page and "Nieuwe cijfers komen er vanaf" in page
    client.post_form("/taal", {"lang": "en", "next": "/beheer/impact"})
    page = client.get("/beheer/impact").get_data(as_text=True)
    assert "These figures were made on" in page and "New figures from" in page


def test_charts_are_drawn_once_per_release_wijk_and_language(app, client, population, beheerder, monkeypatch):
    """Once per release, wijk, language and layout: the page itself draws nothing."""
    from webapp.impact import views

    drawn = []
    original = views.charts.changes_svg

    def counting(*args, **kwargs):
        drawn.append("phone" if kwargs.get("narrow") else "wide")
        return original(*args, **kwargs)

    def page_and_charts(address: str) -> str:
        page = client.get(address).get_data(as_text=True)
        _chart_texts(client, page, "src"), _chart_texts(client, page, "srcset")
        return page

    monkeypatch.setattr(views.charts, "changes_svg", counting)
    client.get("/beheer/impact")
    assert drawn == []  # the page only names the charts; a browser asks for the one it needs
    first = page_and_charts("/beheer/impact")
    assert _chart_urls(page_and_charts("/beheer/impact")) == _chart_urls(first)
    assert drawn == ["wide", "phone"]
    page_and_charts("/beheer/impact?wijk=Noord")
    page_and_charts("/beheer/impact?wijk=Noord")
    assert drawn == ["wide", "phone"] * 2
    with app.app_context():  # a new release (a new month): drawn again, from its own figures
        db.session.execute(ImpactRelease.__table__.delete())
        db.session.commit()
    old = _chart_urls(first)
    assert all(client.get(url).status_code == 404 for url in old)  # not the new figures under an old page
    assert all(url not in old for url in _chart_urls(page_and_charts("/beheer/impact")))
    assert drawn == ["wide", "phone"] * 3


def test_a_phone_gets_each_chart_drawn_for_its_width(client, population, beheerder):
    page = client.get("/beheer/impact").get_data(as_text=True)
    sources = re.findall(r'<source media="\(max-width: 40rem\)" srcset="(/beheer/impact/grafiek/[^"]+)">', page)
    assert len(sources) == 2  # the months and the change per pillar
    for url in sources:
        svg = client.get(html.unescape(url)).get_data(as_text=True)
        assert 'width="316.8pt"' in svg and "font-size: 13px" in svg  # 440 wide, larger words
    for url in _chart_urls(page):
        svg = client.get(url).get_data(as_text=True)
        assert 'width="316.8pt"' not in svg and "font-size: 13px" not in svg


def test_a_chart_is_kept_by_the_browser_and_revalidated(client, population, beheerder):
    url = _chart_urls(client.get("/beheer/impact").get_data(as_text=True))[1]
    response = client.get(url)
    assert response.headers["Cache-Control"].startswith("private, max-age=") and response.headers["ETag"]
    again = client.get(url, headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304 and again.get_data() == b""


def test_a_chart_in_the_page_language(client, population, beheerder):
    client.post_form("/taal", {"lang": "en", "next": "/beheer/impact"})
    page = client.get("/beheer/impact").get_data(as_text=True)
    urls = _chart_urls(page)
    assert all("lang=en" in url for url in urls)
    english = _chart_texts(client, page)
    assert "Mental well-being" in english and "Mentaal welbevinden" not in english
    assert client.get(urls[1].replace("lang=en", "lang=nl")).status_code == 404  # not this drawing's name
    client.post_form("/taal", {"lang": "nl", "next": "/beheer/impact"})
    assert client.get(urls[1]).status_code == 200  # the address names the language, whatever the session holds
    assert "Mental well-being" in client.get(urls[1]).get_data(as_text=True)
    assert "Mentaal welbevinden" in _chart_texts(client, client.get("/beheer/impact").get_data(as_text=True))


def test_a_chart_never_makes_figures_and_refuses_what_the_page_would(app, client, population, beheerder,
                                                                     monkeypatch):
    from webapp.impact import service, views

    url = _chart_urls(client.get("/beheer/impact").get_data(as_text=True))[1]  # the wijken are released
    assert client.get(url).status_code == 200
    with app.app_context():
        made, spent = db.session.scalar(select(func.count(ImpactRelease.id))), service.spent()
    # No release yet of this period: the chart is not made (nor paid for); only the page makes it.
    with monkeypatch.context() as patched:
        patched.setattr(views, "_chart_key", lambda *_args: "any")  # as if the address were right
        assert client.get(f"/beheer/impact/grafiek/verandering.svg?periode={NOW.year}&lang=nl&versie=any"
                          ).status_code == 404
    with app.app_context():
        assert db.session.scalar(select(func.count(ImpactRelease.id))) == made and service.spent() == spent
    for wrong in (url.replace("verandering.svg", "namen.svg"), url.replace("vorm=breed", "vorm=groot"),
                  url.replace("lang=nl", "lang=de"), re.sub(r"&?lang=nl", "", url),
                  re.sub(r"versie=\w+", "versie=0000", url), url + "&wijk=Zuid",  # a wijk that is not offered
                  url.replace("vorm=breed", "vorm=smal"),  # the address of one drawing names that one only
                  url.replace("/beheer/impact/", "/beheer/impact/../")):
        assert client.get(wrong).status_code == 404, wrong
    # Too few residents in a period: the page shows no chart, and no address gives one.
    period = str(OLD.year)
    client.get(f"/beheer/impact?periode={period}")  # makes that release (with nothing to show)
    monkeypatch.setattr(views, "_chart_key", lambda *_args: "any")  # every address right, but for this
    assert client.get(f"/beheer/impact/grafiek/verandering.svg?periode={period}&lang=nl&versie=any").status_code == 404
    assert client.get("/beheer/impact/grafiek/verandering.svg?lang=nl&versie=any").status_code == 200
    assert views.CHARTS.keys() == {"maanden", "verandering"}


def test_a_chart_of_a_wijk_with_any_name(app, client, kort_items, coach_id, beheerder):
    """Wijk names are typed by people: quotes and curly apostrophes must not reach a header."""
    wijk = '\u2019t Hof "Oost"'
    with app.app_context():
        add_residents(kort_items, wijk, 60, [(NOW - timedelta(days=40), 5, "pensioen"),
                                             (NOW - timedelta(days=4), 6, None)], "Hofbewoner", coach_id=coach_id)
        db.session.commit()
    page = client.get("/beheer/impact", query_string={"wijk": wijk}).get_data(as_text=True)
    urls = _chart_urls(page)
    assert len(urls) == 2
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200
        response.headers["ETag"].encode("latin-1")  # what gunicorn sends headers as
        assert client.get(url, headers={"If-None-Match": response.headers["ETag"]}).status_code == 304


def test_the_page_costs_the_same_statements_for_few_and_many_residents(app, client, population, beheerder,
                                                                         kort_items, coach_id):
    def page():
        assert client.get("/beheer/impact").status_code == 200

    def statements() -> int:
        count = []
        with app.app_context():
            engine = db.engine
        listener = lambda *_args: count.append(1)  # noqa: E731
        event.listen(engine, "before_cursor_execute", listener)
        try:
            page()
        finally:
            event.remove(engine, "before_cursor_execute", listener)
        return len(count)

    page()
    small = statements()
    with app.app_context():
        db.session.execute(ImpactRelease.__table__.delete())
        db.session.commit()
        add_residents(kort_items, "Zuid", 300, [(NOW - timedelta(days=40), 5, "pensioen"),
                                                (NOW - timedelta(days=4), 6, None)], "Veel", coach_id=coach_id)
        db.session.commit()
    page()  # makes the new releases
    assert statements() == small
