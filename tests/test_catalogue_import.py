"""The sociale kaart's CSV as a beheerder fills it in: optional columns left out, dates the way Dutch
Excel writes them, "alleen voor wie dit meemaakte", the columns listed on the import page, and
"vandaag gecontroleerd" in one tap."""

import io
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from tests.test_activities import csv_bytes, line
from webapp.core.definitions import life_events
from webapp.core.extensions import db
from webapp.core.models import Activity
from webapp.sociale_kaart import activity_csv
from webapp.sociale_kaart import service as catalogue
from webapp.sociale_kaart.activity_csv import read_date

EVENTS = {"mantelzorger", "verhuizing", "pensioen"}
TODAY = date(2026, 12, 3)


@pytest.mark.parametrize("text, expected", [
    ("3-12-2026", date(2026, 12, 3)), ("03-12-2026", date(2026, 12, 3)), ("2026-12-03", date(2026, 12, 3)),
    ("3/12/2026", date(2026, 12, 3)), ("3.12.2026", date(2026, 12, 3)), (" 1-2-2025 ", date(2025, 2, 1)),
    ("31-2-2026", None), ("12-3", None), ("3-12-26", None), ("３-12-2026", None), ("gisteren", None),
])
def test_dates_as_dutch_excel_writes_them(text, expected):
    assert read_date(text) == expected


def test_optional_columns_may_be_left_out():
    required = ";".join(activity_csv.REQUIRED)
    row = "Koffie;Welzijn;Samen koffie drinken.;actief;meedoen;gratis;adres;zelf;1-11-2026"
    rows, problems = activity_csv.parse(f"{required}\r\n{row}\r\n".encode(), EVENTS, TODAY)
    assert problems == []
    assert rows[0]["name"] == "Koffie" and rows[0]["wijk"] is None and rows[0]["for_event_only"] is False
    assert rows[0]["last_verified_on"] == date(2026, 11, 1) and rows[0]["wheelchair"] is False


def test_a_missing_required_column_or_a_column_twice_is_named():
    header = ";".join(c for c in activity_csv.REQUIRED if c != "kosten")
    _rows, problems = activity_csv.parse(f"{header}\r\n".encode(), EVENTS, TODAY)
    assert [(p.column, p.message) for p in problems] == [("kosten", "deze kolom ontbreekt")]
    header = ";".join([*activity_csv.REQUIRED, "wijk", "wijk"])
    _rows, problems = activity_csv.parse(f"{header}\r\n".encode(), EVENTS, TODAY)
    assert [(p.column, p.message) for p in problems] == [("wijk", "deze kolom staat er twee keer in")]


def test_only_for_people_after_a_life_event_round_trips_and_needs_an_event():
    header = ";".join(activity_csv.COLUMNS)

    def row(events: str, only: str) -> str:
        values = dict.fromkeys(activity_csv.COLUMNS, "")
        values.update(naam="Mantelzorgcafé", organisatie="Welzijn", beschrijving="Even bijpraten.", status="actief",
                      pijlers="mentaal", gebeurtenissen=events, kosten="gratis", locatie="adres", aanmelden="zelf",
                      gecontroleerd_op="1-12-2026", alleen_voor_gebeurtenis=only)
        return ";".join(values[c] for c in activity_csv.COLUMNS)

    rows, problems = activity_csv.parse(f"{header}\r\n{row('mantelzorger', 'ja')}\r\n".encode(), EVENTS, TODAY)
    assert problems == [] and rows[0]["for_event_only"] is True
    exported = activity_csv.export([{**rows[0], "public_id": "x"}])
    assert exported.splitlines()[1].endswith(";ja")
    _rows, problems = activity_csv.parse(f"{header}\r\n{row('', 'ja')}\r\n".encode(), EVENTS, TODAY)
    assert [p.column for p in problems] == ["alleen_voor_gebeurtenis"]


def test_the_import_page_lists_every_column(admin_client):
    page = admin_client.get("/beheer/activiteiten").get_data(as_text=True)
    assert "Welke kolommen kan het bestand hebben?" in page
    for column in activity_csv.COLUMNS:
        assert f"<code>{column}</code>" in page


@pytest.fixture
def admin_client(client, login_as, make_staff):
    login_as(client, make_staff("beheerder")["user"])
    return client


