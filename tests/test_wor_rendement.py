"""Rendementsmeter: the price list as data (the beheerder overrides amounts and sources), and the figures per
quarter and referral source checked against a hand-computed fixture, small groups hidden as on Impact."""

import csv
import io
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from webapp.accounts import service as people
from webapp.core.extensions import db
from webapp.core.models import AuditEvent, Resident, WorPrice, WorReferral
from webapp.wor import rules
from webapp.wor import service as wor

# Praktijk De Linde, 2026 K3: ten residents, hours and ticks chosen so the sums are easy by hand.
HOURS = [5, 10, 15, 20, 0, 8, 12, 6, 4, 20]  # 100 hours
AVOIDED = [["huisarts"]] * 4 + [["huisarts", "poh_ggz"]] * 3 + [["weet_niet"]] * 2 + [["dagbesteding"]]
# Test prices (TEST_PRICES, not the shipped file, so a new price list never changes these sums):
# huisarts 120-200, poh_ggz 250-450, dagbesteding 800-1600, coach 60-80 an hour.
# Avoided low  = 4*120 + 3*(120+250) + 2*0 + 800  = 480 + 1110 + 800  = 2390
# Avoided high = 4*200 + 3*(200+450) + 2*0 + 1600 = 800 + 1950 + 1600 = 4350
# Coaching     = 100 h * 60 = 6000 ... 100 h * 80 = 8000
LINDE_K3 = rules.FigureRow("2026-K3", "Praktijk De Linde", 10, 100, 2390, 4350, 6000, 8000)


def _line(item_id: str, low: int, high: int, **extra) -> dict:
    return {"id": item_id, "name": {"nl": item_id, "en": item_id}, "unit": {"nl": "1", "en": "1"}, "low": low,
            "high": high, "source": "Testbedrag", **extra}


TEST_PRICES = rules.parse_price_list({"items": [
    _line("huisarts", 120, 200), _line("poh_ggz", 250, 450), _line("basis_ggz", 900, 2500),
    _line("dagbesteding", 800, 1600), _line("thuiszorg", 600, 1800), _line("welzijnscoach_uur", 60, 80,
                                                                          hourly_rate=True)]})


@pytest.fixture
def pinned_prices(monkeypatch):
    """The figures are checked by hand against these amounts, whatever the shipped file says."""
    monkeypatch.setattr(wor, "file_prices", lambda: TEST_PRICES)


def _resident() -> int:
    resident = Resident(display_name="x")
    db.session.add(resident)
    db.session.flush()
    return resident.id


def _closed(referrer, resident_id: int, at: datetime, hours: int, avoided: list[str]) -> None:
    db.session.add(WorReferral(referrer_id=referrer.id, patient_name="x", contact="x", reason="x", urgency="gewoon",
                               status="afgerond", resident_id=resident_id, sharing="geen", improved="beter",
                               coaching_hours=hours, avoided=avoided, closed_at=at))


@pytest.fixture
def fixture_cases(app, pinned_prices):
    with app.test_request_context():
        linde = people.create_staff("huisarts-linde", "een-lang-wachtwoord-1", ["verwijzer"], "Dokter A",
                                    "Praktijk De Linde")
        anker = people.create_staff("poh-anker", "een-lang-wachtwoord-2", ["verwijzer"], "POH B", "=Praktijk Anker")
        for hours, avoided in zip(HOURS, AVOIDED, strict=True):
            _closed(linde, _resident(), datetime(2026, 8, 15, 10, 0, tzinfo=UTC), hours, avoided)
        for _n in range(3):  # 3 residents: hidden
            _closed(anker, _resident(), datetime(2026, 8, 1, 10, 0, tzinfo=UTC), 10, ["thuiszorg"])
        # Ten cases in 2026 K2, but from nine residents (one referred twice): hidden, as Impact counts people.
        twice = _resident()
        for number in range(10):
            _closed(linde, twice if number < 2 else _resident(), datetime(2026, 5, 1, 10, 0, tzinfo=UTC), 1,
                    ["huisarts"])
        # 30 September 23:30 UTC is 1 October in Amsterdam: K4, and alone there (hidden).
        _closed(linde, _resident(), datetime(2026, 9, 30, 23, 30, tzinfo=UTC), 3, ["niets"])
        # Not closed, or closed before this feature recorded an outcome: not counted.
        db.session.add(WorReferral(referrer_id=linde.id, patient_name="x", contact="x", reason="x", urgency="gewoon",
                                   status="in_begeleiding", resident_id=_resident()))
        db.session.commit()


