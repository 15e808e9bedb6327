"""Referrals: 'Dit wil ik proberen', status changes by role, and the follow-up at the next check-in."""

import re
from datetime import date

import pytest
from sqlalchemy import func, select

from tests.checkin_helpers import answer_steps, start_checkin
from tests.conftest import all_answers
from webapp.core.extensions import db
from webapp.core.models import Activity, AuditEvent, Checkin, Referral
from webapp.referrals.rules import can_move, parse_rating


@pytest.mark.parametrize("current, new, allowed", [
    ("voorgesteld", "aangemeld", True), ("aangemeld", "gestart", True), ("gestart", "afgerond", True),
    ("voorgesteld", "gestopt", True), ("gestart", "gestopt", True),
    ("voorgesteld", "gestart", False), ("gestart", "aangemeld", False), ("afgerond", "gestopt", False),
    ("gestopt", "aangemeld", False), ("aangemeld", "onzin", False),
])
def test_status_path(current, new, allowed):
    assert can_move(current, new) is allowed


def test_rating_is_one_to_five_or_empty():
    assert parse_rating("4") == 4 and parse_rating("") is None and parse_rating(None) is None
    for bad in ("0", "6", "abc", "4.5"):
        with pytest.raises(ValueError):
            parse_rating(bad)


@pytest.fixture
def setting(app, make_resident, make_checkin, kort_items):
    resident = make_resident()
    checkin = make_checkin(resident["resident"], {**all_answers(kort_items, 8),
                                                          **{i: 3 for i in kort_items["lichaam"]}})
    with app.app_context():
        activity = Activity(name="Wandelgroep De Beemden", organisation="Welzijn", description="Samen wandelen.",
                            pillars=["lichaam"], last_verified_on=date.today())
        db.session.add(activity)
        db.session.commit()
        return {**resident, "checkin": checkin, "activity": activity.public_id}


def _referral(app) -> Referral:
    with app.app_context():
        referral = db.session.scalar(select(Referral))
        db.session.expunge(referral)
        return referral


def test_resident_tries_a_suggestion_once(app, client, login_as, setting):
    login_as(client, setting["user"])
    url = f"/uitslag/{setting['checkin']}/proberen/{setting['activity']}"
    page = client.get(f"/uitslag/{setting['checkin']}").get_data(as_text=True)
    assert url in page and "Dit wil ik proberen" in page
    assert client.post_form(url).status_code == 302
    client.post_form(url)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Referral)) == 1
    assert _referral(app).status == "voorgesteld"
    home = client.get("/").get_data(as_text=True)
    assert "Wat u wilt proberen" in home and "Wandelgroep De Beemden" in home
    # Found using the app: a chosen suggestion still offered "Dit wil ik proberen", here and on
    # "Meer suggesties"; it now says it was chosen.
    for page in (client.get(f"/uitslag/{setting['checkin']}"), client.get(f"/uitslag/{setting['checkin']}/suggesties")):
        text = page.get_data(as_text=True)
        assert url not in text and "Dit staat al bij wat u wilt proberen." in text


def test_resident_moves_the_referral_along_and_stops_with_a_reason(app, client, login_as, setting):
    login_as(client, setting["user"])
    client.post_form(f"/uitslag/{setting['checkin']}/proberen/{setting['activity']}")
    referral = _referral(app).public_id
    status_url = f"/verwijzing/{referral}/status"
    client.post_form(status_url, {"status": "aangemeld"})
    client.post_form(status_url, {"status": "afgerond"})  # skipping a step is refused
    assert _referral(app).status == "aangemeld"
    client.post_form(status_url, {"status": "gestopt"})  # a stop needs a reason
    assert _referral(app).status == "aangemeld"
    assert "Schrijf kort op waarom u gestopt bent" in client.get("/").get_data(as_text=True)
    client.post_form(status_url, {"status": "gestopt", "reden": "Te ver lopen met mijn knie."})
    stopped = _referral(app)
    assert (stopped.status, stopped.stop_reason) == ("gestopt", "Te ver lopen met mijn knie.")
    with app.app_context():
        actions = list(db.session.scalars(
            select(AuditEvent.action).where(AuditEvent.action.like("referral.%")).order_by(AuditEvent.id)
        ))
    assert actions == ["referral.create", "referral.update", "referral.update"]


