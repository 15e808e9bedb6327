"""Welzijn op Recept: a verwijzer refers, a welzijnscoach picks it up and enrols, the verwijzer hears back
only what the resident agreed to."""

import html
import re
from datetime import date, datetime

import pytest
from sqlalchemy import func, select

from tests.test_logs import captured_log  # noqa: F401 - a fixture
from webapp.core.extensions import db
from webapp.core.labels import WorNotStarted, WorSharing, WorStatus
from webapp.core.models import AuditEvent, CoachRelation, Resident, User, WorContactAttempt, WorReferral
from webapp.wor import rules

CLOSE = {"improved": "beter", "hours": "12", "avoided": ["huisarts", "poh_ggz"]}
REFERRAL = {"patient_name": "mevr. J. de Vries", "contact": "06 1234 5678",
            "reason": "Sinds het overlijden van haar man eenzaam, komt weinig buiten.",
            "life_event": "overlijden_naaste", "urgency": "snel", "patient_agreed": "y"}


# --- rules (plain Python) ---

def test_the_status_path_goes_forward_only():
    assert rules.can_move(WorStatus.ONTVANGEN, WorStatus.CONTACT_GELEGD)
    assert rules.can_move(WorStatus.CONTACT_GELEGD, WorStatus.IN_BEGELEIDING)
    assert rules.can_move(WorStatus.IN_BEGELEIDING, WorStatus.AFGEROND)
    assert rules.can_move(WorStatus.ONTVANGEN, WorStatus.NIET_GESTART)
    assert not rules.can_move(WorStatus.ONTVANGEN, WorStatus.AFGEROND)
    assert not rules.can_move(WorStatus.IN_BEGELEIDING, WorStatus.NIET_GESTART)
    assert not rules.can_move(WorStatus.AFGEROND, WorStatus.IN_BEGELEIDING)
    assert not rules.can_move(WorStatus.NIET_GESTART, WorStatus.CONTACT_GELEGD)
    assert not rules.can_move("onzin", WorStatus.AFGEROND)


def test_waiting_days_count_whole_days_and_never_go_below_zero():
    assert rules.waiting_days(date(2026, 12, 1), date(2026, 12, 3)) == 2
    assert rules.waiting_days(date(2026, 12, 3), date(2026, 12, 3)) == 0
    assert rules.waiting_days(date(2026, 12, 4), date(2026, 12, 3)) == 0


def test_feedback_shows_only_what_the_resident_chose():
    before = rules.feedback(WorStatus.CONTACT_GELEGD, None, None, None)
    assert (before.status, before.note, before.withheld) == (WorStatus.CONTACT_GELEGD, None, False)
    stopped = rules.feedback(WorStatus.NIET_GESTART, None, WorNotStarted.WIL_NIET, None)
    assert stopped.not_started == WorNotStarted.WIL_NIET
    assert rules.feedback(WorStatus.IN_BEGELEIDING, WorSharing.STATUS, None, "Doet mee").note is None
    assert rules.feedback(WorStatus.AFGEROND, WorSharing.STATUS_NOTITIE, None, "Gaat beter").note == "Gaat beter"
    nothing = rules.feedback(WorStatus.IN_BEGELEIDING, WorSharing.GEEN, None, "Doet mee")
    assert nothing.withheld and nothing.status is None and nothing.note is None


# --- requests ---

@pytest.fixture
def people(make_staff):
    return {"verwijzer": make_staff("verwijzer", name="Dokter Bos"),
            "other_verwijzer": make_staff("verwijzer", name="POH Smit"),
            "coach": make_staff("welzijnscoach", name="Marieke Jansen"),
            "colleague": make_staff("welzijnscoach", name="Sanne de Wit"),
            "ouderencoach": make_staff("ouderencoach", name="Piet Ouder")}


def _referral(app) -> WorReferral:
    with app.app_context():
        return db.session.scalar(select(WorReferral))


def _count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def _refer(app, client, people, login_as, **changes) -> WorReferral:
    login_as(client, people["verwijzer"]["user"])
    response = client.post_form("/verwijzer/nieuw", {**REFERRAL, **changes})
    assert response.status_code == 302, response.get_data(as_text=True)
    return _referral(app)


def _as(app, people, login_as, who):
    client = app.test_client()
    login_as(client, people[who]["user"])
    return client


def test_a_verwijzer_refers_and_the_coaches_see_it_in_the_queue(app, client, people, login_as):
    referral = _refer(app, client, people, login_as)
    assert (referral.status, referral.urgency, referral.life_event) == ("ontvangen", "snel", "overlijden_naaste")
    assert "mevr. J. de Vries" in client.get("/verwijzer").get_data(as_text=True)
    page = _as(app, people, login_as, "coach").get("/coach/welzijn-op-recept").get_data(as_text=True)
    assert "mevr. J. de Vries" in page and "sinds vandaag" in page and "Dokter Bos" in page


