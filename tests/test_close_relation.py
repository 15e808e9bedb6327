""""Begeleiding afsluiten": a confirmation that says what it means, and 30 days to undo it."""

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from tests.conftest import STAFF_PASSWORD
from webapp.accounts import rules
from webapp.accounts import service as people
from webapp.core.extensions import db
from webapp.core.models import AuditEvent, CoachRelation, Resident


@pytest.fixture
def followed(app, make_staff):
    """A coach who enrolled a resident (no login of their own), and a colleague who follows them too."""
    coach = make_staff("ouderencoach", username="ineke")
    colleague = make_staff("ouderencoach", username="kees", name="Kees Visser")
    with app.test_request_context():
        from webapp.core.models import User

        ineke = db.session.scalar(select(User).where(User.public_id == coach["user"]))
        kees = db.session.scalar(select(User).where(User.public_id == colleague["user"]))
        resident = people.enrol_resident(ineke, "mevr. A. de Wit", 1946, "Centrum", date(2026, 11, 1), "mondeling")
        db.session.add(CoachRelation(coach_id=kees.id, resident_id=resident.id, origin="gedeeld"))
        db.session.commit()
        return {"coach": coach["user"], "colleague": colleague["user"], "resident": resident.public_id,
                "resident_id": resident.id}


def _relation(app, resident_id: int, coach_public_id: str) -> CoachRelation:
    with app.app_context():
        from webapp.core.models import User

        coach = db.session.scalar(select(User).where(User.public_id == coach_public_id))
        return db.session.scalar(select(CoachRelation).where(CoachRelation.resident_id == resident_id,
                                                             CoachRelation.coach_id == coach.id))


def _days_later(app, client, login_as, coach: str, days: float) -> None:
    """The app's clock moves on, and the coach logs in again at that later moment."""
    later = datetime.now(UTC) + timedelta(days=days)
    app.config["CLOCK"] = lambda: later
    login_as(client, coach)
    with client.session_transaction() as session:
        session["started"] = session["seen"] = later.timestamp()


def _close(client, resident: str):
    return client.post_form(f"/coach/bewoner/{resident}/afsluiten")


def test_the_button_first_asks_and_says_what_closing_means(app, client, login_as, followed):
    login_as(client, followed["coach"])
    resident_page = client.get(f"/coach/bewoner/{followed['resident']}").get_data(as_text=True)
    assert f'href="/coach/bewoner/{followed["resident"]}/afsluiten"' in resident_page  # a link, not a POST
    page = client.get(f"/coach/bewoner/{followed['resident']}/afsluiten").get_data(as_text=True)
    for words in ("Begeleiding van mevr. A. de Wit afsluiten?", "U ziet de gegevens van mevr. A. de Wit niet meer",
                  "Er wordt niets verwijderd", "ongedaan maken tot en met", "Ja, begeleiding afsluiten",
                  "Alle gegevens verwijderen, op verzoek van de bewoner"):
        assert words in page, words
    assert _relation(app, followed["resident_id"], followed["coach"]).ended_at is None  # nothing changed yet


def test_closing_ends_access_and_can_be_undone_within_30_days(app, client, login_as, followed):
    login_as(client, followed["coach"])
    assert _close(client, followed["resident"]).location == "/coach"
    assert client.get(f"/coach/bewoner/{followed['resident']}").status_code == 404
    relation = _relation(app, followed["resident_id"], followed["coach"])
    assert relation.ended_by == rules.ENDED_BY_COACH
    _days_later(app, client, login_as, followed["coach"], 29.5)
    listing = client.get("/coach/afgesloten").get_data(as_text=True)
    assert "mevr. A. de Wit" in listing and "Ongedaan maken: weer begeleiden" in listing
    with app.app_context():  # the list names the resident: their access log says so
        assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "caseload.view",
                                                          AuditEvent.resident_public_id == followed["resident"]))
    undone = client.post_form(f"/coach/afgesloten/{relation.public_id}/terugzetten")
    assert undone.location == f"/coach/bewoner/{followed['resident']}"
    assert client.get(f"/coach/bewoner/{followed['resident']}").status_code == 200
    again = _relation(app, followed["resident_id"], followed["coach"])
    assert (again.ended_at, again.ended_by) == (None, None)
    with app.app_context():
        actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {"relation.end", "relation.reopen"} <= actions
    assert "mevr. A. de Wit" not in client.get("/coach/afgesloten").get_data(as_text=True)


def test_after_30_days_closing_is_final(app, client, login_as, followed):
    login_as(client, followed["coach"])
    _close(client, followed["resident"])
    relation = _relation(app, followed["resident_id"], followed["coach"])
    _days_later(app, client, login_as, followed["coach"], 30.1)
    assert "mevr. A. de Wit" not in client.get("/coach/afgesloten").get_data(as_text=True)
    refused = client.post_form(f"/coach/afgesloten/{relation.public_id}/terugzetten")
    assert refused.location == "/coach/afgesloten"
    assert "Dit kan niet meer ongedaan worden gemaakt" in client.get(refused.location).get_data(as_text=True)
    assert client.get(f"/coach/bewoner/{followed['resident']}").status_code == 404
    assert _relation(app, followed["resident_id"], followed["coach"]).ended_at is not None


