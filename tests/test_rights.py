"""The resident's rights: download everything, and erasure that leaves no row behind."""

import json
from datetime import date

import pytest
from sqlalchemy import select

from tests.checkin_helpers import answer_steps, complete_checkin, start_checkin
from tests.conftest import PASSWORD
from webapp.accounts import service as people
from webapp.core.extensions import db
from webapp.core.models import Activity, AuditEvent, ChartImage, Checkin, Resident, User


@pytest.fixture
def full_resident(app, client, make_resident, login_as, kort_items):
    """A resident with check-ins, charts, a draft, a plan, a coach, a referral and audit events."""
    me = make_resident(username="vera")
    other = make_resident(username="wim")
    with app.test_request_context():
        coach = people.create_staff("coach-x", "coach-wachtwoord-lang", ["welzijnscoach"], "Coach X")
        resident = db.session.scalar(select(Resident).where(Resident.public_id == me["resident"]))
        people.share_with_coach(resident, coach.coach_code)
        activity = Activity(name="Wandelgroep", organisation="W", description="d", pillars=["lichaam"],
                            last_verified_on=date.today())
        db.session.add(activity)
        db.session.commit()
        activity_id = activity.public_id
    login_as(client, me["user"])
    first = complete_checkin(client, kort_items, default=4)
    second = complete_checkin(client, kort_items, default=6)
    client.post_form(f"/uitslag/{second}", {"plan_step": "Elke dag naar buiten"})
    client.get(f"/grafiek/{second}.svg?vs={first}")
    client.post_form(f"/uitslag/{second}/proberen/{activity_id}")
    draft = start_checkin(client)
    answer_steps(client, draft, kort_items, upto=2)
    stranger = app.test_client()
    login_as(stranger, other["user"])
    theirs = complete_checkin(stranger, kort_items, default=9)
    return {"me": me, "other": other, "checkins": [first, second], "theirs": theirs}


def test_download_holds_everything_about_the_resident_and_nothing_of_anyone_else(client, full_resident):
    response = client.get("/account/mijn-gegevens.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert "attachment" in response.headers["Content-Disposition"]
    data = json.loads(response.data)
    assert data["profile"]["username"] == "vera"
    assert {c["id"] for c in data["checkins"]} == set(full_resident["checkins"])
    assert all(len(c["answers"]) == 12 for c in data["checkins"])
    assert any(c["plan"]["small_step"] == "Elke dag naar buiten" for c in data["checkins"])
    assert len(data["checkins_in_progress"]) == 1
    assert data["coach_relations"][0]["coach"] == "Coach X"
    assert data["referrals"][0]["activity"] == "Wandelgroep"
    assert {e["action"] for e in data["access_log"]} >= {"checkin.create", "plan.update", "relation.share"}
    assert data["reminders"]["how"] == "geen" and data["reminders"]["next_checkin_on"]
    assert data["reminders"]["sent"] == [] and data["reminders"]["calls"] == []
    text = response.get_data(as_text=True)
    assert full_resident["theirs"] not in text and "wim" not in text and full_resident["other"]["resident"] not in text


def test_pdf_download_reads_the_same_data_in_plain_words(app, client, full_resident):
    import io
    import re

    from pypdf import PdfReader

    response = client.get("/account/mijn-gegevens.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert "attachment" in response.headers["Content-Disposition"]
    reader = PdfReader(io.BytesIO(response.data))
    text = re.sub(r"\s+", "", "".join(page.extract_text() for page in reader.pages))
    for expected in ("MijnGegevens", "vera", "Uwcheck-ins(2)", "Elkedagnaarbuiten", "CoachX", "Wandelgroep",
                     "Wilikproberen", "Wieheeftuwgegevensbekeken", "Watuzelfdeed",
                     "Volgendecheck-inenherinneringen", "Geenherinnering",
                     full_resident["me"]["resident"]):
        assert expected.replace(" ", "").lower() in text.lower(), expected
    # Question texts and answers in words, not ids.
    with app.app_context():
        from webapp.core.definitions import current_questionnaire

        first_item = current_questionnaire().pillars[0].items[0]
    assert re.sub(r"\s+", "", first_item.text.nl)[:30].lower() in text.lower()
    assert "wim" not in text and full_resident["theirs"] not in text
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.object_type == "export_pdf"))
        assert event.action == "data.export" and event.resident_public_id == full_resident["me"]["resident"]


