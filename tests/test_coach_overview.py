"""The welzijnscoach's referrals overview across their residents, and finding a resident by name."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from tests.test_activities import csv_bytes, line
from webapp.core.extensions import db
from webapp.core.models import Activity, AuditEvent, Referral, Resident
from webapp.sociale_kaart import service as activities


def _refer(app, resident_public_id: str, activity_name: str, status: str = "aangemeld", days_quiet: int = 0,
           rating: int | None = None, text: str | None = None) -> None:
    with app.app_context():
        resident = db.session.scalar(select(Resident).where(Resident.public_id == resident_public_id))
        activity = db.session.scalar(select(Activity).where(Activity.name == activity_name))
        moment = datetime.now(UTC) - timedelta(days=days_quiet)
        db.session.add(Referral(resident_id=resident.id, activity_id=activity.id, status=status, created_at=moment,
                                updated_at=moment, followup_rating=rating, followup_text=text))
        db.session.commit()


def _world(app, make_resident, make_staff):
    with app.app_context():
        activities.import_csv(csv_bytes(line(name="Wandelgroep"), line(name="Eettafel"), line(name="Koor")))
        db.session.commit()
    anna, bert, other = make_resident("anna"), make_resident("bert"), make_resident("carla")
    with app.app_context():
        for public_id, name in ((anna["resident"], "Anna de Vries"), (bert["resident"], "Bert Jansen")):
            db.session.scalar(select(Resident).where(Resident.public_id == public_id)).display_name = name
        db.session.commit()
    coach = make_staff("welzijnscoach", share_with=(anna["resident"], bert["resident"]))
    _refer(app, anna["resident"], "Wandelgroep", "gestart", days_quiet=40)
    _refer(app, bert["resident"], "Eettafel", "afgerond", rating=4, text="Gezellig, ik ga weer.")
    _refer(app, other["resident"], "Koor")  # not this coach's resident
    return coach, anna, bert


def test_the_overview_lists_open_referrals_of_own_residents_only(app, client, make_resident, make_staff, login_as):
    coach, anna, _bert = _world(app, make_resident, make_staff)
    login_as(client, coach["user"])
    page = client.get("/coach/verwijzingen").get_data(as_text=True)
    assert "Anna de Vries" in page and "Wandelgroep" in page and "geen nieuws" in page
    assert "Eettafel" not in page  # finished: not among the open ones
    assert "Koor" not in page and "carla" not in page
    with app.app_context():
        audited = set(db.session.scalars(select(AuditEvent.resident_public_id)
                                         .where(AuditEvent.action == "referrals.overview")))
    assert audited == {anna["resident"]}


def test_the_overview_filters_quiet_and_finished_ones_with_how_it_went(app, client, make_resident, make_staff,
                                                                       login_as):
    coach, _anna, _bert = _world(app, make_resident, make_staff)
    login_as(client, coach["user"])
    finished = client.get("/coach/verwijzingen?toon=afgelopen").get_data(as_text=True)
    assert "Eettafel" in finished and "4 van 5" in finished and "Gezellig, ik ga weer." in finished
    quiet = client.get("/coach/verwijzingen?toon=zonder_nieuws").get_data(as_text=True)
    assert "Wandelgroep" in quiet and "Eettafel" not in quiet
    everything = client.get("/coach/verwijzingen?toon=alles").get_data(as_text=True)
    assert "Wandelgroep" in everything and "Eettafel" in everything
    assert client.get("/coach/verwijzingen?toon=<script>").status_code == 200  # unknown: the open ones


def test_find_a_resident_by_name_in_the_caseload(app, client, make_resident, make_staff, login_as):
    coach, _anna, _bert = _world(app, make_resident, make_staff)
    login_as(client, coach["user"])
    page = client.get("/coach?naam=vries").get_data(as_text=True)
    assert "Anna de Vries" in page and "Bert Jansen" not in page
    assert "Geen bewoners gevonden." in client.get("/coach?naam=xyz").get_data(as_text=True)