def test_a_referral_sent_twice_is_stored_once(app, client, people, login_as):
    _refer(app, client, people, login_as)
    assert client.post_form("/verwijzer/nieuw", REFERRAL).status_code == 302
    assert _count(app, WorReferral) == 1
    client.post_form("/verwijzer/nieuw", {**REFERRAL, "reason": "Iets anders."})
    assert _count(app, WorReferral) == 2


def test_the_queue_shows_the_quick_ones_then_the_oldest_first_with_waiting_days(app, client, people, login_as):
    _refer(app, client, people, login_as, patient_name="Nieuwste", urgency="gewoon")
    with app.app_context():
        referrer = db.session.scalar(select(User.id).where(User.public_id == people["verwijzer"]["user"]))
        db.session.add(WorReferral(referrer_id=referrer, patient_name="Oudste", contact="06", reason="x",
                                   urgency="gewoon", created_at=datetime(2026, 1, 5, 10, 0)))
        db.session.commit()
    page = _as(app, people, login_as, "coach").get("/coach/welzijn-op-recept").get_data(as_text=True)
    assert page.index("Oudste") < page.index("Nieuwste")
    assert "dagen" in page[page.index("Oudste"):page.index("Nieuwste")]
    # Found using the app: "Graag snel" from the GP waited at the bottom of a long queue.
    _refer(app, client, people, login_as, patient_name="Snelste", urgency="snel")
    page = _as(app, people, login_as, "coach").get("/coach/welzijn-op-recept").get_data(as_text=True)
    assert page.index("Snelste") < page.index("Oudste") < page.index("Nieuwste")


def test_a_referral_without_the_patients_agreement_stores_nothing(app, client, people, login_as):
    login_as(client, people["verwijzer"]["user"])
    response = client.post_form("/verwijzer/nieuw", {**REFERRAL, "patient_agreed": ""})
    assert response.status_code == 400
    assert "Verwijs alleen als de patiënt dat goed vindt" in response.get_data(as_text=True)
    assert _count(app, WorReferral) == 0


def test_a_referral_without_name_or_reason_or_with_an_unknown_life_event_stores_nothing(app, client, people,
                                                                                       login_as):
    login_as(client, people["verwijzer"]["user"])
    for changes in ({"patient_name": " "}, {"reason": ""}, {"contact": ""}, {"life_event": "verzonnen"},
                    {"urgency": "morgen"}, {"reason": "x" * 1001}):
        response = client.post_form("/verwijzer/nieuw", {**REFERRAL, **changes})
        assert response.status_code == 400, changes
    assert _count(app, WorReferral) == 0


def test_from_pick_up_to_enrolment_the_verwijzer_hears_the_status_and_the_agreed_note(app, client, people,
                                                                                      login_as):
    referral = _refer(app, client, people, login_as)
    coach = _as(app, people, login_as, "coach")
    base = f"/coach/welzijn-op-recept/{referral.public_id}"
    assert coach.post_form(f"{base}/oppakken").status_code == 302
    assert coach.post_form(f"{base}/contactpoging", {"outcome": "niet_bereikt"}).status_code == 302
    assert _referral(app).status == "ontvangen"
    coach.post_form(f"{base}/contactpoging", {"outcome": "bereikt", "note": "Belt morgen terug"})
    assert _referral(app).status == "contact_gelegd"
    assert _count(app, WorContactAttempt) == 2
    form = coach.get(f"{base}/inschrijven").get_data(as_text=True)
    assert 'value="mevr. J. de Vries"' in form
    response = coach.post_form(f"{base}/inschrijven", {
        "display_name": "mevr. J. de Vries", "birth_year": "1950", "wijk": "Oosterhof", "consent_method": "mondeling",
        "consent_date": date.today().isoformat(), "consent_explained": "y", "sharing": "status_notitie"})
    assert response.status_code == 302 and response.location.startswith("/coach/bewoner/")
    linked = _referral(app)
    assert (linked.status, linked.sharing) == ("in_begeleiding", "status_notitie")
    with app.app_context():
        resident = db.session.get(Resident, linked.resident_id)
        assert db.session.scalar(select(CoachRelation).where(CoachRelation.resident_id == resident.id)).origin \
            == "ingeschreven"
        actions = set(db.session.scalars(select(AuditEvent.action).where(
            AuditEvent.resident_public_id == resident.public_id)))
    assert {"resident.enrol", "wor.link", "wor.status"} <= actions
    coach.post_form(f"{base}/terugkoppeling", {"note": "Gaat naar de wandelgroep op dinsdag."})
    mine = client.get("/verwijzer").get_data(as_text=True)
    assert "In begeleiding" in mine and "Gaat naar de wandelgroep op dinsdag." in mine
    assert "Belt morgen terug" not in mine  # the coaches' own notes stay with the coaches
    assert coach.post_form(f"{base}/afronden", CLOSE).status_code == 302
    assert "Afgerond" in client.get("/verwijzer").get_data(as_text=True)