def _figures(app):
    with app.app_context():
        from webapp.core import clock

        return rules.rendement_figures(wor.closed_cases(clock.timezone()), wor.prices())


def test_the_figures_match_the_hand_computed_fixture(app, fixture_cases):
    rows = _figures(app)
    assert rows == [rules.FigureRow("2026-K4", "Praktijk De Linde", None),
                    rules.FigureRow("2026-K3", "=Praktijk Anker", None), LINDE_K3,
                    rules.FigureRow("2026-K2", "Praktijk De Linde", None)]


def test_the_beheerders_amounts_override_the_file(app, fixture_cases, client, make_staff, login_as):
    beheerder = make_staff("beheerder")["user"]
    login_as(client, beheerder)
    form = {f"{part}-{item.id}": str(getattr(item, part)) for item in _items(app) for part in ("low", "high", "source")}
    form.update({"low-huisarts": "100", "high-huisarts": "150", "source-huisarts": "Eigen contract 2026"})
    assert client.post_form("/beheer/prijslijst", form).status_code == 302
    # Low = 4*100 + 3*(100+250) + 800 = 2250; high = 4*150 + 3*(150+450) + 1600 = 4000.
    [linde] = [row for row in _figures(app) if not row.suppressed]
    assert (linde.avoided_low, linde.avoided_high, linde.coaching_low) == (2250, 4000, 6000)
    page = client.get("/beheer/prijslijst").get_data(as_text=True)
    assert "Eigen contract 2026" in page and "Laatst aangepast op" in page
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(WorPrice)) == 1  # only the changed line
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "wor.prices"))
        assert event is not None and event.actor_public_id == beheerder


def _items(app):
    with app.app_context():
        return wor.prices()


@pytest.mark.parametrize("changes, message", [
    ({"low-huisarts": "honderd"}, "een bedrag in hele euro"),
    ({"high-poh_ggz": "-5"}, "een bedrag in hele euro"),
    ({"low-dagbesteding": "12,50"}, "een bedrag in hele euro"),
    ({"low-thuiszorg": "5000"}, "Het lage bedrag mag niet hoger zijn dan het hoge bedrag."),
    ({"source-huisarts": "  "}, "Noem de bron van het bedrag"),
])
def test_a_broken_price_gives_a_clear_message_and_stores_nothing(app, client, make_staff, login_as, changes, message):
    login_as(client, make_staff("beheerder")["user"])
    form = {f"{part}-{item.id}": str(getattr(item, part)) for item in _items(app) for part in ("low", "high", "source")}
    form["low-huisarts"] = "130"  # a good change next to the broken one is not stored either
    response = client.post_form("/beheer/prijslijst", {**form, **changes})
    assert response.status_code == 400
    page = response.get_data(as_text=True).replace("&#x27;", "&#39;")
    assert message in page and "Er is niets opgeslagen" in page
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(WorPrice)) == 0


def test_the_figures_page_and_csv_say_estimate_and_hide_small_groups(app, fixture_cases, client, make_staff,
                                                                     login_as):
    login_as(client, make_staff("beheerder")["user"])
    page = client.get("/beheer/rendement").get_data(as_text=True)
    assert "schatting: € 2.390 tot € 4.350" in page and "schatting: € 6.000 tot € 8.000" in page
    assert page.count("te weinig gegevens") >= 3 and "2026, kwartaal 3" in page
    assert "Rendementsmeter" in client.get("/beheer/impact").get_data(as_text=True)
    response = client.get("/beheer/rendement.csv")
    assert response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff")), delimiter=";"))
    assert "schatting" in rows[0][3]
    assert rows[3] == ["2026, kwartaal 3", "Praktijk De Linde", "10", "2390", "4350", "6000", "8000", "100"]
    assert rows[2][:3] == ["2026, kwartaal 3", "'=Praktijk Anker", "te weinig gegevens"]  # no formula runs
    assert len(rows) == 5
    with app.app_context():
        assert {"wor.figures", "wor.figures_export"} <= set(db.session.scalars(select(AuditEvent.action)))


def test_the_figures_page_for_english_readers(app, fixture_cases, client, make_staff, login_as):
    login_as(client, make_staff("beheerder")["user"])
    client.post_form("/taal", {"lang": "en"})
    page = client.get("/beheer/rendement").get_data(as_text=True)
    assert "estimate: € 2,390 to € 4,350" in page


