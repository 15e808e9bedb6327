"""The coach's call list (issue 14): a phone number the coach records, and a "gebeld" tick with a note,
for the resident's current next check-in date; audited, and only for a coach who follows the resident."""

from datetime import date

import pytest
from sqlalchemy import select

from tests.conftest import all_answers
from webapp.core.extensions import db
from webapp.core.models import AuditEvent, ReminderCall, Resident
from webapp.reminders import rules
from webapp.reminders import service as reminders


@pytest.mark.parametrize(("typed", "kept"), [
    ("06 12345678", "06 12345678"), ("  06-1234 5678 ", "06-1234 5678"), ("+31 6 1234 5678", "+31 6 1234 5678"),
    ("(010) 123 45 67", "(010) 123 45 67"), ("", None), (None, None),
])
def test_a_phone_number_is_kept_as_typed_but_tidy(typed, kept):
    assert rules.phone_number(typed) == kept


@pytest.mark.parametrize("typed", ["bel maar", "06 1234", "06 1234 5678 9012 3456", "06+12345678", "06 1234567x"])
def test_what_is_not_a_phone_number_is_refused(typed):
    with pytest.raises(ValueError):
        rules.phone_number(typed)


def test_tel_link_keeps_digits_and_a_leading_plus():
    assert rules.tel_link("+31 6 1234-5678") == "+31612345678"
    assert rules.tel_link("(010) 123 45 67") == "0101234567"


@pytest.fixture
def followed(app, make_resident, make_checkin, make_staff, kort_items):
    """A resident with a check-in seven weeks after a life-event (due), followed by a coach."""
    person = make_resident(username="truus")
    make_checkin(person["resident"], all_answers(kort_items, 5), days_ago=49, life_event="overlijden_naaste")
    coach = make_staff("ouderencoach", name="Coach C", share_with=(person["resident"],))
    return {**person, "coach": coach}


def _resident(app, public_id):
    return db.session.scalar(select(Resident).where(Resident.public_id == public_id))


def test_the_coach_records_a_number_and_a_call(app, client, login_as, followed):
    login_as(client, followed["coach"]["user"])
    url = f"/coach/bewoner/{followed['resident']}"
    refused = client.post_form(f"{url}/telefoon", {"phone": "bel me maar"}, follow_redirects=True)
    assert "Dit lijkt geen telefoonnummer" in refused.get_data(as_text=True)
    with app.app_context():
        assert _resident(app, followed["resident"]).phone is None
    assert client.post_form(f"{url}/telefoon", {"phone": " 06 1234 5678 "}).status_code == 302
    too_long = client.post_form(f"{url}/gebeld", {"note": "x" * 201}, follow_redirects=True)
    assert "hoogstens 200 tekens" in too_long.get_data(as_text=True)
    done = client.post_form(f"{url}/gebeld", {"note": "Komt donderdag langs", "next": "/coach#bellijst"})
    assert done.status_code == 302 and done.location.endswith("/coach#bellijst")
    with app.app_context():
        resident = _resident(app, followed["resident"])
        assert resident.phone == "06 1234 5678"
        calls = db.session.scalars(select(ReminderCall)).all()
        assert len(calls) == 1 and calls[0].note == "Komt donderdag langs"
        due = reminders.next_checkin(resident).on
        assert calls[0].due_on == due
        info = reminders.call_info({resident.public_id: due})[resident.public_id]
        assert (info.phone, info.note, info.called_by) == ("06 1234 5678", "Komt donderdag langs", "Coach C")
        # A call about an earlier date does not tick the current one.
        assert reminders.call_info({resident.public_id: date(2020, 1, 1)})[resident.public_id].called_at is None
        actions = set(db.session.scalars(select(AuditEvent.action).where(
            AuditEvent.resident_public_id == followed["resident"])))
        assert {"reminder.call", "resident.phone"} <= actions
    assert client.post_form(f"{url}/telefoon", {"phone": ""}).status_code == 302
    with app.app_context():
        assert _resident(app, followed["resident"]).phone is None


def test_a_coach_who_does_not_follow_the_resident_cannot_call_or_record(app, client, login_as, make_staff,
                                                                         followed):
    stranger = make_staff("welzijnscoach", name="Coach D")
    login_as(client, stranger["user"])
    url = f"/coach/bewoner/{followed['resident']}"
    assert client.post_form(f"{url}/gebeld", {"note": "x"}).status_code == 404
    assert client.post_form(f"{url}/telefoon", {"phone": "06 12345678"}).status_code == 404
    with app.app_context():
        assert db.session.scalar(select(ReminderCall)) is None and _resident(app, followed["resident"]).phone is None


def test_the_call_list_shows_the_number_and_the_tick(app, client, login_as, followed):
    login_as(client, followed["coach"]["user"])
    url = f"/coach/bewoner/{followed['resident']}"

    def call_list() -> str:
        return client.get("/coach").get_data(as_text=True).split('id="bellijst"')[1].split("</section>")[0]

    before = call_list()
    assert "geen telefoonnummer" in before and f'action="{url}/gebeld"' in before
    client.post_form(f"{url}/telefoon", {"phone": "06 1234 5678"})
    assert 'href="tel:0612345678"' in call_list()
    client.post_form(f"{url}/gebeld", {"note": "Komt donderdag"})
    after = call_list()
    assert "Gebeld op" in after and "Komt donderdag" in after and f'action="{url}/gebeld"' not in after
    # The coach's resident page has the number, ready to change.
    assert 'value="06 1234 5678"' in client.get(url).get_data(as_text=True)