def test_pdf_download_gives_an_easy_read_answer_as_the_face_that_was_chosen(app, client, make_resident, login_as):
    """'Ik heb hoop voor later. 0' told the resident nothing: she chose the face 'Nee'."""
    import io
    import re
    from datetime import UTC, datetime

    from pypdf import PdfReader

    from webapp.core.definitions import current_questionnaire
    from webapp.core.models import Answer, Checkin

    person = make_resident(username="truus")
    with app.app_context():
        questionnaire = current_questionnaire()
        items = questionnaire.forms["eenvoudig"].items
        resident = db.session.scalar(select(Resident).where(Resident.public_id == person["resident"]))
        now = datetime.now(UTC)
        db.session.add(Checkin(resident_id=resident.id, questionnaire_id="veerkracht",
                               questionnaire_version=questionnaire.version, form="eenvoudig", life_event="geen",
                               started_at=now, completed_at=now,
                               answers=[Answer(item_id=item, score=7 if n else 0) for n, item in enumerate(items)]))
        db.session.commit()
    login_as(client, person["user"])
    reader = PdfReader(io.BytesIO(client.get("/account/mijn-gegevens.pdf").data))
    text = re.sub(r"\s+", " ", "".join(page.extract_text() for page in reader.pages))
    assert "Nee (0)" in text and "Vaak wel (7)" in text


def _rows_mentioning(app, public_ids: set[str], ids: dict) -> dict:
    """Every row in every table that still points at the erased resident or their user."""
    found = {}
    with app.app_context():
        with db.engine.connect() as connection:
            for table in db.metadata.sorted_tables:
                for row in connection.execute(table.select()):
                    values = set(map(str, row._mapping.values()))
                    columns = row._mapping
                    hit = values & public_ids
                    if columns.get("resident_id") == ids["resident"]:
                        hit.add("resident_id")
                    if columns.get("user_id") == ids["user"]:
                        hit.add("user_id")
                    for column in ("measurement_id", "compare_id"):
                        if columns.get(column) in ids["measurements"]:
                            hit.add(column)
                    if table.name == "resident" and columns["id"] == ids["resident"]:
                        hit.add("resident row")
                    if table.name == "user" and columns["id"] == ids["user"]:
                        hit.add("user row")
                    if hit:
                        found.setdefault(table.name, []).append(hit)
    return found


def test_erasure_leaves_no_row_behind(app, client, full_resident):
    me = full_resident["me"]
    with app.app_context():
        resident = db.session.scalar(select(Resident).where(Resident.public_id == me["resident"]))
        ids = {"resident": resident.id, "user": resident.user_id,
               "measurements": set(db.session.scalars(select(Checkin.id).where(
                   Checkin.resident_id == resident.id)))}
        assert db.session.scalar(select(ChartImage.id).where(ChartImage.checkin_id.in_(ids["measurements"])))
        checkin_public_ids = set(full_resident["checkins"])
    assert client.get("/account/verwijderen").status_code == 200
    refused = client.post_form("/account/verwijderen", {"confirm": "y", "password": "verkeerd-wachtwoord"})
    assert refused.status_code == 400
    assert client.post_form("/account/verwijderen", {"password": PASSWORD}).status_code == 400  # not confirmed
    assert client.post_form("/account/verwijderen", {"confirm": "y", "password": PASSWORD}).status_code == 302

    leftovers = _rows_mentioning(app, {me["resident"], me["user"], *checkin_public_ids}, ids)
    assert set(leftovers) == {"audit_event"}  # ... and there only the record that an erasure happened
    with app.app_context():
        events = db.session.scalars(select(AuditEvent).where(AuditEvent.resident_public_id == me["resident"])).all()
        assert [(e.action, e.actor_public_id, e.ip) for e in events] == [("resident.erase", None, None)]
        assert db.session.scalar(select(User).where(User.username == "vera")) is None
        # The other resident is untouched.
        assert db.session.scalar(select(User).where(User.username == "wim")) is not None
    assert client.get("/geschiedenis").status_code == 302  # logged out
    assert "Uw account en al uw gegevens zijn verwijderd." in client.get("/").get_data(as_text=True)