def test_with_status_only_no_note_can_be_written_or_seen(app, client, people, login_as):
    referral = _refer(app, client, people, login_as)
    coach = _as(app, people, login_as, "coach")
    base = f"/coach/welzijn-op-recept/{referral.public_id}"
    coach.post_form(f"{base}/oppakken")
    coach.post_form(f"{base}/inschrijven", {
        "display_name": "J. de V.", "consent_method": "mondeling", "consent_date": date.today().isoformat(),
        "consent_explained": "y", "sharing": "status"})
    assert _referral(app).status == "in_begeleiding"
    coach.post_form(f"{base}/terugkoppeling", {"note": "Geheime notitie"})
    assert _referral(app).feedback_note is None
    mine = client.get("/verwijzer").get_data(as_text=True)
    assert "In begeleiding" in mine and "Geheime notitie" not in mine


def test_an_enrolment_without_consent_or_sharing_choice_changes_nothing(app, client, people, login_as):
    referral = _refer(app, client, people, login_as)
    coach = _as(app, people, login_as, "coach")
    base = f"/coach/welzijn-op-recept/{referral.public_id}"
    coach.post_form(f"{base}/oppakken")
    response = coach.post_form(f"{base}/inschrijven", {
        "display_name": "J. de V.", "consent_method": "mondeling", "consent_date": date.today().isoformat()})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Leg dit eerst uit aan de bewoner." in page and "Kies wat de verwijzer mag terughoren." in page
    assert _referral(app).resident_id is None and _count(app, Resident) == 0


def test_not_started_needs_a_reason_and_the_verwijzer_sees_only_the_reason(app, client, people, login_as):
    referral = _refer(app, client, people, login_as)
    coach = _as(app, people, login_as, "coach")
    base = f"/coach/welzijn-op-recept/{referral.public_id}"
    coach.post_form(f"{base}/oppakken")
    response = coach.post_form(f"{base}/niet-gestart", {"colleague_note": "zonder reden"})
    assert response.status_code == 400 and "Kies waarom de begeleiding niet start." in response.get_data(as_text=True)
    assert _referral(app).status == "ontvangen"
    coach.post_form(f"{base}/niet-gestart", {"reason": "wil_niet", "colleague_note": "Zoon regelt het al"})
    assert _referral(app).status == "niet_gestart"
    mine = client.get("/verwijzer").get_data(as_text=True)
    assert "Niet gestart: Wil op dit moment geen begeleiding" in mine and "Zoon regelt het al" not in mine
    assert coach.post_form(f"{base}/afronden").status_code == 302
    assert _referral(app).status == "niet_gestart"  # no step past the end


def test_the_referral_page_of_ones_own_referral_has_each_id_once(app, client, people, login_as):
    """Its forms (contact, not started) each have a note: one id for both sent a tap on one label
    into the other form's field."""
    import re
    from collections import Counter

    referral = _refer(app, client, people, login_as)
    coach = _as(app, people, login_as, "coach")
    base = f"/coach/welzijn-op-recept/{referral.public_id}"
    coach.post_form(f"{base}/oppakken")
    page = coach.get(base).get_data(as_text=True)
    ids = Counter(re.findall(r'\sid="([^"]+)"', page))
    assert [name for name, count in ids.items() if count > 1] == []
    for target in re.findall(r'<label[^>]*\sfor="([^"]+)"', page):
        assert ids[target] == 1, target
    assert "Toelichting voor collega" in page and "Notitie voor uzelf en collega" in page


def test_only_the_coach_who_picked_it_up_goes_on(app, client, people, login_as):
    referral = _refer(app, client, people, login_as)
    base = f"/coach/welzijn-op-recept/{referral.public_id}"
    _as(app, people, login_as, "coach").post_form(f"{base}/oppakken")
    colleague = _as(app, people, login_as, "colleague")
    colleague.post_form(f"{base}/oppakken")
    colleague.post_form(f"{base}/contactpoging", {"outcome": "bereikt"})
    response = colleague.get(f"{base}/inschrijven", follow_redirects=True)
    assert "Een collega heeft deze verwijzing opgepakt" in response.get_data(as_text=True)
    with app.app_context():
        coach_id = db.session.scalar(select(User.id).where(User.public_id == people["coach"]["user"]))
    assert _referral(app).coach_id == coach_id and _count(app, WorContactAttempt) == 0


def test_a_verwijzer_sees_only_their_own_referrals_and_never_the_residents_page(app, client, people, login_as):
    referral = _refer(app, client, people, login_as)
    other = _as(app, people, login_as, "other_verwijzer")
    assert "mevr. J. de Vries" not in other.get("/verwijzer").get_data(as_text=True)
    assert other.get(f"/coach/welzijn-op-recept/{referral.public_id}").status_code == 403
    coach = _as(app, people, login_as, "coach")
    base = f"/coach/welzijn-op-recept/{referral.public_id}"
    coach.post_form(f"{base}/oppakken")
    coach.post_form(f"{base}/inschrijven", {
        "display_name": "J. de V.", "consent_method": "mondeling", "consent_date": date.today().isoformat(),
        "consent_explained": "y", "sharing": "status"})
    with app.app_context():
        resident = db.session.get(Resident, _referral(app).resident_id).public_id
    for url in (f"/coach/bewoner/{resident}", f"/coach/bewoner/{resident}/fhir.json", "/coach", base):
        assert client.get(url).status_code == 403, url


