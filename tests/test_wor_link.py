"""Welzijn op Recept: a referral for someone already in Veerkracht is linked to that resident instead of a
second enrolment; the coach's page of the resident shows the referral."""

from datetime import date

from sqlalchemy import func, select

from tests import test_wor
from tests.test_wor import _as, _count, _refer, _referral
from webapp.accounts import service as accounts
from webapp.core.extensions import db
from webapp.core.models import AuditEvent, CoachRelation, Resident, User, WorReferral
from webapp.wor import service as wor

people = test_wor.people  # the same fixture: two verwijzers, two welzijnscoaches and an ouderencoach
GONE = "Deze bewoner is niet (meer) te vinden bij de bewoners die u begeleidt."


def _enrolled_by(app, people, who: str, name: str) -> str:
    """A resident this staff member enrolled earlier (outside Welzijn op Recept); returns the public id."""
    with app.test_request_context():
        coach = db.session.scalar(select(User).where(User.public_id == people[who]["user"]))
        resident = accounts.enrol_resident(coach, name, 1948, "Oosterhof", date(2026, 10, 1), "mondeling")
        db.session.commit()
        return resident.public_id


def _picked_up(app, client, people, login_as):
    referral = _refer(app, client, people, login_as)
    coach = _as(app, people, login_as, "coach")
    base = f"/coach/welzijn-op-recept/{referral.public_id}"
    assert coach.post_form(f"{base}/oppakken").status_code == 302
    return coach, base


def _actions(app, resident_public_id: str) -> set[str]:
    with app.app_context():
        return set(db.session.scalars(select(AuditEvent.action).where(
            AuditEvent.resident_public_id == resident_public_id)))


def test_the_coach_links_the_referral_to_a_resident_they_already_follow(app, client, people, login_as):
    mine = _enrolled_by(app, people, "coach", "Johanna de Vries")
    _enrolled_by(app, people, "coach", "Piet Bakker")
    theirs = _enrolled_by(app, people, "colleague", "Johanna de Wit")
    coach, base = _picked_up(app, client, people, login_as)
    assert "Koppelen aan een bewoner die u al begeleidt" in coach.get(base).get_data(as_text=True)
    found = coach.get(f"{base}/koppelen?naam=johanna").get_data(as_text=True)
    assert "Johanna de Vries" in found and "Piet Bakker" not in found
    assert "Johanna de Wit" not in found  # a colleague's resident is never found
    assert "wor.link_search" in _actions(app, mine) and "wor.link_search" not in _actions(app, theirs)
    confirm = coach.get(f"{base}/koppelen?bewoner={mine}").get_data(as_text=True)
    assert "Klopt dit?" in confirm and "Johanna de Vries" in confirm and "1948" in confirm
    residents, relations = _count(app, Resident), _count(app, CoachRelation)
    response = coach.post_form(f"{base}/koppelen", {"bewoner": mine, "sharing": "status_notitie"})
    assert response.status_code == 302 and response.location == f"/coach/bewoner/{mine}"
    linked = _referral(app)
    assert (linked.status, linked.sharing) == ("in_begeleiding", "status_notitie")
    with app.app_context():
        assert db.session.get(Resident, linked.resident_id).public_id == mine
    assert (_count(app, Resident), _count(app, CoachRelation)) == (residents, relations)  # no second enrolment
    assert {"wor.link_existing", "wor.status", "wor.link_confirm"} <= _actions(app, mine)
    assert "In begeleiding" in client.get("/verwijzer").get_data(as_text=True)
    # Linked now: no second link, no enrolment, no giving back.
    assert "Deze stap kan nu niet" in coach.get(f"{base}/koppelen", follow_redirects=True).get_data(as_text=True)
    assert coach.get(f"{base}/inschrijven").status_code == 302
    coach.post_form(f"{base}/teruggeven")
    assert _referral(app).coach_id is not None