# --- the price list file ---

# The shipped list: Zorginstituut Nederland's reference prices (Kostenhandleiding 2024, price level 2022) times
# the number the unit names, by hand: {id: (number low, price low, number high, price high)}.
REFERENCE = {"huisarts": (4, 30.87, 4, 42.47), "poh_ggz": (5, 20.85, 5, 23.12), "basis_ggz": (5, 98.61, 5, 121.00),
             "dagbesteding": (13, 83.29, 26, 83.29), "thuiszorg": (9, 32.76, 9, 75.00),
             "welzijnscoach_uur": (1, 64.00, 1, 127.00)}


def test_the_shipped_price_list_is_the_kostenhandleidings_reference_prices_with_their_source():
    items = {item.id: item for item in wor.file_prices()}
    assert set(items) == set(REFERENCE)
    assert sum(item.hourly_rate for item in items.values()) == 1 and items["welzijnscoach_uur"].hourly_rate
    for item_id, (n_low, low, n_high, high) in REFERENCE.items():
        item = items[item_id]
        assert (item.low, item.high) == (round(n_low * low), round(n_high * high)), item_id
        for price in {low, high}:  # the price is quoted in the source, as the document prints it
            assert f"€ {price:.2f}".replace(".", ",") in item.source, (item_id, price)
        assert item.source.startswith("Zorginstituut Nederland, Kostenhandleiding") and "(2024)" in item.source
        assert "prijspeil 2022" in item.source and "aanname" in item.source
        assert len(item.source) <= rules.MAX_SOURCE
        assert item.url and item.url.startswith("https://www.zorginstituutnederland.nl/")
        assert "oorbeeld" not in item.source
        assert item.name["nl"] and item.name["en"]


def test_the_price_page_shows_each_source_with_its_link_until_the_beheerder_changes_it(app, client, make_staff,
                                                                                       login_as):
    login_as(client, make_staff("beheerder")["user"])
    page = client.get("/beheer/prijslijst").get_data(as_text=True)
    assert page.count('href="https://www.zorginstituutnederland.nl/') == len(REFERENCE)
    assert "consult huisarts gemiddeld € 30,87" in page and "prijspeil 2022" in page
    assert "voorbeeldbedragen" not in page
    form = {f"{part}-{item.id}": str(getattr(item, part)) for item in _items(app) for part in ("low", "high", "source")}
    form["source-huisarts"] = "Eigen contract met de zorggroep, 2026"
    assert client.post_form("/beheer/prijslijst", form).status_code == 302
    page = client.get("/beheer/prijslijst").get_data(as_text=True)
    assert page.count('href="https://www.zorginstituutnederland.nl/') == len(REFERENCE) - 1
    assert "Eigen contract met de zorggroep, 2026" in page


@pytest.mark.parametrize("broken", [
    {}, {"items": []}, {"items": [{"id": "a"}]},
    {"items": [{"id": "a", "name": {"nl": "A", "en": "A"}, "unit": {"nl": "1", "en": "1"}, "low": 5, "high": 1,
                "source": "x", "hourly_rate": True}]},
    {"items": [{"id": "weet_niet", "name": {"nl": "A", "en": "A"}, "unit": {"nl": "1", "en": "1"}, "low": 1,
                "high": 5, "source": "x", "hourly_rate": True}]},
    {"items": [{"id": "a", "name": {"nl": "A", "en": "A"}, "unit": {"nl": "1", "en": "1"}, "low": 1, "high": 5,
                "source": "x"}]},  # no hourly rate
    {"items": [_line("a", 1, 5, hourly_rate=True, source="x" * 301)]},  # the page could never save it
    {"items": [_line("a", 1, 5, hourly_rate=True, url="http://example.org")]},
    {"items": [_line("a", 1, 5, hourly_rate=True, url="https://example.org/a b")]},
])
def test_a_broken_price_list_file_fails_loudly(broken):
    with pytest.raises(rules.PriceListError):
        rules.parse_price_list(broken)


def test_quarters():
    from datetime import date

    assert [rules.quarter_key(date(2026, m, 1)) for m in (1, 3, 4, 6, 7, 9, 10, 12)] == [
        "2026-K1", "2026-K1", "2026-K2", "2026-K2", "2026-K3", "2026-K3", "2026-K4", "2026-K4"]