def test_an_ouderencoach_has_no_queue(app, people, login_as):
    assert _as(app, people, login_as, "ouderencoach").get("/coach/welzijn-op-recept").status_code == 403


def test_the_residents_download_holds_the_referral(app, client, people, login_as):
    from webapp.rights import service as rights

    referral = _refer(app, client, people, login_as)
    coach = _as(app, people, login_as, "coach")
    base = f"/coach/welzijn-op-recept/{referral.public_id}"
    coach.post_form(f"{base}/oppakken")
    coach.post_form(f"{base}/inschrijven", {
        "display_name": "J. de V.", "consent_method": "mondeling", "consent_date": date.today().isoformat(),
        "consent_explained": "y", "sharing": "status"})
    with app.test_request_context():
        data = rights.export(db.session.get(Resident, _referral(app).resident_id), with_fhir=False)
    [held] = data["gp_referrals"]
    assert (held["name"], held["status"], held["sharing"]) == ("mevr. J. de Vries", "in_begeleiding", "status")
    assert held["reason"] == REFERRAL["reason"]
    coach.post_form(f"{base}/afronden", CLOSE)
    with app.test_request_context():
        [held] = rights.export(db.session.get(Resident, _referral(app).resident_id), with_fhir=False)["gp_referrals"]
    assert (held["improved"], held["coaching_hours"], held["avoided"]) == ("beter", 12, ["huisarts", "poh_ggz"])
    assert held["closed_at"]


def test_erasing_the_resident_erases_the_referral(app, client, people, login_as):
    from webapp.rights import service as rights

    referral = _refer(app, client, people, login_as)
    coach = _as(app, people, login_as, "coach")
    base = f"/coach/welzijn-op-recept/{referral.public_id}"
    coach.post_form(f"{base}/oppakken")
    coach.post_form(f"{base}/contactpoging", {"outcome": "bereikt"})
    coach.post_form(f"{base}/inschrijven", {
        "display_name": "J. de V.", "consent_method": "mondeling", "consent_date": date.today().isoformat(),
        "consent_explained": "y", "sharing": "status"})
    with app.test_request_context():
        rights.erase(db.session.get(Resident, _referral(app).resident_id))
        db.session.commit()
    assert _count(app, WorReferral) == 0 and _count(app, WorContactAttempt) == 0


def test_the_beheerder_makes_a_verwijzer_who_holds_no_other_role(app, client, make_staff, login_as):
    login_as(client, make_staff("beheerder")["user"])
    form = {"username": "dokter-bos", "password": "een-lang-wachtwoord-42", "confirm": "een-lang-wachtwoord-42",
            "display_name": "Dokter Bos", "organisation": "Praktijk De Linde", "roles": ["verwijzer", "welzijnscoach"]}
    response = client.post_form("/beheer/medewerker-nieuw", form)
    assert response.status_code == 400 and "Een verwijzer heeft alleen de rol van verwijzer" in response.get_data(
        as_text=True)
    assert client.post_form("/beheer/medewerker-nieuw", {**form, "roles": ["verwijzer"]}).status_code == 302
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == "dokter-bos"))
        assert user.roles == {"verwijzer"} and user.needs_second_factor and user.coach_code is None
    assert "Verwijzer" in client.get("/beheer").get_data(as_text=True)


def test_the_referral_reaches_no_log(app, client, people, login_as, captured_log):  # noqa: F811
    referral = _refer(app, client, people, login_as)
    coach = _as(app, people, login_as, "coach")
    coach.get("/coach/welzijn-op-recept")
    coach.get(f"/coach/welzijn-op-recept/{referral.public_id}")
    logged = captured_log.getvalue()
    assert "wor.new" in logged
    for typed in ("de Vries", "06 1234 5678", "eenzaam", referral.public_id):
        assert typed not in logged


# --- closing a case in a few taps ---

def _in_coaching(app, client, people, login_as, sharing="status_notitie"):
    referral = _refer(app, client, people, login_as)
    coach = _as(app, people, login_as, "coach")
    base = f"/coach/welzijn-op-recept/{referral.public_id}"
    coach.post_form(f"{base}/oppakken")
    coach.post_form(f"{base}/inschrijven", {
        "display_name": "J. de V.", "consent_method": "mondeling", "consent_date": date.today().isoformat(),
        "consent_explained": "y", "sharing": sharing})
    assert _referral(app).status == "in_begeleiding"
    return coach, base