def test_a_resident_who_shares_with_the_coach_after_registering_can_be_linked(app, client, people, login_as,
                                                                                make_resident):
    resident = make_resident("zelf-aangemeld")
    with app.app_context():
        row = db.session.scalar(select(Resident).where(Resident.public_id == resident["resident"]))
        accounts.share_with_coach(row, people["coach"]["code"])
        db.session.commit()
    coach, base = _picked_up(app, client, people, login_as)
    assert "zelf-aangemeld" in coach.get(f"{base}/koppelen?naam=aangemeld").get_data(as_text=True)
    assert coach.post_form(f"{base}/koppelen", {"bewoner": resident["resident"], "sharing": "status"}).status_code \
        == 302
    assert _referral(app).status == "in_begeleiding"
    # The resident sees the referral on their own page, and can change what the verwijzer hears.
    own = app.test_client()
    login_as(own, resident["user"])
    page = own.get("/account/verwijzer").get_data(as_text=True)
    assert "Stand: In begeleiding." in page
    assert "Uw keuze nu: Hoe ver de begeleiding is, en aan het eind of het beter gaat" in page


def test_a_resident_only_a_colleague_follows_is_not_linked_and_nothing_is_stored(app, client, people, login_as):
    theirs = _enrolled_by(app, people, "colleague", "Johanna de Wit")
    coach, base = _picked_up(app, client, people, login_as)
    assert coach.get(f"{base}/koppelen?bewoner={theirs}").status_code == 404
    response = coach.post_form(f"{base}/koppelen", {"bewoner": theirs, "sharing": "status"})
    assert response.status_code == 400 and GONE in response.get_data(as_text=True)
    referral = _referral(app)
    assert (referral.resident_id, referral.status, referral.sharing) == (None, "ontvangen", None)
    assert "Johanna de Wit" not in response.get_data(as_text=True)
    assert "wor.link_confirm" not in _actions(app, theirs)


def test_a_referral_for_an_erased_resident_gives_a_clear_message_and_stores_nothing(app, client, people, login_as):
    from webapp.rights import service as rights

    mine = _enrolled_by(app, people, "coach", "Johanna de Vries")
    coach, base = _picked_up(app, client, people, login_as)
    assert "Klopt dit?" in coach.get(f"{base}/koppelen?bewoner={mine}").get_data(as_text=True)
    with app.test_request_context():  # erased at the resident's request while the coach had the page open
        rights.erase(db.session.scalar(select(Resident).where(Resident.public_id == mine)))
        db.session.commit()
    before = _count(app, AuditEvent)
    response = coach.post_form(f"{base}/koppelen", {"bewoner": mine, "sharing": "status"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert GONE in page and "Er is niets gekoppeld" in page
    referral = _referral(app)
    assert (referral.resident_id, referral.status, referral.sharing) == (None, "ontvangen", None)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.resident_public_id == mine, AuditEvent.action != "resident.erase")) == 0
        assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action.in_(("wor.link_existing", "wor.status")))) == 0
    assert _count(app, AuditEvent) >= before  # only the reading of the referral page itself


def test_bad_link_input_changes_nothing(app, client, people, login_as):
    mine = _enrolled_by(app, people, "coach", "Johanna de Vries")
    coach, base = _picked_up(app, client, people, login_as)
    for form, message in (({"bewoner": mine}, "Kies wat de verwijzer mag terughoren."),
                          ({"bewoner": mine, "sharing": "alles"}, 'class="error"'),
                          ({"bewoner": "verzonnen", "sharing": "status"}, GONE),
                          ({"sharing": "status"}, GONE)):
        response = coach.post_form(f"{base}/koppelen", form)
        assert response.status_code == 400, form
        assert message in response.get_data(as_text=True), form
        assert _referral(app).resident_id is None
    assert coach.post(f"{base}/koppelen", data={"bewoner": mine, "sharing": "status"}).status_code == 400  # no token
    assert _referral(app).resident_id is None and _referral(app).status == "ontvangen"


def test_only_the_coach_who_picked_it_up_links(app, client, people, login_as):
    theirs = _enrolled_by(app, people, "colleague", "Johanna de Wit")
    _coach, base = _picked_up(app, client, people, login_as)
    colleague = _as(app, people, login_as, "colleague")
    response = colleague.post_form(f"{base}/koppelen", {"bewoner": theirs, "sharing": "status"},
                                   follow_redirects=True)
    assert "Een collega heeft deze verwijzing opgepakt" in response.get_data(as_text=True)
    assert _referral(app).resident_id is None
    with app.app_context():
        assert not wor.linkable_residents(db.session.scalar(select(User).where(
            User.public_id == people["coach"]["user"])), "johanna")