def test_vandaag_gecontroleerd_in_one_tap(app, admin_client):
    old = (date.today() - timedelta(days=400)).isoformat()
    admin_client.post_form("/beheer/activiteiten/import",
                           {"file": (io.BytesIO(csv_bytes(line(name="Oude groep", verified=old))), "a.csv")})
    with app.app_context():
        activity = db.session.scalar(select(Activity))
        assert activity.last_verified_on < date.today()
        public_id = activity.public_id
    page = admin_client.get("/beheer/activiteiten").get_data(as_text=True)
    assert "Te controleren" in page and "Vandaag gecontroleerd" in page
    response = admin_client.post_form(f"/beheer/activiteiten/{public_id}/gecontroleerd")
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(Activity)).last_verified_on == date.today()
    assert "Te controleren" not in admin_client.get("/beheer/activiteiten").get_data(as_text=True)
    assert admin_client.post_form("/beheer/activiteiten/onbekend/gecontroleerd").status_code == 404


def test_the_edit_form_sets_only_for_people_after_an_event(app, admin_client):
    data = {"naam": "Mantelzorgmaatje", "beschrijving": "Een maatje voor mantelzorgers.", "pijlers": ["mentaal"],
            "gebeurtenissen": ["mantelzorger"], "alleen_voor_gebeurtenis": "ja", "status": "actief",
            "kosten": "gratis", "locatie": "thuis", "aanmelden": "zelf", "organisatie": "Welzijn",
            "gecontroleerd_op": date.today().isoformat()}
    assert admin_client.post_form("/beheer/activiteiten/nieuw", data).status_code == 302
    with app.app_context():
        assert db.session.scalar(select(Activity)).for_event_only is True
    refused = admin_client.post_form("/beheer/activiteiten/nieuw", {**data, "naam": "Zonder", "gebeurtenissen": []})
    assert refused.status_code == 400
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Activity)) == 1
    # The same activity made twice in the form would be listed twice, as a second import did.
    twice = admin_client.post_form("/beheer/activiteiten/nieuw", {**data, "naam": "mantelzorgmaatje "})
    assert twice.status_code == 400 and "Deze activiteit staat al in de sociale kaart" in twice.get_data(as_text=True)
    with app.app_context():
        existing = db.session.scalar(select(Activity.public_id))
    edited = admin_client.post_form(f"/beheer/activiteiten/{existing}", {**data, "beschrijving": "Anders."})
    assert edited.status_code == 302  # editing it is not making it twice


def test_an_export_of_two_alike_activities_imports_again(app):
    # A review found two activities alike in name and organisation (made before the duplicate check)
    # made their own export fail: "onbekende id" for the one whose id the name lookup had lost.
    with app.app_context():
        catalogue.import_csv(csv_bytes(line(name="Koffie")))
        db.session.add(Activity(**{**activity_csv.parse(csv_bytes(line(name="koffie")), EVENTS, TODAY)[0][0],
                                   "public_id": "tweede-koffie"}))
        db.session.commit()
        new, changed, unchanged, problems = catalogue.import_csv(catalogue.export_csv().encode())
        assert problems == [] and (new, changed, unchanged) == (0, 0, 2)


def test_the_demo_catalogue_marks_activities_only_for_carers_mourners_and_newcomers(app):
    with app.app_context():
        known = {e.id for e in life_events().events}
        rows, problems = activity_csv.parse(catalogue.DEMO_FILE.read_bytes(), known, date.today())
    assert problems == []
    only = {r["name"] for r in rows if r["for_event_only"]}
    assert {"Mantelzorgmaatje", "Mantelzorgcafé Veerstad", "Buddy voor nieuwkomers", "Rouwgroep Samen Verder"} <= only
    assert "Wandelgroep De Beemden" not in only


def test_the_admin_list_names_each_status_in_the_page_language(app, admin_client):
    # Found using the app: the English list said "actief", the CSV's code.
    with app.app_context():
        catalogue.seed_demo_activities()
        db.session.commit()
    dutch = admin_client.get("/beheer/activiteiten").get_data(as_text=True)
    assert 'data-label="Status">Actief</td>' in dutch and 'data-label="Status">actief</td>' not in dutch
    admin_client.post_form("/taal", {"lang": "en"})
    assert 'data-label="Status">Active</td>' in admin_client.get("/beheer/activiteiten").get_data(as_text=True)
