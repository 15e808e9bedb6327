"""The edge: control characters, redirect targets, numbers, dates, CSV cells, body size and a
registration race. Each of these gave a 500 (most only on PostgreSQL) or stored nonsense."""

import io
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from tests.conftest import all_answers, log_in
from webapp.accounts import service as people
from webapp.core.edge import find_control_character
from webapp.core.extensions import db
from webapp.core.models import Activity, Checkin, CoachRelation, Referral, Resident, User
from webapp.core.urls import safe_next
from webapp.sociale_kaart import activity_csv

REFUSED = "Onbekend teken"
TODAY = date.today()
MAIN_TABLES = (User, Resident, CoachRelation, Checkin, Activity, Referral)


def _counts(app) -> dict:
    with app.app_context():
        return {m.__name__: db.session.scalar(select(func.count()).select_from(m)) for m in MAIN_TABLES}


@pytest.fixture
def world(app, make_resident, make_staff, make_checkin, kort_items):
    """A resident who shares with a coach, a check-in done with that coach at a visit, an activity
    and a referral, and a beheerder."""
    owner = make_resident()
    coach = make_staff("ouderencoach", share_with=(owner["resident"],))
    admin = make_staff("beheerder", name="Beheer")
    checkin = make_checkin(owner["resident"], all_answers(kort_items, 6))
    with app.app_context():
        coach_row = db.session.scalar(select(User).where(User.public_id == coach["user"]))
        visit = db.session.scalar(select(Checkin).where(Checkin.public_id == checkin))
        visit.coach_id = coach_row.id
        resident = db.session.scalar(select(Resident).where(Resident.public_id == owner["resident"]))
        activity = Activity(name="Wandelgroep", organisation="Welzijn", description="Samen wandelen.",
                            pillars=["lichaam"], last_verified_on=TODAY)
        db.session.add(activity)
        db.session.flush()
        referral = Referral(resident_id=resident.id, activity_id=activity.id)
        db.session.add(referral)
        db.session.commit()
        ids = {"activity": activity.public_id, "referral": referral.public_id}
    return {"owner": owner, "coach": coach, "admin": admin, "checkin": checkin, **ids}


def _as(app, user_public_id=None):
    client = app.test_client()
    if user_public_id:
        log_in(client, user_public_id)
    return client


# --- item 2: control characters are refused at the edge, for every form, query and path value ---

def test_the_character_rule():
    assert find_control_character("a\x00b") == 1
    for refused in ("\x01", "\x1b", "\x7f", "\x85", "\x9f", "\ud800", "\udfff"):
        assert find_control_character(f"x{refused}", multiline=True) == 1, repr(refused)
    assert find_control_character("regel 1\r\nregel 2\tnog iets", multiline=True) is None
    assert find_control_character("a\nb") == 1  # a path or query value is one line
    assert find_control_character("Zoë, €5, 'ij', 中文, 🙂") is None