def test_the_close_form_lists_the_price_list_and_stores_the_outcome(app, client, people, login_as):
    coach, base = _in_coaching(app, client, people, login_as)
    page = coach.get(base).get_data(as_text=True)
    for words in ("Gaat het beter met de bewoner?", "Ongeveer hetzelfde", "Consulten bij de huisarts", "Dagbesteding",
                  "Weet ik niet", "Hoeveel uur begeleiding"):
        assert words in page, words
    assert "welzijnscoach_uur" not in page  # the coach's own hourly rate is not something avoided
    assert coach.post_form(f"{base}/afronden", CLOSE).status_code == 302
    closed = _referral(app)
    assert (closed.status, closed.improved, closed.coaching_hours) == ("afgerond", "beter", 12)
    assert closed.avoided == ["huisarts", "poh_ggz"] and closed.closed_at is not None


@pytest.mark.parametrize("changes, message", [
    ({"improved": ""}, "Kies of het beter gaat met de bewoner."),
    ({"improved": "super"}, "Kies of het beter gaat met de bewoner."),
    ({"hours": ""}, "Vul het aantal uren in als heel getal, van 0 tot en met 200."),
    ({"hours": "201"}, "Vul het aantal uren in als heel getal, van 0 tot en met 200."),
    ({"hours": "-1"}, "Vul het aantal uren in als heel getal, van 0 tot en met 200."),
    ({"hours": "3,5"}, "Vul het aantal uren in als heel getal, van 0 tot en met 200."),
    ({"hours": "veel"}, "Vul het aantal uren in als heel getal, van 0 tot en met 200."),
    ({"avoided": []}, "Kies wat is voorkomen of uitgesteld."),
    ({"avoided": ["verzonnen"]}, "Kies wat is voorkomen of uitgesteld."),
    ({"avoided": ["welzijnscoach_uur"]}, "Kies wat is voorkomen of uitgesteld."),
    ({"avoided": ["huisarts", "weet_niet"]}, "alleen, zonder iets anders aan te vinken"),
])
def test_a_bad_close_gives_a_clear_message_and_changes_nothing(app, client, people, login_as, changes, message):
    coach, base = _in_coaching(app, client, people, login_as)
    response = coach.post_form(f"{base}/afronden", {**CLOSE, **changes})
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    still = _referral(app)
    assert (still.status, still.improved, still.coaching_hours, still.avoided, still.closed_at) == (
        "in_begeleiding", None, None, None, None)


def test_weet_ik_niet_and_zero_hours_close_the_case(app, client, people, login_as):
    coach, base = _in_coaching(app, client, people, login_as)
    coach.post_form(f"{base}/afronden", {"improved": "weet_niet", "hours": "0", "avoided": ["weet_niet"]})
    closed = _referral(app)
    assert (closed.status, closed.improved, closed.coaching_hours, closed.avoided) == (
        "afgerond", "weet_niet", 0, ["weet_niet"])


def test_the_service_refuses_a_close_the_form_would_refuse(app, client, people, login_as):
    from webapp.wor import service as wor

    _in_coaching(app, client, people, login_as)
    with app.test_request_context():
        referral = db.session.scalar(select(WorReferral))
        for improved, hours, avoided in (("beter", 500, ["huisarts"]), ("ja", 3, ["huisarts"]),
                                         ("beter", 3, ["niets", "huisarts"])):
            with pytest.raises(wor.WorError):
                wor.close(referral, improved, hours, avoided)
        assert referral.status == "in_begeleiding"


def test_close_problems_rules():
    known = {"huisarts", "poh_ggz"}
    assert rules.close_problems("beter", 0, ["huisarts"], known) == []
    assert rules.close_problems("beter", 200, ["niets"], known) == []
    assert rules.close_problems(None, None, [], known) == ["improved", "hours", "avoided"]
    assert rules.close_problems("minder", 201, ["weet_niet", "niets"], known) == ["hours", "avoided_alone"]
    assert rules.close_problems("hetzelfde", 4, ["thuiszorg"], known) == ["avoided"]


# --- feedback for the verwijzer: every sharing x status ---

NOTE, ACTIVITIES = "Gaat naar de wandelgroep", ("Wandelgroep", "Koor")
WITHHELD = (None, None, None, True, None, (), None)
FEEDBACK_TABLE = {
    # status: {sharing: (status, not_started, note, withheld, started, activities, improved)}
    WorStatus.ONTVANGEN: dict.fromkeys((None, "geen", "status", "status_notitie"),
                                       ("ontvangen", None, None, False, None, (), None)),
    WorStatus.CONTACT_GELEGD: dict.fromkeys((None, "geen", "status", "status_notitie"),
                                            ("contact_gelegd", None, None, False, None, (), None)),
    WorStatus.NIET_GESTART: dict.fromkeys((None, "geen", "status", "status_notitie"),
                                          ("niet_gestart", "wil_niet", None, False, False, (), None)),
    WorStatus.IN_BEGELEIDING: {None: WITHHELD, "geen": WITHHELD,
                               "status": ("in_begeleiding", None, None, False, True, (), None),
                               "status_notitie": ("in_begeleiding", None, NOTE, False, True, ACTIVITIES, None)},
    WorStatus.AFGEROND: {None: WITHHELD, "geen": WITHHELD,
                         "status": ("afgerond", None, None, False, True, (), "beter"),
                         "status_notitie": ("afgerond", None, NOTE, False, True, ACTIVITIES, "beter")},
}


