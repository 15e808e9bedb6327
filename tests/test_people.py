"""Coaches, enrolment with consent, activation codes, sharing and its withdrawal, the access log."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from tests.conftest import STAFF_PASSWORD, all_answers
from webapp.accounts import service as people
from webapp.core.extensions import db
from webapp.core.models import ActivationCode, AuditEvent, CoachRelation, Resident, User

COACH_PASSWORD = STAFF_PASSWORD


def _actions(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def _enrol(client, **overrides):
    data = {"display_name": "mevr. J. de V.", "birth_year": "1944", "wijk": "Oosterflank",
            "consent_method": "mondeling", "consent_date": "2026-11-20", "consent_explained": "y"}
    data.update(overrides)
    return client.post_form("/coach/inschrijven", data)


def test_coach_enrols_resident_without_phone_recording_consent(app, client, make_staff, login_as):
    coach = make_staff("ouderencoach")
    login_as(client, coach["user"])
    response = _enrol(client)
    assert response.status_code == 302
    page = client.get(response.location).get_data(as_text=True)
    assert "mevr. J. de V." in page and "mondeling" in page
    with app.app_context():
        relation = db.session.scalar(select(CoachRelation))
        assert (relation.origin, relation.consent_method, str(relation.consent_date)) == (
            "ingeschreven", "mondeling", "2026-11-20")
        assert db.session.scalar(select(Resident)).user_id is None
    assert "resident.enrol" in _actions(app)


def test_a_typed_wijk_takes_the_spelling_already_in_use(app, client, make_staff, login_as, monkeypatch):
    monkeypatch.setitem(app.config, "WIJKEN", ("Oosterflank",))  # as the organisation configured it
    coach = make_staff("ouderencoach")
    login_as(client, coach["user"])
    assert _enrol(client, wijk="Oosterflank").status_code == 302
    form = client.get("/coach/inschrijven").get_data(as_text=True)
    assert '<option value="Oosterflank">' in form and 'list="wijk-options"' in form
    assert _enrol(client, display_name="dhr. B.", wijk="  oosterFLANK ").status_code == 302
    assert _enrol(client, display_name="mevr. C.", wijk="Nieuw  Dorp").status_code == 302
    with app.app_context():
        assert sorted(db.session.scalars(select(Resident.wijk))) == ["Nieuw Dorp", "Oosterflank", "Oosterflank"]


@pytest.mark.parametrize("overrides, message", [
    ({"consent_explained": ""}, "Leg dit eerst uit"),
    ({"consent_method": "telepathie"}, None),
    ({"consent_date": "2099-01-01"}, "in de toekomst"),
    ({"consent_date": "gisteren"}, "geldige datum"),
    ({"display_name": ""}, "naam of initialen"),
    ({"birth_year": "1850"}, "geboortejaar"),
])
def test_enrolment_without_valid_consent_stores_nothing(app, client, make_staff, login_as, overrides, message):
    login_as(client, make_staff()["user"])
    response = _enrol(client, **overrides)
    assert response.status_code == 400
    if message:
        assert message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Resident)) == 0


def _enrolled(app, client, make_staff, login_as):
    coach = make_staff("ouderencoach")
    login_as(client, coach["user"])
    resident_url = _enrol(client).location
    return coach, resident_url.rstrip("/").split("/")[-1]


def _issue_code(client, resident_id) -> str:
    page = client.post_form(f"/coach/bewoner/{resident_id}/activatiecode").get_data(as_text=True)
    return re.search(r'<strong class="code">([A-Z0-9-]+)</strong>', page).group(1)


def _activate(app, code, username="jdevries", password="mijn eigen wachtwoord"):
    phone = app.test_client()
    return phone, phone.post_form("/activeren", {"code": code, "username": username, "password": password,
                                                 "confirm": password})


def test_activation_code_gives_the_resident_their_own_login_with_the_same_history(app, client, make_staff,
                                                                                   login_as, make_checkin,
                                                                                   kort_items):
    coach, resident_id = _enrolled(app, client, make_staff, login_as)
    make_checkin(resident_id, all_answers(kort_items, 6), days_ago=3)
    code = _issue_code(client, resident_id)
    phone, response = _activate(app, code.lower().replace("-", " "))  # typed loosely from paper
    assert response.status_code == 302
    assert "Mijn check-ins" in phone.get("/").get_data(as_text=True)
    assert phone.get("/geschiedenis").get_data(as_text=True).count('<li class="card">') == 1
    with app.app_context():
        resident = db.session.scalar(select(Resident).where(Resident.public_id == resident_id))
        assert resident.user.username == "jdevries"
        assert db.session.scalar(select(ActivationCode)).used_at is not None
        stored = db.session.scalar(select(ActivationCode.code_hash))
        assert code not in stored and normalised(code) not in stored  # only a hash is kept
    # The coach still sees the resident: enrolment consent was not withdrawn.
    assert client.get(f"/coach/bewoner/{resident_id}").status_code == 200
    assert {"activation.issue", "activation.use"} <= set(_actions(app))


def normalised(code: str) -> str:
    return people.normalise_code(code)


def test_activation_code_works_only_once(app, client, make_staff, login_as):
    _, resident_id = _enrolled(app, client, make_staff, login_as)
    code = _issue_code(client, resident_id)
    _activate(app, code)
    _, again = _activate(app, code, username="iemand-anders")
    assert again.status_code == 400
    assert "klopt niet, is al gebruikt of is verlopen" in again.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User).where(User.role == "bewoner")) == 1


def test_expired_activation_code_is_refused(app, client, make_staff, login_as):
    _, resident_id = _enrolled(app, client, make_staff, login_as)
    code = _issue_code(client, resident_id)
    app.config["CLOCK"] = lambda: datetime.now(UTC) + timedelta(days=15)
    _, response = _activate(app, code)
    assert response.status_code == 400
    assert "verlopen" in response.get_data(as_text=True)


def test_wrong_code_and_replaced_code_are_refused(app, client, make_staff, login_as):
    _, resident_id = _enrolled(app, client, make_staff, login_as)
    first = _issue_code(client, resident_id)
    second = _issue_code(client, resident_id)
    assert _activate(app, "ABCD-EFGH-JKLM")[1].status_code == 400
    assert _activate(app, first)[1].status_code == 400  # a new code replaces the old one
    assert _activate(app, second)[1].status_code == 302


def test_activation_needs_a_strong_password(app, client, make_staff, login_as):
    _, resident_id = _enrolled(app, client, make_staff, login_as)
    code = _issue_code(client, resident_id)
    _, response = _activate(app, code, password="wachtwoord123")
    assert response.status_code == 400
    assert "te bekend" in response.get_data(as_text=True)
    assert _activate(app, code)[1].status_code == 302  # the code still works after a refused try


def test_resident_shares_with_a_coach_by_code_and_stops_at_once(app, client, make_resident, make_staff, login_as,
                                                                make_checkin, kort_items):
    resident = make_resident()
    checkin = make_checkin(resident["resident"], all_answers(kort_items, 5))
    coach = make_staff("welzijnscoach")
    coach_client = app.test_client()
    login_as(coach_client, coach["user"])
    assert coach_client.get(f"/uitslag/{checkin}").status_code == 404  # not shared yet

    login_as(client, resident["user"])
    response = client.post_form("/account/delen", {"coach_code": coach["code"].lower()})
    assert response.status_code == 302
    assert "Marieke Jansen" in client.get("/account").get_data(as_text=True)
    caseload = coach_client.get("/coach").get_data(as_text=True)
    assert resident["resident"] in caseload
    result = coach_client.get(f"/uitslag/{checkin}")
    assert result.status_code == 200 and "Het plan van de bewoner" in result.get_data(as_text=True)
    assert coach_client.post_form(f"/uitslag/{checkin}", {"plan_step": "x"}).status_code == 403

    with app.app_context():
        relation_id = db.session.scalar(select(CoachRelation.public_id))
    client.post_form(f"/account/delen/{relation_id}/stoppen")
    assert coach_client.get(f"/uitslag/{checkin}").status_code == 404
    assert coach_client.get(f"/grafiek/{checkin}.svg").status_code == 404
    assert coach_client.get(f"/coach/bewoner/{resident['resident']}").status_code == 404
    assert resident["resident"] not in coach_client.get("/coach").get_data(as_text=True)
    assert {"relation.share", "relation.end"} <= set(_actions(app))


def test_sharing_twice_makes_one_relation_and_a_wrong_code_is_explained(app, client, make_resident, make_staff,
                                                                         login_as):
    resident = make_resident()
    coach = make_staff()
    login_as(client, resident["user"])
    client.post_form("/account/delen", {"coach_code": coach["code"]})
    client.post_form("/account/delen", {"coach_code": coach["code"]})
    wrong = client.post_form("/account/delen", {"coach_code": "ZZZZ-ZZZZ"})
    assert wrong.status_code == 400 and "Deze code kennen we niet" in wrong.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(CoachRelation)) == 1


def test_beheerder_code_is_not_a_coach_code(app, client, make_resident, make_staff, login_as):
    admin = make_staff("beheerder")
    assert admin["code"] is None
    login_as(client, make_resident()["user"])
    assert client.post_form("/account/delen", {"coach_code": "ABCD-EFGH"}).status_code == 400


def test_coach_closing_the_file_ends_access(app, client, make_resident, make_staff, login_as):
    _, resident_id = _enrolled(app, client, make_staff, login_as)
    assert client.post_form(f"/coach/bewoner/{resident_id}/afsluiten").status_code == 302
    assert client.get(f"/coach/bewoner/{resident_id}").status_code == 404


def test_resident_sees_who_looked_at_their_data(app, client, make_resident, make_staff, login_as, make_checkin,
                                                kort_items):
    resident = make_resident()
    checkin = make_checkin(resident["resident"], all_answers(kort_items, 5))
    coach = make_staff(name="Coach Kees")
    login_as(client, resident["user"])
    client.post_form("/account/delen", {"coach_code": coach["code"]})
    coach_client = app.test_client()
    login_as(coach_client, coach["user"])
    coach_client.get(f"/uitslag/{checkin}")
    page = client.get("/account/inzage").get_data(as_text=True)
    assert "Coach Kees (welzijnscoach)" in page and "Uitslag bekeken" in page and "U zelf" not in page
    assert "U zelf" in client.get("/account/inzage?ook_eigen=1").get_data(as_text=True)
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "checkin.view"))
        assert event.actor_role == "welzijnscoach" and event.object_public_id == checkin
        assert event.ip == "127.0.0.1" and event.user_agent


def test_coach_with_both_roles_is_audited_with_both(app, client, make_resident, make_staff, login_as):
    coach = make_staff("ouderencoach", "welzijnscoach")
    login_as(client, coach["user"])
    resident_id = _enrol(client).location.rstrip("/").split("/")[-1]
    client.get(f"/coach/bewoner/{resident_id}")
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "resident.view"))
        assert event.actor_role == "ouderencoach+welzijnscoach"


def test_beheerder_creates_a_coach_account_but_cannot_read_answers(app, client, make_resident, make_staff, login_as,
                                                                   make_checkin, kort_items):
    admin = make_staff("beheerder")
    login_as(client, admin["user"])
    response = client.post_form("/beheer/medewerker-nieuw", {
        "username": "anouk", "display_name": "Anouk de Wit", "organisation": "Welzijn Noord",
        "roles": ["ouderencoach", "welzijnscoach"], "password": "een-goed-wachtwoord",
        "confirm": "een-goed-wachtwoord",
    })
    assert response.status_code == 302
    with app.app_context():
        anouk = db.session.scalar(select(User).where(User.username == "anouk"))
        assert anouk.roles == {"ouderencoach", "welzijnscoach"} and anouk.coach_code
    resident = make_resident()
    checkin = make_checkin(resident["resident"], all_answers(kort_items, 5))
    assert client.get(f"/uitslag/{checkin}").status_code == 403
    assert client.get("/coach").status_code == 403


def test_create_user_command(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["create-user", "--username", "marieke", "--role", "ouderencoach", "--role",
                                 "welzijnscoach", "--name", "Marieke"],
                           input="goed-lang-wachtwoord\ngoed-lang-wachtwoord\n")
    assert result.exit_code == 0, result.output
    assert "code voor bewoners" in result.output
    weak = runner.invoke(args=["create-user", "--username", "x1", "--role", "beheerder", "--name", "X",
                               "--password", "welkom01"])
    assert weak.exit_code != 0 and "veelgebruikt" in weak.output
    taken = runner.invoke(args=["create-user", "--username", "Marieke", "--role", "beheerder", "--name", "X",
                                "--password", "goed-lang-wachtwoord"])
    assert taken.exit_code != 0 and "al bezet" in taken.output


def test_common_password_is_refused_at_registration(client):
    response = client.post_form("/registreren", {"username": "piet", "password": "qwertyuiop",
                                                 "confirm": "qwertyuiop"})
    assert response.status_code == 400 and "te bekend" in response.get_data(as_text=True)


@pytest.mark.parametrize("overrides, message", [
    ({"roles": []}, "Kies minstens één rol"),
    ({"roles": ["superheld"]}, None),
    ({"password": "kort", "confirm": "kort"}, "minstens 10 tekens"),
    ({"confirm": "iets anders helemaal"}, "niet hetzelfde"),
    ({"username": "met spatie"}, "Gebruik alleen letters"),
    ({"display_name": ""}, "Vul een naam in"),
])
def test_bad_staff_account_input_stores_nothing(app, client, make_staff, login_as, overrides, message):
    login_as(client, make_staff("beheerder")["user"])
    data = {"username": "anouk", "display_name": "Anouk", "roles": ["ouderencoach"],
            "password": "een-goed-wachtwoord", "confirm": "een-goed-wachtwoord", **overrides}
    response = client.post_form("/beheer/medewerker-nieuw", data)
    assert response.status_code == 400
    if message:
        assert message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(User).where(User.username == "anouk")) is None


def test_a_resident_may_name_their_wijk_in_the_spelling_already_in_use(app, client, make_resident, login_as):
    me = make_resident()
    login_as(client, me["user"])
    page = client.get("/account").get_data(as_text=True)
    assert "In welke wijk woont u? (niet verplicht)" in page
    with app.app_context():
        db.session.add_all([Resident(wijk="Oosterhof") for _ in range(10)])  # a wijk of ten residents is offered
        db.session.commit()
    response = client.post_form("/account/wijk", {"wijk": " oosterhof "})
    assert response.status_code == 302
    assert "Uw wijk is opgeslagen." in client.get("/account").get_data(as_text=True)
    too_long = client.post_form("/account/wijk", {"wijk": "x" * 101})
    assert too_long.status_code == 400 and "Gebruik hoogstens 100 tekens." in too_long.get_data(as_text=True)
    with app.app_context():
        resident = db.session.scalar(select(Resident).where(Resident.public_id == me["resident"]))
        assert resident.wijk == "Oosterhof"  # the bad input changed nothing
    assert client.post_form("/account/wijk", {"wijk": ""}).status_code == 302
    with app.app_context():
        assert db.session.scalar(select(Resident.wijk).where(Resident.public_id == me["resident"])) is None
    assert "profile.update" in _actions(app)


# --- the wijken on offer: never another resident's free text ------------------------------------

def _offered(client, url: str = "/account") -> list[str]:
    return re.findall(r'<option value="([^"]*)">', client.get(url).get_data(as_text=True))


def test_a_wijk_typed_by_a_few_residents_is_never_shown_to_others(app, client, make_resident, login_as):
    with app.app_context():
        db.session.add_all([Resident(wijk="Jan de Vries, Kerkstraat 5, 06 12345678")]
                           + [Resident(wijk="Bijna groot") for _ in range(9)])
        db.session.commit()
    login_as(client, make_resident()["user"])
    assert _offered(client) == []
    page = client.get("/account").get_data(as_text=True)
    assert "Kerkstraat" not in page and "Bijna groot" not in page
    # Typing it yourself stores your own text, and learns nothing about the spelling of others.
    assert client.post_form("/account/wijk", {"wijk": "bijna GROOT"}).status_code == 302
    with app.app_context():
        assert db.session.scalar(select(func.count()).where(Resident.wijk == "bijna GROOT")) == 1


def test_wijken_of_the_organisation_the_sociale_kaart_and_ten_residents_are_offered(
        app, client, make_resident, make_staff, login_as, monkeypatch):
    from webapp.core.models import Activity

    monkeypatch.setitem(app.config, "WIJKEN", ("De Beemden",))
    with app.app_context():
        db.session.add_all([Resident(wijk="Oosterhof") for _ in range(10)] + [Resident(wijk="Klein") for _ in range(3)])
        db.session.add(Activity(name="Wandelclub", organisation="Buurthuis", description="Samen wandelen",
                                wijk="Noordkwartier", last_verified_on=datetime.now(UTC).date()))
        db.session.commit()
    login_as(client, make_resident()["user"])
    assert _offered(client) == ["De Beemden", "Noordkwartier", "Oosterhof"]
    login_as(client, make_staff("ouderencoach")["user"])  # the coach's enrol form offers the same
    assert _offered(client, "/coach/inschrijven") == ["De Beemden", "Noordkwartier", "Oosterhof"]


def test_one_minimum_group_for_the_impact_page_and_the_wijken():
    from webapp.core import privacy
    from webapp.impact import rules as impact

    assert impact.MIN_GROUP is privacy.MIN_GROUP == 10