def test_nul_in_the_login_username_is_refused_without_logging_in(app, client):
    response = client.post_form("/inloggen", {"username": "anna\x00", "password": "een-lang-wachtwoord"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert REFUSED in page and "Er is niets opgeslagen" in page and "Traceback" not in page


@pytest.mark.parametrize("who, url", [
    ("owner", "/uitslag/%00"),
    ("owner", "/uitslag/{checkin}%01"),
    ("owner", "/geschiedenis/vergelijken?a=%00&b={checkin}"),
    ("owner", "/grafiek/{checkin}.svg?vs=%C2%85"),
    ("coach", "/coach/bewoner/%00"),
    ("admin", "/beheer/impact?wijk=%00"),
    (None, "/wat-is-er-te-doen?zoek=%7F"),
    (None, "/wat-is-er-te-doen/%00"),
    (None, "/inloggen?next=/x%0D%0ASet-Cookie:%20a=b"),
    (None, "/bestaat%00niet"),
])
def test_control_character_in_a_url_is_refused(app, world, who, url):
    client = _as(app, world[who]["user"] if who else None)
    response = client.get(url.format(checkin=world["checkin"]))
    assert response.status_code == 400, url
    assert REFUSED in response.get_data(as_text=True)


@pytest.mark.parametrize("who, url, data", [
    ("owner", "/account/wijk", {"wijk": "Centrum\x00"}),
    ("owner", "/uitslag/{checkin}", {"plan_step": "Wandelen\x00", "plan_pillar": "lichaam"}),
    ("coach", "/uitslag/{checkin}", {"coach_notes": "Gaat goed\x00", "rhythm": "gewoon"}),
    ("owner", "/verwijzing/{referral}/status", {"status": "gestopt", "reden": "Te ver\x00"}),
    ("coach", "/coach/inschrijven", {"display_name": "mevr. \x00", "consent_method": "mondeling",
                                    "consent_date": TODAY.isoformat(), "consent_explained": "y"}),
    ("admin", "/beheer/medewerker-nieuw", {"username": "nieuw", "display_name": "N\x00", "roles": "welzijnscoach",
                                          "password": "een-heel-lang-wachtwoord",
                                          "confirm": "een-heel-lang-wachtwoord"}),
    ("admin", "/beheer/activiteiten/nieuw", {"naam": "Tuin\x00", "beschrijving": "Samen tuinieren.",
                                            "pijlers": "lichaam", "status": "actief", "kosten": "gratis",
                                            "locatie": "online", "aanmelden": "zelf", "organisatie": "Groen",
                                            "gecontroleerd_op": TODAY.isoformat()}),
    ("admin", "/beheer/activiteiten/{activity}", {"naam": "Wandel\x1bgroep"}),
    (None, "/registreren", {"username": "nieuw", "password": "een-heel-lang-wachtwoord\x00",
                            "confirm": "een-heel-lang-wachtwoord\x00"}),
    (None, "/taal", {"lang": "en", "ne\x00xt": "/"}),  # a name too, not only a value
])
def test_control_character_in_a_form_is_refused_and_nothing_is_stored(app, world, who, url, data):
    client = _as(app, world[who]["user"] if who else None)
    before = _counts(app)
    with app.app_context():
        checkin = db.session.scalar(select(Checkin))
        plan_before = (checkin.plan_step, checkin.coach_notes)
    response = client.post_form(url.format(**world), data)
    assert response.status_code == 400, url
    assert REFUSED in response.get_data(as_text=True)
    assert _counts(app) == before
    with app.app_context():
        checkin = db.session.scalar(select(Checkin))
        assert (checkin.plan_step, checkin.coach_notes) == plan_before
        assert db.session.scalar(select(Resident.wijk).where(Resident.public_id == world["owner"]["resident"])) is None
        assert db.session.scalar(select(Referral.status)) == "voorgesteld"
        assert db.session.scalar(select(Activity.name)) == "Wandelgroep"


def test_multi_line_text_keeps_its_line_breaks_and_tabs(app, world):
    client = _as(app, world["owner"]["user"])
    response = client.post_form(f"/uitslag/{world['checkin']}", {"plan_step": "Eerst dit.\r\nDan\tdat."})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(Checkin.plan_step)) == "Eerst dit.\r\nDan\tdat."


def test_csv_with_a_control_character_gives_a_dutch_error_and_imports_nothing(app, world):
    client = _as(app, world["admin"]["user"])
    header = ";".join(activity_csv.COLUMNS)
    good = {c: "" for c in activity_csv.COLUMNS}
    good.update(naam="Eettafel", organisatie="Welzijn", beschrijving="Samen eten.", status="actief",
                pijlers="meedoen", kosten="gratis", locatie="online", aanmelden="zelf",
                gecontroleerd_op=TODAY.isoformat())
    rows = [";".join(good[c] for c in activity_csv.COLUMNS),
            ";".join({**good, "naam": "Eet\x00tafel"}[c] for c in activity_csv.COLUMNS)]
    data = "\r\n".join([header, *rows]).encode()
    response = client.post_form("/beheer/activiteiten/import", {"file": (io.BytesIO(data), "kaart.csv")},
                                content_type="multipart/form-data")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Rij 3" in page and "onzichtbaar stuurteken" in page
    assert _counts(app)["Activity"] == 1


# --- item 6: redirect targets, a registration race, numbers, dates, CSV cells, chunked bodies ---

def test_a_line_break_is_never_a_redirect_target():
    assert safe_next("/account") == "/account"
    for bad in ("/x\r\nSet-Cookie: a=b", "/x\n", "/x\x00", "/x\x85"):
        assert safe_next(bad) is None, repr(bad)


def test_crlf_in_next_of_the_language_switch_goes_home(client):
    response = client.post_form("/taal", {"lang": "en", "next": "/account\r\nSet-Cookie: a=b"})
    assert response.status_code == 302 and response.location == "/"


def test_crlf_in_next_after_a_stop_reason_goes_home(app, world):
    client = _as(app, world["owner"]["user"])
    response = client.post_form(f"/verwijzing/{world['referral']}/status",
                                {"status": "aangemeld", "next": "/\r\nX: 1"})
    assert response.status_code == 302 and response.location == "/"


def test_crlf_in_next_of_the_login_is_refused(app, make_resident, client):
    resident = make_resident()
    response = client.post_form("/inloggen?next=/account%0D%0AX:%201",
                                {"username": resident["username"], "password": "een-lang-wachtwoord"})
    assert response.status_code == 400


def test_a_simultaneous_registration_of_the_same_name_shows_it_is_taken(app, client, make_resident, monkeypatch):
    make_resident("bezet")
    # The other registration commits between this request's check and its insert.
    monkeypatch.setattr(people, "username_taken", lambda username: False)
    response = client.post_form("/registreren", {"username": "Bezet", "password": "een-heel-lang-wachtwoord",
                                                 "confirm": "een-heel-lang-wachtwoord"})
    assert response.status_code == 400
    assert "Deze gebruikersnaam is al bezet" in response.get_data(as_text=True)
    assert _counts(app)["User"] == 1 and _counts(app)["Resident"] == 1


def test_a_simultaneous_new_staff_account_of_the_same_name_shows_it_is_taken(app, client, make_staff, monkeypatch):
    admin = make_staff("beheerder", username="beheer")
    log_in(client, admin["user"])
    monkeypatch.setattr(people, "username_taken", lambda username: False)
    response = client.post_form("/beheer/medewerker-nieuw", {
        "username": "beheer", "display_name": "Nog een", "roles": "welzijnscoach",
        "password": "een-heel-lang-wachtwoord", "confirm": "een-heel-lang-wachtwoord"})
    assert response.status_code == 400
    assert "Deze gebruikersnaam is al bezet" in response.get_data(as_text=True)
    assert _counts(app)["User"] == 1


def _enrol(client, **overrides):
    data = {"display_name": "mevr. J. de V.", "birth_year": "1944", "consent_method": "mondeling",
            "consent_date": TODAY.isoformat(), "consent_explained": "y"}
    return client.post_form("/coach/inschrijven", {**data, **overrides})


@pytest.mark.parametrize("overrides, message", [
    ({"birth_year": "1" * 4000}, "met de cijfers 0 tot en met 9"),
    ({"birth_year": "9" * 5000}, "met de cijfers 0 tot en met 9"),
    ({"birth_year": "１９４８"}, "met de cijfers 0 tot en met 9"),
    ({"birth_year": "1_948"}, "met de cijfers 0 tot en met 9"),
    ({"birth_year": "١٩٤٨"}, "met de cijfers 0 tot en met 9"),
    ({"consent_date": "２０２６-１１-２０"}, "geldige datum"),
    ({"consent_date": "9999-12-31"}, "in de toekomst"),
    ({"consent_date": "1899-12-31"}, "te ver terug"),
])
def test_enrolment_refuses_odd_numbers_and_dates(app, world, overrides, message):
    client = _as(app, world["coach"]["user"])
    before = _counts(app)
    response = _enrol(client, **overrides)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert message in page
    assert "Vul een geboortejaar in, zoals 1948." not in page  # one message, not also the range's
    assert _counts(app) == before


def test_enrolment_still_takes_a_plain_year_and_no_year(app, world):
    client = _as(app, world["coach"]["user"])
    assert _enrol(client, birth_year=" 1944 ").status_code == 302
    assert _enrol(client, birth_year="").status_code == 302


@pytest.mark.parametrize("date_text, message", [
    ("9999-12-31", "binnen twee jaar"),
    ((TODAY - timedelta(days=1)).isoformat(), "al voorbij"),
    ("２０２７-０１-１５", "met de cijfers 0 tot en met 9"),
])
def test_the_next_checkin_date_must_be_sensible(app, world, date_text, message):
    client = _as(app, world["coach"]["user"])
    response = client.post_form(f"/uitslag/{world['checkin']}", {"rhythm": "gewoon", "next_checkin_on": date_text})
    assert message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(Checkin.next_checkin_on)) is None


