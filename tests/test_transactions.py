"""One commit per request, and savepoints that undo only their own part (SQLite and PostgreSQL)."""

from datetime import date

from flask import abort
from sqlalchemy import func, select

from tests.checkin_helpers import answer_steps, start_checkin
from webapp import create_app
from webapp.checkin import service as checkin_service
from webapp.core import audit
from webapp.core.extensions import db
from webapp.core.models import Activity, AuditEvent, Checkin, Referral, Resident
from webapp.core.transactions import savepoint


def _count(app, model, *where) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_a_lost_submit_race_keeps_the_follow_up_and_audit_of_the_same_request(
        app, client, make_resident, login_as, kort_items, monkeypatch):
    """Two taps on "Klaar": the second request loses the race for the check-in, but the
    follow-up answer and audit events it wrote first are kept (a savepoint, not a full rollback)."""
    resident = make_resident()
    with app.app_context():
        owner = db.session.scalar(select(Resident).where(Resident.public_id == resident["resident"]))
        activity = Activity(name="Wandelgroep", organisation="Welzijn", description="Samen wandelen.",
                            pillars=["lichaam"], last_verified_on=date.today())
        db.session.add(activity)
        db.session.flush()
        db.session.add(Referral(resident_id=owner.id, activity_id=activity.id))
        db.session.commit()
    login_as(client, resident["user"])
    draft = start_checkin(client)
    answer_steps(client, draft, kort_items)
    first = client.post_form(f"/checkin/{draft}/versturen")  # the winner: no follow-up given yet
    assert first.status_code == 302
    referral = _referral_id(app)

    # The loser checked "already submitted?" before the winner committed: it sees no check-in
    # twice (in the view, loaded with the draft, and in the service), then its INSERT hits the
    # unique draft id.
    real_load, real = checkin_service.draft_and_resident, checkin_service.checkin_for_draft
    calls = {"n": 0}

    def not_submitted_yet(public_id):
        found_draft, owner, _submitted = real_load(public_id)
        calls["n"] += 1
        return found_draft, owner, None

    def not_yet_once(found_draft):
        calls["n"] += 1
        return None if calls["n"] <= 2 else real(found_draft)

    monkeypatch.setattr(checkin_service, "draft_and_resident", not_submitted_yet)
    monkeypatch.setattr(checkin_service, "checkin_for_draft", not_yet_once)
    second = client.post_form(f"/checkin/{draft}/versturen", {f"hoe_{referral}": "4",
                                                               f"toelichting_{referral}": "Gezellig."})
    assert calls["n"] == 3  # the race really happened
    assert second.status_code == 302 and second.location == first.location
    assert _count(app, Checkin) == 1
    with app.app_context():
        saved = db.session.scalar(select(Referral))
        assert (saved.followup_rating, saved.followup_text) == (4, "Gezellig.")
    assert _count(app, AuditEvent, AuditEvent.action == "referral.followup") == 1
    assert _count(app, AuditEvent, AuditEvent.action == "checkin.create") == 1


def _referral_id(app) -> str:
    with app.app_context():
        return db.session.scalar(select(Referral.public_id))


def test_a_savepoint_as_the_first_write_does_not_commit_the_request(app):
    """pysqlite opens transactions lazily; the savepoint must not commit on release."""
    with app.test_request_context():
        with savepoint():
            audit.record("test.savepoint", None, object_type="test")
        db.session.rollback()
    assert _count(app, AuditEvent) == 0


def test_a_failed_savepoint_undoes_only_its_own_part(app):
    with app.test_request_context():
        audit.record("test.before", None, object_type="test")
        try:
            with savepoint():
                audit.record("test.inside", None, object_type="test")
                raise RuntimeError("undo the inside")
        except RuntimeError:
            pass
        db.session.commit()
    with app.app_context():
        assert db.session.scalars(select(AuditEvent.action)).all() == ["test.before"]


def test_a_view_that_returns_commits_and_one_that_raises_rolls_back(app):
    """The request commits when the view returned a response (a 400 with form errors too), and
    rolls back when it raised."""
    probe = create_app({"TESTING": True, "SECRET_KEY": "test-secret-key",
                        "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]})

    @probe.get("/_probe/returns-400")
    def returns_400():
        audit.record("test.returned", None, object_type="test")
        return "form errors", 400

    @probe.get("/_probe/raises")
    def raises():
        audit.record("test.raised", None, object_type="test")
        abort(404)

    client = probe.test_client()
    assert client.get("/_probe/returns-400").status_code == 400
    assert client.get("/_probe/raises").status_code == 404
    with probe.app_context():
        assert db.session.scalars(select(AuditEvent.action)).all() == ["test.returned"]
        db.session.remove()
        db.engine.dispose()