def test_coach_with_access_can_refer_and_update_others_cannot(app, client, login_as, setting, make_resident,
                                                              make_staff):
    coach_id = make_staff(name="R", share_with=(setting["resident"],))["user"]
    other_id = make_staff(name="S")["user"]
    login_as(client, coach_id)
    assert client.post_form(f"/uitslag/{setting['checkin']}/proberen/{setting['activity']}").status_code == 302
    referral = _referral(app).public_id
    assert client.post_form(f"/verwijzing/{referral}/status", {"status": "aangemeld"}).status_code == 302
    assert _referral(app).status == "aangemeld"
    stranger = app.test_client()
    login_as(stranger, other_id)
    assert stranger.post_form(f"/verwijzing/{referral}/status", {"status": "gestart"}).status_code == 404
    intruder = app.test_client()
    login_as(intruder, make_resident()["user"])
    assert intruder.post_form(f"/verwijzing/{referral}/status", {"status": "gestart"}).status_code == 404
    assert _referral(app).status == "aangemeld"


def test_next_checkin_asks_how_it_went(app, client, login_as, setting, kort_items):
    login_as(client, setting["user"])
    client.post_form(f"/uitslag/{setting['checkin']}/proberen/{setting['activity']}")
    referral = _referral(app).public_id
    draft = start_checkin(client)
    answer_steps(client, draft, kort_items)
    review = client.get(f"/checkin/{draft}/klaar").get_data(as_text=True)
    assert "Bent u naar Wandelgroep De Beemden geweest? Hoe was het?" in review

    bad = client.post_form(f"/checkin/{draft}/versturen", {f"hoe_{referral}": "9"})
    page = bad.get_data(as_text=True)
    assert bad.status_code == 400 and "Kies een cijfer van 1 tot en met 5" in page
    # The message is tied to every choice, and the summary at the top links to the question.
    assert "<title>Fout: " in page and f'href="#hoe-{referral}"' in page and f'id="hoe-{referral}"' in page
    choices = re.findall(rf'<input type="radio" name="hoe_{referral}"[^>]*>', page)
    assert len(choices) == 6 and all('aria-invalid="true"' in c and f"hoe-{referral}-error" in c for c in choices)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Checkin)) == 1  # only the earlier one
    assert _referral(app).followup_at is None

    # A long text is refused with a message and shown whole to shorten, never cut off unsaid.
    long_text = "Gezellig, wel moe. " * 60  # 1,140 characters
    too_long = client.post_form(f"/checkin/{draft}/versturen", {f"hoe_{referral}": "4",
                                                                 f"toelichting_{referral}": long_text})
    page = too_long.get_data(as_text=True)
    assert too_long.status_code == 400 and "schrijf hoogstens 1000 tekens" in page and long_text.strip() in page
    assert re.search(rf'<textarea id="toelichting-{referral}"[^>]*maxlength', page) is None
    assert _referral(app).followup_at is None

    good = client.post_form(f"/checkin/{draft}/versturen", {f"hoe_{referral}": "4",
                                                             f"toelichting_{referral}": "Gezellig, wel moe."})
    assert good.status_code == 302
    answered = _referral(app)
    assert (answered.followup_rating, answered.followup_text) == (4, "Gezellig, wel moe.")


def test_not_yet_is_a_fine_answer(app, client, login_as, setting, kort_items):
    login_as(client, setting["user"])
    client.post_form(f"/uitslag/{setting['checkin']}/proberen/{setting['activity']}")
    draft = start_checkin(client)
    answer_steps(client, draft, kort_items)
    assert client.post_form(f"/checkin/{draft}/versturen").status_code == 302
    assert _referral(app).followup_at is None