@pytest.mark.parametrize("column, value, message", [
    ("leeftijd_min", "1" * 5000, "met de cijfers 0 tot en met 9"),
    ("leeftijd_min", "５", "met de cijfers 0 tot en met 9"),
    ("leeftijd_max", "²", "met de cijfers 0 tot en met 9"),
    ("bedrag", "５", "vul het bedrag in als 2,50"),
    ("gecontroleerd_op", "9999-12-31", "tot en met vandaag"),
    ("gecontroleerd_op", "1999-12-31", "vanaf 2000-01-01"),
    ("gecontroleerd_op", "２０２６-１１-２０", "vul een datum in als 3-12-2026 of 2026-12-03"),
])
def test_activity_form_refuses_odd_numbers_and_dates(app, world, column, value, message):
    client = _as(app, world["admin"]["user"])
    data = {"naam": "Tuin", "beschrijving": "Samen tuinieren.", "pijlers": "lichaam", "status": "actief",
            "kosten": "bijdrage" if column == "bedrag" else "gratis", "locatie": "online", "aanmelden": "zelf",
            "organisatie": "Groen", "gecontroleerd_op": TODAY.isoformat(), column: value}
    response = client.post_form("/beheer/activiteiten/nieuw", data)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert _counts(app)["Activity"] == 1