@pytest.mark.parametrize("status, sharing", [(status, sharing) for status, row in FEEDBACK_TABLE.items()
                                             for sharing in row])
def test_feedback_for_every_sharing_and_status(status, sharing):
    seen = rules.feedback(status, sharing, "wil_niet", NOTE, ACTIVITIES, "beter")
    assert (seen.status, seen.not_started, seen.note, seen.withheld, seen.started, seen.activities,
            seen.improved) == FEEDBACK_TABLE[status][sharing]
    # Words only: never a number the verwijzer could read as a score.
    assert not any(isinstance(value, (int, float)) and not isinstance(value, bool) for value in vars(seen).values())


def test_feedback_never_shows_an_unknown_improvement_word():
    assert rules.feedback(WorStatus.AFGEROND, "status", None, None, (), "7").improved is None
    assert rules.feedback(WorStatus.AFGEROND, "status", None, None, (), None).improved is None


def _choose_activity(app, name="Wandelgroep"):
    from webapp.core.models import Activity, Referral

    with app.app_context():
        activity = Activity(name=name, organisation="Welzijn", description="Samen.", pillars=["lichaam"],
                            last_verified_on=date.today())
        db.session.add(activity)
        db.session.flush()
        db.session.add(Referral(resident_id=db.session.scalar(select(WorReferral)).resident_id,
                                activity_id=activity.id))
        db.session.commit()


@pytest.mark.parametrize("sharing, sees_activities, sees_improved", [
    ("status_notitie", True, True), ("status", False, True), ("geen", False, False)])
def test_the_verwijzer_reads_started_activities_and_improvement_as_far_as_allowed(
        app, client, people, login_as, sharing, sees_activities, sees_improved):
    coach, base = _in_coaching(app, client, people, login_as, sharing=sharing)
    _choose_activity(app, "Wandelgroep De Linde")
    mine = client.get("/verwijzer").get_data(as_text=True)
    assert ("Ja, gestart" in mine) == (sharing != "geen")
    assert ("Wandelgroep De Linde" in mine) == sees_activities
    coach.post_form(f"{base}/afronden", {**CLOSE, "improved": "hetzelfde"})
    mine = client.get("/verwijzer").get_data(as_text=True)
    assert ("Gaat het beter? Ongeveer hetzelfde" in mine) == sees_improved
    assert "12" not in mine.split("<tbody>")[1]  # the hours stay with the coaches and the figures


# --- the resident changes the choice later ---

def _link_to_login(app, make_resident) -> dict:
    """The referral's resident gets a login of their own (as after an activation code)."""
    own = make_resident("verwezen")
    with app.app_context():
        referral = db.session.scalar(select(WorReferral))
        referral.resident_id = db.session.scalar(select(Resident.id).where(Resident.public_id == own["resident"]))
        db.session.commit()
    return own


def test_the_coach_changes_the_choice_and_the_verwijzer_sees_it_at_once(app, client, people, login_as):
    coach, base = _in_coaching(app, client, people, login_as, sharing="status_notitie")
    coach.post_form(f"{base}/terugkoppeling", {"note": "Gaat naar het koor."})
    assert "Gaat naar het koor." in client.get("/verwijzer").get_data(as_text=True)
    assert "Keuze van de bewoner wijzigen" in coach.get(base).get_data(as_text=True)
    response = coach.post_form(f"{base}/keuze", {"sharing": "onzin"})
    assert response.status_code == 400 and _referral(app).sharing == "status_notitie"
    assert coach.post_form(f"{base}/keuze", {"sharing": "geen"}).status_code == 302
    mine = client.get("/verwijzer").get_data(as_text=True)
    assert "Gaat naar het koor." not in mine and "De patiënt koos voor geen terugkoppeling." in mine
    with app.app_context():
        resident = db.session.get(Resident, _referral(app).resident_id)
        assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "wor.sharing", AuditEvent.resident_public_id == resident.public_id)) == 1


def test_a_colleague_cannot_change_the_choice(app, client, people, login_as):
    _coach, base = _in_coaching(app, client, people, login_as)
    _as(app, people, login_as, "colleague").post_form(f"{base}/keuze", {"sharing": "geen"})
    assert _referral(app).sharing == "status_notitie"


def test_the_resident_changes_the_choice_on_their_own_account(app, client, people, login_as, make_resident):
    _in_coaching(app, client, people, login_as, sharing="geen")
    own = _link_to_login(app, make_resident)
    resident = app.test_client()
    login_as(resident, own["user"])
    assert "Kies wat uw huisarts of verpleegkundige terughoort" in resident.get("/account").get_data(as_text=True)
    page = resident.get("/account/verwijzer").get_data(as_text=True)
    assert "Verwezen door Dokter Bos" in page and "Uw keuze nu: Geen terugkoppeling" in page
    referral_id = _referral(app).public_id
    assert resident.post_form(f"/account/verwijzer/{referral_id}", {}).status_code == 400
    assert resident.post_form(f"/account/verwijzer/{referral_id}", {"sharing": "status"}).status_code == 302
    assert _referral(app).sharing == "status"
    assert "In begeleiding" in client.get("/verwijzer").get_data(as_text=True)
    log = resident.get("/account/inzage?ook_eigen=1").get_data(as_text=True)
    assert "Keuze gewijzigd: wat uw verwijzer terughoort" in log