def test_purge_inactive_is_a_dry_run_unless_applied(app, make_resident, make_checkin, kort_items):
    from datetime import UTC, datetime, timedelta

    from tests.conftest import all_answers

    old, recent = make_resident(username="gerrit"), make_resident(username="nieuw")
    make_checkin(recent["resident"], all_answers(kort_items, 6), days_ago=10)
    with app.app_context():
        resident = db.session.scalar(select(Resident).where(Resident.public_id == old["resident"]))
        resident.created_at = datetime.now(UTC) - timedelta(days=500)
        fresh = db.session.scalar(select(Resident).where(Resident.public_id == recent["resident"]))
        fresh.created_at = datetime.now(UTC) - timedelta(days=500)
        db.session.commit()
    make_checkin(old["resident"], all_answers(kort_items, 6), days_ago=400)
    runner = app.test_cli_runner()
    dry = runner.invoke(args=["purge-inactive", "--months", "12"])
    assert dry.exit_code == 0 and "Proefdraai: 1 bewoner(s)" in dry.output and old["resident"] in dry.output
    assert "gerrit" not in dry.output  # pseudonymous ids only
    with app.app_context():
        assert db.session.scalar(select(Resident).where(Resident.public_id == old["resident"])) is not None
    applied = runner.invoke(args=["purge-inactive", "--months", "12", "--apply"])
    assert applied.exit_code == 0 and "1 bewoner(s) verwijderd" in applied.output
    with app.app_context():
        assert db.session.scalar(select(Resident).where(Resident.public_id == old["resident"])) is None
        assert db.session.scalar(select(Resident).where(Resident.public_id == recent["resident"])) is not None


@pytest.fixture
def enrolled(app, kort_items):
    """A resident without a phone, enrolled by coach-e, with two check-ins, a plan note and a referral."""
    from datetime import UTC, datetime

    from webapp.core.models import Answer, Referral

    with app.test_request_context():
        coach = people.create_staff("coach-e", "coach-e-wachtwoord", ["ouderencoach"], "Coach E")
        other_coach = people.create_staff("coach-f", "coach-f-wachtwoord", ["ouderencoach"], "Coach F")
        beheerder = people.create_staff("beheer", "beheer-wachtwoord-lang", ["beheerder"], "Beheer")
        resident = people.enrol_resident(coach, "mevr. K. Visser", 1940, "Centrum", date(2026, 11, 1), "mondeling")
        checkins = []
        for score in (4, 6):
            now = datetime.now(UTC)
            checkin = Checkin(resident_id=resident.id, questionnaire_id="veerkracht", questionnaire_version=1,
                                      form="kort", started_at=now, completed_at=now, coach_notes="Praat graag",
                                      answers=[Answer(item_id=i, score=score) for items in kort_items.values()
                                               for i in items])
            db.session.add(checkin)
            checkins.append(checkin)
        activity = Activity(name="Soosmiddag", organisation="W", description="d", pillars=["meedoen"],
                            last_verified_on=date.today())
        db.session.add(activity)
        db.session.flush()
        db.session.add(Referral(resident_id=resident.id, activity_id=activity.id, status="aangemeld"))
        db.session.commit()
        return {"resident": resident.public_id, "resident_id": resident.id, "coach": coach.public_id,
                "other_coach": other_coach.public_id, "beheerder": beheerder.public_id,
                "measurements": {m.id for m in checkins}, "measurement_public": {m.public_id for m in checkins}}


def _assert_erased(app, enrolled, by: str, role: str):
    leftovers = _rows_mentioning(app, {enrolled["resident"], *enrolled["measurement_public"]},
                                 {"resident": enrolled["resident_id"], "user": -1,
                                  "measurements": enrolled["measurements"]})
    assert set(leftovers) == {"audit_event"}
    with app.app_context():
        events = db.session.scalars(select(AuditEvent).where(
            AuditEvent.resident_public_id == enrolled["resident"])).all()
        assert [(e.action, e.actor_public_id, e.actor_role) for e in events] == [("resident.erase", by, role)]


def test_the_coach_who_enrolled_a_resident_can_erase_them_on_request(app, client, login_as, enrolled):
    login_as(client, enrolled["coach"])
    url = f"/coach/bewoner/{enrolled['resident']}/verwijderen"
    page = client.get(f"/coach/bewoner/{enrolled['resident']}").get_data(as_text=True)
    grouped = " ".join(enrolled["resident"][i:i + 4] for i in range(0, len(enrolled["resident"]), 4))
    assert url in page and f"Bewonernummer: {grouped}" in page  # the link, and the number for the beheerder
    assert client.get(url).status_code == 200
    assert client.post_form(url, {"confirm": "y", "password": "verkeerd"}).status_code == 400
    assert client.post_form(url, {"password": "coach-e-wachtwoord"}).status_code == 400  # not confirmed
    with app.app_context():
        assert db.session.get(Resident, enrolled["resident_id"]) is not None  # nothing erased yet
    response = client.post_form(url, {"confirm": "y", "password": "coach-e-wachtwoord"})
    assert response.status_code == 302 and response.location.endswith("/coach")
    _assert_erased(app, enrolled, enrolled["coach"], "ouderencoach")
    assert client.get(f"/coach/bewoner/{enrolled['resident']}").status_code == 404