def test_another_coach_cannot_undo_it(app, client, login_as, followed):
    login_as(client, followed["coach"])
    _close(client, followed["resident"])
    relation = _relation(app, followed["resident_id"], followed["coach"])
    colleague = app.test_client()
    login_as(colleague, followed["colleague"])  # follows the same resident, but did not close this
    assert colleague.post_form(f"/coach/afgesloten/{relation.public_id}/terugzetten").status_code == 404
    assert "mevr. A. de Wit" not in colleague.get("/coach/afgesloten").get_data(as_text=True)
    assert _relation(app, followed["resident_id"], followed["coach"]).ended_at is not None
    # The colleague's own access never changed.
    assert colleague.get(f"/coach/bewoner/{followed['resident']}").status_code == 200


def test_a_resident_who_stopped_sharing_is_not_taken_back_by_the_coach(app, client, login_as, make_resident,
                                                                       make_staff):
    resident = make_resident()
    coach = make_staff("ouderencoach", share_with=(resident["resident"],))
    with app.app_context():
        owner = db.session.scalar(select(Resident).where(Resident.public_id == resident["resident"]))
        relation = db.session.scalar(select(CoachRelation).where(CoachRelation.resident_id == owner.id))
    login_as(client, resident["user"])
    client.post_form(f"/account/delen/{relation.public_id}/stoppen")
    coach_client = app.test_client()
    login_as(coach_client, coach["user"])
    assert "Ongedaan maken" not in coach_client.get("/coach/afgesloten").get_data(as_text=True)
    refused = coach_client.post_form(f"/coach/afgesloten/{relation.public_id}/terugzetten")
    assert refused.location == "/coach/afgesloten"
    assert coach_client.get(f"/coach/bewoner/{resident['resident']}").status_code == 404


def test_residents_and_others_cannot_close_or_undo(app, client, login_as, followed, make_resident, make_staff):
    other_coach = make_staff("welzijnscoach", username="anders")
    login_as(client, other_coach["user"])
    assert client.get(f"/coach/bewoner/{followed['resident']}/afsluiten").status_code == 404
    assert _close(client, followed["resident"]).status_code == 404
    login_as(client, make_resident()["user"])
    assert client.get("/coach/afgesloten").status_code == 403
    assert _close(client, followed["resident"]).status_code == 403
    assert _relation(app, followed["resident_id"], followed["coach"]).ended_at is None


def test_a_closed_enrolled_resident_can_still_be_erased_on_request(app, client, login_as, followed, make_staff):
    login_as(client, followed["coach"])
    _close(client, followed["resident"])
    listing = client.get("/coach/afgesloten").get_data(as_text=True)
    assert "Geef het bewonernummer door aan de beheerder" in listing
    admin = make_staff("beheerder", username="beheer")
    login_as(client, admin["user"])
    done = client.post_form("/beheer/bewoner-verwijderen", {"number": followed["resident"], "confirm": "y",
                                                              "password": STAFF_PASSWORD})
    assert done.status_code == 302
    with app.app_context():
        assert db.session.get(Resident, followed["resident_id"]) is None
        assert db.session.scalar(select(CoachRelation).where(
            CoachRelation.resident_id == followed["resident_id"])) is None
    login_as(client, followed["coach"])
    assert "mevr. A. de Wit" not in client.get("/coach/afgesloten").get_data(as_text=True)


def test_undo_rule():
    closed = datetime(2026, 12, 1, 12, tzinfo=UTC)
    assert rules.can_undo_close(closed, "coach", True, closed + timedelta(days=30))
    assert not rules.can_undo_close(closed, "coach", True, closed + timedelta(days=30, seconds=1))
    assert not rules.can_undo_close(closed, "coach", False, closed)
    assert not rules.can_undo_close(closed, "bewoner", True, closed)
    assert not rules.can_undo_close(closed, "overgedragen", True, closed)
    assert not rules.can_undo_close(None, None, True, closed)


def test_a_relation_ended_during_a_request_is_not_taken_from_that_requests_memory(app, followed):
    """active_relation keeps what it found for the rest of the request (the access check and the page
    both ask), but never a relation that ended, was deleted, or may have changed at a commit."""
    from webapp.core.models import User
    from webapp.core.permissions import active_relation

    with app.test_request_context():
        coach = db.session.scalar(select(User).where(User.public_id == followed["colleague"]))
        resident = db.session.get(Resident, followed["resident_id"])
        relation = active_relation(coach, resident)
        assert relation is not None and active_relation(coach, resident) is relation
        relation.ended_at = datetime.now(UTC)
        assert active_relation(coach, resident) is None
        db.session.rollback()
        assert active_relation(coach, resident) is not None  # read again: the end was undone
        db.session.execute(CoachRelation.__table__.delete().where(CoachRelation.coach_id == coach.id))
        db.session.commit()
        assert active_relation(coach, resident) is None