def test_another_resident_cannot_change_the_choice(app, client, people, login_as, make_resident):
    _in_coaching(app, client, people, login_as, sharing="geen")
    _link_to_login(app, make_resident)
    stranger = app.test_client()
    login_as(stranger, make_resident("buurman")["user"])
    assert "Kies wat uw huisarts" not in stranger.get("/account").get_data(as_text=True)
    assert stranger.post_form(f"/account/verwijzer/{_referral(app).public_id}", {"sharing": "status"}).status_code \
        == 404
    assert _referral(app).sharing == "geen"


# --- the verwijzer's downloads: a one-page PDF and a FHIR ServiceRequest + Task pair ---

def _pdf_text(body: bytes) -> tuple[int, str]:
    import io

    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(body))
    return len(reader.pages), " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def test_the_feedback_pdf_is_one_page_with_only_what_is_allowed(app, client, people, login_as):
    coach, base = _in_coaching(app, client, people, login_as, sharing="status")
    coach.post_form(f"{base}/afronden", {**CLOSE, "improved": "beter"})
    referral = _referral(app)
    response = client.get(f"/verwijzer/{referral.public_id}/terugkoppeling.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    pages, text = _pdf_text(response.data)
    assert pages == 1
    for words in ("Terugkoppeling Welzijn op Recept", "mevr. J. de Vries", "Afgerond", "Ja, gestart", "Beter"):
        assert words in text, words
    assert "Notitie" not in text and "12" not in text.replace("2026", "")
    with app.app_context():
        resident = db.session.get(Resident, referral.resident_id)
        assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "wor.feedback_pdf", AuditEvent.resident_public_id == resident.public_id)) == 1


def test_another_practices_verwijzer_gets_no_download(app, client, people, login_as):
    referral = _refer(app, client, people, login_as)
    other = _as(app, people, login_as, "other_verwijzer")
    for url in (f"/verwijzer/{referral.public_id}/terugkoppeling.pdf", f"/verwijzer/{referral.public_id}/fhir.json"):
        assert other.get(url).status_code == 404
        assert _as(app, people, login_as, "coach").get(url).status_code == 403
        assert client.get(url).status_code == 200
    with app.app_context():  # before the resident is linked: audited by the referral's id
        assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action.in_(("wor.fhir", "wor.feedback_pdf")),
            AuditEvent.object_public_id == referral.public_id)) == 2


def _fhir(client, referral) -> dict:
    response = client.get(f"/verwijzer/{referral.public_id}/fhir.json")
    assert response.status_code == 200 and response.mimetype == "application/fhir+json"
    return response.get_json()


def _validate_fhir(bundle: dict) -> tuple[dict, dict]:
    from fhir.resources.R4B.bundle import Bundle

    from tests.fhir_validation import assert_valid

    Bundle.model_validate(bundle)  # structure and datatypes (R4B: ServiceRequest and Task as in R4)
    assert_valid(bundle)           # R4 invariants, JSON rules and the Bundle's fullUrls
    assert bundle["type"] == "collection"
    [request, task] = [entry["resource"] for entry in bundle["entry"]]
    assert (request["resourceType"], task["resourceType"]) == ("ServiceRequest", "Task")
    assert task["focus"]["reference"] == f"ServiceRequest/{request['id']}"
    assert request["intent"] == task["intent"] == "order"
    return request, task