def test_activity_export_never_starts_a_formula_and_reimports_unchanged(app, world):
    client = _as(app, world["admin"]["user"])
    with app.app_context():
        activity = db.session.scalar(select(Activity))
        activity.name, activity.organisation_phone = "=cmd|' /C calc'!A0", "+31 10 123 45 67"
        activity.eligibility = "@SUM(1+1)"
        db.session.commit()
    export = client.get("/beheer/activiteiten/export.csv").get_data(as_text=True)
    assert ";'=cmd|' /C calc'!A0;" in export and ";'+31 10 123 45 67;" in export and ";'@SUM(1+1);" in export
    response = client.post_form("/beheer/activiteiten/import", {"file": (io.BytesIO(export.encode()), "kaart.csv")},
                                content_type="multipart/form-data")
    assert response.status_code == 302
    assert "0 nieuw, 0 gewijzigd, 1 ongewijzigd" in client.get("/beheer/activiteiten").get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(Activity.name)) == "=cmd|' /C calc'!A0"


def _chunked(client, url: str, body: bytes):
    """A body sent in chunks: no Content-Length; the server (gunicorn, the dev server) ends the stream."""
    return client.post(url, input_stream=io.BytesIO(body), content_type="application/x-www-form-urlencoded",
                       headers={"Transfer-Encoding": "chunked"}, environ_overrides={"wsgi.input_terminated": True})


def test_a_chunked_body_over_the_form_limit_is_refused(app, world):
    client = _as(app, world["admin"]["user"])
    body = f"csrf_token={client.csrf_token()}&naam=".encode() + b"x" * 100_000
    response = _chunked(client, "/beheer/activiteiten/nieuw", body)
    assert response.status_code == 413
    assert "Te veel gegevens" in response.get_data(as_text=True)
    assert _counts(app)["Activity"] == 1


def test_a_small_chunked_form_still_works(client):
    body = f"csrf_token={client.csrf_token()}&lang=en".encode()
    response = _chunked(client, "/taal", body)
    assert response.status_code == 302
    assert 'lang="en"' in client.get("/").get_data(as_text=True)