def test_given_back_the_colleague_who_follows_the_resident_links_it(app, client, people, login_as):
    theirs = _enrolled_by(app, people, "colleague", "Johanna de Wit")
    coach, base = _picked_up(app, client, people, login_as)
    coach.post_form(f"{base}/contactpoging", {"outcome": "bereikt", "note": "Wordt al begeleid door Sanne"})
    colleague = _as(app, people, login_as, "colleague")
    assert colleague.post_form(f"{base}/teruggeven").status_code == 302  # not theirs to give back
    assert _referral(app).coach_id is not None
    response = coach.post_form(f"{base}/teruggeven")
    assert response.status_code == 302 and response.location == "/coach/welzijn-op-recept"
    referral = _referral(app)
    assert (referral.coach_id, referral.status) == (None, "contact_gelegd")
    assert "mevr. J. de Vries" in colleague.get("/coach/welzijn-op-recept").get_data(as_text=True)
    colleague.post_form(f"{base}/oppakken")
    assert "Wordt al begeleid door Sanne" in colleague.get(base).get_data(as_text=True)  # the attempts stay
    assert colleague.post_form(f"{base}/koppelen", {"bewoner": theirs, "sharing": "status"}).status_code == 302
    assert _referral(app).status == "in_begeleiding"


def test_the_coachs_page_of_the_resident_shows_the_referral(app, client, people, login_as, make_staff):
    mine = _enrolled_by(app, people, "coach", "Johanna de Vries")
    coach, base = _picked_up(app, client, people, login_as)
    coach.post_form(f"{base}/koppelen", {"bewoner": mine, "sharing": "status_notitie"})
    page = coach.get(f"/coach/bewoner/{mine}").get_data(as_text=True)
    section = page[page.index("Verwijzing via Welzijn op Recept"):]
    assert "een verwijzer van Welzijn Zuid" in section  # the practice, not the person
    assert "Dokter Bos" not in page
    assert "Sinds het overlijden van haar man eenzaam" in section
    assert "In begeleiding" in section and "welke activiteiten gekozen zijn" in section
    for anchor in ("#notitie", "#keuze", "#afronden"):
        assert f'{base}{anchor}"' in section
    coach.post_form(f"{base}/afronden", {"improved": "beter", "hours": "6", "avoided": ["huisarts"]})
    page = coach.get(f"/coach/bewoner/{mine}").get_data(as_text=True)
    assert "Afgerond" in page and f'{base}#afronden"' not in page
    # An ouderencoach who follows the same resident does not read the referral (only welzijnscoaches do).
    with app.test_request_context():
        resident = db.session.scalar(select(Resident).where(Resident.public_id == mine))
        ouder = db.session.scalar(select(User).where(User.public_id == people["ouderencoach"]["user"]))
        db.session.add(CoachRelation(coach_id=ouder.id, resident_id=resident.id, origin="ingeschreven",
                                     consent_date=date(2026, 10, 1), consent_method="mondeling"))
        db.session.commit()
    other = _as(app, people, login_as, "ouderencoach").get(f"/coach/bewoner/{mine}").get_data(as_text=True)
    assert "Johanna de Vries" in other and "Verwijzing via Welzijn op Recept" not in other
    # A colleague welzijnscoach who follows the resident too sees it, without the handling links.
    with app.test_request_context():
        colleague = db.session.scalar(select(User).where(User.public_id == people["colleague"]["user"]))
        resident = db.session.scalar(select(Resident).where(Resident.public_id == mine))
        db.session.add(CoachRelation(coach_id=colleague.id, resident_id=resident.id, origin="ingeschreven",
                                     consent_date=date(2026, 10, 1), consent_method="mondeling"))
        db.session.commit()
    seen = _as(app, people, login_as, "colleague").get(f"/coach/bewoner/{mine}").get_data(as_text=True)
    assert "Verwijzing via Welzijn op Recept" in seen and "Marieke Jansen" in seen and "#keuze" not in seen


def test_a_resident_without_referrals_shows_no_referral_section(app, client, people, login_as):
    mine = _enrolled_by(app, people, "coach", "Johanna de Vries")
    page = _as(app, people, login_as, "coach").get(f"/coach/bewoner/{mine}").get_data(as_text=True)
    assert "Johanna de Vries" in page and "Verwijzing via Welzijn op Recept" not in page
    assert _count(app, WorReferral) == 0