def test_the_fhir_pair_follows_the_status_path_and_validates(app, client, people, login_as):
    referral = _refer(app, client, people, login_as)
    request, task = _validate_fhir(_fhir(client, referral))
    assert (request["status"], task["status"], task["businessStatus"]["text"]) == ("active", "requested", "Ontvangen")
    assert "output" not in task
    patient, practitioner = request["contained"]
    assert patient == {"resourceType": "Patient", "id": "patient", "name": [{"text": "mevr. J. de Vries"}]}
    assert practitioner["identifier"][0]["value"] == people["verwijzer"]["user"]
    assert request["requester"]["reference"] == "#verwijzer" and request["subject"]["reference"] == "#patient"
    assert request["priority"] == "asap" and request["authoredOn"].startswith(str(date.today().year))
    assert all(c["system"] != "http://snomed.info/sct" for c in request["code"]["coding"])
    coach, base = _as(app, people, login_as, "coach"), f"/coach/welzijn-op-recept/{referral.public_id}"
    coach.post_form(f"{base}/oppakken")
    coach.post_form(f"{base}/contactpoging", {"outcome": "bereikt"})
    assert _validate_fhir(_fhir(client, referral))[1]["status"] == "accepted"
    coach.post_form(f"{base}/inschrijven", {
        "display_name": "J. de V.", "consent_method": "mondeling", "consent_date": date.today().isoformat(),
        "consent_explained": "y", "sharing": "status_notitie"})
    _choose_activity(app, "Koor De Stem")
    coach.post_form(f"{base}/terugkoppeling", {"note": "Zingt mee."})
    request, task = _validate_fhir(_fhir(client, referral))
    assert task["status"] == "in-progress" and request["status"] == "active"
    coach.post_form(f"{base}/afronden", {**CLOSE, "improved": "minder"})
    request, task = _validate_fhir(_fhir(client, referral))
    assert (request["status"], task["status"]) == ("completed", "completed")
    outputs = {o["type"]["coding"][0]["code"]: o for o in task["output"]}
    assert outputs["gestart"]["valueBoolean"] is True
    assert outputs["verbetering"]["valueString"] == "Minder goed"
    assert outputs["activiteit"]["valueString"] == "Koor De Stem"
    assert outputs["notitie"]["valueString"] == "Zingt mee."
    coach.post_form(f"{base}/keuze", {"sharing": "geen"})  # the resident changes their mind
    request, task = _validate_fhir(_fhir(client, referral))
    assert (request["status"], task["status"]) == ("active", "accepted") and "output" not in task
    assert task["businessStatus"]["text"] == "De patiënt koos voor geen terugkoppeling."


def test_a_referral_that_did_not_start_is_a_rejected_task_with_the_reason(app, client, people, login_as):
    referral = _refer(app, client, people, login_as)
    coach, base = _as(app, people, login_as, "coach"), f"/coach/welzijn-op-recept/{referral.public_id}"
    coach.post_form(f"{base}/oppakken")
    coach.post_form(f"{base}/niet-gestart", {"reason": "andere_hulp", "colleague_note": "Zoon regelt het"})
    request, task = _validate_fhir(_fhir(client, referral))
    assert (request["status"], task["status"]) == ("revoked", "rejected")
    assert task["statusReason"]["text"] == "Heeft al andere hulp"
    assert task["output"] == [{"type": {"coding": [{"system": rules.FEEDBACK_CODE_SYSTEM, "code": "gestart",
                                                     "display": "Begeleiding gestart"}]}, "valueBoolean": False}]
    assert "Zoon regelt het" not in str(request) + str(task)


@pytest.mark.parametrize("status", list(rules.TASK_STATUS))
@pytest.mark.parametrize("sharing", [None, "geen", "status", "status_notitie"])
def test_the_fhir_pair_validates_for_every_sharing_and_status(status, sharing):
    seen = rules.feedback(status, sharing, "wil_niet", NOTE, ACTIVITIES, "beter")
    bundle = rules.fhir_referral_bundle(rules.FhirReferral(
        referral_id="0123456789abcdef0123456789abcdef", patient_name="J. de V.",
        authored_on="2026-11-02T09:30:00+01:00", last_modified="2026-12-01T10:00:00+01:00", urgency="gewoon",
        referrer_id="fedcba9876543210fedcba9876543210", referrer_name="Dokter Bos", referrer_organisation="De Linde",
        feedback=seen, status_text="x", not_started_text="Wil op dit moment geen begeleiding",
        improved_text="Beter"))
    _request, task = _validate_fhir(bundle)
    values = [o.get("valueString") for o in task.get("output", [])]
    assert (NOTE in values) == (sharing == "status_notitie" and status in ("in_begeleiding", "afgerond"))
    assert ("Beter" in values) == (sharing in ("status", "status_notitie") and status == "afgerond")


def test_a_long_pasted_reason_is_refused_with_a_message_and_kept_not_cut_off(app, client, people, login_as):
    # Found using the app: the browser cut a pasted reason at the textarea's maxlength, mid-word, unsaid.
    login_as(client, people["verwijzer"]["user"])
    form = client.get("/verwijzer/nieuw").get_data(as_text=True)
    assert re.search(r"<textarea[^>]*maxlength", form) is None
    long_reason = "Eenzaam sinds de verhuizing. " * 40  # 1,160 characters
    response = client.post_form("/verwijzer/nieuw", {**REFERRAL, "reason": long_reason})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "Gebruik hoogstens 1000 tekens." in page
    assert long_reason.strip() in html.unescape(page)  # to shorten, not to type again
    assert _count(app, WorReferral) == 0


def test_a_name_with_one_endless_word_is_refused(app, client, people, login_as):
    # Found using the app: a 100-letter name without spaces pushed every other column of the GP's list
    # and the coach's queue off the screen.
    login_as(client, people["verwijzer"]["user"])
    response = client.post_form("/verwijzer/nieuw", {**REFERRAL, "patient_name": "mevr. " + "a" * 40})
    assert response.status_code == 400 and "een woord van meer dan 30 letters" in response.get_data(as_text=True)
    assert _count(app, WorReferral) == 0
    assert _refer(app, client, people, login_as, patient_name="mevr. M. Wolters-van der Heijden")