def test_another_coach_cannot_erase_and_a_shared_resident_is_erased_only_by_themself(
        app, client, login_as, enrolled, make_resident):
    login_as(client, enrolled["other_coach"])
    assert client.post_form(f"/coach/bewoner/{enrolled['resident']}/verwijderen",
                            {"confirm": "y", "password": "coach-f-wachtwoord"}).status_code == 404
    # A resident who shares their own account with coach-e: coach-e sees them but may not erase them.
    me = make_resident(username="zelf")
    with app.test_request_context():
        resident = db.session.scalar(select(Resident).where(Resident.public_id == me["resident"]))
        coach = db.session.scalar(select(User).where(User.public_id == enrolled["coach"]))
        people.share_with_coach(resident, coach.coach_code)
        db.session.commit()
    login_as(client, enrolled["coach"])
    assert "verwijderen" not in client.get(f"/coach/bewoner/{me['resident']}").get_data(as_text=True).split(
        "Bewonernummer")[1]
    assert client.post_form(f"/coach/bewoner/{me['resident']}/verwijderen",
                            {"confirm": "y", "password": "coach-e-wachtwoord"}).status_code == 403
    with app.app_context():
        assert db.session.get(Resident, enrolled["resident_id"]) is not None
        assert db.session.scalar(select(Resident).where(Resident.public_id == me["resident"])) is not None


def test_the_beheerder_erases_by_number_without_seeing_the_residents_data(app, client, login_as, enrolled):
    login_as(client, enrolled["beheerder"])
    url = "/beheer/bewoner-verwijderen"
    assert client.get(url).status_code == 200
    unknown = client.post_form(url, {"number": "bestaat-niet", "confirm": "y", "password": "beheer-wachtwoord-lang"})
    assert unknown.status_code == 400 and "Dit bewonernummer kennen we niet" in unknown.get_data(as_text=True)
    wrong = client.post_form(url, {"number": enrolled["resident"], "confirm": "y", "password": "fout"})
    assert wrong.status_code == 400 and "Visser" not in wrong.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Resident, enrolled["resident_id"]) is not None
    typed = " ".join(enrolled["resident"][i:i + 4] for i in range(0, len(enrolled["resident"]), 4))
    done = client.post_form(url, {"number": f" {typed} ", "confirm": "y",
                                  "password": "beheer-wachtwoord-lang"})
    assert done.status_code == 302
    page = client.get("/beheer").get_data(as_text=True)
    assert enrolled["resident"] in page and "Visser" not in page
    _assert_erased(app, enrolled, enrolled["beheerder"], "beheerder")


def test_once_the_enrolled_resident_has_their_own_login_the_coach_can_no_longer_erase(
        app, client, login_as, enrolled, make_resident):
    login = make_resident(username="visser-zelf")
    with app.app_context():
        own = db.session.scalar(select(Resident).where(Resident.public_id == login["resident"]))
        user_id = own.user_id
        db.session.delete(own)
        db.session.get(Resident, enrolled["resident_id"]).user_id = user_id  # as after activation
        db.session.commit()
    login_as(client, enrolled["coach"])
    url = f"/coach/bewoner/{enrolled['resident']}/verwijderen"
    assert client.get(url).status_code == 403
    assert client.post_form(url, {"confirm": "y", "password": "coach-e-wachtwoord"}).status_code == 403
    with app.app_context():
        assert db.session.get(Resident, enrolled["resident_id"]) is not None


def test_the_beheerder_form_checks_the_password_before_the_number(client, login_as, enrolled):
    login_as(client, enrolled["beheerder"])
    page = client.post_form("/beheer/bewoner-verwijderen", {"number": "bestaat-niet", "confirm": "y",
                                                            "password": "fout"}).get_data(as_text=True)
    assert "Dit wachtwoord klopt niet." in page and "kennen we niet" not in page


def test_the_download_still_works_when_a_checkin_does_not_fit_fhir(client, full_resident, monkeypatch):
    from webapp.fhir import service as fhir_export

    def broken(_resident, **_given):
        raise ValueError("does not fit")

    monkeypatch.setattr(fhir_export, "resident_bundle", broken)
    response = client.get("/account/mijn-gegevens.json")
    assert response.status_code == 200
    data = json.loads(response.data)
    assert data["fhir"] is None and len(data["checkins"]) == 2
